// SPDX-License-Identifier: BSD-2-Clause
// build_probe: the Paris invariants, read back with parse_ip.

#include "probe/packet/probe_builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <stdexcept>

#include "packet_helpers.h"
#include "probe_spec_fixture.h"
#include "probe/packet/checksum.h"
#include "probe/packet/datagram.h"
#include "probe/packet/dns.h"

namespace {

using probe::model::Method;
using probe::packet::build_probe;
using probe::packet::internet_checksum;
using probe::packet::parse_ip;
using probe::packet::ProbeSpec;
using testing_packets::addr;
using testing_probes::be16;
using testing_probes::flow_spec;
using testing_probes::transport_sum;

ProbeSpec base(Method m) {
  ProbeSpec s = flow_spec(m, "198.18.0.1", "203.0.113.9");
  s.ipid = 0x1234;
  return s;
}

TEST(BuildProbe, IpHeaderCarriesTtlIdAndAddresses) {
  for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
    auto s = base(m);
    s.ttl = 17;
    s.token = 99;
    auto p = build_probe(s);
    auto d = parse_ip(p.data(), p.size());
    ASSERT_TRUE(d);
    EXPECT_EQ(d->ip.src, s.src);
    EXPECT_EQ(d->ip.dst, s.dst);
    EXPECT_EQ(d->ip.ttl, 17);
    EXPECT_EQ(d->ip.ipid, 0x1234);
    EXPECT_EQ(be16(p, 2), p.size());                       // total length
    EXPECT_EQ(internet_checksum(p.data(), 20), 0);         // header checksum verifies
    EXPECT_FALSE(d->is_icmp_error());
  }
}

TEST(BuildProbe, IcmpChecksumIsTheFlowConstantAcrossTtlsAndTokens) {
  auto s = base(Method::icmp);
  for (std::uint8_t ttl = 1; ttl <= 32; ttl = static_cast<std::uint8_t>(ttl + 3)) {
    for (std::uint16_t token : std::initializer_list<std::uint16_t>{1, 2, 255, 256, 0x7fff, 0xbeef, 0xfffe, 0xffff}) {
      s.ttl = ttl;
      s.token = token;
      auto p = build_probe(s);
      auto d = parse_ip(p.data(), p.size());
      ASSERT_TRUE(d);
      const auto& t = d->ip.transport;
      EXPECT_EQ(d->ip.proto, probe::packet::kProtoIcmp);
      EXPECT_EQ(t.icmp_type, 8);
      EXPECT_EQ(t.icmp_code, 0);
      EXPECT_EQ(t.icmp_id, 51000);
      EXPECT_EQ(t.icmp_seq, token);
      EXPECT_EQ(t.icmp_checksum, 0x5a5a) << "ttl " << int{ttl} << " token " << token;
      EXPECT_EQ(internet_checksum(p.data() + 20, p.size() - 20), 0);  // and it is valid
      EXPECT_EQ(t.length, 8u + 12u);                                  // default payload
    }
  }
}

TEST(BuildProbe, IcmpChecksumHeldForManyFlows) {
  auto s = base(Method::icmp);
  for (std::uint32_t c = 0; c < 0xffff; c += 257) {
    s.dport = static_cast<std::uint16_t>(c);
    s.sport = static_cast<std::uint16_t>(c * 7);
    s.token = static_cast<std::uint16_t>(c | 1);
    auto p = build_probe(s);
    EXPECT_EQ(be16(p, 22), c);
    EXPECT_EQ(internet_checksum(p.data() + 20, p.size() - 20), 0);
  }
}

// A checksum field of 0xffff needs a one's complement sum of zero, which
// non-zero data never has: the builder refuses it rather than send 0x0000.
TEST(BuildProbe, IcmpChecksumFfffIsRefused) {
  auto s = base(Method::icmp);
  s.dport = 0xffff;
  s.token = 7;
  EXPECT_THROW(build_probe(s), std::invalid_argument);
}

TEST(BuildProbe, UdpChecksumIsTheTokenAndVerifies) {
  auto s = base(Method::udp);
  for (std::uint32_t token = 1; token <= 0xffff; token += 97) {
    for (std::uint8_t ttl : std::initializer_list<std::uint8_t>{1, 2, 30}) {
      s.token = static_cast<std::uint16_t>(token);
      s.ttl = ttl;
      auto p = build_probe(s);
      auto d = parse_ip(p.data(), p.size());
      ASSERT_TRUE(d);
      const auto& t = d->ip.transport;
      EXPECT_EQ(d->ip.proto, probe::packet::kProtoUdp);
      EXPECT_EQ(t.sport, 51000);
      EXPECT_EQ(t.dport, 33434);
      EXPECT_EQ(t.udp_checksum, token);
      EXPECT_EQ(be16(p, 24), p.size() - 20);  // UDP length
      EXPECT_EQ(transport_sum(p), 0xffff) << "token " << token;
    }
  }
}

TEST(BuildProbe, UdpEdgeTokens) {
  auto s = base(Method::udp);
  for (std::uint16_t token : std::initializer_list<std::uint16_t>{1, 2, 0xfffe, 0xffff}) {
    s.token = token;
    auto p = build_probe(s);
    EXPECT_EQ(be16(p, 26), token);
    EXPECT_EQ(transport_sum(p), 0xffff) << token;
  }
}

TEST(BuildProbe, PayloadLengthIsHonouredAndAtLeastTwo) {
  for (Method m : {Method::icmp, Method::udp}) {
    auto s = base(m);
    s.token = 5;
    s.payload_len = 40;
    EXPECT_EQ(build_probe(s).size(), 20u + 8u + 40u);
    s.payload_len = 0;  // two bytes are needed to steer the checksum
    auto p = build_probe(s);
    EXPECT_EQ(p.size(), 20u + 8u + 2u);
    if (m == Method::udp) {
      EXPECT_EQ(be16(p, 26), 5);
    } else {
      EXPECT_EQ(be16(p, 22), 0x5a5a);
    }
  }
}

TEST(BuildProbe, TcpSequenceCarriesTagAndToken) {
  auto s = base(Method::tcp);
  for (std::uint16_t token : std::initializer_list<std::uint16_t>{1, 0x582b, 0xffff}) {
    for (std::uint8_t ttl : std::initializer_list<std::uint8_t>{1, 9, 64}) {
      s.token = token;
      s.ttl = ttl;
      auto p = build_probe(s);
      auto d = parse_ip(p.data(), p.size());
      ASSERT_TRUE(d);
      const auto& t = d->ip.transport;
      EXPECT_EQ(d->ip.proto, probe::packet::kProtoTcp);
      EXPECT_EQ(t.sport, 51000);
      EXPECT_EQ(t.dport, 80);
      EXPECT_EQ(t.tcp_seq, probe::packet::tcp_sequence(0x6999, token));
      EXPECT_EQ(t.tcp_seq >> 16, 0x6999u);
      EXPECT_EQ(t.tcp_flags, 0x02);  // SYN only
      EXPECT_EQ(t.tcp_ack, 0u);
      EXPECT_EQ(transport_sum(p), 0xffff);
    }
  }
  EXPECT_EQ(probe::packet::tcp_sequence(0x6999, 0x582b), 1771657259u);  // lab capture's SYN
}

TEST(BuildProbe, DnsMessageStartsAtTheUdpPayloadOffsetOfEitherFamily) {
  probe::packet::DnsQuerySpec q;
  q.qname = "lab.test.";
  const auto message = probe::packet::build_dns_query(q);
  for (const char* dst : {"203.0.113.9", "2001:db8:9::9"}) {
    auto s = base(Method::dns);
    s.dport = 53;
    s.token = 0xbeef;
    s.dst = addr(dst);
    if (!s.dst.is_v4()) s.src = addr("2001:db8:1::1");
    s.dns_message = message;
    const auto p = build_probe(s);
    const std::size_t at = probe::packet::udp_payload_offset(s.dst.family());
    ASSERT_EQ(p.size(), at + message.size()) << dst;
    // The ID (the first two bytes) is steered; the rest is the message.
    EXPECT_TRUE(std::equal(message.begin() + 2, message.end(), p.begin() + static_cast<long>(at) + 2)) << dst;
    auto d = parse_ip(p.data(), p.size());
    ASSERT_TRUE(d) << dst;
    EXPECT_EQ(d->ip.transport.udp_payload_head, be16(p, at)) << dst;
  }
  EXPECT_EQ(probe::packet::udp_payload_offset(probe::model::Family::v4), 28u);
  EXPECT_EQ(probe::packet::udp_payload_offset(probe::model::Family::v6), 48u);
}

TEST(BuildProbe, RejectsMixedFamiliesAndTokenZero) {
  auto s = base(Method::udp);
  s.token = 0;
  EXPECT_THROW(build_probe(s), std::invalid_argument);
  for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
    auto v6 = base(m);
    v6.token = 1;
    v6.dst = addr("2001:db8::1");
    EXPECT_THROW(build_probe(v6), std::invalid_argument);
    v6.dst = addr("203.0.113.9");
    v6.src = addr("2001:db8::2");
    EXPECT_THROW(build_probe(v6), std::invalid_argument);
  }
}

}  // namespace
