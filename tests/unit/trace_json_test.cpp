// SPDX-License-Identifier: BSD-2-Clause
// The fl-json(5) "trace" object: field names and values as documented.

#include "probe/format/trace_json.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace {

using nlohmann::ordered_json;
using probe::format::to_json;
using probe::model::Address;
using probe::model::Hop;
using probe::model::Method;
using probe::model::ProbeRecord;
using probe::model::Reply;
using probe::model::ReplyKind;
using probe::model::StopReason;
using probe::model::Trace;

Address addr(const char* t) { return *Address::parse(t); }

Trace sample() {
  Trace t;
  t.method = Method::udp;
  t.src = addr("198.18.0.1");
  t.dst = addr("198.18.200.0");
  t.sport = 48463;
  t.dport = 33434;
  t.start_us = 1764318125675841;
  t.stop_reason = StopReason::completed;

  Hop h1;
  h1.ttl = 1;
  ProbeRecord answered;
  answered.ttl = 1;
  answered.attempt = 1;
  answered.token = 0xe56b;
  answered.tx_us = 1764318125675841;
  Reply te;
  te.addr = addr("198.18.0.2");
  te.kind = ReplyKind::time_exceeded;
  te.rx_us = 1764318125675888;
  te.icmp_type = 11;
  te.icmp_code = 0;
  te.reply_ttl = 64;
  te.reply_ipid = 7986;
  te.quoted_ttl = 1;
  te.mpls = {{100704, 0, false, 1}, {102672, 5, true, 254}};
  answered.reply = te;
  h1.probes.push_back(answered);
  ProbeRecord silent;
  silent.ttl = 1;
  silent.attempt = 2;
  silent.token = 0xe56c;
  silent.tx_us = 1764318127725841;
  h1.probes.push_back(silent);
  t.hops.push_back(h1);

  Hop h2;
  h2.ttl = 2;
  ProbeRecord last;
  last.ttl = 2;
  last.attempt = 1;
  last.tx_us = 1764318127800000;
  Reply pu;
  pu.addr = addr("198.18.200.0");
  pu.kind = ReplyKind::unreachable;
  pu.rx_us = 1764318127801234;
  pu.icmp_type = 3;
  pu.icmp_code = 3;
  pu.reply_ttl = 63;
  pu.reply_ipid = 0;
  pu.quoted_ttl = 1;
  last.reply = pu;
  h2.probes.push_back(last);
  t.hops.push_back(h2);
  return t;
}

TEST(TraceJson, FieldsAndValuesExactly) {
  const ordered_json want = ordered_json::parse(R"({
    "type": "trace", "method": "udp", "src": "198.18.0.1", "dst": "198.18.200.0",
    "sport": 48463, "dport": 33434, "start_us": 1764318125675841, "stop_reason": "completed",
    "hops": [
      {"ttl": 1, "probes": [
        {"tx_us": 1764318125675841, "attempt": 1, "rtt_us": 47, "addr": "198.18.0.2",
         "kind": "time_exceeded", "icmp_type": 11, "icmp_code": 0, "reply_ttl": 64,
         "reply_ipid": 7986, "quoted_ttl": 1,
         "mpls": [{"label": 100704, "exp": 0, "s": 0, "ttl": 1},
                  {"label": 102672, "exp": 5, "s": 1, "ttl": 254}]},
        {"tx_us": 1764318127725841, "attempt": 2}
      ]},
      {"ttl": 2, "probes": [
        {"tx_us": 1764318127800000, "attempt": 1, "rtt_us": 1234, "addr": "198.18.200.0",
         "kind": "unreachable", "icmp_type": 3, "icmp_code": 3, "reply_ttl": 63,
         "reply_ipid": 0, "quoted_ttl": 1, "mpls": []}
      ]}
    ]})");
  EXPECT_EQ(to_json(sample()), want) << to_json(sample()).dump(2);
}

TEST(TraceJson, UnansweredProbeHasNoReplyFields) {
  const auto j = to_json(sample())["hops"][0]["probes"][1];
  for (const char* k : {"addr", "rtt_us", "kind", "icmp_type", "icmp_code", "reply_ttl",
                        "reply_ipid", "quoted_ttl", "mpls"})
    EXPECT_FALSE(j.contains(k)) << k;
}

TEST(TraceJson, DirectRepliesHaveNoQuotedTtl) {
  Trace t = sample();
  Reply echo;
  echo.addr = t.dst;
  echo.kind = ReplyKind::echo_reply;
  echo.rx_us = t.hops[1].probes[0].tx_us + 900;
  echo.reply_ttl = 62;
  echo.reply_ipid = 46700;
  t.method = Method::icmp;
  t.hops[1].probes[0].reply = echo;
  const auto j = to_json(t)["hops"][1]["probes"][0];
  EXPECT_EQ(j["kind"], "echo_reply");
  EXPECT_EQ(j["rtt_us"], 900);
  EXPECT_EQ(j["icmp_type"], 0);
  EXPECT_EQ(j["reply_ipid"], 46700);
  EXPECT_FALSE(j.contains("quoted_ttl"));
  EXPECT_EQ(j["mpls"], ordered_json::array());
  EXPECT_EQ(to_json(t)["method"], "icmp");
}

TEST(TraceJson, TcpRepliesCarryFlags) {
  Trace t = sample();
  t.method = Method::tcp;
  Reply rst;
  rst.addr = t.dst;
  rst.kind = ReplyKind::tcp_rst;
  rst.rx_us = t.hops[1].probes[0].tx_us + 10;
  rst.tcp_flags = 0x14;
  t.hops[1].probes[0].reply = rst;
  auto j = to_json(t)["hops"][1]["probes"][0];
  EXPECT_EQ(j["kind"], "tcp_rst");
  EXPECT_EQ(j["tcp_flags"], 0x14);
  t.hops[1].probes[0].reply->kind = ReplyKind::tcp_synack;
  EXPECT_EQ(to_json(t)["hops"][1]["probes"][0]["kind"], "tcp_synack");
}

TEST(TraceJson, StopReasonsAndMethodsByName) {
  Trace t = sample();
  const std::pair<StopReason, const char*> reasons[] = {
      {StopReason::none, "none"},         {StopReason::completed, "completed"},
      {StopReason::unreachable, "unreachable"}, {StopReason::gaplimit, "gaplimit"},
      {StopReason::loop, "loop"},         {StopReason::hoplimit, "hoplimit"},
      {StopReason::halted, "halted"}};
  for (const auto& [r, name] : reasons) {
    t.stop_reason = r;
    EXPECT_EQ(to_json(t)["stop_reason"], name);
  }
}

TEST(TraceJson, Ipv6AddressesAndEmptyTrace) {
  Trace t;
  t.src = addr("2001:db8::1");
  t.dst = addr("2001:db8:0:0:0:0:0:50");
  const auto j = to_json(t);
  EXPECT_EQ(j["src"], "2001:db8::1");
  EXPECT_EQ(j["dst"], "2001:db8::50");
  EXPECT_EQ(j["hops"], ordered_json::array());
}

TEST(JsonLinesWriter, OneLinePerTrace) {
  std::ostringstream out;
  probe::format::JsonLinesWriter w(out);
  w.write(sample());
  Trace other = sample();
  other.dst = addr("198.18.200.1");
  w.write(other);
  std::istringstream lines(out.str());
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(ordered_json::parse(line), to_json(sample()));
  std::getline(lines, line);
  EXPECT_EQ(ordered_json::parse(line)["dst"], "198.18.200.1");
  EXPECT_FALSE(std::getline(lines, line));
  EXPECT_EQ(out.str().back(), '\n');
}

}  // namespace

// The direct writer must be byte for byte what the JSON object dumps to:
// goldens and scripts rely on the exact form.
TEST(AppendJson, SameBytesAsTheJsonObject) {
  std::vector<Trace> traces;
  traces.push_back(sample());
  Trace tcp = sample();
  tcp.method = Method::tcp;
  tcp.stop_reason = StopReason::halted;
  for (auto& h : tcp.hops)
    for (auto& p : h.probes)
      if (p.reply) {
        p.reply->kind = ReplyKind::tcp_synack;
        p.reply->tcp_flags = 0x12;
        p.reply->quoted_ttl.reset();
        p.reply->mpls.clear();
      }
  traces.push_back(tcp);
  Trace foreign = sample();
  foreign.inferred = probe::model::Inference{"multipath-paris", "weird \"tool\"\\\n\x01", true};
  Hop inferred;
  inferred.ttl = 9;
  inferred.inferred_addr = addr("2001:db8::1");
  foreign.hops.push_back(inferred);
  traces.push_back(foreign);
  traces.push_back(Trace{});
  for (const Trace& t : traces) {
    std::string direct;
    probe::format::append_json(direct, t);
    EXPECT_EQ(direct, to_json(t).dump());
  }
}

TEST(JsonLinesWriter, InferredHopsCarryTheirAddress) {
  Trace t = sample();
  Hop h;
  h.ttl = 7;
  h.inferred_addr = addr("198.18.0.9");
  t.hops.push_back(h);
  const ordered_json j = to_json(t);
  EXPECT_EQ(j["hops"].back().dump(), R"({"ttl":7,"addr":"198.18.0.9","inferred":true,"probes":[]})");
  EXPECT_FALSE(j["hops"][0].contains("inferred"));
}
