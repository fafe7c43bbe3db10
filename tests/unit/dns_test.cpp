// SPDX-License-Identifier: BSD-2-Clause
// The DNS layer: the bounded parser over real and hostile messages, the
// query builder, and type/rcode/name handling.

#include <gtest/gtest.h>

#include <cstring>

#include "dns_fixtures.h"
#include "probe/packet/checksum.h"
#include "probe/packet/datagram.h"
#include "probe/packet/dns.h"
#include "probe/packet/probe_builder.h"

namespace {

using namespace probe::packet;
using dnsfixtures::kCnameAnswer;
using dnsfixtures::kNxdomain;
using dnsfixtures::kQueryEdns;
using dnsfixtures::kTooMany;

DnsMessage parse_ok(const std::vector<std::uint8_t>& b) {
  auto p = parse_dns(b.data(), b.size());
  EXPECT_EQ(p.error, DnsParseError::none) << to_string(p.error) << " at " << p.offset;
  return p.message.value_or(DnsMessage{});
}

TEST(DnsParse, RealAnswerWithCompressedNames) {
  auto m = parse_ok(kCnameAnswer);
  EXPECT_EQ(m.id, 14964);
  EXPECT_TRUE(m.qr);
  EXPECT_TRUE(m.aa);
  EXPECT_TRUE(m.rd);
  EXPECT_TRUE(m.ra);
  EXPECT_FALSE(m.tc);
  EXPECT_EQ(m.rcode, 0);
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_EQ(m.questions[0].name, "voyager.auckland.ac.nz.");
  EXPECT_EQ(m.questions[0].type, 1);
  ASSERT_EQ(m.answers.size(), 2u);
  EXPECT_EQ(m.answers[0].type, 5);
  EXPECT_EQ(m.answers[0].data, "lyra.auckland.ac.nz.");
  EXPECT_EQ(m.answers[0].ttl, 1800u);
  EXPECT_EQ(m.answers[1].name, "lyra.auckland.ac.nz.");
  EXPECT_EQ(m.answers[1].data, "130.216.191.98");
  EXPECT_EQ(m.authority.size(), 5u);
  EXPECT_EQ(m.authority[0].data, "dhcp2.tmk.auckland.ac.nz.");
  EXPECT_EQ(m.additional.size(), 5u);
}

TEST(DnsParse, RealNxdomain) {
  auto m = parse_ok(kNxdomain);
  EXPECT_EQ(dns_rcode_name(m.rcode), "NXDOMAIN");
  EXPECT_EQ(m.questions.at(0).name, "htb.local.");
}

TEST(DnsParse, RealQueryWithEdnsDo) {
  auto m = parse_ok(kQueryEdns);
  EXPECT_FALSE(m.qr);
  ASSERT_TRUE(m.edns_udp_size.has_value());
  EXPECT_EQ(*m.edns_udp_size, 4096);
  EXPECT_TRUE(m.edns_do);
  EXPECT_TRUE(m.additional.empty());  // OPT is not a record
}

TEST(DnsParse, HostileCountsAreRejected) {
  auto p = parse_dns(kTooMany.data(), kTooMany.size());
  EXPECT_FALSE(p.message);
  EXPECT_EQ(p.error, DnsParseError::too_many_records);
}

TEST(DnsParse, TruncatedAtEveryLengthNeverCrashes) {
  for (std::size_t n = 0; n < kCnameAnswer.size(); ++n) {
    std::vector<std::uint8_t> cut(kCnameAnswer.begin(), kCnameAnswer.begin() + static_cast<long>(n));
    auto p = parse_dns(cut.data(), cut.size());
    EXPECT_FALSE(p.message) << n;
    EXPECT_NE(p.error, DnsParseError::none) << n;
  }
}

TEST(DnsParse, EveryByteFlippedNeverCrashes) {
  for (std::size_t i = 0; i < kCnameAnswer.size(); ++i) {
    auto b = kCnameAnswer;
    b[i] ^= 0xff;
    auto p = parse_dns(b.data(), b.size());
    EXPECT_TRUE(p.message.has_value() != (p.error != DnsParseError::none)) << i;
  }
}

// Header with one question whose name is only what follows.
std::vector<std::uint8_t> with_question(std::vector<std::uint8_t> name) {
  std::vector<std::uint8_t> b = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0};
  b.reserve(b.size() + name.size() + 4);
  b.insert(b.end(), name.begin(), name.end());
  b.reserve(b.size() + 4);
  for (int x : {0, 1, 0, 1}) b.push_back(static_cast<std::uint8_t>(x));
  return b;
}

TEST(DnsParse, CompressionPointerToItselfIsALoop) {
  auto b = with_question({0xc0, 0x0c});
  auto p = parse_dns(b.data(), b.size());
  EXPECT_FALSE(p.message);
  EXPECT_EQ(p.error, DnsParseError::pointer_loop);
  EXPECT_EQ(p.offset, 12u);
}

TEST(DnsParse, TwoPointersAtEachOtherAreALoop) {
  // label "a", then a pointer forward to the pointer at 16 that points back at 12.
  auto b = with_question({0x01, 'a', 0xc0, 0x10, 0xc0, 0x0c});
  auto p = parse_dns(b.data(), b.size());
  EXPECT_EQ(p.error, DnsParseError::pointer_loop);
}

TEST(DnsParse, PointerPastTheEnd) {
  auto b = with_question({0xc3, 0xff});
  auto p = parse_dns(b.data(), b.size());
  EXPECT_EQ(p.error, DnsParseError::pointer_past_end);
}

TEST(DnsParse, LabelPastTheEnd) {
  std::vector<std::uint8_t> b = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0x3f, 'a', 'b'};
  auto p = parse_dns(b.data(), b.size());
  EXPECT_EQ(p.error, DnsParseError::truncated);
}

TEST(DnsParse, ReservedLabelType) {
  auto b = with_question({0x41, 'a', 0});
  EXPECT_EQ(parse_dns(b.data(), b.size()).error, DnsParseError::bad_label);
}

TEST(DnsParse, NameOver255BytesIsRejected) {
  std::vector<std::uint8_t> name;
  for (int i = 0; i < 5; ++i) {
    name.push_back(63);
    name.insert(name.end(), 63, 'x');
  }
  name.push_back(0);
  auto b = with_question(name);
  EXPECT_EQ(parse_dns(b.data(), b.size()).error, DnsParseError::name_too_long);
}

TEST(DnsParse, RdlengthPastTheEndIsTruncated) {
  std::vector<std::uint8_t> b = {0x12, 0x34, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0,
                                 0, 0, 1, 0, 1, 0, 0, 0, 60, 0x10, 0x00, 1, 2, 3, 4};
  EXPECT_EQ(parse_dns(b.data(), b.size()).error, DnsParseError::truncated);
}

TEST(DnsParse, NullAndShort) {
  EXPECT_EQ(parse_dns(nullptr, 0).error, DnsParseError::short_header);
  std::uint8_t b[11] = {};
  EXPECT_EQ(parse_dns(b, sizeof b).error, DnsParseError::short_header);
}

TEST(DnsBuild, QueryRoundTripsThroughTheParser) {
  DnsQuerySpec s;
  s.qname = "www.lab.test.";
  s.qtype = 16;
  s.id = 0xbeef;
  s.rd = false;
  s.edns = true;
  s.edns_size = 1400;
  s.dnssec_ok = true;
  auto bytes = build_dns_query(s);
  auto m = parse_ok(bytes);
  EXPECT_EQ(m.id, 0xbeef);
  EXPECT_FALSE(m.qr);
  EXPECT_FALSE(m.rd);
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_EQ(m.questions[0].name, "www.lab.test.");
  EXPECT_EQ(m.questions[0].type, 16);
  EXPECT_EQ(m.edns_udp_size.value_or(0), 1400);
  EXPECT_TRUE(m.edns_do);
}

TEST(DnsBuild, QueryWithoutEdnsHasNoAdditional) {
  DnsQuerySpec s;
  s.qname = "lab.test.";
  s.qtype = 6;
  s.edns = false;
  auto m = parse_ok(build_dns_query(s));
  EXPECT_TRUE(m.rd);
  EXPECT_FALSE(m.edns_udp_size.has_value());
}

TEST(DnsBuild, UdpPacketCarriesTtlPortsAndPayload) {
  DnsQuerySpec s;
  s.qname = "lab.test.";
  auto q = build_dns_query(s);
  auto src = *probe::model::Address::parse("198.18.0.1");
  auto dst = *probe::model::Address::parse("198.18.200.53");
  auto pkt = build_udp_packet(src, dst, 3, 40000, 53, 77, q);
  auto d = parse_ip(pkt.data(), pkt.size());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ip.ttl, 3);
  EXPECT_EQ(d->ip.transport.sport, 40000);
  EXPECT_EQ(d->ip.transport.dport, 53);
  EXPECT_EQ(d->ip.end - d->ip.transport_offset - 8, q.size());
  EXPECT_EQ(0, std::memcmp(pkt.data() + d->ip.transport_offset + 8, q.data(), q.size()));
}

// IPv6: hop limit, ports, the ports' flow label, and a UDP checksum that
// covers the pseudo header (the sum over it and the segment is 0xffff).
TEST(DnsBuild, Ipv6UdpPacketHasHopLimitFlowLabelAndPseudoHeaderChecksum) {
  DnsQuerySpec s;
  s.qname = "www.lab.test.";
  s.qtype = 28;
  auto q = build_dns_query(s);
  auto src = *probe::model::Address::parse("2001:db8::1");
  auto dst = *probe::model::Address::parse("2001:db8:201::1");
  auto pkt = build_udp_packet(src, dst, 5, 40000, 53, 77, q);
  auto d = parse_ip(pkt.data(), pkt.size());
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->ip.src.is_v4());
  EXPECT_EQ(d->ip.dst, dst);
  EXPECT_EQ(d->ip.ttl, 5);
  EXPECT_EQ(d->ip.proto, kProtoUdp);
  EXPECT_EQ(d->ip.transport.sport, 40000);
  EXPECT_EQ(d->ip.transport.dport, 53);
  const std::uint32_t label = (std::uint32_t{pkt[1] & 0x0fu} << 16) | (pkt[2] << 8) | pkt[3];
  EXPECT_EQ(label, probe::packet::flow_label(40000, 53));
  const std::size_t ulen = pkt.size() - 40;
  EXPECT_EQ(ulen, 8 + q.size());
  std::uint32_t sum = probe::packet::sum_words(src.data(), 16);
  sum = probe::packet::sum_words(dst.data(), 16, sum) + kProtoUdp + static_cast<std::uint32_t>(ulen);
  sum = probe::packet::sum_words(pkt.data() + 40, ulen, sum);
  EXPECT_EQ(probe::packet::fold(sum), 0xffff);
  EXPECT_NE(d->ip.transport.udp_checksum, 0);
  EXPECT_EQ(0, std::memcmp(pkt.data() + 48, q.data(), q.size()));
}

struct TypeCase {
  const char* name;
  int type;
};

TEST(DnsTypes, NamesBothWays) {
  const TypeCase cases[] = {{"A", 1},     {"aaaa", 28}, {"NS", 2},     {"SOA", 6},      {"MX", 15},
                            {"TXT", 16},  {"PTR", 12},  {"CNAME", 5},  {"DS", 43},      {"DNSKEY", 48},
                            {"TYPE99", 99}, {"type65535", 65535}, {"BOGUS", -1}, {"TYPE65536", -1},
                            {"TYPE", -1}, {"", -1}};
  for (const auto& c : cases) {
    auto t = dns_type_from_name(c.name);
    if (c.type < 0) {
      EXPECT_FALSE(t) << c.name;
    } else {
      ASSERT_TRUE(t) << c.name;
      EXPECT_EQ(*t, c.type) << c.name;
    }
  }
  EXPECT_EQ(dns_type_name(48), "DNSKEY");
  EXPECT_EQ(dns_type_name(4242), "TYPE4242");
  EXPECT_EQ(dns_rcode_name(5), "REFUSED");
  EXPECT_EQ(dns_rcode_name(2), "SERVFAIL");
  EXPECT_EQ(dns_rcode_name(99), "RCODE99");
}

TEST(DnsNames, Normalize) {
  EXPECT_EQ(normalize_dns_name("WWW.Lab.Test").value_or(""), "www.lab.test.");
  EXPECT_EQ(normalize_dns_name("lab.test.").value_or(""), "lab.test.");
  EXPECT_EQ(normalize_dns_name(".").value_or(""), ".");
  EXPECT_EQ(normalize_dns_name("_dmarc.x").value_or(""), "_dmarc.x.");
  EXPECT_FALSE(normalize_dns_name(""));
  EXPECT_FALSE(normalize_dns_name("a..b"));
  EXPECT_FALSE(normalize_dns_name(".a"));
  EXPECT_FALSE(normalize_dns_name("a b"));
  EXPECT_FALSE(normalize_dns_name(std::string(64, 'x') + ".test"));
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'y') + ".";
  EXPECT_FALSE(normalize_dns_name(long_name));
}

}  // namespace
