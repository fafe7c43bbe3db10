// SPDX-License-Identifier: BSD-2-Clause
// The words of the model's decisions (model/words.h): every value has one,
// reads back as itself, and the spellings are fl-json(5)'s. Also the
// verdict rules that the lab-shaped campaigns of locate_analysis_test.cpp
// do not reach.

#include <gtest/gtest.h>

#include <vector>

#include "probe/model/words.h"
#include "probe/locate/analysis.h"

namespace {

using namespace probe;
using model::from_word;
using model::to_word;

template <class Enum>
void round_trips(const std::vector<std::pair<Enum, const char*>>& words) {
  for (const auto& [value, word] : words) {
    EXPECT_EQ(to_word(value), word);
    EXPECT_EQ(from_word<Enum>(word), value) << word;
  }
  EXPECT_FALSE(from_word<Enum>(""));
  EXPECT_FALSE(from_word<Enum>("Healthy "));
}

TEST(Words, EveryValueReadsBackAsItself) {
  using model::Verdict;
  round_trips<Verdict>({{Verdict::reachable, "reachable"},
                        {Verdict::upstream, "upstream"},
                        {Verdict::internal, "internal"},
                        {Verdict::dns, "dns"},
                        {Verdict::partial, "partial"},
                        {Verdict::local, "local"},
                        {Verdict::inconclusive, "inconclusive"}});
  using model::Confidence;
  round_trips<Confidence>({{Confidence::high, "high"}, {Confidence::medium, "medium"}, {Confidence::low, "low"}});
  using model::PrefixStatus;
  round_trips<PrefixStatus>({{PrefixStatus::reachable, "reachable"},
                             {PrefixStatus::unreachable, "unreachable"},
                             {PrefixStatus::partial, "partial"},
                             {PrefixStatus::inconclusive, "inconclusive"}});
  using model::ServerStatus;
  round_trips<ServerStatus>({{ServerStatus::ok, "ok"},
                             {ServerStatus::unreachable, "unreachable"},
                             {ServerStatus::lame, "lame"},
                             {ServerStatus::inconsistent, "inconsistent"},
                             {ServerStatus::unresolved, "unresolved"}});
  using model::ZoneVerdict;
  round_trips<ZoneVerdict>({{ZoneVerdict::healthy, "healthy"},
                            {ZoneVerdict::lame, "lame"},
                            {ZoneVerdict::unreachable, "unreachable"},
                            {ZoneVerdict::inconsistent, "inconsistent"},
                            {ZoneVerdict::partially_lame, "partially-lame"},
                            {ZoneVerdict::no_delegation, "no-delegation"}});
  using model::DnsMode;
  round_trips<DnsMode>({{DnsMode::query, "query"}, {DnsMode::zone, "zone"}, {DnsMode::trace, "trace"}});
}

// A trace toward `dst` whose first `silent` hops never answer, completed
// by the target at the end when `reached`.
model::Trace trace(const char* dst, int silent, bool reached) {
  model::Trace t;
  t.dst = *model::Address::parse(dst);
  for (int i = 0; i < silent + (reached ? 1 : 0); ++i) {
    model::ProbeRecord p;
    p.ttl = static_cast<std::uint8_t>(i + 1);
    if (i == silent) {
      model::Reply r;
      r.addr = t.dst;
      r.kind = model::ReplyKind::echo_reply;
      p.reply = r;
    }
    t.hops.push_back(model::Hop{p.ttl, {p}});
  }
  t.stop_reason = reached ? model::StopReason::completed : model::StopReason::gaplimit;
  return t;
}

const locate::AsLookup kNoAs = [](const model::Address&) { return std::optional<locate::AsName>(); };

locate::Campaign campaign() {
  locate::Campaign c;
  c.prefixes = {*model::Prefix::parse("198.18.128.0/22")};
  c.methods = {*locate::MethodSpec::parse("icmp")};
  c.controls = {{*model::Address::parse("192.0.2.99"), -1, {trace("192.0.2.99", 2, true)}}};
  return c;
}

TEST(VerdictRules, NoNationalTargetIsInconclusive) {
  auto r = locate::analyze(campaign(), kNoAs, std::nullopt);
  EXPECT_EQ(r.verdict, model::Verdict::inconclusive);
  EXPECT_EQ(r.confidence, model::Confidence::low);
  EXPECT_EQ(r.reason, "no national target was probed");
}

TEST(VerdictRules, SilenceTowardTheCountryWhileTheControlAnswersIsInconclusive) {
  auto c = campaign();
  for (const char* dst : {"198.18.128.1", "198.18.129.1"})
    c.targets.push_back({*model::Address::parse(dst), 0, {trace(dst, 3, false)}});
  auto r = locate::analyze(c, kNoAs, std::nullopt);
  EXPECT_EQ(r.verdict, model::Verdict::inconclusive);
  EXPECT_EQ(r.confidence, model::Confidence::low);
  EXPECT_EQ(r.reason, "no hop answered toward the national prefixes, while the controls did: an egress filter here?");
  EXPECT_FALSE(r.brk.after);
  ASSERT_EQ(r.prefixes.size(), 1u);
  EXPECT_EQ(r.prefixes[0].status, model::PrefixStatus::unreachable);
  EXPECT_EQ(r.prefixes[0].verdict, model::Verdict::inconclusive);
}

}  // namespace
