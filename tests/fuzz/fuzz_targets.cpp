// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: target, prefix and hitlist files (fl-trace -T,
// fl-locate --prefix-file and --hitlist): the lines, then each spec as a
// prefix and the specs expanded into addresses as the tools do.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "probe/model/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace probe::model;
  auto specs = parse_target_text(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!specs) return 0;
  // Expanding a /8 takes seconds: the fuzzer learns nothing from that.
  constexpr std::uint64_t kMaxExpanded = 4096;
  std::vector<std::string> small;
  std::uint64_t total = 0;
  for (const auto& s : *specs) {
    auto p = Prefix::parse(s);
    if (!p) {
      small.push_back(s);  // a bad spec: expand_targets must name it
      continue;
    }
    if (!p->contains(p->base)) std::abort();
    if (p->count() > kMaxExpanded - total) continue;
    total += p->count();
    small.push_back(s);
  }
  auto addrs = expand_targets(small, 0);
  if (addrs && addrs->size() > total) std::abort();
  return 0;
}
