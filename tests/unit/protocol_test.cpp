// SPDX-License-Identifier: BSD-2-Clause
// fl-probed's control protocol: request lines read into requests or
// refusals, reply lines read back into what the daemon sent, and the line
// reader that keeps a client from making the daemon buffer without end.

#include "probe/serve/protocol.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "probe/format/trace_json.h"

namespace {

using namespace probe::serve;
using nlohmann::json;

Request accepted(const std::string& line) {
  auto r = parse_request(line);
  if (auto* no = std::get_if<Refusal>(&r)) ADD_FAILURE() << line << ": " << no->error;
  return std::holds_alternative<Request>(r) ? std::get<Request>(r) : Request{};
}

TEST(Protocol, ARequestTakesFlTracesDefaults) {
  Request r = accepted(R"({"id":"a1","verb":"trace","targets":["198.18.200.1","198.18.201.0/30"]})");
  EXPECT_EQ(r.id, "a1");
  EXPECT_EQ(r.trace.targets, (std::vector<std::string>{"198.18.200.1", "198.18.201.0/30"}));
  const probe::engine::TraceConfig defaults;
  EXPECT_EQ(r.trace.config.method, defaults.method);
  EXPECT_EQ(r.trace.config.max_ttl, defaults.max_ttl);
  EXPECT_EQ(r.trace.config.attempts, defaults.attempts);
  EXPECT_EQ(r.trace.config.wait_us, defaults.wait_us);
  EXPECT_FALSE(r.trace.sport);
}

TEST(Protocol, TheLineFlTraceSendsReadsBackToItsOptions) {
  TraceRequest t;
  t.config.method = probe::model::Method::tcp;
  t.config.dport = 443;
  t.config.first_ttl = 2;
  t.config.max_ttl = 12;
  t.config.queries = 3;
  t.config.wait_us = 500000;
  t.config.gaplimit = 4;
  t.config.concurrency = 9;
  t.sport = 40001;
  t.targets = {"198.18.200.0/29"};
  Request r = accepted(request_line(7, t));
  EXPECT_EQ(r.id, 7);
  const auto& c = r.trace.config;
  EXPECT_EQ(c.method, probe::model::Method::tcp);
  EXPECT_EQ(c.dport, 443);
  EXPECT_EQ(c.first_ttl, 2);
  EXPECT_EQ(c.max_ttl, 12);
  EXPECT_EQ(c.queries, 3);
  EXPECT_EQ(c.wait_us, 500000);
  EXPECT_EQ(c.gaplimit, 4);
  EXPECT_EQ(c.concurrency, 9u);
  EXPECT_EQ(r.trace.sport, 40001);
  EXPECT_EQ(r.trace.targets, t.targets);
}

struct Refused {
  std::string line;
  json id;             // echoed back when the line had one
  std::string error;   // a part of the refusal's words
};

TEST(Protocol, BadRequestsAreRefusedWithTheReason) {
  const Refused cases[] = {
      {"{", nullptr, "malformed JSON"},
      {"[1,2]", nullptr, "JSON object"},
      {R"({"verb":"trace"})", nullptr, "\"id\""},
      {R"({"id":[1],"verb":"trace"})", nullptr, "\"id\""},
      {R"({"id":1})", 1, "\"verb\""},
      {R"({"id":1,"verb":"ping","targets":["198.18.200.1"]})", 1, "unknown verb \"ping\""},
      {R"({"id":"x","verb":"trace"})", "x", "\"targets\""},
      {R"({"id":1,"verb":"trace","targets":[]})", 1, "\"targets\""},
      {R"({"id":1,"verb":"trace","targets":["not-an-address"]})", 1, "not an address"},
      {R"({"id":1,"verb":"trace","targets":[5]})", 1, "not an address"},
      {R"({"id":1,"verb":"trace","targets":["2001:db8::1"]})", 1, "IPv6"},
      {R"({"id":1,"verb":"trace","targets":["198.18.200.1"],"methd":"udp"})", 1, "unknown option \"methd\""},
      {R"({"id":1,"verb":"trace","targets":["198.18.200.1"],"method":"dns"})", 1, "icmp, udp or tcp"},
      {R"({"id":1,"verb":"trace","targets":["198.18.200.1"],"dport":0})", 1, "\"dport\" must be between 1 and 65535"},
      {R"({"id":1,"verb":"trace","targets":["198.18.200.1"],"max_ttl":256})", 1, "\"max_ttl\""},
      {R"({"id":1,"verb":"trace","targets":["198.18.200.1"],"max_ttl":18446744073709551615})", 1, "\"max_ttl\""},
      {R"({"id":1,"verb":"trace","targets":["198.18.200.1"],"max_ttl":"9"})", 1, "integer"},
      {R"({"id":1,"verb":"trace","targets":["198.18.200.1"],"first_ttl":9,"max_ttl":3})", 1, "larger"},
      {R"({"id":1,"verb":"trace","targets":["198.18.200.1"],"wait_us":0})", 1, "\"wait_us\""},
      {R"({"id":1,"verb":"trace","targets":["198.18.200.1"],"classic":true,"doubletree":true})", 1, "classic"},
      {R"({"id":1,"verb":"trace","targets":["198.18.200.1"],"classic":1})", 1, "true or false"},
  };
  for (const auto& c : cases) {
    auto r = parse_request(c.line);
    ASSERT_TRUE(std::holds_alternative<Refusal>(r)) << c.line;
    const auto& no = std::get<Refusal>(r);
    EXPECT_EQ(no.id, c.id) << c.line;
    EXPECT_NE(no.error.find(c.error), std::string::npos) << c.line << ": " << no.error;
    // And the refusal line a client reads back says the same.
    auto back = parse_reply(refusal_line(no));
    ASSERT_TRUE(std::holds_alternative<Refusal>(back)) << c.line;
    EXPECT_EQ(std::get<Refusal>(back).error, no.error);
  }
}

TEST(Protocol, ARefusalOfInvalidUtf8IsStillALine) {
  std::string line = refusal_line({nullptr, std::string("unknown verb \"\xff\xfe\"")});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<Refusal>(parse_reply(line)));
}

probe::model::Trace sample_trace() {
  using probe::model::Address;
  probe::model::Trace t;
  t.method = probe::model::Method::udp;
  t.src = *Address::parse("198.18.0.1");
  t.dst = *Address::parse("198.18.200.1");
  t.sport = 41000;
  t.dport = 33434;
  t.start_us = 1700000000000000;
  t.stop_reason = probe::model::StopReason::completed;
  probe::model::Hop h1(1);
  probe::model::ProbeRecord p{1, 1, 0, t.start_us, std::nullopt};
  probe::model::Reply r;
  r.addr = *Address::parse("198.18.0.2");
  r.rx_us = t.start_us + 812;
  r.icmp_type = 11;
  r.reply_ttl = 64;
  r.reply_ipid = 4321;
  r.quoted_ttl = 1;
  r.mpls = {{16001, 0, true, 1}};
  p.reply = r;
  h1.probes.push_back(p);
  probe::model::Hop h2(2);
  h2.probes.push_back({2, 1, 0, t.start_us + 100, std::nullopt});
  h2.inferred_addr = *Address::parse("198.18.0.6");
  probe::model::Hop h3(3);
  probe::model::ProbeRecord tcp{3, 2, 0, t.start_us + 200, std::nullopt};
  probe::model::Reply synack;
  synack.addr = t.dst;
  synack.kind = probe::model::ReplyKind::tcp_synack;
  synack.rx_us = t.start_us + 900;
  synack.tcp_flags = 0x12;
  tcp.reply = synack;
  h3.probes.push_back(tcp);
  t.hops = {h1, h2, h3};
  return t;
}

TEST(Protocol, ATraceLineReadsBackToTheSameTrace) {
  const auto t = sample_trace();
  auto back = parse_reply(trace_line("r", t));
  ASSERT_TRUE(std::holds_alternative<TraceReply>(back));
  const auto& reply = std::get<TraceReply>(back);
  EXPECT_EQ(reply.id, "r");
  EXPECT_EQ(probe::format::to_json(reply.trace).dump(), probe::format::to_json(t).dump());
}

TEST(Protocol, ATraceObjectMissingAFieldIsAnInputErrorNamingIt) {
  auto j = probe::format::to_json(sample_trace());
  j["hops"][0]["probes"][0].erase("reply_ttl");
  auto t = probe::format::trace_from_json(json::parse(j.dump()));
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("reply_ttl"), std::string::npos) << t.error().message;
}

TEST(Protocol, AnEndLineReadsBackWithItsCounters) {
  probe::engine::TraceStats s;
  s.traces_done = 3;
  s.probes_sent = 40;
  s.replies = 31;
  s.late = 2;
  s.foreign = 17;
  s.send_errors = 1;
  auto back = parse_reply(end_line(5, EndStatus::cancelled, s, 1200, 990000));
  ASSERT_TRUE(std::holds_alternative<EndReply>(back));
  const auto& e = std::get<EndReply>(back);
  EXPECT_EQ(e.id, 5);
  EXPECT_EQ(e.status, "cancelled");
  EXPECT_EQ(e.stats.traces_done, 3u);
  EXPECT_EQ(e.stats.probes_sent, 40u);
  EXPECT_EQ(e.stats.replies, 31u);
  EXPECT_EQ(e.stats.late, 2u);
  EXPECT_EQ(e.stats.foreign, 17u);
  EXPECT_EQ(e.stats.send_errors, 1u);
  EXPECT_EQ(e.queued_us, 1200);
  EXPECT_EQ(e.run_us, 990000);
}

TEST(Protocol, WhatIsNoReplyLineIsSaidSo) {
  for (const char* line : {"", "{}", "[]", R"({"id":1,"type":"gossip"})", R"({"id":1,"type":"end"})"})
    EXPECT_TRUE(std::holds_alternative<Refusal>(parse_reply(line))) << line;
}

void feed(LineReader& r, const std::string& bytes) { r.feed(bytes.data(), bytes.size()); }

std::vector<LineReader::Line> drain(LineReader& r) {
  std::vector<LineReader::Line> out;
  while (auto l = r.next()) out.push_back(*l);
  return out;
}

TEST(LineReader, LinesSplitAcrossReadsComeWholeAndInOrder) {
  LineReader r;
  feed(r, "{\"a\":");
  EXPECT_TRUE(drain(r).empty());
  feed(r, "1}\r\n{}\n\n{\"b");
  auto lines = drain(r);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "{\"a\":1}");
  EXPECT_EQ(lines[1].text, "{}");
  EXPECT_EQ(lines[2].text, "");
  EXPECT_EQ(r.pending(), 3u);
}

TEST(LineReader, ALineOverTheLimitIsReportedOnceAndNotKept) {
  LineReader r(8);
  feed(r, "12345678\n");  // at the limit: a line
  std::string big(100, 'x');
  for (int i = 0; i < 5; ++i) {
    feed(r, big);
    EXPECT_LE(r.pending(), 8u);
  }
  feed(r, "\nok\n");
  auto lines = drain(r);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "12345678");
  EXPECT_TRUE(lines[1].too_long);
  EXPECT_FALSE(lines[2].too_long);
  EXPECT_EQ(lines[2].text, "ok");
}

}  // namespace
