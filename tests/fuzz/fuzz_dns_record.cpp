// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: fl-dns's run record parser over an arbitrary section comment.

#include "probe/record/dns_record.h"
#include "record_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_record(data, size, probe::record::parse_dns_run_record,
              [](const probe::record::DnsRunRecord& r) { return probe::record::to_comment(r); });
  (void)probe::record::run_record_kind(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
