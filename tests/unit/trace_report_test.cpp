// SPDX-License-Identifier: BSD-2-Clause
// fl-trace --report: per-hop figures over rounds, and mtr's table of them.

#include "probe/format/trace_report.h"

#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>

#include "packet_helpers.h"

namespace {

using probe::model::Hop;
using probe::model::Method;
using probe::model::ProbeRecord;
using probe::model::Reply;
using probe::model::StopReason;
using probe::model::Trace;
using probe::model::TraceReport;
using testing_packets::addr;

// A probe at `ttl` sent at `tx`, answered by `from` after `rtt_us` (none: lost).
ProbeRecord probe(std::uint8_t ttl, std::int64_t tx, const char* from = nullptr, std::int64_t rtt_us = 0) {
  ProbeRecord p;
  p.ttl = ttl;
  p.attempt = 1;
  p.tx_us = tx;
  if (from) {
    Reply r;
    r.addr = addr(from);
    r.rx_us = tx + rtt_us;
    p.reply = r;
  }
  return p;
}

// One round toward 198.18.3.2: hop 2 answers from `hop2` (nullptr: silent),
// hop 3 never does.
Trace round(std::int64_t start, std::int64_t rtt1, const char* hop2, std::int64_t rtt2) {
  Trace t;
  t.method = Method::icmp;
  t.src = addr("198.18.0.2");
  t.dst = addr("198.18.3.2");
  t.start_us = start;
  t.stop_reason = StopReason::completed;
  t.hops.push_back(Hop{1, {probe(1, start, "198.18.1.1", rtt1)}});
  t.hops.push_back(Hop{2, {probe(2, start + 10, hop2, rtt2)}});
  t.hops.push_back(Hop{3, {probe(3, start + 20)}});
  t.hops.push_back(Hop{4, {probe(4, start + 30, "198.18.3.2", 500)}});
  return t;
}

// 2026-12-01 18:00:00 UTC.
constexpr std::int64_t kStart = 1796148000LL * 1000000;

TraceReport three_rounds() {
  TraceReport r;
  r.add(round(kStart, 1000, "198.18.2.1", 4000));
  r.add(round(kStart + 1000000, 2000, nullptr, 0));
  r.add(round(kStart + 2000000, 3000, "198.18.2.9", 6000));
  return r;
}

TEST(TraceReport, FiguresPerHopOverRounds) {
  const TraceReport r = three_rounds();
  EXPECT_EQ(r.cycles, 3u);
  EXPECT_EQ(r.start_us, kStart);  // the first round's
  ASSERT_EQ(r.hops.size(), 4u);
  const auto& h1 = r.hops[0];
  EXPECT_EQ(h1.sent, 3u);
  EXPECT_EQ(h1.received, 3u);
  EXPECT_DOUBLE_EQ(h1.loss_pct(), 0.0);
  EXPECT_EQ(h1.last_us, 3000);
  EXPECT_DOUBLE_EQ(h1.mean_us(), 2000.0);
  EXPECT_EQ(h1.best_us, 1000);
  EXPECT_EQ(h1.worst_us, 3000);
  EXPECT_NEAR(h1.stdev_us(), 1000.0, 1e-6);  // sample deviation, as mtr
  const auto& h2 = r.hops[1];
  EXPECT_EQ(h2.sent, 3u);
  EXPECT_EQ(h2.received, 2u);
  EXPECT_NEAR(h2.loss_pct(), 100.0 / 3, 1e-9);
  ASSERT_EQ(h2.addrs.size(), 2u);  // in the order they first answered
  EXPECT_EQ(h2.addrs[0].first, addr("198.18.2.1"));
  EXPECT_EQ(h2.addrs[1].first, addr("198.18.2.9"));
  const auto& h3 = r.hops[2];
  EXPECT_EQ(h3.received, 0u);
  EXPECT_DOUBLE_EQ(h3.loss_pct(), 100.0);
  EXPECT_DOUBLE_EQ(h3.stdev_us(), 0.0);
}

// A TTL only a later round reached (the path grew) gets its own row, in order.
TEST(TraceReport, HopsOfLaterRoundsAreInsertedInTtlOrder) {
  TraceReport r;
  Trace shorter = round(kStart, 1000, "198.18.2.1", 4000);
  shorter.hops.erase(shorter.hops.begin() + 1);  // no TTL 2 this round
  r.add(shorter);
  r.add(round(kStart + 1000000, 1000, "198.18.2.1", 4000));
  ASSERT_EQ(r.hops.size(), 4u);
  EXPECT_EQ(r.hops[1].ttl, 2);
  EXPECT_EQ(r.hops[1].sent, 1u);
  EXPECT_EQ(r.hops[0].sent, 2u);
}

TEST(TraceReportText, PrintsMtrsTable) {
  std::ostringstream out;
  probe::format::write_report_text(out, three_rounds(), {});
  EXPECT_EQ(out.str(),
            "Start: 2026-12-01T18:00:00+0000  to 198.18.3.2 (icmp paris), 3 cycles\n"
            "HOST: 198.18.0.2         Loss%   Snt   Last   Avg  Best  Wrst StDev\n"
            "  1.|-- 198.18.1.1        0.0%     3    3.0   2.0   1.0   3.0   1.0\n"
            "  2.|-- 198.18.2.1       33.3%     3    6.0   5.0   4.0   6.0   1.4\n"
            "    |  `|-- 198.18.2.9\n"
            "  3.|-- ???             100.0%     3    0.0   0.0   0.0   0.0   0.0\n"
            "  4.|-- 198.18.3.2        0.0%     3    0.5   0.5   0.5   0.5   0.0\n");
}

TEST(TraceReportText, AsLookupsPrefixTheHostAsMtrZ) {
  probe::format::TextStyle style;
  style.asn_of = [](const probe::model::Address& a) -> std::optional<std::uint32_t> {
    if (a == addr("198.18.1.1")) return 64510;
    return std::nullopt;
  };
  std::ostringstream out;
  probe::format::write_report_text(out, three_rounds(), style);
  EXPECT_NE(out.str().find("  1.|-- AS64510 198.18.1.1 "), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("  4.|-- AS??? 198.18.3.2 "), std::string::npos) << out.str();
}

// The JSON gives the figures the text rounds, as integers in µs.
TEST(TraceReportJson, SameFiguresAsTheText) {
  auto j = probe::format::to_json(three_rounds());
  EXPECT_EQ(j["type"], "report");
  EXPECT_EQ(j["cycles"], 3);
  EXPECT_EQ(j["start_us"], kStart);
  EXPECT_EQ(j["last_stop_reason"], "completed");
  ASSERT_EQ(j["hops"].size(), 4u);
  EXPECT_EQ(j["hops"][1].dump(),
            "{\"ttl\":2,\"addrs\":[{\"addr\":\"198.18.2.1\",\"replies\":1},{\"addr\":\"198.18.2.9\",\"replies\":1}],"
            "\"sent\":3,\"received\":2,\"loss_permille\":333,\"last_us\":6000,\"avg_us\":5000,\"best_us\":4000,"
            "\"worst_us\":6000,\"stdev_us\":1414}");
  EXPECT_EQ(j["hops"][2]["loss_permille"], 1000);
  EXPECT_TRUE(j["hops"][2]["addrs"].empty());
}

}  // namespace
