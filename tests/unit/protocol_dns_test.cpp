// SPDX-License-Identifier: BSD-2-Clause
// fl-probed's dns verb: the request fl-dns --via sends reads back to its
// queries and options, bad ones are refused with the reason, and a dns
// reply line reads back to an exchange that prints (JSON, text, +short)
// exactly as the one the daemon had.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <variant>

#include "probe/format/dns_json.h"
#include "probe/format/dns_text.h"
#include "probe/serve/protocol.h"

namespace {

using namespace probe::serve;
using nlohmann::json;
using probe::model::Address;
using probe::model::DnsExchange;
using probe::model::DnsOutcome;

Request accepted(const std::string& line) {
  auto r = parse_request(line);
  if (auto* no = std::get_if<Refusal>(&r)) ADD_FAILURE() << line << ": " << no->error;
  return std::holds_alternative<Request>(r) ? std::get<Request>(r) : Request{};
}

TEST(ProtocolDns, ARequestTakesFlDnssDefaults) {
  Request r = accepted(R"({"id":"d","verb":"dns","queries":[{"server":"198.18.201.1","qname":"Lab.Test"}]})");
  EXPECT_EQ(r.verb, Verb::dns);
  ASSERT_EQ(r.dns.queries.size(), 1u);
  const auto& q = r.dns.queries[0];
  EXPECT_EQ(q.server, *Address::parse("198.18.201.1"));
  EXPECT_EQ(q.qname, "lab.test.");  // normalized as fl-dns's command line does
  EXPECT_EQ(q.qtype, 1);
  EXPECT_TRUE(q.rd);
  EXPECT_FALSE(q.tcp);
  const probe::engine::DnsConfig defaults;
  EXPECT_EQ(r.dns.config.dport, defaults.dport);
  EXPECT_EQ(r.dns.config.wait_us, defaults.wait_us);
  EXPECT_EQ(r.dns.config.tries, defaults.tries);
  EXPECT_EQ(r.dns.config.edns, defaults.edns);
  EXPECT_EQ(r.dns.config.edns_size, defaults.edns_size);
  EXPECT_FALSE(r.dns.sport);
  EXPECT_FALSE(r.dns.capture);
}

TEST(ProtocolDns, TheLineFlDnsSendsReadsBackToItsQueriesAndOptions) {
  DnsRequest d;
  d.config.dport = 5353;
  d.config.wait_us = 400000;
  d.config.tries = 3;
  d.config.concurrency = 7;
  d.config.edns = false;
  d.config.edns_size = 4096;
  d.config.dnssec_ok = true;
  d.config.tcp_fallback = false;
  d.sport = 41000;
  d.capture = true;
  d.queries = {{*Address::parse("198.18.201.1"), "lab.test.", 6, false, false},
               {*Address::parse("198.18.201.2"), "www.lab.test.", 28, true, true}};
  Request r = accepted(request_line("q1", d));
  EXPECT_EQ(r.id, "q1");
  EXPECT_EQ(r.verb, Verb::dns);
  const auto& c = r.dns.config;
  EXPECT_EQ(c.dport, 5353);
  EXPECT_EQ(c.wait_us, 400000);
  EXPECT_EQ(c.tries, 3);
  EXPECT_EQ(c.concurrency, 7u);
  EXPECT_FALSE(c.edns);
  EXPECT_EQ(c.edns_size, 4096);
  EXPECT_TRUE(c.dnssec_ok);
  EXPECT_FALSE(c.tcp_fallback);
  EXPECT_EQ(r.dns.sport, 41000);
  EXPECT_TRUE(r.dns.capture);
  ASSERT_EQ(r.dns.queries.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(r.dns.queries[i].server, d.queries[i].server);
    EXPECT_EQ(r.dns.queries[i].qname, d.queries[i].qname);
    EXPECT_EQ(r.dns.queries[i].qtype, d.queries[i].qtype);
    EXPECT_EQ(r.dns.queries[i].rd, d.queries[i].rd);
    EXPECT_EQ(r.dns.queries[i].tcp, d.queries[i].tcp);
  }
}

TEST(ProtocolDns, BadDnsRequestsAreRefusedWithTheReason) {
  const std::string q = R"("queries":[{"server":"198.18.201.1","qname":"lab.test."}])";
  const std::pair<std::string, std::string> cases[] = {
      {R"({"id":1,"verb":"dns"})", "\"queries\""},
      {R"({"id":1,"verb":"dns","queries":[]})", "\"queries\""},
      {R"({"id":1,"verb":"dns","queries":{}})", "\"queries\""},
      {R"({"id":1,"verb":"dns","queries":[5]})", "a query is an object"},
      {R"({"id":1,"verb":"dns","queries":[{"qname":"lab.test."}]})", "\"server\""},
      {R"({"id":1,"verb":"dns","queries":[{"server":"2001:db8::1","qname":"lab.test."}]})", "IPv4"},
      {R"({"id":1,"verb":"dns","queries":[{"server":"198.18.201.1"}]})", "\"qname\""},
      {R"({"id":1,"verb":"dns","queries":[{"server":"198.18.201.1","qname":"a..b"}]})", "\"qname\""},
      {R"({"id":1,"verb":"dns","queries":[{"server":"198.18.201.1","qname":"x.","qtype":0}]})", "\"qtype\""},
      {R"({"id":1,"verb":"dns","queries":[{"server":"198.18.201.1","qname":"x.","class":1}]})", "unknown query option \"class\""},
      {R"({"id":1,"verb":"dns","queries":[{"server":"198.18.201.1","qname":"x.","rd":1}]})", "true or false"},
      {R"({"id":1,"verb":"dns",)" + q + R"(,"targets":["198.18.200.1"]})", "unknown option \"targets\""},
      {R"({"id":1,"verb":"dns",)" + q + R"(,"sport":64001})", "\"sport\" must be between 1 and 64000"},
      {R"({"id":1,"verb":"dns",)" + q + R"(,"tries":0})", "\"tries\""},
      {R"({"id":1,"verb":"dns",)" + q + R"(,"edns_size":511})", "\"edns_size\""},
      {R"({"id":1,"verb":"dns",)" + q + R"(,"wait_us":999})", "\"wait_us\""},
      {R"({"id":1,"verb":"dns",)" + q + R"(,"dnssec_ok":"yes"})", "true or false"},
      // A trace's options are not a dns request's, and the other way round.
      {R"({"id":1,"verb":"trace","targets":["198.18.200.1"],"tries":2})", "unknown option \"tries\""},
  };
  for (const auto& [line, error] : cases) {
    auto r = parse_request(line);
    ASSERT_TRUE(std::holds_alternative<Refusal>(r)) << line;
    const auto& no = std::get<Refusal>(r);
    EXPECT_EQ(no.id, 1) << line;
    EXPECT_NE(no.error.find(error), std::string::npos) << line << ": " << no.error;
  }
}

DnsExchange answered() {
  DnsExchange e;
  e.query = {*Address::parse("198.18.201.1"), "lab.test.", 6, false, false};
  e.tries = 1;
  e.id = 4242;
  e.sport = 41000;
  e.tx_us = 1764650000123456;
  e.outcome = DnsOutcome::answer;
  e.rtt_us = 812;
  e.response_bytes = 97;
  probe::model::DnsMessage m;
  m.id = 4242;
  m.qr = m.aa = true;
  m.opcode = 0;
  m.rcode = 0;
  m.questions = {{"lab.test.", 6, 1}};
  m.answers = {{"lab.test.", 6, 1, 3600, "ns1.lab.test. admin.lab.test. 2026010101 3600 600 86400 300"}};
  m.authority = {{"lab.test.", 2, 1, 3600, "ns1.lab.test."}, {"lab.test.", 2, 1, 3600, "ns2.lab.test."}};
  m.additional = {{"ns1.lab.test.", 1, 1, 3600, "198.18.201.1"}};
  m.edns_udp_size = 1232;
  m.edns_do = true;
  e.response = m;
  return e;
}

std::vector<DnsExchange> exchanges() {
  std::vector<DnsExchange> all;
  all.push_back(answered());
  DnsExchange tcp = answered();  // truncated over UDP, answered over TCP on another port
  tcp.tcp = true;
  tcp.udp_truncated = true;
  tcp.dport = 5353;
  tcp.response->tc = false;
  tcp.response->ra = tcp.response->ad = tcp.response->cd = tcp.response->rd = true;
  tcp.response->edns_udp_size.reset();
  all.push_back(tcp);
  DnsExchange formerr = answered();  // no question in the answer, an rcode that is no mnemonic
  formerr.response->questions.clear();
  formerr.response->rcode = 3841;
  formerr.response->opcode = 2;
  formerr.response->id = 4243;
  formerr.response->answers.clear();
  formerr.rejected = 1;
  formerr.rejected_reason = "question mismatch";
  all.push_back(formerr);
  DnsExchange timeout;
  timeout.query = {*Address::parse("198.18.201.2"), "www.lab.test.", 28, true, true};
  timeout.tcp = true;
  timeout.outcome = DnsOutcome::timeout;
  timeout.tx_us = 1764650000999999;
  all.push_back(timeout);
  DnsExchange icmp = timeout;
  icmp.outcome = DnsOutcome::icmp_error;
  icmp.tcp = false;
  icmp.tries = 2;
  icmp.icmp = probe::model::IcmpError{*Address::parse("198.18.0.10"), 3, 13};
  all.push_back(icmp);
  DnsExchange malformed = timeout;
  malformed.outcome = DnsOutcome::malformed;
  malformed.rejected = 3;
  malformed.rejected_reason = "malformed: truncated";
  all.push_back(malformed);
  DnsExchange unsent = timeout;
  unsent.outcome = DnsOutcome::not_sent;
  unsent.tx_us = 0;
  all.push_back(unsent);
  return all;
}

std::string text(const DnsExchange& e, bool short_answers) {
  std::ostringstream out;
  if (short_answers) probe::format::write_short(out, e);
  else probe::format::write_text(out, e);
  return out.str();
}

TEST(ProtocolDns, ADnsLineReadsBackToAnExchangeThatPrintsTheSame) {
  for (const auto& e : exchanges()) {
    const std::string line = dns_line("q1", e);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    // Scripts read the fl-json(5) object itself, its fields in its order.
    EXPECT_EQ(nlohmann::ordered_json::parse(line)["dns"].dump(), probe::format::to_json(e).dump());
    auto back = parse_reply(line);
    ASSERT_TRUE(std::holds_alternative<DnsReply>(back)) << line;
    const auto& r = std::get<DnsReply>(back);
    EXPECT_EQ(r.id, "q1");
    EXPECT_EQ(probe::format::to_json(r.exchange).dump(), probe::format::to_json(e).dump());
    EXPECT_EQ(text(r.exchange, false), text(e, false)) << line;
    EXPECT_EQ(text(r.exchange, true), text(e, true)) << line;
    EXPECT_EQ(r.exchange.query.tcp, e.query.tcp);
    if (e.response) {
      EXPECT_EQ(r.exchange.response->id, e.response->id);
      EXPECT_EQ(r.exchange.response->opcode, e.response->opcode);
      EXPECT_EQ(r.exchange.response->rcode, e.response->rcode);
      EXPECT_EQ(r.exchange.response->questions.size(), e.response->questions.size());
    }
  }
}

TEST(ProtocolDns, ADnsLineMissingAFieldIsSaidSo) {
  json j = json::parse(dns_line(1, answered()));
  j["dns"].erase("qtype");
  auto back = parse_reply(j.dump());
  ASSERT_TRUE(std::holds_alternative<Refusal>(back));
  EXPECT_NE(std::get<Refusal>(back).error.find("qtype"), std::string::npos) << std::get<Refusal>(back).error;
  j = json::parse(dns_line(1, answered()));
  j["dns"]["outcome"] = "maybe";
  back = parse_reply(j.dump());
  ASSERT_TRUE(std::holds_alternative<Refusal>(back));
  EXPECT_NE(std::get<Refusal>(back).error.find("maybe"), std::string::npos);
}

TEST(ProtocolDns, ADnsEndLineReadsBackWithItsCounters) {
  probe::engine::DnsStats s;
  s.queries_sent = 12;
  s.responses = 9;
  s.late = 1;
  s.wrong_id = 2;
  s.wrong_source = 3;
  s.malformed_dns = 4;
  s.mismatched = 5;
  s.icmp_errors = 6;
  s.send_errors = 7;
  auto back = parse_reply(end_line("q", EndStatus::halted, s, 10, 300, 45000));
  ASSERT_TRUE(std::holds_alternative<EndReply>(back));
  const auto& e = std::get<EndReply>(back);
  EXPECT_TRUE(e.dns);
  EXPECT_EQ(e.status, "halted");
  EXPECT_EQ(e.exchanges, 10u);
  EXPECT_EQ(e.dns_stats.queries_sent, 12u);
  EXPECT_EQ(e.dns_stats.responses, 9u);
  EXPECT_EQ(e.dns_stats.late, 1u);
  EXPECT_EQ(e.dns_stats.wrong_id, 2u);
  EXPECT_EQ(e.dns_stats.wrong_source, 3u);
  EXPECT_EQ(e.dns_stats.malformed_dns, 4u);
  EXPECT_EQ(e.dns_stats.mismatched, 5u);
  EXPECT_EQ(e.dns_stats.icmp_errors, 6u);
  EXPECT_EQ(e.dns_stats.send_errors, 7u);
  EXPECT_EQ(e.queued_us, 300);
  EXPECT_EQ(e.run_us, 45000);
  // A trace request's end is not a dns one.
  auto trace_end = parse_reply(end_line("t", EndStatus::ok, probe::engine::TraceStats{}, 0, 0));
  ASSERT_TRUE(std::holds_alternative<EndReply>(trace_end));
  EXPECT_FALSE(std::get<EndReply>(trace_end).dns);
}

}  // namespace
