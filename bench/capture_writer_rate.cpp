// SPDX-License-Identifier: BSD-2-Clause
// How many frames a second CaptureWriter (fl-* -w) writes, alone: the
// capture tee sits on the engine's thread, so each frame's cost there is
// taken from probing. Not built by CMake (nothing under bench/ is); build it
// against a Release build's library and run it, once per revision to compare:
//
//   c++ -O2 -std=c++17 -Ilibprobe/include bench/capture_writer_rate.cpp \
//       build/libprobe/libprobe.a -lpcap -lfmt -o /tmp/cwr
//   /tmp/cwr /tmp/cwr.pcapng 2000000
//
// Frames are 82 bytes (a lab time-exceeded, Ethernet): what a trace capture
// mostly holds. Prints frames/s and MB/s over the write and the final flush.
//
// 2026-12-01, this 2-core VM shared with other builds, -O2, 1 M frames to
// /tmp (ext4), medians of 5 alternating runs: one write(2) per frame (main at
// 546657e) 0.92 M frames/s; 64 KiB buffer (branch harden) 16.7 M frames/s,
// about 18x.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "probe/io/capture_writer.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s FILE FRAMES\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const long frames = std::atol(argv[2]);
  std::vector<std::uint8_t> frame(82, 0x45);
  auto w = probe::io::CaptureWriter::create(path, 1, "faultline-run {}");
  if (!w) {
    std::fprintf(stderr, "%s\n", w.error().message.c_str());
    return 1;
  }
  probe::io::RawPacket p;
  p.data = frame.data();
  p.caplen = p.len = static_cast<std::uint32_t>(frame.size());
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < frames; ++i) {
    p.ts_us = 1764318125000000 + i * 10;  // 100k frames/s of capture time
    if (!(*w)->write(p)) {
      std::fprintf(stderr, "%s\n", (*w)->error().c_str());
      return 1;
    }
  }
  if (!(*w)->flush()) {
    std::fprintf(stderr, "%s\n", (*w)->error().c_str());
    return 1;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%ld frames in %.3f s: %.0f frames/s, %.1f MB/s\n", frames, s, frames / s,
              frames * (frame.size() + 32) / s / 1e6);
  std::remove(path.c_str());
  return 0;
}
