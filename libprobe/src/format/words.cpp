#include "probe/format/words.h"

#include <cassert>
#include <utility>

namespace probe::format {

namespace {

using model::Confidence;
using model::DnsMode;
using model::PrefixStatus;
using model::ServerStatus;
using model::Verdict;
using model::ZoneVerdict;

template <class Enum>
using Words = std::pair<Enum, std::string_view>;

// One table per enum: to_word and from_word both read it, so the two
// directions cannot disagree.
constexpr Words<Verdict> kVerdict[] = {
    {Verdict::reachable, "reachable"}, {Verdict::upstream, "upstream"}, {Verdict::internal, "internal"},
    {Verdict::dns, "dns"},             {Verdict::partial, "partial"},   {Verdict::local, "local"},
    {Verdict::inconclusive, "inconclusive"},
};
constexpr Words<Confidence> kConfidence[] = {
    {Confidence::high, "high"}, {Confidence::medium, "medium"}, {Confidence::low, "low"},
};
constexpr Words<PrefixStatus> kPrefixStatus[] = {
    {PrefixStatus::reachable, "reachable"},
    {PrefixStatus::unreachable, "unreachable"},
    {PrefixStatus::partial, "partial"},
    {PrefixStatus::inconclusive, "inconclusive"},
};
constexpr Words<ServerStatus> kServerStatus[] = {
    {ServerStatus::ok, "ok"},
    {ServerStatus::unreachable, "unreachable"},
    {ServerStatus::lame, "lame"},
    {ServerStatus::inconsistent, "inconsistent"},
    {ServerStatus::unresolved, "unresolved"},
};
constexpr Words<ZoneVerdict> kZoneVerdict[] = {
    {ZoneVerdict::healthy, "healthy"},
    {ZoneVerdict::lame, "lame"},
    {ZoneVerdict::unreachable, "unreachable"},
    {ZoneVerdict::inconsistent, "inconsistent"},
    {ZoneVerdict::partially_lame, "partially-lame"},
    {ZoneVerdict::no_delegation, "no-delegation"},
};
constexpr Words<DnsMode> kDnsMode[] = {
    {DnsMode::query, "query"}, {DnsMode::zone, "zone"}, {DnsMode::trace, "trace"},
};

template <class Enum, std::size_t N>
std::string_view word_in(const Words<Enum> (&table)[N], Enum value) {
  for (const auto& [v, w] : table)
    if (v == value) return w;
  assert(!"an enum value without a word");
  return {};
}

template <class Enum, std::size_t N>
std::optional<Enum> value_in(const Words<Enum> (&table)[N], std::string_view word) {
  for (const auto& [v, w] : table)
    if (w == word) return v;
  return std::nullopt;
}

}  // namespace

std::string_view to_word(Verdict v) { return word_in(kVerdict, v); }
std::string_view to_word(Confidence c) { return word_in(kConfidence, c); }
std::string_view to_word(PrefixStatus s) { return word_in(kPrefixStatus, s); }
std::string_view to_word(ServerStatus s) { return word_in(kServerStatus, s); }
std::string_view to_word(ZoneVerdict v) { return word_in(kZoneVerdict, v); }
std::string_view to_word(DnsMode m) { return word_in(kDnsMode, m); }

template <>
std::optional<Verdict> from_word<Verdict>(std::string_view w) { return value_in(kVerdict, w); }
template <>
std::optional<Confidence> from_word<Confidence>(std::string_view w) { return value_in(kConfidence, w); }
template <>
std::optional<PrefixStatus> from_word<PrefixStatus>(std::string_view w) { return value_in(kPrefixStatus, w); }
template <>
std::optional<ServerStatus> from_word<ServerStatus>(std::string_view w) { return value_in(kServerStatus, w); }
template <>
std::optional<ZoneVerdict> from_word<ZoneVerdict>(std::string_view w) { return value_in(kZoneVerdict, w); }
template <>
std::optional<DnsMode> from_word<DnsMode>(std::string_view w) { return value_in(kDnsMode, w); }

}  // namespace probe::format
