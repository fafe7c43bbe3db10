// SPDX-License-Identifier: BSD-2-Clause
// The verdict logic of fl-locate on hand-made campaigns shaped like the lab
// country (tests/lab/scenarios.cpp): vp - a1 (AS64500) - t1 - t2 (AS64510)
// - b - c1|c2 (national AS64520) - prefix A 198.18.128.0/22 | B 198.18.136.0/24.
// Hop addresses: a1 .2, t1 .6, t2 .10, b .14 (from the transit's /30: the
// border trap), c1 .18, c2 .22. Control 192.0.2.99 sits behind t1.

#include <gtest/gtest.h>

#include "probe/locate/analysis.h"

namespace {

using namespace probe;
using locate::AsName;
using model::Address;
using model::Confidence;
using model::Verdict;
using model::ReplyKind;
using model::StopReason;

Address A(const char* s) { return *Address::parse(s); }
model::Prefix P(const char* s) { return *model::Prefix::parse(s); }

std::optional<AsName> lab_as(const Address& a) {
  const std::string s = a.to_string();
  auto in = [&](const char* p) { return P(p).contains(a); };
  if (in("198.18.0.0/30")) return AsName{64500, "Lab Access ISP"};
  if (in("198.18.0.4/30") || in("198.18.0.8/30") || in("198.18.0.12/30") || in("198.18.0.40/30"))
    return AsName{64510, "Lab Transit"};
  if (in("198.18.0.16/29") || in("198.18.0.24/29") || in("198.18.0.32/29") || in("198.18.128.0/20"))
    return AsName{64520, "Lab National Network"};
  if (in("192.0.2.0/24")) return AsName{64530, "Lab Content Network"};
  return std::nullopt;
}
const locate::AsLookup kLookup = lab_as;

// A hop answer: address or silence, and how.
struct H {
  const char* addr;  // nullptr: silent
  ReplyKind kind = ReplyKind::time_exceeded;
  std::uint8_t code = 0;
};

model::Trace trace(model::Method m, const char* dst, std::vector<H> hops, StopReason stop) {
  model::Trace t;
  t.method = m;
  t.dst = A(dst);
  std::uint8_t ttl = 1;
  for (const auto& h : hops) {
    model::Hop hop{ttl, {}};
    model::ProbeRecord p;
    p.ttl = ttl;
    p.attempt = 1;
    if (h.addr) {
      model::Reply r;
      r.addr = A(h.addr);
      r.kind = h.kind;
      r.icmp_code = h.code;
      r.icmp_type = h.kind == ReplyKind::unreachable ? 3 : h.kind == ReplyKind::time_exceeded ? 11 : 0;
      p.reply = r;
    }
    hop.probes.push_back(p);
    t.hops.push_back(hop);
    ++ttl;
  }
  t.stop_reason = stop;
  return t;
}

// A direct (TTL-64) probe toward dst answered by `from`.
model::Trace direct(const Address& dst, const Address& from, ReplyKind kind, StopReason stop, std::uint8_t code = 0) {
  model::Trace t;
  t.dst = dst;
  model::ProbeRecord p;
  p.ttl = 64;
  p.attempt = 1;
  model::Reply r;
  r.addr = from;
  r.kind = kind;
  r.icmp_type = kind == ReplyKind::unreachable ? 3 : 0;
  r.icmp_code = code;
  p.reply = r;
  t.hops.push_back(model::Hop{64, {p}});
  t.stop_reason = stop;
  return t;
}

const std::vector<H> kToA = {{"198.18.0.2"}, {"198.18.0.6"}, {"198.18.0.10"}, {"198.18.0.14"}, {"198.18.0.18"}};
const std::vector<H> kToB = {{"198.18.0.2"}, {"198.18.0.6"}, {"198.18.0.10"}, {"198.18.0.14"}, {"198.18.0.22"}};

std::vector<H> then(std::vector<H> path, std::vector<H> more) {
  path.insert(path.end(), more.begin(), more.end());
  return path;
}
std::vector<H> upto(const std::vector<H>& path, std::size_t n) { return {path.begin(), path.begin() + n}; }

// Three methods per target: icmp, tcp:80, udp.
std::vector<locate::MethodSpec> methods() {
  return {*locate::MethodSpec::parse("icmp"), *locate::MethodSpec::parse("tcp:80"), *locate::MethodSpec::parse("udp")};
}

locate::TargetTraces healthy_target(const char* dst, int prefix) {
  const auto& path = prefix == 0 ? kToA : kToB;
  return {A(dst),
          prefix,
          {trace(model::Method::icmp, dst, then(path, {{dst, ReplyKind::echo_reply}}), StopReason::completed),
           trace(model::Method::tcp, dst, then(path, {{dst, ReplyKind::tcp_rst}}), StopReason::completed),
           trace(model::Method::udp, dst, then(path, {{dst, ReplyKind::unreachable, 3}}), StopReason::completed)}};
}

// The same path for all three methods, ending as given.
locate::TargetTraces failing_target(const char* dst, int prefix, std::vector<H> hops, StopReason stop) {
  return {A(dst),
          prefix,
          {trace(model::Method::icmp, dst, hops, stop), trace(model::Method::tcp, dst, hops, stop),
           trace(model::Method::udp, dst, hops, stop)}};
}

locate::TargetTraces control(bool ok) {
  std::vector<H> hops = {{"198.18.0.2"}, {"198.18.0.6"}};
  if (!ok) hops = {{nullptr}, {nullptr}, {nullptr}};
  auto stop = ok ? StopReason::completed : StopReason::gaplimit;
  if (ok) hops.push_back({"192.0.2.99", ReplyKind::echo_reply});
  return {A("192.0.2.99"), -1, {trace(model::Method::icmp, "192.0.2.99", hops, stop)}};
}

const char* const kTargetsA[] = {"198.18.128.1", "198.18.129.7", "198.18.130.1", "198.18.131.200"};
const char* const kTargetsB[] = {"198.18.136.1", "198.18.136.77"};

locate::Campaign campaign() {
  locate::Campaign c;
  c.prefixes = {P("198.18.128.0/22"), P("198.18.136.0/24")};
  c.methods = methods();
  c.controls.push_back(control(true));
  return c;
}

locate::Campaign healthy() {
  auto c = campaign();
  for (auto* t : kTargetsA) c.targets.push_back(healthy_target(t, 0));
  for (auto* t : kTargetsB) c.targets.push_back(healthy_target(t, 1));
  return c;
}

// Every national target fails the same way.
locate::Campaign all_failing(std::vector<H> hops, StopReason stop) {
  auto c = campaign();
  for (auto* t : kTargetsA) c.targets.push_back(failing_target(t, 0, hops, stop));
  for (auto* t : kTargetsB) c.targets.push_back(failing_target(t, 1, hops, stop));
  return c;
}

// The healthy campaign as a baseline (its targets only, unlike locate::baseline_of).
locate::Baseline targets_baseline(const locate::Report& r) {
  locate::Baseline b;
  for (const auto& t : r.targets) b.paths.push_back({t.addr, t.reached, t.path, t.reached_ttl});
  return b;
}

locate::Baseline healthy_baseline() { return targets_baseline(locate::analyze(healthy(), kLookup, std::nullopt)); }

TEST(LocateAnalysis, HealthyCountryIsReachable) {
  auto r = locate::analyze(healthy(), kLookup, std::nullopt);
  EXPECT_EQ(r.verdict, Verdict::reachable);
  EXPECT_EQ(r.confidence, Confidence::high);
  ASSERT_EQ(r.prefixes.size(), 2u);
  EXPECT_EQ(r.prefixes[0].status, model::PrefixStatus::reachable);
  EXPECT_EQ(r.prefixes[0].reached, 4u);
  EXPECT_EQ(r.prefixes[1].reached, 2u);
  EXPECT_EQ(r.reached_by_method.at("tcp:80"), 6u);
  EXPECT_FALSE(r.brk.after);
  EXPECT_EQ(r.national_asns, std::vector<std::uint32_t>{64520});
  EXPECT_TRUE(r.control.ok);
}

TEST(LocateAnalysis, BorderIsTheHopBeforeNationalSpaceDespiteItsAs) {
  auto r = locate::analyze(healthy(), kLookup, std::nullopt);
  // b answers from .14, in the transit's /30: the AS table says AS64510.
  const auto& path = r.targets[0].path;
  ASSERT_EQ(path.size(), 5u);
  EXPECT_EQ(path[3].addr, A("198.18.0.14"));
}

TEST(LocateAnalysis, TransitDropIsUpstreamWithTheBorderAsFirstHopLost) {
  auto c = all_failing(then(upto(kToA, 3), {{nullptr}, {nullptr}, {nullptr}}), StopReason::gaplimit);
  auto base = healthy_baseline();
  auto r = locate::analyze(c, kLookup, base);
  EXPECT_EQ(r.verdict, Verdict::upstream);
  EXPECT_EQ(r.confidence, Confidence::high);
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.10"));
  EXPECT_EQ(r.brk.after->ttl, 3);
  EXPECT_EQ(r.brk.after->as->asn, 64510u);
  EXPECT_FALSE(r.brk.after->national);
  EXPECT_FALSE(r.brk.after->border);
  ASSERT_TRUE(r.brk.before);
  EXPECT_EQ(r.brk.before->addr, A("198.18.0.14"));
  EXPECT_TRUE(r.brk.before->border);
  EXPECT_EQ(r.brk.failing, 6u);
  EXPECT_EQ(r.brk.sharing, 6u);
  for (const auto& p : r.prefixes) EXPECT_EQ(p.verdict, Verdict::upstream);
}

TEST(LocateAnalysis, TransitUnreachableCarriesTheCode) {
  auto c = all_failing(then(upto(kToA, 2), {{"198.18.0.10", ReplyKind::unreachable, 1}}), StopReason::unreachable);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(r.verdict, Verdict::upstream);
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.10"));
  ASSERT_TRUE(r.brk.after->unreachable_code);
  EXPECT_EQ(*r.brk.after->unreachable_code, 1);
}

TEST(LocateAnalysis, DarkCoreBehindABorderWithUpstreamAddressIsInternalGivenABaseline) {
  auto c = all_failing(then(upto(kToA, 4), {{nullptr}, {nullptr}, {nullptr}}), StopReason::gaplimit);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(r.verdict, Verdict::internal);
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.14"));
  EXPECT_EQ(r.brk.after->as->asn, 64510u);  // the trap: the AS table says transit
  EXPECT_TRUE(r.brk.after->border);
  ASSERT_TRUE(r.brk.before);
  EXPECT_TRUE(r.brk.before->national);
}

TEST(LocateAnalysis, WithoutBaselineTheBorderTrapIsSaidNotHidden) {
  auto c = all_failing(then(upto(kToA, 4), {{nullptr}, {nullptr}, {nullptr}}), StopReason::gaplimit);
  auto r = locate::analyze(c, kLookup, std::nullopt);
  // Nothing shows where the country starts: upstream by the AS table, but
  // only with low confidence and saying why.
  EXPECT_EQ(r.verdict, Verdict::upstream);
  EXPECT_EQ(r.confidence, Confidence::low);
  EXPECT_NE(r.reason.find("border"), std::string::npos) << r.reason;
}

TEST(LocateAnalysis, BorderWithoutRoutesIsInternal) {
  auto c = all_failing(then(upto(kToA, 3), {{"198.18.0.14", ReplyKind::unreachable, 1}}), StopReason::unreachable);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(r.verdict, Verdict::internal);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.14"));
}

TEST(LocateAnalysis, OneDarkPrefixIsPartialAndTheBorderIsKnownFromTheLivePaths) {
  auto c = campaign();
  for (auto* t : kTargetsA) c.targets.push_back(healthy_target(t, 0));
  for (auto* t : kTargetsB)
    c.targets.push_back(failing_target(t, 1, then(upto(kToB, 3), {{"198.18.0.14", ReplyKind::unreachable, 1}}),
                                       StopReason::unreachable));
  auto r = locate::analyze(c, kLookup, std::nullopt);  // no baseline needed: prefix A shows the border
  EXPECT_EQ(r.verdict, Verdict::partial);
  EXPECT_EQ(r.prefixes[0].verdict, Verdict::reachable);
  EXPECT_EQ(r.prefixes[1].verdict, Verdict::internal);
  EXPECT_EQ(r.prefixes[1].status, model::PrefixStatus::unreachable);
  ASSERT_TRUE(r.brk.after);
  EXPECT_TRUE(r.brk.after->border);
  EXPECT_FALSE(r.brk.before);  // that needs a baseline
  auto with_base = locate::analyze(c, kLookup, healthy_baseline());
  ASSERT_TRUE(with_base.prefixes[1].brk.before);
  EXPECT_EQ(with_base.prefixes[1].brk.before->addr, A("198.18.0.22"));
}

TEST(LocateAnalysis, IcmpFilteredButTcpOpenIsNotAnOutage) {
  auto c = campaign();
  for (auto* t : kTargetsA) {
    auto tt = healthy_target(t, 0);
    tt.traces[0] = trace(model::Method::icmp, t, then(upto(kToA, 4), {{nullptr}, {nullptr}, {nullptr}}),
                         StopReason::gaplimit);
    c.targets.push_back(tt);
  }
  auto r = locate::analyze(c, kLookup, std::nullopt);
  EXPECT_EQ(r.verdict, Verdict::reachable);
  EXPECT_EQ(r.reached_by_method.count("icmp"), 0u);
  EXPECT_EQ(r.reached_by_method.at("tcp:80"), 4u);
}

TEST(LocateAnalysis, SilentHopsThenAnswersAreNotABreak) {
  auto c = campaign();
  for (auto* t : kTargetsA) {
    // t1 and b never send time-exceeded; the target answers all the same.
    std::vector<H> path = {{"198.18.0.2"}, {nullptr}, {"198.18.0.10"}, {nullptr}, {"198.18.0.18"}, {t, ReplyKind::echo_reply}};
    c.targets.push_back({A(t), 0, {trace(model::Method::icmp, t, path, StopReason::completed)}});
  }
  auto r = locate::analyze(c, kLookup, std::nullopt);
  EXPECT_EQ(r.verdict, Verdict::reachable);
}

TEST(LocateAnalysis, RateLimitedDeadEndBreaksAtTheLastAnsweringHop) {
  // A silent hop inside the path, then a later one answers, then nothing:
  // the break is after the deepest hop that answered.
  auto c = all_failing({{"198.18.0.2"}, {nullptr}, {"198.18.0.10"}, {nullptr}, {nullptr}, {nullptr}},
                       StopReason::gaplimit);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(r.verdict, Verdict::upstream);
  EXPECT_EQ(r.brk.after->ttl, 3);
}

TEST(LocateAnalysis, NameserversDownWithTheNetworkUpIsDns) {
  auto c = healthy();
  model::ZoneReport z;
  z.zone = "lab.test";
  z.verdict = model::ZoneVerdict::lame;
  c.dns = z;
  auto r = locate::analyze(c, kLookup, std::nullopt);
  EXPECT_EQ(r.verdict, Verdict::dns);
  z.verdict = model::ZoneVerdict::unreachable;
  c.dns = z;
  EXPECT_EQ(locate::analyze(c, kLookup, std::nullopt).verdict, Verdict::dns);
  z.verdict = model::ZoneVerdict::partially_lame;  // one server of two: degraded, not down
  c.dns = z;
  auto partly = locate::analyze(c, kLookup, std::nullopt);
  EXPECT_EQ(partly.verdict, Verdict::reachable);
  EXPECT_EQ(partly.confidence, Confidence::medium);
}

TEST(LocateAnalysis, DnsUnreachableBecauseTheNetworkIsDownStaysANetworkVerdict) {
  auto c = all_failing(then(upto(kToA, 3), {{nullptr}, {nullptr}, {nullptr}}), StopReason::gaplimit);
  model::ZoneReport z;
  z.zone = "lab.test";
  z.verdict = model::ZoneVerdict::unreachable;
  c.dns = z;
  EXPECT_EQ(locate::analyze(c, kLookup, healthy_baseline()).verdict, Verdict::upstream);
}

TEST(LocateAnalysis, ControlsFailingTooMeansLocal) {
  auto c = all_failing({{"198.18.0.2"}, {nullptr}, {nullptr}, {nullptr}}, StopReason::gaplimit);
  c.controls = {control(false)};
  auto r = locate::analyze(c, kLookup, std::nullopt);
  EXPECT_EQ(r.verdict, Verdict::local);
  EXPECT_FALSE(r.control.ok);
}

TEST(LocateAnalysis, NoAnswerAtAllMeansLocalAndSoDoesNoRoute) {
  auto c = all_failing({{nullptr}, {nullptr}, {nullptr}}, StopReason::gaplimit);
  c.controls = {control(false)};
  EXPECT_EQ(locate::analyze(c, kLookup, std::nullopt).verdict, Verdict::local);
  // Replay of a run whose sends the kernel refused: traces without probes.
  auto halted = all_failing({}, StopReason::halted);
  halted.controls.clear();
  EXPECT_EQ(locate::analyze(halted, kLookup, std::nullopt).verdict, Verdict::local);
  auto none = campaign();
  none.no_route = "no route to 198.18.128.1";
  auto r = locate::analyze(none, kLookup, std::nullopt);
  EXPECT_EQ(r.verdict, Verdict::local);
  EXPECT_NE(r.reason.find("no route"), std::string::npos);
}

TEST(LocateAnalysis, LoopIsReportedAtTheRouterThatSendsPacketsBack) {
  // t2 and b bounce national packets: .2 .6 .10 .14 .10 .14 ...
  auto c = all_failing({{"198.18.0.2"}, {"198.18.0.6"}, {"198.18.0.10"}, {"198.18.0.14"}, {"198.18.0.13"},
                        {"198.18.0.14"}},
                       StopReason::loop);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_TRUE(r.targets[0].loop);
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.13"));
  EXPECT_NE(r.reason.find("routing loop"), std::string::npos) << r.reason;
}

TEST(LocateAnalysis, ALoopWhoseTurnaroundFirstWentUnansweredStillBreaksThere) {
  // t2 .10 and b .14 bounce national packets, b's first answer rate-limited
  // away: .2 .6 .10 _ .10 .14. b sends the packets back, not t2.
  auto c = all_failing({{"198.18.0.2"}, {"198.18.0.6"}, {"198.18.0.10"}, {nullptr}, {"198.18.0.10"}, {"198.18.0.14"}},
                       StopReason::loop);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.14"));
  EXPECT_EQ(r.brk.after->ttl, 4);
}

TEST(LocateAnalysis, ALoopThatNoTraceFlaggedStillBreaksAtItsTurnaround) {
  // t2 .10 and b .14 bounce national packets behind rate limits: no trace
  // sees a router twice, so none stops as a loop. Half the paths end at t2
  // (hop 3), half show b at hop 4 and then t2 again at hop 5, nearer than
  // b: the packets came round. The break is b, not t2 at hop 5.
  auto c = all_failing({{"198.18.0.2"}, {"198.18.0.6"}, {"198.18.0.10"}, {nullptr}, {nullptr}, {nullptr}},
                       StopReason::gaplimit);
  for (std::size_t i = 0; i < 3; ++i)
    c.targets[i] = failing_target(kTargetsA[i], 0, {{nullptr}, {nullptr}, {nullptr}, {"198.18.0.14"}, {"198.18.0.10"},
                                                    {nullptr}},
                                  StopReason::gaplimit);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.14"));
  EXPECT_EQ(r.brk.after->ttl, 4);
  EXPECT_EQ(r.targets[0].last_hop->addr, A("198.18.0.14"));
}

TEST(LocateAnalysis, ALoopingRouterWhoseFirstPassWentUnansweredSitsAPeriodNearer) {
  // t1 .6 sends national packets back to a1 .2 (the loop .2 .6 .2 .6),
  // a1's first answer rate-limited away: _ .6 .2 .6 .2. a1 answered at 3
  // and 5, a period of 2, with t1 in between: it sits at 1, where no
  // router answered, so t1 sends the packets back and is the break; at 3
  // a1 would pass for a router behind t1.
  auto c = all_failing({{nullptr}, {"198.18.0.6"}, {"198.18.0.2"}, {"198.18.0.6"}, {"198.18.0.2"}},
                       StopReason::gaplimit);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.6"));
  EXPECT_EQ(r.brk.after->ttl, 2);
}

// Every national target's replies arriving with these IP TTLs, hop by hop
// (0: unknown, as from a capture that lacks them).
void set_reply_ttls(locate::Campaign& c, const std::vector<std::uint8_t>& ttls) {
  for (auto& tt : c.targets)
    for (auto& t : tt.traces)
      for (std::size_t i = 0; i < t.hops.size() && i < ttls.size(); ++i)
        for (auto& p : t.hops[i].probes)
          if (p.reply) p.reply->reply_ttl = ttls[i];
}

// t2 and b bounce national packets; t2 answers from the interface a probe
// came in by: .10 (from t1) on the first pass, .13 (its end of the t2-b
// link) on the ones b sends back. Or, by address alone, b loops with a
// deeper router .13. The reply TTLs (initial 64, one less per hop back)
// decide.
const std::vector<H> kLoopT2B = {{"198.18.0.2"}, {"198.18.0.6"}, {"198.18.0.10"}, {"198.18.0.14"},
                                 {"198.18.0.13"}, {"198.18.0.14"}, {"198.18.0.13"}};

TEST(LocateAnalysis, ALoopingRouterAnsweringFromItsInboundInterfaceIsOneRouterByReplyTtl) {
  // .13's replies arrive with t2's reply TTL, one more than b's: .13 is
  // t2 on the returned pass, and b, the deepest router, sends packets back.
  auto c = all_failing(kLoopT2B, StopReason::loop);
  set_reply_ttls(c, {64, 63, 62, 61, 62, 61, 62});
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.14"));
  EXPECT_EQ(r.brk.after->ttl, 4);
  EXPECT_EQ(r.brk.sharing, 6u);
  ASSERT_EQ(r.targets[0].path.size(), 4u);  // .13 is no hop of its own
  EXPECT_EQ(r.targets[0].path.back().addr, A("198.18.0.14"));
  EXPECT_TRUE(r.targets[0].loop);
}

TEST(LocateAnalysis, ARouterAnsweringFromTheReturnedPassAloneIsStillTheNearOne) {
  // b's first answer and the returned passes after .13's were rate-limited
  // away on most paths: .2 .6 .10 _ .13. Two paths show the loop .14 .13
  // .14 .13 from hop 4 with the reply TTLs of b and t2: .13 comes round
  // there too, and the break is b, not .13 at hop 5.
  auto c = all_failing({{"198.18.0.2"}, {"198.18.0.6"}, {"198.18.0.10"}, {nullptr}, {"198.18.0.13"}, {nullptr}},
                       StopReason::gaplimit);
  for (std::size_t i = 0; i < 2; ++i)
    c.targets[i] = failing_target(kTargetsA[i], 0, {{nullptr}, {nullptr}, {nullptr}, {"198.18.0.14"}, {"198.18.0.13"},
                                                    {"198.18.0.14"}, {"198.18.0.13"}},
                                  StopReason::loop);
  set_reply_ttls(c, {64, 63, 62, 61, 62, 61, 62});
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.14"));
  EXPECT_EQ(r.brk.after->ttl, 4);
  ASSERT_TRUE(r.targets[5].last_hop);
  EXPECT_EQ(r.targets[5].last_hop->addr, A("198.18.0.10"));
}

TEST(LocateAnalysis, ALoopWithADeeperRouterKeepsItDeeperByReplyTtl) {
  // The same addresses, .13's replies one hop farther than b's: a router
  // behind b that b and it bounce packets between. It is the deepest.
  auto c = all_failing(kLoopT2B, StopReason::loop);
  set_reply_ttls(c, {64, 63, 62, 61, 60, 61, 60});
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.13"));
  EXPECT_EQ(r.brk.after->ttl, 5);
}

TEST(LocateAnalysis, ALoopWithUnknownReplyTtlsKeepsTheAddressRule) {
  // A reply TTL of 0 is unknown (a capture without it): the address rule,
  // which takes .13 for a deeper router. Known for all but t2 itself, too.
  for (const std::vector<std::uint8_t>& ttls :
       {std::vector<std::uint8_t>{}, std::vector<std::uint8_t>{64, 63, 0, 61, 62, 61, 62}}) {
    auto c = all_failing(kLoopT2B, StopReason::loop);
    set_reply_ttls(c, ttls);
    auto r = locate::analyze(c, kLookup, healthy_baseline());
    ASSERT_TRUE(r.brk.after);
    EXPECT_EQ(r.brk.after->addr, A("198.18.0.13")) << ttls.size();
    EXPECT_EQ(r.brk.after->ttl, 5);
  }
}

TEST(LocateAnalysis, ALoopWithInconsistentReplyTtlsKeepsTheAddressRule) {
  // .13 answering with two reply TTLs; or b's replies arriving with more
  // than t2's (b would be nearer than the router before it): the evidence
  // does not hold together, and the address rule decides.
  for (const std::vector<std::uint8_t>& ttls :
       {std::vector<std::uint8_t>{64, 63, 62, 61, 62, 61, 60}, std::vector<std::uint8_t>{64, 63, 62, 63, 62, 63, 62}}) {
    auto c = all_failing(kLoopT2B, StopReason::loop);
    set_reply_ttls(c, ttls);
    auto r = locate::analyze(c, kLookup, healthy_baseline());
    ASSERT_TRUE(r.brk.after);
    EXPECT_EQ(r.brk.after->addr, A("198.18.0.13")) << int(ttls[6]);
    EXPECT_EQ(r.brk.after->ttl, 5);
  }
}

TEST(LocateAnalysis, MostFailingPathsDecideTheBreakHop) {
  auto c = all_failing(then(upto(kToA, 3), {{nullptr}, {nullptr}}), StopReason::gaplimit);
  // One path got one hop less far (a lost reply): the shared hop still wins.
  c.targets[0] = failing_target("198.18.128.1", 0, then(upto(kToA, 2), {{nullptr}, {nullptr}}), StopReason::gaplimit);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.10"));
  EXPECT_EQ(r.brk.sharing, 6u);  // the short one is consistent with it
  EXPECT_EQ(r.brk.failing, 6u);
  EXPECT_EQ(r.confidence, Confidence::high);
}

TEST(LocateAnalysis, RateLimitedUnreachablesStillPointAtTheRouterThatSendsThem) {
  // t2 holds an unreachable route but Linux sends those errors at 1/s after
  // a burst: most paths end silent after t1, two show t2's !H.
  auto c = all_failing(then(upto(kToA, 2), {{nullptr}, {nullptr}, {nullptr}}), StopReason::gaplimit);
  for (int i : {1, 4})
    c.targets[static_cast<std::size_t>(i)] =
        failing_target(i < 4 ? kTargetsA[i] : kTargetsB[0], i < 4 ? 0 : 1,
                       then(upto(kToA, 2), {{"198.18.0.10", ReplyKind::unreachable, 1}}), StopReason::unreachable);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.10"));
  EXPECT_EQ(*r.brk.after->unreachable_code, 1);
  EXPECT_EQ(r.brk.sharing, 6u);
  EXPECT_EQ(r.verdict, Verdict::upstream);
}

TEST(LocateAnalysis, APrefixWhosePathsStopShortOnTheWayBreaksWhereTheRunDoes) {
  // Prefix B's two paths lost t2's unreachables to the rate limit and end
  // at t1 on the way to it: B breaks at t2 like A, not at t1.
  auto c = all_failing(then(upto(kToA, 2), {{"198.18.0.10", ReplyKind::unreachable, 1}}), StopReason::unreachable);
  for (std::size_t i = 4; i < 6; ++i)
    c.targets[i] = failing_target(kTargetsB[i - 4], 1, then(upto(kToB, 2), {{nullptr}, {nullptr}, {nullptr}}),
                                  StopReason::gaplimit);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  ASSERT_TRUE(r.prefixes[1].brk.after);
  EXPECT_EQ(r.prefixes[1].brk.after->addr, A("198.18.0.10"));
  EXPECT_EQ(r.prefixes[1].brk.sharing, 2u);
  EXPECT_EQ(r.prefixes[1].verdict, Verdict::upstream);
  ASSERT_TRUE(r.prefixes[1].brk.before);
  EXPECT_EQ(r.prefixes[1].brk.before->addr, A("198.18.0.14"));
}

TEST(LocateAnalysis, ABaselineWithSilentHopsBeforeItsTargetsNamesNoFalseBorder) {
  // The baseline's b and c1 never answered: its paths read .2 .6 .10, then
  // the target at TTL 6. Taking the target to be at TTL 4 would make t2 the
  // border and a transit outage "internal".
  auto healthy_quiet = healthy();
  for (auto& t : healthy_quiet.targets)
    for (auto& tr : t.traces) {
      tr.hops[3].probes[0].reply.reset();
      tr.hops[4].probes[0].reply.reset();
    }
  auto base = targets_baseline(locate::analyze(healthy_quiet, kLookup, std::nullopt));
  ASSERT_EQ(*base.paths[0].reached_ttl, 6);
  auto c = all_failing(then(upto(kToA, 3), {{nullptr}, {nullptr}, {nullptr}}), StopReason::gaplimit);
  auto r = locate::analyze(c, kLookup, base);
  EXPECT_FALSE(r.brk.after->border);
  EXPECT_EQ(r.verdict, Verdict::upstream);
}

TEST(LocateAnalysis, OneOddPathDoesNotMoveTheBreak) {
  // Five paths end at t2; one (another route) gets to c1: not enough support.
  auto c = all_failing(then(upto(kToA, 3), {{nullptr}, {nullptr}}), StopReason::gaplimit);
  c.targets[0] = failing_target("198.18.128.1", 0, then(kToA, {{nullptr}, {nullptr}}), StopReason::gaplimit);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.10"));
}

TEST(LocateAnalysis, TargetsAnsweringPingsAreReachedWhateverTheTracesSaw) {
  // Default rate limits: the traces end at the gap limit after silent hops,
  // but the TTL-64 probes reach every target.
  auto c = all_failing({{"198.18.0.2"}, {nullptr}, {nullptr}, {nullptr}}, StopReason::gaplimit);
  c.methods.insert(c.methods.begin(), *locate::MethodSpec::parse("direct-icmp"));
  for (auto& t : c.targets)
    t.traces.insert(t.traces.begin(), direct(t.addr, t.addr, ReplyKind::echo_reply, StopReason::completed));
  auto r = locate::analyze(c, kLookup, std::nullopt);
  EXPECT_EQ(r.verdict, Verdict::reachable);
  EXPECT_EQ(r.reached_by_method.at("direct-icmp"), 6u);
  EXPECT_EQ(r.targets[0].path.size(), 1u);  // the path comes from the traces, not the ping
}

TEST(LocateAnalysis, BreakHopDistanceIsTheSmallestTtlItAnsweredAtOnAnyPath) {
  // b lost its link to c2 (lab country-router-down): prefix A passes b at
  // TTL 4; toward B, b answers 3/1 from ip_error, whose rate limit silenced
  // TTLs 4 and 5: the failing paths show b only at TTL 6.
  auto c = campaign();
  for (auto* t : kTargetsA) c.targets.push_back(healthy_target(t, 0));
  for (auto* t : kTargetsB)
    c.targets.push_back(failing_target(t, 1, then(upto(kToB, 3), {{nullptr}, {nullptr}, {"198.18.0.14", ReplyKind::unreachable, 1}}),
                                       StopReason::unreachable));
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(r.verdict, Verdict::partial);
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.14"));
  EXPECT_EQ(r.brk.after->ttl, 4);
  ASSERT_TRUE(r.prefixes[1].brk.after);
  EXPECT_EQ(r.prefixes[1].brk.after->ttl, 4);
  ASSERT_TRUE(r.brk.before);
  EXPECT_EQ(r.brk.before->addr, A("198.18.0.22"));
  EXPECT_EQ(r.brk.before->ttl, 5);
  // The target's own last hop stays what its trace saw.
  EXPECT_EQ(r.targets[4].last_hop->ttl, 6);
}

TEST(LocateAnalysis, BreakHopDistanceCountsEveryMethodNotOnlyTheDeepest) {
  // t2 holds an unreachable route: icmp got its 3/1 at TTL 3, tcp and udp
  // only at TTL 5 (rate limit). The deepest trace is not the nearest answer.
  auto c = campaign();
  const std::vector<H> late = then(upto(kToA, 2), {{nullptr}, {nullptr}, {"198.18.0.10", ReplyKind::unreachable, 1}});
  const std::vector<H> early = then(upto(kToA, 2), {{"198.18.0.10", ReplyKind::unreachable, 1}});
  for (auto* t : kTargetsA) {
    auto tt = failing_target(t, 0, late, StopReason::unreachable);
    tt.traces[0] = trace(model::Method::icmp, t, early, StopReason::unreachable);
    c.targets.push_back(tt);
  }
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(r.verdict, Verdict::upstream);
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.10"));
  EXPECT_EQ(r.brk.after->ttl, 3);
  ASSERT_TRUE(r.brk.before);
  EXPECT_EQ(r.brk.before->addr, A("198.18.0.14"));
}

// Every trace of the campaign halted after its first probes (Ctrl-C).
locate::Campaign interrupted(std::size_t hops) {
  auto c = all_failing(upto(kToA, hops), StopReason::halted);
  c.controls = {{A("192.0.2.99"), -1,
                 {trace(model::Method::icmp, "192.0.2.99", {{"198.18.0.2"}}, StopReason::halted)}}};
  return c;
}

TEST(LocateAnalysis, InterruptedBeforeAnyTargetFinishedIsInconclusiveNotLocal) {
  for (std::size_t hops : {1u, 2u}) {
    auto r = locate::analyze(interrupted(hops), kLookup, healthy_baseline());
    EXPECT_EQ(r.verdict, Verdict::inconclusive) << hops << ": " << r.reason;
    EXPECT_EQ(r.confidence, Confidence::low);
    EXPECT_NE(r.reason.find("interrupted"), std::string::npos) << r.reason;
    EXPECT_FALSE(r.brk.after);
    EXPECT_TRUE(r.targets[0].unfinished);
    EXPECT_TRUE(r.control.ok);  // the control did not fail: it was not waited for
    for (const auto& p : r.prefixes) {
      EXPECT_EQ(p.verdict, Verdict::inconclusive);
      EXPECT_EQ(p.status, model::PrefixStatus::inconclusive);
    }
  }
  // Silent probes (no hop answered yet) make no difference.
  auto silent = all_failing({{nullptr}}, StopReason::halted);
  EXPECT_EQ(locate::analyze(silent, kLookup, std::nullopt).verdict, Verdict::inconclusive);
}

TEST(LocateAnalysis, InterruptedBeforeTracingWithDnsAnswersIsInconclusive) {
  // Ctrl-C during the DNS check: the traces never sent a probe. Halted
  // traces without probes are also what a replay of refused sends gives
  // (local, see NoAnswerAtAllMeansLocalAndSoDoesNoRoute); the parent's
  // answer tells the two apart.
  auto c = all_failing({}, StopReason::halted);
  c.controls = {{A("192.0.2.99"), -1, {trace(model::Method::icmp, "192.0.2.99", {}, StopReason::halted)}}};
  model::ZoneReport z;
  z.zone = "lab.test.";
  z.parent_answered = true;
  z.verdict = model::ZoneVerdict::unreachable;
  c.dns = z;
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(r.verdict, Verdict::inconclusive) << r.reason;
  EXPECT_EQ(r.confidence, Confidence::low);
  EXPECT_NE(r.reason.find("interrupted"), std::string::npos) << r.reason;
  z.parent_answered = false;
  c.dns = z;
  EXPECT_EQ(locate::analyze(c, kLookup, healthy_baseline()).verdict, Verdict::local);
}

TEST(LocateAnalysis, InterruptedRunDecidesFromTheFinishedTargetsAndSaysSo) {
  // Dark core (lab country-core-dark): prefix A's targets finished at the
  // gap limit after b; prefix B's were still being traced at Ctrl-C.
  auto c = campaign();
  for (auto* t : kTargetsA)
    c.targets.push_back(failing_target(t, 0, then(upto(kToA, 4), {{nullptr}, {nullptr}, {nullptr}}),
                                       StopReason::gaplimit));
  for (auto* t : kTargetsB) c.targets.push_back(failing_target(t, 1, upto(kToB, 2), StopReason::halted));
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(r.verdict, Verdict::internal) << r.reason;
  EXPECT_EQ(r.confidence, Confidence::medium);
  EXPECT_NE(r.reason.find("interrupted: 2 of 6"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("none of 4 national targets"), std::string::npos) << r.reason;
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.14"));  // not t1, where the halted paths stop
  EXPECT_EQ(r.brk.failing, 4u);
  EXPECT_EQ(r.brk.sharing, 4u);
  EXPECT_EQ(r.prefixes[0].verdict, Verdict::internal);
  EXPECT_EQ(r.prefixes[1].verdict, Verdict::inconclusive);
  EXPECT_FALSE(r.prefixes[1].brk.after);
  // A reached target with a halted trace is reached all the same.
  auto h = healthy();
  h.targets[0].traces[2] = trace(model::Method::udp, kTargetsA[0], upto(kToA, 2), StopReason::halted);
  auto rh = locate::analyze(h, kLookup, std::nullopt);
  EXPECT_EQ(rh.verdict, Verdict::reachable);
  EXPECT_EQ(rh.confidence, Confidence::high);
  EXPECT_FALSE(rh.targets[0].unfinished);
}

// Ctrl-C while prefix A's traces ran: they finished at the gap limit after
// `a_hops` hops; prefix B's targets and the control were never probed (their
// traces halted before a probe left).
locate::Campaign interrupted_before_b(std::size_t a_hops) {
  auto c = campaign();
  for (auto* t : kTargetsA)
    c.targets.push_back(failing_target(t, 0, then(upto(kToA, a_hops), {{nullptr}, {nullptr}, {nullptr}}),
                                       StopReason::gaplimit));
  for (auto* t : kTargetsB) c.targets.push_back(failing_target(t, 1, {}, StopReason::halted));
  c.controls = {{A("192.0.2.99"), -1, {trace(model::Method::icmp, "192.0.2.99", {}, StopReason::halted)}}};
  return c;
}

TEST(LocateAnalysis, UnprobedControlsAndTargetsAreMarkedAndBlameNoOne) {
  // The paths end in the transit (t1): upstream, or the vantage point's
  // own network, which only a control could tell apart.
  auto r = locate::analyze(interrupted_before_b(2), kLookup, healthy_baseline());
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.verdict, Verdict::inconclusive) << r.reason;
  EXPECT_EQ(r.confidence, Confidence::low);
  EXPECT_NE(r.reason.find("no control was probed to the end"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("2 never probed, 1 of 1 controls never probed"), std::string::npos) << r.reason;
  for (std::size_t i = 0; i < r.targets.size(); ++i) EXPECT_EQ(r.targets[i].unprobed, i >= 4) << i;
  ASSERT_EQ(r.controls.size(), 1u);
  EXPECT_TRUE(r.controls[0].unprobed);
  EXPECT_EQ(r.control.unprobed, 1u);
  EXPECT_TRUE(r.control.unknown);
  EXPECT_EQ(r.prefixes[0].verdict, Verdict::inconclusive);  // not upstream: the control was not asked
  EXPECT_EQ(r.prefixes[1].unprobed, 2u);
  EXPECT_EQ(r.prefixes[1].status, model::PrefixStatus::inconclusive);
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.6"));
  // The control probed and reached: the fault is past the vantage point's
  // network, and the measured part decides.
  auto c = interrupted_before_b(2);
  c.controls = {control(true)};
  auto decided = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(decided.verdict, Verdict::upstream) << decided.reason;
  EXPECT_TRUE(decided.interrupted);
  EXPECT_NE(decided.reason.find("2 never probed"), std::string::npos) << decided.reason;
  EXPECT_FALSE(decided.controls[0].unprobed);
}

TEST(LocateAnalysis, AnInterruptedRunWhoseProbedPathsEndInTheCountryIsInternal) {
  // Dark core: prefix A's paths end at b, the border the baseline shows;
  // that alone puts the break inside the country, control or not.
  auto r = locate::analyze(interrupted_before_b(4), kLookup, healthy_baseline());
  EXPECT_EQ(r.verdict, Verdict::internal) << r.reason;
  EXPECT_EQ(r.confidence, Confidence::medium);
  EXPECT_TRUE(r.interrupted);
  EXPECT_TRUE(r.control.unknown);
  EXPECT_NE(r.reason.find("0 of 6 national targets unfinished, 2 never probed"), std::string::npos) << r.reason;
}

TEST(LocateAnalysis, InterruptedWhenWhatWasProbedAnswersIsNotReachable) {
  auto c = healthy();
  for (std::size_t i = 4; i < 6; ++i)
    for (auto& t : c.targets[i].traces) t = trace(t.method, kTargetsB[i - 4], {}, StopReason::halted);
  auto r = locate::analyze(c, kLookup, std::nullopt);
  EXPECT_EQ(r.verdict, Verdict::inconclusive) << r.reason;
  EXPECT_TRUE(r.interrupted);
  EXPECT_NE(r.reason.find("1 of 2 prefixes were not probed to the end"), std::string::npos) << r.reason;
}

TEST(LocateAnalysis, ARouterRefusingTheDirectProbesIsTheBreakWhenTheTracesLostItsErrors) {
  // t2's unreachables went to the TTL-64 probes (burst), the traces end
  // silent after t1: the break is t2, at the distance other paths show.
  auto c = all_failing(then(upto(kToA, 2), {{nullptr}, {nullptr}, {nullptr}}), StopReason::gaplimit);
  c.methods.insert(c.methods.begin(), *locate::MethodSpec::parse("direct-icmp"));
  for (auto& t : c.targets)
    t.traces.insert(t.traces.begin(),
                    direct(t.addr, A("198.18.0.10"), ReplyKind::unreachable, StopReason::unreachable, 1));
  // One traced path saw t2 at TTL 3 (time exceeded), giving its distance.
  c.targets[0].traces[1] = trace(model::Method::icmp, "198.18.128.1", then(upto(kToA, 3), {{nullptr}, {nullptr}}),
                                 StopReason::gaplimit);
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(r.verdict, Verdict::upstream);
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.10"));
  EXPECT_EQ(r.brk.after->ttl, 3);
  EXPECT_EQ(*r.brk.after->unreachable_code, 1);
  EXPECT_EQ(r.brk.sharing, 6u);
  for (const auto& p : r.prefixes) EXPECT_EQ(p.brk.after->addr, A("198.18.0.10")) << p.prefix.to_string();
}

// The zone check's exchange toward `server`, refused by `from`.
model::DnsExchange refused_query(const char* server, const char* from, std::uint8_t code) {
  model::DnsExchange e;
  e.query.server = A(server);
  e.outcome = model::DnsOutcome::icmp_error;
  e.icmp = model::IcmpError{A(from), 3, code};
  return e;
}

TEST(LocateAnalysis, ARouterRefusingOnlyTheZoneChecksQueriesIsTheBreak) {
  // t2 has no route to the country: the zone check took its error burst,
  // the traces end silent at t1 on the way to it.
  auto c = all_failing(then(upto(kToA, 2), {{nullptr}, {nullptr}, {nullptr}}), StopReason::gaplimit);
  c.dns_exchanges = {refused_query("198.18.140.1", "198.18.0.10", 1), refused_query("192.0.2.53", "192.0.2.53", 3)};
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  EXPECT_EQ(r.verdict, Verdict::upstream);
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.10"));
  EXPECT_EQ(r.brk.after->ttl, 3);  // one past where the traces got
  EXPECT_EQ(r.brk.after->unreachable_code, std::optional<std::uint8_t>(1));
  EXPECT_NE(r.reason.find("zone check"), std::string::npos) << r.reason;
  for (const auto& p : r.prefixes) EXPECT_EQ(p.brk.after->addr, A("198.18.0.10")) << p.prefix.to_string();
  // Without that exchange the break stays where the traces got.
  c.dns_exchanges.clear();
  EXPECT_EQ(locate::analyze(c, kLookup, healthy_baseline()).brk.after->addr, A("198.18.0.6"));
}

TEST(LocateAnalysis, AFirstHopRefusingEverythingIsALocalBreak) {
  auto c = all_failing({{nullptr}, {nullptr}, {nullptr}}, StopReason::gaplimit);
  c.controls = {control(false)};
  c.dns_exchanges = {refused_query("192.0.2.53", "198.18.0.2", 0), refused_query("198.18.140.1", "198.18.0.2", 0)};
  auto r = locate::analyze(c, kLookup, std::nullopt);
  EXPECT_EQ(r.verdict, Verdict::local);
  EXPECT_EQ(r.confidence, Confidence::high);
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.2"));
  EXPECT_EQ(r.brk.after->ttl, 1);
  EXPECT_EQ(r.brk.after->unreachable_code, std::optional<std::uint8_t>(0));
  EXPECT_EQ(r.reason.find("no probe got any answer"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("outside the country too"), std::string::npos) << r.reason;
}

TEST(LocateAnalysis, APrefixWithNoAnswerAtAllInheritsTheBreakOfTheGroupItSharesTheWayWith) {
  auto c = campaign();
  for (auto* t : kTargetsA)
    c.targets.push_back(failing_target(t, 0, then(upto(kToA, 3), {{nullptr}, {nullptr}, {nullptr}}),
                                       StopReason::gaplimit));
  for (auto* t : kTargetsB)
    c.targets.push_back(failing_target(t, 1, {{nullptr}, {nullptr}, {nullptr}}, StopReason::gaplimit));
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->addr, A("198.18.0.10"));
  ASSERT_TRUE(r.prefixes[1].brk.after);
  EXPECT_EQ(r.prefixes[1].brk.after->addr, A("198.18.0.10"));
  EXPECT_EQ(r.prefixes[1].verdict, Verdict::upstream);
  EXPECT_EQ(r.prefixes[1].brk.sharing, 0u);  // none of its own paths said so
}

TEST(LocateAnalysis, ARouterThatAnsweredAndThenWentQuietIsCountedRateLimited) {
  auto c = all_failing(then(upto(kToA, 3), {{nullptr}, {nullptr}, {nullptr}}), StopReason::gaplimit);
  // The udp trace of the first target lost t1's answer; t1 had answered before.
  auto& udp = c.targets[0].traces[2];
  udp.hops[1].probes[0].reply.reset();
  udp.hops[1].probes[0].tx_us = 2000000;
  c.targets[1].traces[0].hops[1].probes[0].reply->rx_us = 1000000;
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  ASSERT_EQ(r.rate_limited.size(), 1u);
  EXPECT_EQ(r.rate_limited[0], A("198.18.0.6"));
  EXPECT_NE(r.reason.find("1 router was rate-limited"), std::string::npos) << r.reason;
  EXPECT_EQ(r.verdict, Verdict::upstream);
  EXPECT_EQ(locate::analyze(all_failing(upto(kToA, 3), StopReason::gaplimit), kLookup, std::nullopt).rate_limited.size(),
            0u);
}

// A control behind t2 as well: its path shows t2 carries traffic elsewhere.
locate::TargetTraces control_behind_t2() {
  std::vector<H> hops = {{"198.18.0.2"}, {"198.18.0.6"}, {"198.18.0.10"}, {"203.0.113.99", ReplyKind::echo_reply}};
  return {A("203.0.113.99"), -1, {trace(model::Method::icmp, "203.0.113.99", hops, StopReason::completed)}};
}

TEST(LocateAnalysis, ATransitRouterBeforeABorderNumberedFromNationalSpaceIsNoBorder) {
  // b answers from 198.18.0.18, national space; t2 .10 is followed by it.
  const std::vector<H> nat = {{"198.18.0.2"}, {"198.18.0.6"}, {"198.18.0.10"}, {"198.18.0.18"}};
  auto healthy_nat = campaign();
  healthy_nat.controls.push_back(control_behind_t2());
  for (auto* t : kTargetsA)
    healthy_nat.targets.push_back(
        failing_target(t, 0, then(nat, {{t, ReplyKind::echo_reply}}), StopReason::completed));
  auto base = baseline_of(locate::analyze(healthy_nat, kLookup, std::nullopt));
  auto c = all_failing(then(upto(kToA, 3), {{nullptr}, {nullptr}, {nullptr}}), StopReason::gaplimit);
  c.controls.push_back(control_behind_t2());
  auto r = locate::analyze(c, kLookup, base);
  EXPECT_EQ(r.verdict, Verdict::upstream) << r.reason;
  ASSERT_TRUE(r.brk.after);
  EXPECT_FALSE(r.brk.after->border);
  // The rule's limit: with no control's path through t2, nothing tells it
  // from a border answering from its upstream's space.
  healthy_nat.controls.pop_back();
  c.controls.pop_back();
  EXPECT_EQ(locate::analyze(c, kLookup, baseline_of(locate::analyze(healthy_nat, kLookup, std::nullopt))).verdict,
            Verdict::internal);
}

TEST(LocateAnalysis, ARouterAnsweringFromTwoAddressesBehindEcmpKeepsItsSupport) {
  // Twenty targets: fourteen end at t2 (b's answers rate-limited), six at b,
  // which answers from two addresses (.14 and .26, the interface each reply
  // leaves by). Three apiece is short of the four (a fifth) a break needs;
  // together they are where packets get to.
  auto c = campaign();
  const char* const b2 = "198.18.0.26";
  for (int i = 0; i < 20; ++i) {
    const std::string dst = "198.18.129." + std::to_string(i + 1);
    std::vector<H> path = upto(kToA, 3);
    if (i < 3) path.push_back({"198.18.0.14"});
    else if (i < 6) path.push_back({b2});
    c.targets.push_back(failing_target(dst.c_str(), 0, then(path, {{nullptr}, {nullptr}}), StopReason::gaplimit));
  }
  auto r = locate::analyze(c, kLookup, healthy_baseline());
  ASSERT_TRUE(r.brk.after);
  EXPECT_EQ(r.brk.after->ttl, 4);
  EXPECT_TRUE(r.brk.after->addr == A("198.18.0.14") || r.brk.after->addr == A(b2)) << r.brk.after->addr.to_string();
  EXPECT_EQ(r.brk.sharing, 20u);  // the six at b's two addresses, the fourteen on the way
}

TEST(LocateAnalysis, MethodSpecs) {
  EXPECT_EQ(locate::MethodSpec::parse("direct-tcp:443")->label(), "direct-tcp:443");
  EXPECT_TRUE(locate::MethodSpec::parse("direct-icmp")->direct);
  EXPECT_FALSE(locate::MethodSpec::parse("direct-"));
  EXPECT_EQ(locate::MethodSpec::parse("tcp:443")->label(), "tcp:443");
  EXPECT_EQ(locate::MethodSpec::parse("udp")->label(), "udp");
  EXPECT_FALSE(locate::MethodSpec::parse("tcp"));
  EXPECT_FALSE(locate::MethodSpec::parse("icmp:80"));
  EXPECT_FALSE(locate::MethodSpec::parse("tcp:0"));
  EXPECT_FALSE(locate::MethodSpec::parse("tcp:65536"));
  EXPECT_FALSE(locate::MethodSpec::parse("dns"));
  EXPECT_FALSE(locate::MethodSpec::parse("tcp:80x"));
}

}  // namespace
