// libFuzzer target: the capture reader. The input is written to a file and
// read the way `fl-trace -r` reads it: section comment, run record, then
// every frame through the link-layer and IP parsers and through the builder
// that rebuilds other tools' traceroutes.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "probe/engine/foreign_trace.h"
#include "probe/record/trace_record.h"
#include "probe/io/capture_writer.h"
#include "probe/io/packet_source.h"
#include "probe/packet/datagram.h"

namespace {

// One file per fuzzing process, rewritten for each input and removed at exit.
class ScratchFile {
 public:
  ScratchFile() {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/fuzz_capture.XXXXXX";
    int fd = ::mkstemp(path_.data());
    if (fd < 0) std::abort();
    ::close(fd);
  }
  ~ScratchFile() { std::remove(path_.c_str()); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::string& write(const std::uint8_t* data, std::size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
    return path_;
  }

 private:
  std::string path_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace probe;
  static ScratchFile scratch;
  const std::string& path = scratch.write(data, size);

  auto comment = io::read_section_comment(path);
  if (comment && *comment) (void)record::parse_run_record(**comment);

  auto source = io::open_file(path);
  if (!source) return 0;
  io::PacketSource& s = **source;
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
