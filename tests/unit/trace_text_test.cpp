// SPDX-License-Identifier: BSD-2-Clause
// The traceroute-like text output and its unreachable annotations.

#include "probe/format/trace_text.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "packet_helpers.h"

namespace {

using probe::format::TextStyle;
using probe::format::TextWriter;
using probe::model::Hop;
using probe::model::Method;
using probe::model::ProbeRecord;
using probe::model::Reply;
using probe::model::ReplyKind;
using probe::model::StopReason;
using probe::model::Trace;
using probe::format::unreachable_mark;
using testing_packets::addr;

ProbeRecord probe_at(std::uint8_t ttl, std::uint8_t attempt, std::int64_t tx) {
  ProbeRecord p;
  p.ttl = ttl;
  p.attempt = attempt;
  p.tx_us = tx;
  return p;
}

Reply from(const char* a, std::int64_t rx, ReplyKind k = ReplyKind::time_exceeded,
           std::uint8_t code = 0) {
  Reply r;
  r.addr = addr(a);
  r.rx_us = rx;
  r.kind = k;
  r.icmp_type = k == ReplyKind::unreachable ? 3 : 11;
  r.icmp_code = code;
  return r;
}

std::string text(const Trace& t, int max_ttl = 30) {
  std::ostringstream out;
  TextWriter(out, max_ttl).write(t);
  return out.str();
}

// Four hops: MPLS and a repeated address, a silent hop, two routers at one
// TTL, the destination.
Trace sample() {
  Trace t;
  t.method = Method::udp;
  t.dst = addr("198.18.200.0");
  t.stop_reason = StopReason::completed;
  Hop h1{1, {}};
  auto a = probe_at(1, 1, 1000);
  a.reply = from("198.18.0.2", 1047);
  a.reply->mpls = {{100704, 0, true, 1}};
  h1.probes.push_back(a);
  auto b = probe_at(1, 2, 2000);
  b.reply = from("198.18.0.2", 2100);  // same address: not repeated
  h1.probes.push_back(b);
  Hop h2{2, {probe_at(2, 1, 3000), probe_at(2, 2, 4000)}};  // silent
  Hop h3{3, {}};
  auto c = probe_at(3, 1, 5000);
  c.reply = from("198.18.0.6", 6500);
  h3.probes.push_back(c);
  auto d = probe_at(3, 2, 7000);
  d.reply = from("198.18.0.10", 7250);  // another router at the same TTL
  h3.probes.push_back(d);
  Hop h4{4, {}};
  auto e = probe_at(4, 1, 8000);
  e.reply = from("198.18.200.0", 9234, ReplyKind::unreachable, 3);
  h4.probes.push_back(e);
  t.hops = {h1, h2, h3, h4};
  return t;
}

TEST(TraceText, LikeTraceroute) {
  const Trace t = sample();
  EXPECT_EQ(text(t),
            "traceroute to 198.18.200.0 (udp paris), 30 hops max\n"
            " 1  198.18.0.2  0.047 ms [MPLS: Lbl 100704 Exp 0 S 1 TTL 1]  0.100 ms\n"
            " 2  *  *\n"
            " 3  198.18.0.6  1.500 ms  198.18.0.10  0.250 ms\n"
            " 4  198.18.200.0  1.234 ms\n"
            "stop: completed\n");
}

// -e: the label stack as traceroute -e writes it; -A: each address's AS.
TEST(TraceText, ExtensionsAndAsnsLikeTracerouteDashEAndDashA) {
  Trace t = sample();
  t.hops[0].probes[0].reply->mpls.push_back({24, 5, false, 1});
  std::ostringstream out;
  TextStyle style;
  style.traceroute_mpls = true;
  style.asn_of = [](const probe::model::Address& a) -> std::optional<std::uint32_t> {
    if (a == addr("198.18.0.2")) return 64510;
    return std::nullopt;
  };
  TextWriter(out, 30, style).write(t);
  EXPECT_EQ(out.str(),
            "traceroute to 198.18.200.0 (udp paris), 30 hops max\n"
            " 1  198.18.0.2 [AS64510]  0.047 ms <MPLS:L=100704,E=0,S=1,T=1/L=24,E=5,S=0,T=1>  0.100 ms\n"
            " 2  *  *\n"
            " 3  198.18.0.6 [AS?]  1.500 ms  198.18.0.10 [AS?]  0.250 ms\n"
            " 4  198.18.200.0 [AS?]  1.234 ms\n"
            "stop: completed\n");
}

// Without -n, live text names each address as traceroute does; one the
// lookup has no name for is written twice.
TEST(TraceText, NamesLikeTraceroute) {
  std::ostringstream out;
  TextStyle style;
  style.name_of = [](const probe::model::Address& a) {
    return a == addr("198.18.0.2") ? std::string("r1.lab.test") : std::string();
  };
  TextWriter(out, 30, style).write(sample());
  EXPECT_EQ(out.str(),
            "traceroute to 198.18.200.0 (udp paris), 30 hops max\n"
            " 1  r1.lab.test (198.18.0.2)  0.047 ms [MPLS: Lbl 100704 Exp 0 S 1 TTL 1]  0.100 ms\n"
            " 2  *  *\n"
            " 3  198.18.0.6 (198.18.0.6)  1.500 ms  198.18.0.10 (198.18.0.10)  0.250 ms\n"
            " 4  198.18.200.0 (198.18.200.0)  1.234 ms\n"
            "stop: completed\n");
}

TEST(TraceText, UnreachableMarks) {
  Trace t;
  t.method = Method::icmp;
  t.dst = addr("203.0.113.5");
  t.stop_reason = StopReason::unreachable;
  Hop h{7, {}};
  auto p = probe_at(7, 1, 0);
  p.reply = from("10.9.9.9", 2000, ReplyKind::unreachable, 1);
  h.probes.push_back(p);
  auto q = probe_at(7, 2, 0);
  q.reply = from("10.9.9.9", 3000, ReplyKind::unreachable, 3);  // port unreachable from a hop
  h.probes.push_back(q);
  t.hops = {h};
  EXPECT_EQ(text(t, 12),
            "traceroute to 203.0.113.5 (icmp paris), 12 hops max\n"
            " 7  10.9.9.9  2.000 ms !H  3.000 ms !3\n"
            "stop: unreachable\n");
}

TEST(UnreachableMark, TracerouteAnnotations) {
  const std::pair<int, const char*> v4[] = {{0, "!N"}, {1, "!H"}, {2, "!P"}, {3, ""},
                                            {4, "!F"}, {5, "!S"}, {6, "!N"}, {7, "!H"},
                                            {9, "!A"}, {10, "!A"}, {13, "!X"}, {14, "!V"},
                                            {15, "!C"}, {8, "!N"}, {200, "!200"}};
  for (const auto& [code, mark] : v4)
    EXPECT_EQ(unreachable_mark(static_cast<std::uint8_t>(code), false), mark) << code;
  const std::pair<int, const char*> v6[] = {{0, "!N"}, {1, "!X"}, {3, "!H"}, {4, ""}, {5, "!5"}};
  for (const auto& [code, mark] : v6)
    EXPECT_EQ(unreachable_mark(static_cast<std::uint8_t>(code), true), mark) << code;
}

}  // namespace

namespace {

// A --classic run must not call itself Paris: its ports changed per probe.
TEST(TraceText, ClassicRunSaysSo) {
  Trace t;
  t.method = probe::model::Method::udp;
  t.dst = *probe::model::Address::parse("198.18.200.1");
  t.stop_reason = probe::model::StopReason::hoplimit;
  std::ostringstream out;
  probe::format::TextWriter(out, 5, true).write(t);
  EXPECT_EQ(out.str(), "traceroute to 198.18.200.1 (udp classic), 5 hops max\nstop: hoplimit\n");
}

}  // namespace

// Doubletree: a hop learned from another trace shows its address marked
// inferred, after the probes this trace sent there (if any, all silent).
TEST(TraceText, InferredHopsAreMarked) {
  Trace t;
  t.method = Method::icmp;
  t.dst = addr("198.18.200.7");
  t.stop_reason = StopReason::completed;
  Hop h1{1};
  h1.inferred_addr = addr("198.18.0.2");
  Hop h2{2, {probe_at(2, 1, 0), probe_at(2, 2, 1000)}};
  h2.inferred_addr = addr("198.18.0.6");
  Hop h3{3};
  auto p = probe_at(3, 1, 2000);
  p.reply = from("198.18.200.7", 2500, ReplyKind::echo_reply);
  h3.probes.push_back(p);
  t.hops = {h1, h2, h3};
  EXPECT_EQ(text(t),
            "traceroute to 198.18.200.7 (icmp paris), 30 hops max\n"
            " 1  198.18.0.2 (inferred)\n"
            " 2  *  *  198.18.0.6 (inferred)\n"
            " 3  198.18.200.7  0.500 ms\n"
            "stop: completed\n");
}
