// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: the trace run record parser over an arbitrary section comment.

#include "probe/record/trace_record.h"
#include "record_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_record(data, size, probe::record::parse_run_record,
              [](const probe::record::RunRecord& r) { return probe::record::to_comment(r); });
  return 0;
}
