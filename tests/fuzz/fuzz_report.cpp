// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: fl-locate's JSON report read back for a merge
// (fl-locate --merge A.json B.json ...), as it comes from another vantage
// point, over the network or a shared disk. A report that reads must write
// back (to_json) to text that reads again and writes the same text: the
// reader takes nothing the writer cannot say, and loses nothing it keeps.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "probe/format/locate_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using probe::format::read_locate_report;
  using probe::format::to_json;
  auto r = read_locate_report(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!r) return 0;
  const std::string once = to_json(*r).dump();
  auto again = read_locate_report(once);
  if (!again) std::abort();
  if (to_json(*again).dump() != once) std::abort();
  return 0;
}
