// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: the capture reader. The input is written to a file and
// read the way `fl-trace -r` and `fl-locate -r` read it: opened once, its
// notes (section comment as a run record, the statistics blocks' comments
// as annotations), then every frame through the link-layer and IP parsers
// and through the builder that rebuilds other tools' traceroutes.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "probe/engine/foreign_trace.h"
#include "probe/io/packet_source.h"
#include "probe/record/campaign_annotation.h"
#include "probe/record/trace_record.h"
#include "probe/packet/datagram.h"

namespace {

// One file per fuzzing process, rewritten for each input: a memfd, so that
// no input goes through a disk's file system, opened again by its /proc
// path just as `fl-trace -r` opens a capture.
class ScratchFile {
 public:
  ScratchFile() : fd_(::memfd_create("fuzz_capture", MFD_CLOEXEC)) {
    if (fd_ < 0) std::abort();
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~ScratchFile() { ::close(fd_); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::string& write(const std::uint8_t* data, std::size_t size) {
    if (::ftruncate(fd_, 0) != 0) std::abort();
    for (std::size_t done = 0; done < size;) {
      ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) std::abort();
      done += static_cast<std::size_t>(n);
    }
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace probe;
  static ScratchFile scratch;
  const std::string& path = scratch.write(data, size);

  auto capture = io::open_capture(path);
  if (!capture) return 0;
  const io::CaptureNotes& notes = capture->notes;
  if (notes.section) (void)record::parse_run_record(*notes.section);
  for (const auto& note : notes.opening) (void)record::parse_campaign_annotation(note);
  if (notes.closing) (void)record::parse_campaign_annotation(*notes.closing);
  io::PacketSource& s = *capture->source;
  engine::ForeignTraceBuilder builder;
  while (auto p = s.next(INT64_MAX)) {
    auto off = packet::ip_offset(p->linktype, p->data, p->caplen);
    if (off) (void)packet::parse_ip(p->data + *off, p->caplen - *off);
    builder.add(*p);
  }
  (void)builder.finish();
  (void)s.exhausted();
  (void)s.error();
  return 0;
}
