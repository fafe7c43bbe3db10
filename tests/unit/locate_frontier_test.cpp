// SPDX-License-Identifier: BSD-2-Clause
// The frontier phase's planning (frontier.h) on hand-made surveys shaped
// like the lab country (tests/lab/scenarios.cpp): vp - a1 .2 - t1 .6 -
// t2 .10 - b .14 - c1 .18 | c2 .22, prefix A 198.18.128.0/22 and prefix B
// 198.18.136.0/24. Which targets it asks for, what each round asks, what
// an answer decides, and what the analysis makes of the answers.

#include <gtest/gtest.h>

#include <tuple>

#include "probe/locate/analysis.h"
#include "probe/format/locate_report.h"
#include "probe/record/baseline.h"
#include "probe/locate/frontier.h"

namespace {

using namespace probe;
using locate::Ask;
using locate::FrontierProbe;
using model::Address;
using model::ReplyKind;
using model::StopReason;

Address A(const char* s) { return *Address::parse(s); }
model::Prefix P(const char* s) { return *model::Prefix::parse(s); }

model::Reply reply(const char* from, ReplyKind kind, std::uint8_t code = 0) {
  model::Reply r;
  r.addr = A(from);
  r.kind = kind;
  r.icmp_type = kind == ReplyKind::unreachable ? 3 : kind == ReplyKind::time_exceeded ? 11 : 0;
  r.icmp_code = code;
  return r;
}

// A survey trace: hop k answered by hops[k-1] (nullptr: silent).
model::Trace trace(const char* dst, std::vector<const char*> hops, StopReason stop) {
  model::Trace t;
  t.dst = A(dst);
  std::uint8_t ttl = 1;
  for (const char* h : hops) {
    model::ProbeRecord p;
    p.ttl = ttl;
    p.attempt = 1;
    p.tx_us = 1000000 + ttl;
    if (h) p.reply = reply(h, ReplyKind::time_exceeded);
    t.hops.push_back(model::Hop{ttl++, {p}});
  }
  t.stop_reason = stop;
  return t;
}

// What one frontier probe got back: a one-probe trace.
model::Trace answer(const char* dst, std::uint8_t ttl, std::optional<model::Reply> r) {
  model::Trace t;
  t.dst = A(dst);
  model::ProbeRecord p;
  p.ttl = ttl;
  p.attempt = 1;
  p.tx_us = 5000000;
  p.reply = r;
  t.hops.push_back(model::Hop{ttl, {p}});
  t.start_us = p.tx_us;
  t.stop_reason = StopReason::hoplimit;
  return t;
}

// Methods: direct-icmp, icmp, tcp:80. Targets as given, the controls none.
struct Survey {
  locate::Campaign c;
  void add(const char* addr, int prefix, model::Trace icmp, model::Trace tcp,
           StopReason direct = StopReason::hoplimit) {
    locate::TargetTraces tt;
    tt.addr = A(addr);
    tt.prefix = prefix;
    model::Trace d = trace(addr, {nullptr}, direct);
    tt.traces = {d, std::move(icmp), std::move(tcp)};
    c.targets.push_back(std::move(tt));
  }
  Survey() {
    c.prefixes = {P("198.18.128.0/22"), P("198.18.136.0/24")};
    c.methods = {*locate::MethodSpec::parse("direct-icmp"), *locate::MethodSpec::parse("icmp"),
                 *locate::MethodSpec::parse("tcp:80")};
  }
};

constexpr const char* a1 = "198.18.0.2";
constexpr const char* t1 = "198.18.0.6";
constexpr const char* t2 = "198.18.0.10";
constexpr const char* br = "198.18.0.14";

// One failing target whose traces end at a1.
Survey ending_at_a1() {
  Survey s;
  s.add("198.18.128.2", 0, trace("198.18.128.2", {a1, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.128.2", {a1, nullptr, nullptr}, StopReason::gaplimit));
  return s;
}

TEST(LocateFrontier, GroupsFailingTargetsByTheirDeepestLastHop) {
  Survey s;
  // Reached by tcp: no failing target.
  s.add("198.18.128.1", 0, trace("198.18.128.1", {a1, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.128.1", {a1, t1, t2}, StopReason::completed));
  // tcp got deeper (t1) than icmp (a1): grouped at t1, asked with tcp.
  s.add("198.18.128.2", 0, trace("198.18.128.2", {a1, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.128.2", {a1, t1, nullptr, nullptr}, StopReason::gaplimit));
  s.add("198.18.129.7", 0, trace("198.18.129.7", {a1, t1, nullptr}, StopReason::gaplimit),
        trace("198.18.129.7", {a1, nullptr, nullptr}, StopReason::gaplimit));
  s.add("198.18.136.1", 1, trace("198.18.136.1", {a1, t1, nullptr}, StopReason::gaplimit),
        trace("198.18.136.1", {nullptr, nullptr, nullptr}, StopReason::gaplimit));
  // Nothing answered at all: the group "none".
  s.add("198.18.136.2", 1, trace("198.18.136.2", {nullptr, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.136.2", {nullptr, nullptr, nullptr}, StopReason::gaplimit));
  auto st = locate::frontier_start(s.c);
  const auto& groups = st.groups;
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].last_hop, A(t1));
  EXPECT_EQ(groups[0].targets, (std::vector<std::size_t>{1, 2, 3}));
  // Representatives: the first, then the first from another prefix.
  ASSERT_EQ(groups[0].reps.size(), 2u);
  EXPECT_EQ(groups[0].reps[0].target, 1u);
  EXPECT_EQ(groups[0].reps[0].method, 2u);  // tcp:80 got to t1 first
  EXPECT_EQ(groups[0].reps[0].last_ttl, 2);
  EXPECT_EQ(groups[0].reps[1].target, 3u);
  EXPECT_EQ(groups[0].reps[1].method, 1u);
  EXPECT_FALSE(groups[1].last_hop.has_value());
  ASSERT_EQ(groups[1].reps.size(), 1u);
  EXPECT_EQ(groups[1].reps[0].method, 1u);  // the first traced method
  // No router answered it: it starts where the deepest national path got
  // (t2 at TTL 3, on the reached target's path).
  EXPECT_TRUE(groups[1].reps[0].borrowed);
  EXPECT_EQ(groups[1].reps[0].last_ttl, 3);
  EXPECT_EQ(groups[1].reps[0].last_addr, A(t2));
}

TEST(LocateFrontier, ATargetNoRouterAnsweredAsksAtTheOthersDepthThenFromItsOwnStart) {
  Survey s;
  s.add("198.18.128.1", 0, trace("198.18.128.1", {a1, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.128.1", {a1, t1, t2}, StopReason::completed));
  s.add("198.18.136.2", 1, trace("198.18.136.2", {nullptr, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.136.2", {nullptr, nullptr, nullptr}, StopReason::gaplimit));
  auto st = locate::frontier_start(s.c);
  ASSERT_EQ(st.groups.size(), 1u);
  auto first = locate::frontier_round(st);
  // Its own router at the borrowed distance, then one past it.
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].ttl, 3);
  EXPECT_EQ(first[0].ask, Ask::last);
  EXPECT_EQ(first[1].ttl, 4);
  // The whole cycle there stays silent: back to its own start, TTL 1.
  for (int k = 0; k < 20 && st.groups[0].reps[0].borrowed; ++k) locate::frontier_round(st);
  const auto& r = st.groups[0].reps[0];
  EXPECT_FALSE(r.borrowed);
  EXPECT_EQ(r.last_ttl, 0);
  EXPECT_FALSE(r.done);
  std::vector<FrontierProbe> next;
  for (int k = 0; k < 4 && next.empty(); ++k) next = locate::frontier_round(st);
  ASSERT_FALSE(next.empty());
  EXPECT_EQ(next[0].ttl, 1);
}

TEST(LocateFrontier, ARouterAnsweringAtTheBorrowedDistanceMakesTheFrontierItsOwn) {
  Survey s;
  s.add("198.18.128.1", 0, trace("198.18.128.1", {a1, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.128.1", {a1, t1, t2}, StopReason::completed));
  s.add("198.18.136.2", 1, trace("198.18.136.2", {nullptr, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.136.2", {nullptr, nullptr, nullptr}, StopReason::gaplimit));
  auto st = locate::frontier_start(s.c);
  auto first = locate::frontier_round(st);
  ASSERT_EQ(first.size(), 2u);
  // At TTL 3 another router than the others' t2 answers for it: br.
  locate::frontier_take(st, first[0], answer("198.18.136.2", 3, reply(br, ReplyKind::time_exceeded)));
  const auto& r = st.groups[0].reps[0];
  EXPECT_FALSE(r.borrowed);
  EXPECT_EQ(r.last_ttl, 3);
  EXPECT_EQ(r.last_addr, A(br));
}

TEST(LocateFrontier, AGroupWhoseRouterAlreadyRefusedAsksNothing) {
  Survey s;
  model::Trace icmp = trace("198.18.128.2", {a1, t1, t2}, StopReason::unreachable);
  icmp.hops.back().probes.back().reply = reply(t2, ReplyKind::unreachable, 0);
  s.add("198.18.128.2", 0, icmp, trace("198.18.128.2", {a1, nullptr, nullptr}, StopReason::gaplimit));
  auto st = locate::frontier_start(s.c);
  ASSERT_EQ(st.groups.size(), 1u);
  EXPECT_TRUE(st.groups[0].decided);
  EXPECT_TRUE(locate::frontier_round(st).empty());
  EXPECT_FALSE(locate::frontier_open(st));
}

TEST(LocateFrontier, RoundsAskTheSilentTtlThenDirectThenBeyondAndEndInSilence) {
  Survey s;
  s.add("198.18.128.2", 0, trace("198.18.128.2", {a1, t1, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.128.2", {a1, nullptr, nullptr}, StopReason::gaplimit));
  auto st = locate::frontier_start(s.c);
  ASSERT_EQ(st.groups.size(), 1u);
  // (round, TTL, ask): the routers past t1 are asked every other round.
  std::vector<std::tuple<int, std::uint8_t, Ask>> asked;
  for (int round = 0; round < 20 && locate::frontier_open(st); ++round)
    for (const FrontierProbe& p : locate::frontier_round(st)) {
      EXPECT_EQ(p.method, 1u);
      asked.push_back({round, p.ttl, p.ask});
      locate::frontier_take(st, p, answer("198.18.128.2", p.ttl, std::nullopt));
    }
  const std::vector<std::tuple<int, std::uint8_t, Ask>> want = {
      {0, 2, Ask::last}, {0, 3, Ask::silent}, {2, 64, Ask::direct}, {4, 4, Ask::beyond}, {6, 3, Ask::silent}};
  EXPECT_EQ(asked, want);
  EXPECT_FALSE(locate::frontier_open(st));
}

TEST(LocateFrontier, AnAnswerAtTheSilentTtlMovesTheFrontierAndAnUnreachableDecides) {
  Survey s = ending_at_a1();
  auto st = locate::frontier_start(s.c);
  ASSERT_EQ(st.groups.size(), 1u);
  auto round = locate::frontier_round(st);
  ASSERT_EQ(round.size(), 2u);
  EXPECT_EQ(round[1].ttl, 2);
  locate::frontier_take(st, round[0], answer("198.18.128.2", 1, reply(a1, ReplyKind::time_exceeded)));
  locate::frontier_take(st, round[1], answer("198.18.128.2", 2, reply(t1, ReplyKind::time_exceeded)));
  // A new frontier (past t1), asked in the very next round.
  round = locate::frontier_round(st);
  ASSERT_EQ(round.size(), 1u);  // the last hop is asked once only
  EXPECT_EQ(round[0].ttl, 3);
  EXPECT_EQ(round[0].ask, Ask::silent);
  locate::frontier_take(st, round[0], answer("198.18.128.2", 3, reply(t2, ReplyKind::unreachable, 0)));
  EXPECT_TRUE(st.groups[0].decided);
  EXPECT_FALSE(locate::frontier_open(st));
}

TEST(LocateFrontier, TheTargetsOwnAnswerDecides) {
  Survey s = ending_at_a1();
  auto st = locate::frontier_start(s.c);
  locate::frontier_round(st);
  FrontierProbe direct{0, 1, 64, Ask::direct};
  locate::frontier_take(st, direct, answer("198.18.128.2", 64, reply("198.18.128.2", ReplyKind::echo_reply)));
  EXPECT_TRUE(st.groups[0].decided);
}

TEST(LocateFrontier, RepresentativesTakeTurnsAtOneFrontierEveryOtherRound) {
  Survey s;
  for (const char* t : {"198.18.128.2", "198.18.136.1"})
    s.add(t, t[9] == '2' ? 0 : 1, trace(t, {a1, nullptr, nullptr}, StopReason::gaplimit),
          trace(t, {a1, nullptr, nullptr}, StopReason::gaplimit));
  auto st = locate::frontier_start(s.c);
  ASSERT_EQ(st.groups.size(), 1u);
  ASSERT_EQ(st.groups[0].reps.size(), 2u);
  // (round, target) of the questions to the routers past a1: one rate limit.
  std::vector<std::pair<int, std::size_t>> asks;
  for (int r = 0; r < 8; ++r)
    for (const auto& p : locate::frontier_round(st))
      if (p.ask != Ask::last) asks.push_back({r, p.target});
  EXPECT_EQ(asks, (std::vector<std::pair<int, std::size_t>>{{0, 0}, {2, 1}, {4, 0}, {6, 1}}));
}

TEST(LocateFrontier, GroupsThatReachOneFrontierShareItsPace) {
  Survey s;
  // Group t1 at TTL 2, and group "none", whose rep walks up to t1 too.
  s.add("198.18.128.2", 0, trace("198.18.128.2", {a1, t1, nullptr}, StopReason::gaplimit),
        trace("198.18.128.2", {a1, nullptr, nullptr}, StopReason::gaplimit));
  s.add("198.18.136.1", 1, trace("198.18.136.1", {nullptr, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.136.1", {nullptr, nullptr, nullptr}, StopReason::gaplimit));
  auto st = locate::frontier_start(s.c);
  ASSERT_EQ(st.groups.size(), 2u);
  std::vector<std::pair<int, std::size_t>> past_t1;  // (round, target) asking TTL 3 or direct past t1
  for (int r = 0; r < 6; ++r)
    for (const auto& p : locate::frontier_round(st)) {
      const auto& rep = st.groups[p.target == 0 ? 0 : 1].reps[0];
      std::optional<model::Reply> got;
      if (p.ttl == 1) got = reply(a1, ReplyKind::time_exceeded);
      if (p.ttl == 2) got = reply(t1, ReplyKind::time_exceeded);
      if (p.ask != Ask::last && rep.last_addr == A(t1)) past_t1.push_back({r, p.target});
      locate::frontier_take(st, p, answer(s.c.targets[p.target].addr.to_string().c_str(), p.ttl, got));
    }
  // The none group reached t1 in round 1; from then on the two alternate.
  EXPECT_EQ(past_t1, (std::vector<std::pair<int, std::size_t>>{{0, 0}, {2, 1}, {4, 0}}));
}

TEST(LocateFrontier, FrontierResultsMergeInTtlOrderAndTheAnalysisUsesTheDeeperAnswer) {
  Survey s;
  s.add("198.18.128.2", 0, trace("198.18.128.2", {a1, t1, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.128.2", {a1, nullptr, nullptr}, StopReason::gaplimit));
  auto& tt = s.c.targets[0];
  const auto icmp = s.c.methods[1];
  auto direct = icmp;
  direct.direct = true;
  locate::add_frontier_result(tt, icmp, answer("198.18.128.2", 4, std::nullopt));
  locate::add_frontier_result(tt, icmp, answer("198.18.128.2", 3, reply(t2, ReplyKind::time_exceeded)));
  locate::add_frontier_result(tt, direct, answer("198.18.128.2", 64, reply(br, ReplyKind::unreachable, 1)));
  ASSERT_EQ(tt.frontier.size(), 2u);
  ASSERT_EQ(tt.frontier[0].trace.hops.size(), 2u);
  EXPECT_EQ(tt.frontier[0].trace.hops[0].ttl, 3);
  EXPECT_EQ(tt.frontier[0].trace.hops[1].ttl, 4);
  EXPECT_EQ(tt.frontier[1].trace.stop_reason, StopReason::unreachable);

  auto lookup = [](const Address&) { return std::optional<locate::AsName>(); };
  auto r = locate::analyze(s.c, lookup, std::nullopt);
  ASSERT_TRUE(r.targets[0].last_hop);
  // t2 answered the frontier at TTL 3; b refused its direct probe, one further.
  EXPECT_EQ(r.targets[0].last_hop->addr, A(br));
  EXPECT_EQ(r.targets[0].last_hop->ttl, 4);
  EXPECT_EQ(r.targets[0].last_hop->unreachable_code, 1);
  ASSERT_EQ(r.targets[0].path.size(), 3u);
  EXPECT_EQ(r.targets[0].path[2].addr, A(t2));
}

TEST(LocateFrontier, AReportWithFrontierAnswersReadsBackAsTheSameBaseline) {
  Survey s;
  s.add("198.18.128.2", 0, trace("198.18.128.2", {a1, t1, nullptr}, StopReason::gaplimit),
        trace("198.18.128.2", {a1, nullptr, nullptr}, StopReason::gaplimit));
  locate::add_frontier_result(s.c.targets[0], s.c.methods[1],
                              answer("198.18.128.2", 3, reply(t2, ReplyKind::unreachable, 1)));
  auto lookup = [](const Address&) { return std::optional<locate::AsName>(); };
  const auto report = locate::analyze(s.c, lookup, std::nullopt);
  const auto json = format::to_json(report);
  ASSERT_EQ(json["targets"][0]["frontier"].size(), 1u);
  EXPECT_EQ(json["targets"][0]["frontier"][0]["addr"], t2);
  auto back = record::parse_baseline_json(json.dump());
  ASSERT_TRUE(back) << back.error().message;
  const auto want = locate::baseline_of(report);
  ASSERT_EQ(back->paths.size(), want.paths.size());
  ASSERT_EQ(back->paths[0].hops.size(), 3u);
  for (std::size_t i = 0; i < want.paths[0].hops.size(); ++i) {
    EXPECT_EQ(back->paths[0].hops[i].addr, want.paths[0].hops[i].addr);
    EXPECT_EQ(back->paths[0].hops[i].ttl, want.paths[0].hops[i].ttl);
  }
}

TEST(LocateFrontier, AFrontierProbeLeftUnansweredAfterTheRouterAnsweredCountsItRateLimited) {
  Survey s;
  s.add("198.18.128.2", 0, trace("198.18.128.2", {a1, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.128.2", {a1, nullptr, nullptr}, StopReason::gaplimit));
  auto lookup = [](const Address&) { return std::optional<locate::AsName>(); };
  // a1 answered every probe at TTL 1; nobody answered at 2 or 3: silence, not a limit.
  EXPECT_TRUE(locate::analyze(s.c, lookup, std::nullopt).rate_limited.empty());
  // The frontier gets t1 at TTL 2. The survey's silences there came before
  // its first answer: they say nothing of its limit.
  model::Trace got = answer("198.18.128.2", 2, reply(t1, ReplyKind::time_exceeded));
  got.hops[0].probes[0].reply->rx_us = 5000100;
  locate::add_frontier_result(s.c.targets[0], s.c.methods[1], got);
  EXPECT_TRUE(locate::analyze(s.c, lookup, std::nullopt).rate_limited.empty());
  // Asked again 2.2 s later, it stays silent: rate-limited.
  model::Trace again = answer("198.18.128.2", 2, std::nullopt);
  again.hops[0].probes[0].tx_us = 7200000;
  locate::add_frontier_result(s.c.targets[0], s.c.methods[1], again);
  const auto r = locate::analyze(s.c, lookup, std::nullopt);
  ASSERT_EQ(r.rate_limited.size(), 1u);
  EXPECT_EQ(r.rate_limited[0], A(t1));
}

TEST(LocateFrontier, AControlsSilentTtlsAreAskedAgainWhereNationalPathsGotAnswers) {
  // The control 192.0.2.99 hangs off t2: reached at hop 4, but t1 and t2
  // never answered its traces (their buckets went to the national ones).
  // Whether t2 carries its traffic decides whether t2 may be the border.
  Survey s = ending_at_a1();
  s.add("198.18.136.1", 1, trace("198.18.136.1", {a1, t1, t2, nullptr, nullptr}, StopReason::gaplimit),
        trace("198.18.136.1", {a1, t1, t2, nullptr, nullptr}, StopReason::gaplimit));
  locate::TargetTraces ctl;
  ctl.addr = A("192.0.2.99");
  ctl.prefix = -1;
  ctl.traces = {trace("192.0.2.99", {nullptr}, StopReason::completed),
                trace("192.0.2.99", {a1, nullptr, nullptr, "192.0.2.99"}, StopReason::completed),
                trace("192.0.2.99", {a1, nullptr, nullptr, nullptr}, StopReason::gaplimit)};
  s.c.controls.push_back(ctl);
  auto st = locate::frontier_start(s.c, true);
  ASSERT_EQ(st.controls.size(), 2u);
  EXPECT_EQ(st.controls[0].ttl, 2);
  EXPECT_EQ(st.controls[1].ttl, 3);
  EXPECT_EQ(st.controls[0].method, 1u);  // icmp reached the control
  auto control_ttls = [](const std::vector<FrontierProbe>& probes) {
    std::vector<std::uint8_t> out;
    for (const auto& p : probes)
      if (p.control) out.push_back(p.ttl);
    return out;
  };
  // The routers past a1 are the first group's frontier, asked this round:
  // TTL 2 waits its turn, TTL 3 is asked.
  EXPECT_EQ(control_ttls(locate::frontier_round(st)), (std::vector<std::uint8_t>{3}));
  // t2 answered: it carries the control's traffic; TTL 3 is asked no more.
  locate::frontier_take(st, {0, 1, 3, Ask::last, true}, answer("192.0.2.99", 3, reply(t2, ReplyKind::time_exceeded)));
  std::vector<std::uint8_t> later;
  for (int round = 0; round < 12 && locate::frontier_open(st); ++round)
    for (auto ttl : control_ttls(locate::frontier_round(st))) later.push_back(ttl);
  EXPECT_EQ(later, (std::vector<std::uint8_t>{2, 2}));  // twice, in silence
  // A capture recorded before the phase asked controls replays without.
  EXPECT_TRUE(locate::frontier_start(s.c, false).controls.empty());
}

}  // namespace
