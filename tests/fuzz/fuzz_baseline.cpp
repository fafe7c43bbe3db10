// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: fl-locate's JSON report read back as a baseline
// (--baseline FILE). A baseline that parses holds only usable hops.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "probe/record/baseline.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto b = probe::record::parse_baseline_json(std::string(reinterpret_cast<const char*>(data), size));
  if (!b) return 0;
  for (const auto& p : b->paths) {
    if (p.reached_ttl && *p.reached_ttl == 0) std::abort();
    for (const auto& h : p.hops)
      if (h.ttl == 0) std::abort();
  }
  return 0;
}
