// libFuzzer target: the run record parser over an arbitrary section comment.

#include <cstddef>
#include <cstdint>
#include <string>

#include "probe/format/run_record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string comment(reinterpret_cast<const char*>(data), size);
  (void)probe::format::parse_run_record(comment);
  // The same bytes behind the tag, so that the JSON path is reached without
  // the fuzzer having to find the tag first.
  (void)probe::format::parse_run_record(probe::format::kRunRecordTag + comment);
  return 0;
}
