// SPDX-License-Identifier: BSD-2-Clause
// after_reply / after_silence: when a trace goes on, and why it stops.

#include "probe/engine/trace_logic.h"

#include <gtest/gtest.h>

#include "packet_helpers.h"

namespace {

using probe::engine::after_query;
using probe::engine::after_reply;
using probe::engine::after_silence;
using probe::engine::Cursor;
using probe::engine::Limits;
using probe::engine::reached_destination;
using probe::engine::Step;
using probe::model::Address;
using probe::model::Hop;
using probe::model::ProbeRecord;
using probe::model::Reply;
using probe::model::ReplyKind;
using probe::model::StopReason;
using probe::model::Trace;
using testing_packets::addr;

const Address kDst = addr("203.0.113.50");

Reply reply(const char* from, ReplyKind kind, std::uint8_t type = 11, std::uint8_t code = 0) {
  Reply r;
  r.addr = addr(from);
  r.kind = kind;
  r.icmp_type = type;
  r.icmp_code = code;
  return r;
}

Reply hop_reply(const char* from) { return reply(from, ReplyKind::time_exceeded); }

// A trace whose hops 1..n answered from `addrs` (nullptr: silent hop), plus
// the current hop n+1 holding `current` as its reply.
Trace path(std::initializer_list<const char*> addrs, const Reply& current) {
  Trace t;
  t.dst = kDst;
  std::uint8_t ttl = 1;
  for (const char* a : addrs) {
    Hop h;
    h.ttl = ttl++;
    ProbeRecord p;
    p.ttl = h.ttl;
    p.attempt = 1;
    if (a) p.reply = hop_reply(a);
    h.probes.push_back(p);
    t.hops.push_back(h);
  }
  Hop cur;
  cur.ttl = ttl;
  ProbeRecord p;
  p.ttl = ttl;
  p.attempt = 1;
  p.reply = current;
  cur.probes.push_back(p);
  t.hops.push_back(cur);
  return t;
}

Cursor at(std::uint8_t ttl, std::uint8_t attempt = 1, int gap = 0) { return Cursor{ttl, attempt, gap}; }

TEST(AfterReply, DestinationAnswersCompleteTheTrace) {
  const Limits limits;
  for (auto r : {reply("203.0.113.50", ReplyKind::echo_reply, 0, 0),
                 reply("203.0.113.50", ReplyKind::tcp_synack, 0, 0),
                 reply("203.0.113.50", ReplyKind::tcp_rst, 0, 0),
                 reply("203.0.113.50", ReplyKind::unreachable, 3, 3)}) {
    Trace t = path({"10.0.0.1", "10.0.0.2"}, r);
    EXPECT_EQ(after_reply(t, at(3), r, limits).stop, StopReason::completed) << int(r.kind);
    EXPECT_TRUE(reached_destination(r, kDst));
  }
}

TEST(AfterReply, Ipv6PortUnreachableCompletes) {
  Trace t;
  t.dst = addr("2001:db8::50");
  Reply port = reply("2001:db8::50", ReplyKind::unreachable, 1, 4);
  EXPECT_EQ(after_reply(t, at(4), port, Limits{}).stop, StopReason::completed);
  Reply addr_unreach = reply("2001:db8::50", ReplyKind::unreachable, 1, 3);
  EXPECT_EQ(after_reply(t, at(4), addr_unreach, Limits{}).stop, StopReason::unreachable);
}

// Every IPv4 unreachable code other than "port" ends the trace as
// unreachable, from the destination or from a router on the way.
TEST(AfterReply, OtherUnreachableCodesStopAsUnreachable) {
  for (std::uint8_t code = 0; code <= 15; ++code) {
    for (const char* from : {"203.0.113.50", "10.0.0.9"}) {
      Reply r = reply(from, ReplyKind::unreachable, 3, code);
      Trace t = path({"10.0.0.1"}, r);
      const Step s = after_reply(t, at(2), r, Limits{});
      const bool port_from_dst = code == 3 && r.addr == kDst;
      EXPECT_EQ(s.stop, port_from_dst ? StopReason::completed : StopReason::unreachable)
          << "code " << int{code} << " from " << from;
    }
  }
}

TEST(AfterReply, TimeExceededGoesToTheNextTtlAndResetsTheGap) {
  Reply r = hop_reply("10.0.0.3");
  Trace t = path({"10.0.0.1", nullptr}, r);
  const Step s = after_reply(t, at(3, 2, 1), r, Limits{});
  EXPECT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.ttl, 4);
  EXPECT_EQ(s.next.attempt, 1);
  EXPECT_EQ(s.next.gap, 0);
  // The destination sending time exceeded (e.g. a quoted TTL of 1) is not an answer.
  EXPECT_FALSE(reached_destination(hop_reply("203.0.113.50"), kDst));
}

TEST(AfterReply, AddressSeenTwoOrMoreHopsEarlierIsALoop) {
  // 1: A  2: B  3: C, now hop 4 answers from A (3 back) or B (2 back).
  for (const char* again : {"10.0.0.1", "10.0.0.2"}) {
    Reply r = hop_reply(again);
    Trace t = path({"10.0.0.1", "10.0.0.2", "10.0.0.3"}, r);
    EXPECT_EQ(after_reply(t, at(4), r, Limits{}).stop, StopReason::loop) << again;
  }
}

TEST(AfterReply, NextHopRepeatingTheAddressIsNotALoop) {
  Reply r = hop_reply("10.0.0.3");
  Trace t = path({"10.0.0.1", "10.0.0.2", "10.0.0.3"}, r);
  const Step s = after_reply(t, at(4), r, Limits{});
  EXPECT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.ttl, 5);
  // Nor is a second reply at the current hop from the first reply's address.
  Reply same = hop_reply("10.0.0.9");
  Trace t2 = path({"10.0.0.1"}, same);
  EXPECT_EQ(after_reply(t2, at(2, 2), same, Limits{}).stop, StopReason::none);
}

TEST(AfterReply, SilentHopsDoNotMakeLoops) {
  Reply r = hop_reply("10.0.0.7");
  Trace t = path({nullptr, nullptr, "10.0.0.2"}, r);
  EXPECT_EQ(after_reply(t, at(4), r, Limits{}).stop, StopReason::none);
}

TEST(AfterReply, MaxTtlAnsweredByARouterIsHoplimit) {
  Limits limits;
  limits.max_ttl = 3;
  Reply r = hop_reply("10.0.0.3");
  Trace t = path({"10.0.0.1", "10.0.0.2"}, r);
  EXPECT_EQ(after_reply(t, at(3), r, limits).stop, StopReason::hoplimit);
  // The destination answering at max TTL still completes.
  Reply echo = reply("203.0.113.50", ReplyKind::echo_reply, 0, 0);
  EXPECT_EQ(after_reply(t, at(3), echo, limits).stop, StopReason::completed);
}

TEST(AfterSilence, RetriesUpToTheAttempts) {
  Limits limits;
  limits.attempts = 3;
  Step s = after_silence(at(5, 1, 2), limits);
  EXPECT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.ttl, 5);
  EXPECT_EQ(s.next.attempt, 2);
  EXPECT_EQ(s.next.gap, 2);  // a retry does not count as a silent hop yet
  s = after_silence(s.next, limits);
  EXPECT_EQ(s.next.ttl, 5);
  EXPECT_EQ(s.next.attempt, 3);
  s = after_silence(s.next, limits);
  EXPECT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.ttl, 6);
  EXPECT_EQ(s.next.attempt, 1);
  EXPECT_EQ(s.next.gap, 3);
}

TEST(AfterSilence, SingleAttemptMovesOnAtOnce) {
  Limits limits;
  limits.attempts = 1;
  const Step s = after_silence(at(2), limits);
  EXPECT_EQ(s.next.ttl, 3);
  EXPECT_EQ(s.next.attempt, 1);
  EXPECT_EQ(s.next.gap, 1);
}

// Walks a fully silent path: the trace ends on the gaplimit-th silent hop,
// after `attempts` probes at each.
TEST(AfterSilence, GapLimitCountsSilentHops) {
  Limits limits;
  limits.attempts = 2;
  limits.gaplimit = 3;
  Cursor c = at(4);
  int probes = 0;
  Step s;
  do {
    ++probes;
    s = after_silence(c, limits);
    c = s.next;
  } while (s.stop == StopReason::none);
  EXPECT_EQ(s.stop, StopReason::gaplimit);
  EXPECT_EQ(probes, 6);
  EXPECT_EQ(c.ttl, 6);  // the cursor stays at the hop that ended it
}

TEST(AfterSilence, AReplyInBetweenRestartsTheGapCount) {
  Limits limits;
  limits.attempts = 1;
  limits.gaplimit = 2;
  Step s = after_silence(at(1), limits);
  ASSERT_EQ(s.next.gap, 1);
  Reply r = hop_reply("10.0.0.2");
  Trace t = path({nullptr}, r);
  s = after_reply(t, s.next, r, limits);
  ASSERT_EQ(s.next.gap, 0);
  s = after_silence(s.next, limits);
  EXPECT_EQ(s.stop, StopReason::none);
  s = after_silence(s.next, limits);
  EXPECT_EQ(s.stop, StopReason::gaplimit);
}

TEST(AfterSilence, HoplimitAtMaxTtl) {
  Limits limits;
  limits.max_ttl = 10;
  limits.attempts = 1;
  limits.gaplimit = 5;
  EXPECT_EQ(after_silence(at(10, 1, 0), limits).stop, StopReason::hoplimit);
  EXPECT_EQ(after_silence(at(10, 1, 3), limits).stop, StopReason::hoplimit);
  // Retries still happen at max TTL.
  limits.attempts = 2;
  EXPECT_EQ(after_silence(at(10, 1, 3), limits).stop, StopReason::none);
}

TEST(AfterSilence, GaplimitWinsOverHoplimitAtMaxTtl) {
  Limits limits;
  limits.max_ttl = 10;
  limits.attempts = 1;
  limits.gaplimit = 5;
  EXPECT_EQ(after_silence(at(10, 1, 4), limits).stop, StopReason::gaplimit);
}

// traceroute -q: the current hop (last in `t`) gets `more` probes after its
// first, each answered by `more[i]` (nullptr: silent).
void add_probes(Trace& t, std::initializer_list<const Reply*> more) {
  Hop& h = t.hops.back();
  for (const Reply* r : more) {
    ProbeRecord p;
    p.ttl = h.ttl;
    p.attempt = static_cast<std::uint8_t>(h.probes.size() + 1);
    if (r) p.reply = *r;
    h.probes.push_back(p);
  }
}

Limits queries(std::uint8_t n) {
  Limits l;
  l.queries = n;
  return l;
}

TEST(AfterQuery, EveryHopGetsItsProbesAnsweredOrNot) {
  Trace t = path({"10.0.0.1"}, hop_reply("10.0.0.2"));
  const Step s = after_query(t, at(2, 1), queries(3));
  EXPECT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.ttl, 2);  // an answer does not end the hop
  EXPECT_EQ(s.next.attempt, 2);
}

TEST(AfterQuery, TheLastProbeMovesOnIfAnyProbeOfTheHopWasAnswered) {
  Trace t = path({"10.0.0.1"}, hop_reply("10.0.0.2"));
  add_probes(t, {nullptr, nullptr});
  const Step s = after_query(t, at(2, 3, 1), queries(3));
  EXPECT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.ttl, 3);
  EXPECT_EQ(s.next.attempt, 1);
  EXPECT_EQ(s.next.gap, 0);  // one answer of three is not a silent hop
}

TEST(AfterQuery, AHopWithNoAnswerCountsTowardTheGapLimit) {
  Trace t = path({"10.0.0.1"}, hop_reply("10.0.0.2"));
  t.hops.back().probes[0].reply.reset();
  add_probes(t, {nullptr});
  Limits l = queries(2);
  l.gaplimit = 3;
  Step s = after_query(t, at(2, 2, 1), l);
  EXPECT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.gap, 2);
  s = after_query(t, at(2, 2, 2), l);
  EXPECT_EQ(s.stop, StopReason::gaplimit);
}

TEST(AfterQuery, TheDestinationAmongTheProbesCompletesAfterTheLast) {
  const Reply echo = reply("203.0.113.50", ReplyKind::echo_reply, 0, 0);
  Trace t = path({"10.0.0.1"}, hop_reply("10.0.0.2"));
  t.hops.back().probes[0].reply.reset();
  add_probes(t, {&echo});
  EXPECT_EQ(after_query(t, at(2, 2), queries(3)).stop, StopReason::none);  // a third probe still goes
  add_probes(t, {nullptr});
  EXPECT_EQ(after_query(t, at(2, 3), queries(3)).stop, StopReason::completed);
}

TEST(AfterQuery, AnUnreachableOrALoopAmongTheProbesEndsTheTrace) {
  const Reply unreach = reply("10.0.0.9", ReplyKind::unreachable, 3, 1);
  Trace t = path({"10.0.0.1", "10.0.0.2"}, hop_reply("10.0.0.3"));
  add_probes(t, {&unreach});
  EXPECT_EQ(after_query(t, at(3, 2), queries(2)).stop, StopReason::unreachable);
  Trace loop = path({"10.0.0.1", "10.0.0.2"}, hop_reply("10.0.0.3"));
  const Reply back = hop_reply("10.0.0.1");
  add_probes(loop, {&back});
  EXPECT_EQ(after_query(loop, at(3, 2), queries(2)).stop, StopReason::loop);
}

}  // namespace

// ---- Doubletree ---------------------------------------------------------------

using probe::engine::dt_after_reply;
using probe::engine::dt_after_silence;
using probe::engine::hops_from_reply_ttl;
using probe::engine::Phase;

TEST(HopsFromReplyTtl, NextCommonInitialTtl) {
  EXPECT_EQ(hops_from_reply_ttl(59), 6);   // Linux, 64: five routers on the way back
  EXPECT_EQ(hops_from_reply_ttl(64), 1);
  EXPECT_EQ(hops_from_reply_ttl(120), 9);  // Windows, 128
  EXPECT_EQ(hops_from_reply_ttl(250), 6);  // routers, 255
  EXPECT_EQ(hops_from_reply_ttl(30), 3);   // 32
  EXPECT_FALSE(hops_from_reply_ttl(0));
}

Cursor dt_start(std::uint8_t ttl) {
  Cursor c;
  c.ttl = c.start = ttl;
  return c;
}

Reply echo_from_dst(std::uint8_t reply_ttl) {
  Reply r = reply("203.0.113.50", ReplyKind::echo_reply, 0, 0);
  r.reply_ttl = reply_ttl;
  return r;
}

TEST(Doubletree, DestinationNearerThanTheStartMovesTheStartOnce) {
  const Limits limits;
  Trace t = path({}, echo_from_dst(59));
  // Started at 16, the reply says six hops: start again at 6.
  Step s = dt_after_reply(t, dt_start(16), echo_from_dst(59), limits, false);
  ASSERT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.ttl, 6);
  EXPECT_EQ(s.next.start, 6);
  EXPECT_EQ(s.next.reached, 16);
  EXPECT_EQ(s.next.phase, Phase::forward);
  EXPECT_FALSE(s.next.first);
  // At 6 it answers again: forward is done, backward begins at 5.
  s = dt_after_reply(t, s.next, echo_from_dst(59), limits, false);
  ASSERT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.phase, Phase::backward);
  EXPECT_EQ(s.next.ttl, 5);
  EXPECT_EQ(s.next.reached, 6);
  EXPECT_EQ(s.next.verdict, StopReason::completed);
}

TEST(Doubletree, BackwardStopsAtTheFirstKnownHop) {
  const Limits limits;
  Cursor c = dt_start(6);
  c.phase = Phase::backward;
  c.ttl = 5;
  c.verdict = StopReason::completed;
  Trace t = path({}, hop_reply("198.18.0.9"));
  Step unknown = dt_after_reply(t, c, hop_reply("198.18.0.9"), limits, false);
  EXPECT_EQ(unknown.stop, StopReason::none);
  EXPECT_EQ(unknown.next.ttl, 4);
  EXPECT_FALSE(unknown.met);
  Step known = dt_after_reply(t, c, hop_reply("198.18.0.9"), limits, true);
  EXPECT_EQ(known.stop, StopReason::completed);  // the forward phase's verdict
  EXPECT_TRUE(known.met);
}

TEST(Doubletree, BackwardGoesThroughSilenceDownToFirstTtl) {
  Limits limits;
  limits.first_ttl = 2;
  Cursor c = dt_start(8);
  c.phase = Phase::backward;
  c.ttl = 3;
  c.attempt = 2;
  c.gap = 0;
  c.verdict = StopReason::gaplimit;
  Step s = dt_after_silence(c, limits, false);  // no gap limit going back
  ASSERT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.ttl, 2);
  s.next.attempt = 2;
  s = dt_after_silence(s.next, limits, false);
  EXPECT_EQ(s.stop, StopReason::gaplimit);  // below first TTL: done
  EXPECT_FALSE(s.met);
  c.attempt = 1;
  EXPECT_EQ(dt_after_silence(c, limits, true).next.attempt, 2);  // retried before any inference
  c.attempt = 2;
  Step sib = dt_after_silence(c, limits, true);
  EXPECT_TRUE(sib.met);
  EXPECT_EQ(sib.stop, StopReason::gaplimit);
}

TEST(Doubletree, ForwardFromBelowStopsShortOfAKnownDestinationTtl) {
  const Limits limits;
  Cursor c = dt_start(4);
  c.reached = 6;  // a probe at 6 already reached the destination
  c.first = false;
  Trace t = path({"198.18.0.1", "198.18.0.2", "198.18.0.3"}, hop_reply("198.18.0.4"));
  Step s = dt_after_reply(t, c, hop_reply("198.18.0.4"), limits, false);
  ASSERT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.ttl, 5);
  s = dt_after_reply(t, s.next, hop_reply("198.18.0.5"), limits, false);
  // 6 is known to reach it: no second probe there; backward from 3.
  ASSERT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.phase, Phase::backward);
  EXPECT_EQ(s.next.ttl, 3);
  EXPECT_EQ(s.next.verdict, StopReason::completed);
}

TEST(Doubletree, SilentDestinationEndsForwardAtTheGapLimitThenGoesBack) {
  Limits limits;
  limits.gaplimit = 2;
  limits.attempts = 1;
  Cursor c = dt_start(10);
  Step s = dt_after_silence(c, limits, false);
  ASSERT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.ttl, 11);
  s = dt_after_silence(s.next, limits, false);
  ASSERT_EQ(s.stop, StopReason::none);
  EXPECT_EQ(s.next.phase, Phase::backward);
  EXPECT_EQ(s.next.ttl, 9);
  EXPECT_EQ(s.next.verdict, StopReason::gaplimit);
}

TEST(Doubletree, UnreachableEndsForwardAndStartAtFirstTtlEndsAtOnce) {
  const Limits limits;
  Trace t = path({}, reply("198.18.0.9", ReplyKind::unreachable, 3, 1));
  Step s = dt_after_reply(t, dt_start(1), reply("198.18.0.9", ReplyKind::unreachable, 3, 1), limits, false);
  EXPECT_EQ(s.stop, StopReason::unreachable);  // nothing below TTL 1 to walk back to
}
