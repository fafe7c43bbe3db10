// SPDX-License-Identifier: BSD-2-Clause
// The DNS engine on a scripted capture (replay path: file-like source, null
// sink, null TCP streams): hostile answers are counted and never taken;
// the zone verdict and the DNS trace probe as pure functions.

#include <gtest/gtest.h>

#include "probe/engine/dns_engine.h"
#include "probe/engine/zone_check.h"
#include "probe/format/dns_json.h"
#include "probe/match/classify.h"
#include "probe/packet/checksum.h"
#include "probe/packet/datagram.h"
#include "probe/packet/dns.h"
#include "probe/packet/probe_builder.h"

namespace {

using namespace probe;
using model::Address;
using S = model::ServerStatus;
using V = model::ZoneVerdict;

Address addr(const char* s) { return *Address::parse(s); }

// Frames with timestamps, raw IP (LINKTYPE_RAW); the clock follows them like a file source.
class ScriptSource final : public io::PacketSource {
 public:
  void add(std::int64_t ts, std::vector<std::uint8_t> bytes) { frames_.push_back({ts, std::move(bytes)}); }
  std::optional<io::RawPacket> next(std::int64_t deadline_us) override {
    if (at_ >= frames_.size()) {
      if (deadline_us != sched::kNever) clock_.advance_to(deadline_us);
      return std::nullopt;
    }
    const auto& f = frames_[at_];
    if (f.first > deadline_us) {
      clock_.advance_to(deadline_us);
      return std::nullopt;
    }
    clock_.advance_to(f.first);
    ++at_;
    io::RawPacket p;
    p.ts_us = f.first;
    p.data = f.second.data();
    p.caplen = p.len = static_cast<std::uint32_t>(f.second.size());
    p.linktype = 101;
    return p;
  }
  bool exhausted() const override { return at_ >= frames_.size(); }
  int linktype() const override { return 101; }
  sched::Clock& clock() override { return clock_; }
  io::SourceStats stats() override { return {}; }

 private:
  std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> frames_;
  std::size_t at_ = 0;
  sched::ManualClock clock_;
};

const Address kSrc = addr("198.18.0.1");
constexpr std::uint16_t kSport = 40000;
constexpr std::uint64_t kKey = 42;

std::vector<std::uint8_t> query(std::uint16_t id, const std::string& name, std::uint16_t type) {
  packet::DnsQuerySpec q;
  q.qname = name;
  q.qtype = type;
  q.id = id;
  return packet::build_dns_query(q);
}

// A response to `query`: QR+AA, one A record for the question name.
std::vector<std::uint8_t> answer_a(std::vector<std::uint8_t> m, std::uint8_t last_octet) {
  m.resize(m.size() - 11);  // drop our OPT record
  m[2] |= 0x84;
  m[7] = 1;   // ANCOUNT
  m[11] = 0;  // ARCOUNT
  const std::uint8_t rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 198, 18, 201, last_octet};
  m.insert(m.end(), rr, rr + sizeof rr);
  return m;
}

std::vector<std::uint8_t> udp(const Address& from, const Address& to, std::uint16_t sp, std::uint16_t dp,
                              const std::vector<std::uint8_t>& payload) {
  return packet::build_udp_packet(from, to, 64, sp, dp, 1, payload);
}

TEST(DnsEngine, HostileAnswersAreCountedAndNeverTaken) {
  engine::DnsConfig c;
  c.src = kSrc;
  c.sport = kSport;
  c.run_key = kKey;
  c.tries = 2;
  c.wait_us = 1000000;
  const Address s1 = addr("198.18.201.1"), s2 = addr("198.18.201.2"), forger = addr("198.18.99.9");
  std::vector<model::DnsQuery> qs = {{s1, "www.lab.test.", 1, true, false}, {s2, "lab.test.", 6, true, false}};
  const auto id0 = engine::dns_query_id(kKey, 0, 0, 0, 2);
  const auto id1 = engine::dns_query_id(kKey, 0, 1, 0, 2);
  const auto id1b = engine::dns_query_id(kKey, 0, 1, 1, 2);
  auto q0 = query(id0, "www.lab.test.", 1);
  ScriptSource src;
  src.add(1000, udp(kSrc, s1, kSport, 53, q0));
  src.add(1050, udp(kSrc, s2, kSport, 53, query(id1, "lab.test.", 6)));
  src.add(1100, udp(forger, kSrc, 53, kSport, answer_a(q0, 66)));                         // wrong source
  src.add(1200, udp(s1, kSrc, 53, kSport, answer_a(query(0x1234, "www.lab.test.", 1), 66)));  // wrong id
  std::vector<std::uint8_t> loop = {static_cast<std::uint8_t>(id0 >> 8), static_cast<std::uint8_t>(id0), 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                                    0xc0, 0x0c, 0, 1, 0, 1};
  src.add(1300, udp(s1, kSrc, 53, kSport, loop));                                          // compression loop
  src.add(1400, udp(s1, kSrc, 53, kSport, answer_a(q0, 80)));                              // the answer
  src.add(1500, udp(s2, kSrc, 53, kSport, answer_a(query(id1, "other.test.", 6), 1)));     // wrong question
  src.add(1101050, udp(kSrc, s2, kSport, 53, query(id1b, "lab.test.", 6)));                // the retry
  auto sink = io::null_sink();
  auto streams = io::null_tcp_streams();
  engine::DnsCollector out;
  engine::DnsEngine e(c, qs, src, *sink, *streams, out);
  std::atomic<int> halt{0};
  auto stats = e.run(halt);
  ASSERT_EQ(out.exchanges.size(), 2u);
  const auto& a = out.exchanges[0];
  EXPECT_EQ(a.outcome, model::DnsOutcome::answer);
  ASSERT_TRUE(a.response);
  ASSERT_EQ(a.response->answers.size(), 1u);
  EXPECT_EQ(a.response->answers[0].data, "198.18.201.80");
  EXPECT_EQ(a.rtt_us, 400);
  EXPECT_EQ(a.tx_us, 1000);
  EXPECT_EQ(a.rejected, 2u);
  EXPECT_NE(a.rejected_reason.find("198.18.99.9"), std::string::npos) << a.rejected_reason;
  const auto& b = out.exchanges[1];
  EXPECT_EQ(b.outcome, model::DnsOutcome::malformed);
  EXPECT_EQ(b.tries, 2);
  EXPECT_EQ(b.rejected_reason, "question mismatch");
  EXPECT_EQ(stats.wrong_id, 1u);
  EXPECT_EQ(stats.wrong_source, 1u);
  EXPECT_EQ(stats.malformed_dns, 1u);
  EXPECT_EQ(stats.mismatched, 1u);
  EXPECT_EQ(stats.responses, 1u);
  auto j = format::to_json(a);
  EXPECT_EQ(j["type"], "dns");
  EXPECT_EQ(j["rcode"], "NOERROR");
  EXPECT_EQ(j["flags"], nlohmann::ordered_json({"qr", "aa", "rd"}));
  EXPECT_EQ(j["rejected"], 2);
}

TEST(DnsEngine, IcmpErrorQuotingTheQueryEndsTheExchange) {
  engine::DnsConfig c;
  c.src = kSrc;
  c.sport = kSport;
  c.run_key = kKey;
  const Address s1 = addr("198.18.201.1"), router = addr("198.18.0.10");
  auto q = udp(kSrc, s1, kSport, 53, query(engine::dns_query_id(kKey, 0, 0, 0, 2), "lab.test.", 6));
  // ICMP host unreachable from a router quoting the whole query.
  std::vector<std::uint8_t> icmp = {3, 1, 0, 0, 0, 0, 0, 0};
  icmp.insert(icmp.end(), q.begin(), q.end());
  auto sum = packet::internet_checksum(icmp.data(), icmp.size());
  icmp[2] = static_cast<std::uint8_t>(sum >> 8);
  icmp[3] = static_cast<std::uint8_t>(sum);
  std::vector<std::uint8_t> ip = {0x45, 0, 0, 0, 0, 1, 0, 0, 64, 1, 0, 0};
  ip.insert(ip.end(), router.data(), router.data() + 4);
  ip.insert(ip.end(), kSrc.data(), kSrc.data() + 4);
  ip.insert(ip.end(), icmp.begin(), icmp.end());
  ip[2] = static_cast<std::uint8_t>(ip.size() >> 8);
  ip[3] = static_cast<std::uint8_t>(ip.size());
  ScriptSource src;
  src.add(5000, q);
  src.add(5300, ip);
  auto sink = io::null_sink();
  auto streams = io::null_tcp_streams();
  engine::DnsCollector out;
  engine::DnsEngine e(c, {{s1, "lab.test.", 6, true, false}}, src, *sink, *streams, out);
  std::atomic<int> halt{0};
  e.run(halt);
  ASSERT_EQ(out.exchanges.size(), 1u);
  EXPECT_EQ(out.exchanges[0].outcome, model::DnsOutcome::icmp_error);
  ASSERT_TRUE(out.exchanges[0].icmp);
  EXPECT_EQ(out.exchanges[0].icmp->addr, router);
  EXPECT_EQ(out.exchanges[0].icmp->code, 1);
}

TEST(DnsEngine, QueryNeverSeenInTheCaptureIsNotSent) {
  engine::DnsConfig c;
  c.src = kSrc;
  c.sport = kSport;
  ScriptSource src;
  auto sink = io::null_sink();
  auto streams = io::null_tcp_streams();
  engine::DnsCollector out;
  engine::DnsEngine e(c, {{addr("198.18.201.1"), "lab.test.", 6, true, false}}, src, *sink, *streams, out);
  std::atomic<int> halt{0};
  e.run(halt);
  ASSERT_EQ(out.exchanges.size(), 1u);
  EXPECT_EQ(out.exchanges[0].outcome, model::DnsOutcome::not_sent);
}

model::ZoneServer server(model::ServerStatus status, std::optional<std::uint32_t> serial = 7) {
  model::ZoneServer s;
  s.status = status;
  s.serial = serial;
  return s;
}

TEST(ZoneVerdict, Table) {
  struct Case {
    std::vector<model::ZoneServer> servers;
    bool parent = true;
    model::ZoneVerdict verdict;
  };
  const Case cases[] = {
      {{server(S::ok), server(S::ok)}, true, V::healthy},
      {{server(S::ok), server(S::ok, 8)}, true, V::inconsistent},
      {{server(S::ok), server(S::inconsistent)}, true, V::inconsistent},
      {{server(S::ok), server(S::lame)}, true, V::partially_lame},
      {{server(S::ok), server(S::unreachable)}, true, V::partially_lame},
      {{server(S::lame), server(S::unreachable)}, true, V::lame},
      {{server(S::unreachable), server(S::unreachable)}, true, V::unreachable},
      {{server(S::ok)}, false, V::unreachable},
  };
  for (const auto& c : cases) {
    model::ZoneReport r;
    r.parent_answered = c.parent;
    r.parent_ns = {"ns1.lab.test."};
    r.servers = c.servers;
    EXPECT_EQ(engine::zone_verdict(r), c.verdict);
  }
  model::ZoneReport none;
  none.parent_answered = true;
  EXPECT_EQ(engine::zone_verdict(none), V::no_delegation);
}

model::DnsExchange soa_answer(bool aa, std::uint16_t rcode) {
  model::DnsExchange e;
  e.outcome = model::DnsOutcome::answer;
  model::DnsMessage m;
  m.qr = true;
  m.aa = aa;
  m.rcode = rcode;
  if (rcode == 0) m.answers.push_back({"lab.test.", 6, 1, 300, "ns1.lab.test. h.lab.test. 2026010101 1 2 3 4"});
  e.response = m;
  return e;
}

model::DnsExchange ns_answer(std::vector<std::string> names) {
  model::DnsExchange e;
  e.outcome = model::DnsOutcome::answer;
  model::DnsMessage m;
  m.qr = m.aa = true;
  for (auto& n : names) m.answers.push_back({"lab.test.", 2, 1, 300, n});
  e.response = m;
  return e;
}

TEST(ZoneServerStatus, FromItsFourExchanges) {
  const std::vector<std::string> parent = {"ns1.lab.test.", "ns2.lab.test."};
  model::DnsExchange timeout;
  timeout.outcome = model::DnsOutcome::timeout;
  model::ZoneServer ok;
  engine::evaluate_server(ok, "lab.test.", soa_answer(true, 0), soa_answer(true, 0), ns_answer(parent), ns_answer(parent), parent);
  EXPECT_EQ(ok.status, S::ok);
  EXPECT_EQ(ok.serial.value_or(0), 2026010101u);
  EXPECT_TRUE(ok.udp && ok.tcp && ok.ns_match);
  model::ZoneServer udp_only;
  engine::evaluate_server(udp_only, "lab.test.", soa_answer(true, 0), timeout, ns_answer(parent), timeout, parent);
  EXPECT_EQ(udp_only.status, S::ok);
  EXPECT_FALSE(udp_only.tcp);
  model::ZoneServer refused;
  engine::evaluate_server(refused, "lab.test.", soa_answer(false, 5), soa_answer(false, 5), timeout, timeout, parent);
  EXPECT_EQ(refused.status, S::lame);
  EXPECT_EQ(refused.rcode, "REFUSED");
  model::ZoneServer differs;
  engine::evaluate_server(differs, "lab.test.", soa_answer(true, 0), soa_answer(true, 0),
                          ns_answer({"ns1.lab.test.", "ns2.lab.test.", "ns3.lab.test."}), timeout, parent);
  EXPECT_EQ(differs.status, S::inconsistent);
  model::ZoneServer dead;
  engine::evaluate_server(dead, "lab.test.", timeout, timeout, timeout, timeout, parent);
  EXPECT_EQ(dead.status, S::unreachable);
}

TEST(DnsTraceProbe, DnsIdSteersTheUdpChecksumToTheToken) {
  packet::ProbeSpec spec;
  spec.method = model::Method::dns;
  spec.src = kSrc;
  spec.dst = addr("198.18.201.1");
  spec.ttl = 3;
  spec.sport = kSport;
  spec.dport = 53;
  spec.token = 0xbeef;
  spec.dns_message = query(0, "lab.test.", 6);
  auto bytes = packet::build_probe(spec);
  auto d = packet::parse_ip(bytes.data(), bytes.size());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ip.transport.udp_checksum, 0xbeef);
  EXPECT_EQ(d->ip.transport.dport, 53);
  const std::size_t at = packet::udp_payload_offset(spec.dst.family());
  auto m = packet::parse_dns(bytes.data() + at, bytes.size() - at);
  ASSERT_TRUE(m.message);
  EXPECT_EQ(m.message->questions.at(0).name, "lab.test.");
  match::Identity id{model::Method::dns, kSrc, 0};
  auto ev = match::classify(*d, id);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->kind, match::Evidence::Kind::probe);
  EXPECT_EQ(ev->token, 0xbeef);
  // The server's response to it: matched by the DNS ID it echoes.
  auto resp = udp(spec.dst, kSrc, 53, kSport, answer_a(query(m.message->id, "lab.test.", 6), 1));
  auto rd = packet::parse_ip(resp.data(), resp.size());
  auto rev = match::classify(*rd, id);
  ASSERT_TRUE(rev);
  EXPECT_EQ(rev->kind, match::Evidence::Kind::reply);
  EXPECT_EQ(rev->reply.kind, model::ReplyKind::dns_response);
  EXPECT_EQ(rev->dns_id.value_or(0), m.message->id);
  EXPECT_EQ(rev->target, spec.dst);
}

}  // namespace

namespace {

// An IPv4+TCP segment (checksums left 0: the engine never reads them).
std::vector<std::uint8_t> tcp_seg(const Address& from, const Address& to, std::uint16_t sp, std::uint16_t dp,
                                  std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                                  const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> p = {0x45, 0, 0, 0, 0, 1, 0, 0, 64, 6, 0, 0};
  p.insert(p.end(), from.data(), from.data() + 4);
  p.insert(p.end(), to.data(), to.data() + 4);
  const std::uint8_t h[20] = {static_cast<std::uint8_t>(sp >> 8), static_cast<std::uint8_t>(sp),
                              static_cast<std::uint8_t>(dp >> 8), static_cast<std::uint8_t>(dp),
                              static_cast<std::uint8_t>(seq >> 24), static_cast<std::uint8_t>(seq >> 16),
                              static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq),
                              static_cast<std::uint8_t>(ack >> 24), static_cast<std::uint8_t>(ack >> 16),
                              static_cast<std::uint8_t>(ack >> 8), static_cast<std::uint8_t>(ack),
                              0x50, flags, 0xff, 0xff, 0, 0, 0, 0};
  p.insert(p.end(), h, h + 20);
  p.insert(p.end(), payload.begin(), payload.end());
  p[2] = static_cast<std::uint8_t>(p.size() >> 8);
  p[3] = static_cast<std::uint8_t>(p.size());
  return p;
}

// A DNS message with its TCP length prefix (messages here are short).
std::vector<std::uint8_t> framed(const std::vector<std::uint8_t>& m) {
  std::vector<std::uint8_t> f = {0, static_cast<std::uint8_t>(m.size())};
  f.insert(f.end(), m.begin(), m.end());
  return f;
}

engine::DnsConfig tcp_config() {
  engine::DnsConfig c;
  c.src = kSrc;
  c.sport = kSport;
  c.run_key = kKey;
  return c;
}

// One TCP query (www.lab.test. A) to `server`, run over a scripted capture.
std::pair<engine::DnsCollector, engine::DnsStats> run_tcp_query(ScriptSource& src, const Address& server) {
  auto sink = io::null_sink();
  auto streams = io::null_tcp_streams();
  engine::DnsCollector out;
  engine::DnsEngine e(tcp_config(), {{server, "www.lab.test.", 1, true, true}}, src, *sink, *streams, out);
  std::atomic<int> halt{0};
  e.run(halt);
  return {std::move(out), e.stats()};
}

TEST(DnsEngineTcp, AnswerIsReassembledFromOutOfOrderSegments) {
  const Address s1 = addr("198.18.201.1");
  const std::uint16_t port = engine::dns_tcp_port(kSport, 0, 0);
  const auto id = engine::dns_query_id(kKey, 0, 0, 0, 2);
  auto q = query(id, "www.lab.test.", 1);
  const auto framed_q = framed(q);
  auto a = answer_a(q, 80);
  const auto framed_a = framed(a);
  std::vector<std::uint8_t> first(framed_a.begin(), framed_a.begin() + 10);
  std::vector<std::uint8_t> rest(framed_a.begin() + 10, framed_a.end());
  const std::uint32_t isn = 0xfffffff0;  // the sequence wraps inside the answer
  ScriptSource src;
  src.add(100, tcp_seg(kSrc, s1, port, 53, 1000, 0, 0x02, {}));
  src.add(150, tcp_seg(s1, kSrc, 53, port, isn, 1001, 0x12, {}));
  src.add(160, tcp_seg(kSrc, s1, port, 53, 1001, isn + 1, 0x18, framed_q));
  src.add(300, tcp_seg(s1, kSrc, 53, port, isn + 1 + 10, 1001 + 44, 0x18, rest));  // second half first
  src.add(310, tcp_seg(s1, kSrc, 53, port, isn + 1, 1001 + 44, 0x18, first));
  const auto [out, stats] = run_tcp_query(src, s1);
  ASSERT_EQ(out.exchanges.size(), 1u);
  const auto& x = out.exchanges[0];
  EXPECT_EQ(x.outcome, model::DnsOutcome::answer);
  EXPECT_TRUE(x.tcp);
  EXPECT_EQ(x.sport, port);
  EXPECT_EQ(x.tx_us, 100);   // the SYN
  EXPECT_EQ(x.rtt_us, 150);  // from the query segment to the completing one
  EXPECT_EQ(x.response_bytes, a.size());
  ASSERT_TRUE(x.response);
  EXPECT_EQ(x.response->answers.at(0).data, "198.18.201.80");
}

// A whole message on our stream that answers another query ID is refused,
// counted, and named in the exchange, as a UDP one with a foreign ID is.
TEST(DnsEngineTcp, AnswerWithAnotherIdIsRefused) {
  const Address s1 = addr("198.18.201.1");
  const std::uint16_t port = engine::dns_tcp_port(kSport, 0, 0);
  const auto id = engine::dns_query_id(kKey, 0, 0, 0, 2);
  const auto framed_q = framed(query(id, "www.lab.test.", 1));
  const auto framed_a = framed(answer_a(query(static_cast<std::uint16_t>(id ^ 0x5a5a), "www.lab.test.", 1), 80));
  ScriptSource src;
  src.add(100, tcp_seg(kSrc, s1, port, 53, 1000, 0, 0x02, {}));
  src.add(150, tcp_seg(s1, kSrc, 53, port, 7000, 1001, 0x12, {}));
  src.add(160, tcp_seg(kSrc, s1, port, 53, 1001, 7001, 0x18, framed_q));
  src.add(300, tcp_seg(s1, kSrc, 53, port, 7001, 1001 + 44, 0x18, framed_a));
  const auto [out, stats] = run_tcp_query(src, s1);
  ASSERT_EQ(out.exchanges.size(), 1u);
  const auto& x = out.exchanges[0];
  EXPECT_EQ(x.outcome, model::DnsOutcome::malformed);
  EXPECT_FALSE(x.response);
  EXPECT_EQ(x.rejected, 1u);
  EXPECT_NE(x.rejected_reason.find("not the query's " + std::to_string(id)), std::string::npos) << x.rejected_reason;
  EXPECT_EQ(stats.wrong_id, 1u);
}

TEST(DnsEngineTcp, ResetIsReported) {
  engine::DnsConfig c;
  c.src = kSrc;
  c.sport = kSport;
  const Address s1 = addr("198.18.201.1");
  const std::uint16_t port = engine::dns_tcp_port(kSport, 0, 0);
  ScriptSource src;
  src.add(100, tcp_seg(kSrc, s1, port, 53, 1000, 0, 0x02, {}));
  src.add(150, tcp_seg(s1, kSrc, 53, port, 0, 1001, 0x14, {}));
  auto sink = io::null_sink();
  auto streams = io::null_tcp_streams();
  engine::DnsCollector out;
  engine::DnsEngine e(c, {{s1, "lab.test.", 6, true, true}}, src, *sink, *streams, out);
  std::atomic<int> halt{0};
  e.run(halt);
  ASSERT_EQ(out.exchanges.size(), 1u);
  EXPECT_EQ(out.exchanges[0].outcome, model::DnsOutcome::tcp_reset);
}

}  // namespace
