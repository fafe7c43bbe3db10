// SPDX-License-Identifier: BSD-2-Clause
// A full disk under a live run: the capture (-w), the results file (-O) or
// stdout that cannot be written stops the run within about a second, with
// exit 5 and the errno text, and what was written stays readable. The full
// disk is a small tmpfs mounted in a mount namespace of the run's own
// (unshare -m), so it is gone when the run ends and the host never sees it.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "lab_test_util.h"
#include "scenarios.h"

namespace probe::lab::test {
namespace {

using namespace std::chrono_literals;

// A run that would take a minute: 256 targets at 50 probes/s.
const std::string kLongRun = "-P icmp -W 1 --pps 50 -o json 198.18.200.0/24";

struct Outcome {
  ExecResult result;
  double seconds = 0;  // the fl-trace run alone, as the script timed it
};

// Mounts a 64 KiB tmpfs at MNT, leaves `room` bytes of it free, runs
// `command` (with MNT in it) and prints "rc=N ms=T", then `after`.
Outcome on_full_disk(const Lab& lab, const std::string& room_kib, const std::string& command,
                     const std::string& after = "") {
  TempDir tmp;
  const std::string mnt = tmp.file("mnt");
  const std::string script =
      "set -u; mkdir -p " + mnt + "; mount -t tmpfs -o size=64k tmpfs " + mnt +
      " || exit 99; dd if=/dev/zero of=" + mnt + "/fill bs=1k count=" + std::to_string(64 - std::stoi(room_kib)) +
      " 2>/dev/null; MNT=" + mnt + "; t0=$(date +%s%N); " + command +
      "; rc=$?; t1=$(date +%s%N); echo \"rc=$rc ms=$(( (t1 - t0) / 1000000 ))\" >&2; " + after;
  Outcome o;
  o.result = lab.exec(kVantage, {"unshare", "-m", "--propagation", "private", "sh", "-c", script}, 120s);
  auto at = o.result.err.rfind("rc=");
  if (at != std::string::npos) {
    auto ms = o.result.err.find("ms=", at);
    if (ms != std::string::npos) o.seconds = std::stod(o.result.err.substr(ms + 3)) / 1000.0;
  }
  return o;
}

TEST(DiskFull, CaptureOnFullDeviceExits5AtOnce) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("chain");
  const TraceRun run = run_fl_trace(lab, {"-P", "icmp", "-W", "1", "-o", "json", "-w", "/dev/full", "198.18.200.1"}, 30s);
  EXPECT_EQ(run.result.exit_code, 5) << run.result.err;
  EXPECT_EQ(run.result.err, "fl-trace: /dev/full: write failed: No space left on device\n");
}

TEST(DiskFull, CaptureThatFillsTheDiskStopsTheRunWithinASecond) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("chain");
  const std::string fl = fl_trace_path();
  auto o = on_full_disk(lab, "16", fl + " " + kLongRun + " -w $MNT/kp.pcapng >/dev/null",
                        fl + " -r $MNT/kp.pcapng -o json >/dev/null; echo replay=$? >&2; " +
                            "echo \"last_write_ms=$(stat -c %.3Y $MNT/kp.pcapng | tr -d .) end_ms=$((t1 / 1000000))\" >&2");
  ASSERT_NE(o.result.err.find("rc=5 "), std::string::npos) << o.result.err;
  EXPECT_NE(o.result.err.find("kp.pcapng: write failed: No space left on device"), std::string::npos)
      << o.result.err;
  // 16 KiB hold about 150 frames, some 2 s of this run, which would last a minute.
  EXPECT_LT(o.seconds, 5.0) << o.result.err;
  // Whole blocks only: the capture replays without damage.
  EXPECT_NE(o.result.err.find("replay=0"), std::string::npos) << o.result.err;
  // From the last block written (the file's mtime) to the exit.
  const auto& err = o.result.err;
  auto lw = err.find("last_write_ms="), em = err.find("end_ms=");
  ASSERT_TRUE(lw != std::string::npos && em != std::string::npos) << err;
  const double full_to_exit = (std::stod(err.substr(em + 7)) - std::stod(err.substr(lw + 14))) / 1000.0;
  EXPECT_LT(full_to_exit, 1.5) << err;
  std::cerr << "whole run " << o.seconds << " s, last block written to exit " << full_to_exit << " s\n";
}

TEST(DiskFull, ResultsFileOnFullDiskStopsTheRunWithinASecond) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("chain");
  auto o = on_full_disk(lab, "0", fl_trace_path() + " " + kLongRun + " -O $MNT/out.json",
                        "ls $MNT/out.json* 2>/dev/null | wc -l | sed 's/^/left=/' >&2");
  ASSERT_NE(o.result.err.find("rc=5 "), std::string::npos) << o.result.err;
  EXPECT_NE(o.result.err.find("out.json: write failed: No space left on device"), std::string::npos)
      << o.result.err;
  EXPECT_LT(o.seconds, 10.0) << o.result.err;
  EXPECT_NE(o.result.err.find("left=0"), std::string::npos) << "-O is complete or absent\n" << o.result.err;
}

TEST(DiskFull, StdoutOnFullDiskKeepsWholeLines) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("chain");
  auto o = on_full_disk(lab, "4", fl_trace_path() + " " + kLongRun + " > $MNT/out.json",
                        "tail -c 1 $MNT/out.json | od -An -c | tr -d ' ' | sed 's/^/last=/' >&2");
  ASSERT_NE(o.result.err.find("rc=5 "), std::string::npos) << o.result.err;
  EXPECT_NE(o.result.err.find("stdout: write failed: No space left on device"), std::string::npos) << o.result.err;
  EXPECT_NE(o.result.err.find("last=\\n"), std::string::npos) << "a cut line\n" << o.result.err;
}

}  // namespace
}  // namespace probe::lab::test
