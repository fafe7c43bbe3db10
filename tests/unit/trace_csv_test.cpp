// SPDX-License-Identifier: BSD-2-Clause
// fl-trace -o csv: one RFC 4180 row per hop, every probe's RTT in its column.

#include "probe/format/trace_csv.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "packet_helpers.h"

namespace {

using probe::format::csv_field;
using probe::format::CsvWriter;
using probe::model::Hop;
using probe::model::ProbeRecord;
using probe::model::Reply;
using probe::model::ReplyKind;
using probe::model::StopReason;
using probe::model::Trace;
using testing_packets::addr;

ProbeRecord probe(std::uint8_t ttl, std::uint8_t attempt, std::int64_t tx, const char* from = nullptr,
                  std::int64_t rx = 0, ReplyKind kind = ReplyKind::time_exceeded, std::uint8_t code = 0) {
  ProbeRecord p;
  p.ttl = ttl;
  p.attempt = attempt;
  p.tx_us = tx;
  if (from) {
    Reply r;
    r.addr = addr(from);
    r.rx_us = rx;
    r.kind = kind;
    r.icmp_type = kind == ReplyKind::unreachable ? 3 : 11;
    r.icmp_code = code;
    p.reply = r;
  }
  return p;
}

// As fl-trace -q 3 sends them: three probes at every TTL.
Trace three_per_hop() {
  Trace t;
  t.dst = addr("198.18.200.1");
  t.stop_reason = StopReason::completed;
  t.hops = {Hop{1, {probe(1, 1, 0, "198.18.0.2", 400), probe(1, 2, 1000, "198.18.0.2", 1500),
                    probe(1, 3, 2000, "198.18.0.6", 2250)}},
            Hop{2, {probe(2, 1, 3000), probe(2, 2, 4000, "198.18.0.9", 4100), probe(2, 3, 5000)}},
            Hop{3, {probe(3, 1, 6000), probe(3, 2, 7000), probe(3, 3, 8000)}},
            Hop{4, {probe(4, 1, 9000, "198.18.200.1", 10234, ReplyKind::echo_reply),
                    probe(4, 2, 11000, "198.18.200.1", 11500, ReplyKind::echo_reply),
                    probe(4, 3, 12000, "198.18.200.1", 12001, ReplyKind::echo_reply)}}};
  return t;
}

TEST(TraceCsv, HeaderThenOneRowPerHopWithEveryRtt) {
  std::ostringstream out;
  CsvWriter w(out, 3);
  w.write(three_per_hop());
  EXPECT_EQ(out.str(),
            "target,ttl,addr,rtt1_ms,rtt2_ms,rtt3_ms,flags,stop\r\n"
            "198.18.200.1,1,198.18.0.2 198.18.0.6,0.400,0.500,0.250,,completed\r\n"
            "198.18.200.1,2,198.18.0.9,,0.100,,,completed\r\n"
            "198.18.200.1,3,,,,,,completed\r\n"
            "198.18.200.1,4,198.18.200.1,1.234,0.500,0.001,reached,completed\r\n");
}

TEST(TraceCsv, OneHeaderForManyTracesAndMarksInFlags) {
  Trace t;
  t.dst = addr("203.0.113.5");
  t.stop_reason = StopReason::unreachable;
  t.hops = {Hop{7, {probe(7, 1, 0, "10.9.9.9", 2000, ReplyKind::unreachable, 1)}}};
  Trace inferred;
  inferred.dst = addr("203.0.113.6");
  inferred.stop_reason = StopReason::gaplimit;
  Hop h{1, {}};
  h.inferred_addr = addr("198.18.0.2");  // Doubletree: another trace's hop
  inferred.hops = {h};
  std::ostringstream out;
  CsvWriter w(out, 2);
  w.write(t);
  w.write(inferred);
  EXPECT_EQ(out.str(),
            "target,ttl,addr,rtt1_ms,rtt2_ms,flags,stop\r\n"
            "203.0.113.5,7,10.9.9.9,2.000,,!H,unreachable\r\n"
            "203.0.113.6,1,198.18.0.2,,,inferred,gaplimit\r\n");
}

TEST(TraceCsv, FieldsAreQuotedOnlyWhenTheyMustBe) {
  EXPECT_EQ(csv_field("198.18.0.2 198.18.0.6"), "198.18.0.2 198.18.0.6");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\r\nlines"), "\"two\r\nlines\"");
}

}  // namespace
