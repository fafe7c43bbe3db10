// SPDX-License-Identifier: BSD-2-Clause
#include "probe/model/words.h"

#include <cstddef>

namespace probe::model {

namespace {

// One table per enum, in the order of its values: to_word and from_word
// both read it, so the two directions cannot disagree.
constexpr std::string_view kVerdict[] = {"reachable", "upstream", "internal",    "dns",
                                         "partial",   "local",    "inconclusive"};
constexpr std::string_view kConfidence[] = {"high", "medium", "low"};
constexpr std::string_view kPrefixStatus[] = {"reachable", "unreachable", "partial", "inconclusive"};
constexpr std::string_view kServerStatus[] = {"ok", "unreachable", "lame", "inconsistent", "unresolved"};
constexpr std::string_view kZoneVerdict[] = {"healthy",      "lame",           "unreachable",
                                             "inconsistent", "partially-lame", "no-delegation"};
constexpr std::string_view kDnsMode[] = {"query", "zone", "trace"};

// A table with a word for every value, up to the enum's last.
template <class Enum, std::size_t N>
constexpr bool covers(const std::string_view (&)[N], Enum last) {
  return N == static_cast<std::size_t>(last) + 1;
}
static_assert(covers(kVerdict, Verdict::inconclusive));
static_assert(covers(kConfidence, Confidence::low));
static_assert(covers(kPrefixStatus, PrefixStatus::inconclusive));
static_assert(covers(kServerStatus, ServerStatus::unresolved));
static_assert(covers(kZoneVerdict, ZoneVerdict::no_delegation));
static_assert(covers(kDnsMode, DnsMode::trace));

template <class Enum, std::size_t N>
std::string_view word_in(const std::string_view (&words)[N], Enum value) {
  const auto i = static_cast<std::size_t>(value);
  return i < N ? words[i] : std::string_view();
}

}  // namespace

std::string_view to_word(Verdict v) { return word_in(kVerdict, v); }
std::string_view to_word(Confidence c) { return word_in(kConfidence, c); }
std::string_view to_word(PrefixStatus s) { return word_in(kPrefixStatus, s); }
std::string_view to_word(ServerStatus s) { return word_in(kServerStatus, s); }
std::string_view to_word(ZoneVerdict v) { return word_in(kZoneVerdict, v); }
std::string_view to_word(DnsMode m) { return word_in(kDnsMode, m); }

}  // namespace probe::model
