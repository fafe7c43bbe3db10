// SPDX-License-Identifier: BSD-2-Clause
// IPv6 probes: build_probe's Paris invariants over IPv6, and classify()
// reading them back out of ICMPv6 errors, extension headers in the quote
// included. The error packets are crafted byte by byte as RFC 4443 lays them
// out (the lab test checks real routers' ones).

#include <gtest/gtest.h>

#include <initializer_list>
#include <stdexcept>

#include "packet_helpers.h"
#include "probe_spec_fixture.h"
#include "probe/match/classify.h"
#include "probe/packet/datagram.h"
#include "probe/packet/probe_builder.h"

namespace {

using probe::match::classify;
using probe::match::Identity;
using probe::model::Method;
using probe::model::ReplyKind;
using probe::packet::build_probe;
using probe::packet::parse_ip;
using probe::packet::ProbeSpec;
using testing_packets::addr;
using testing_probes::be16;
using testing_probes::flow_spec;
using testing_probes::transport_sum;

constexpr std::uint16_t kTag = testing_probes::kTcpTag;

ProbeSpec base6(Method m) { return flow_spec(m, "2001:db8:1::1", "2001:db8:9::9"); }

// Version, traffic class and flow label: the first word of the header.
std::uint32_t first_word(const std::vector<std::uint8_t>& p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

TEST(BuildProbe6, HeaderCarriesHopLimitAddressesAndLengths) {
  for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
    auto s = base6(m);
    s.ttl = 17;
    s.token = 99;
    auto p = build_probe(s);
    ASSERT_GE(p.size(), 48u);
    EXPECT_EQ(p[0] >> 4, 6);
    EXPECT_EQ(be16(p, 4), p.size() - 40);  // payload length
    EXPECT_EQ(p[7], 17);                   // hop limit = TTL
    auto d = parse_ip(p.data(), p.size());
    ASSERT_TRUE(d);
    EXPECT_EQ(d->ip.src, s.src);
    EXPECT_EQ(d->ip.dst, s.dst);
    EXPECT_EQ(d->ip.ttl, 17);
    EXPECT_EQ(d->ip.proto, m == Method::icmp ? 58 : (m == Method::udp ? 17 : 6));
    EXPECT_EQ(transport_sum(p), 0xffff) << "checksum of method " << static_cast<int>(m);
  }
}

// Paris: everything a router hashes -- addresses, next header, traffic
// class, flow label, ports or ICMPv6 type/code/checksum -- is the same for
// every TTL and token of a flow; only hop limit and the probe id move.
TEST(BuildProbe6, FlowTupleIsConstantAcrossTtlsAndTokens) {
  for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
    auto s = base6(m);
    s.token = 1;
    s.ttl = 1;
    const auto first = build_probe(s);
    for (std::uint8_t ttl : std::initializer_list<std::uint8_t>{2, 9, 30, 64}) {
      for (std::uint16_t token : std::initializer_list<std::uint16_t>{2, 255, 0x7fff, 0xbeef, 0xffff}) {
        s.ttl = ttl;
        s.token = token;
        auto p = build_probe(s);
        ASSERT_EQ(p.size(), first.size());
        EXPECT_EQ(first_word(p), first_word(first));
        EXPECT_NE(first_word(p) & 0xfffff, 0u);  // a flow label is set
        EXPECT_EQ(p[6], first[6]);                // next header
        EXPECT_TRUE(std::equal(p.begin() + 8, p.begin() + 40, first.begin() + 8));  // addresses
        if (m == Method::icmp) {
          EXPECT_EQ(p[40], 128);
          EXPECT_EQ(p[41], 0);
          EXPECT_EQ(be16(p, 42), 0x5a5a) << "ttl " << int{ttl} << " token " << token;
          EXPECT_EQ(be16(p, 44), 51000);
          EXPECT_EQ(be16(p, 46), token);
        } else {
          EXPECT_EQ(be16(p, 40), 51000);
          EXPECT_EQ(be16(p, 42), m == Method::udp ? 33434 : 80);
        }
        // UDP: the checksum; TCP: the low half of the sequence number.
        if (m != Method::icmp) {
          EXPECT_EQ(be16(p, 46), token);
        }
        EXPECT_EQ(transport_sum(p), 0xffff);
      }
    }
  }
}

TEST(BuildProbe6, FlowLabelDiffersBetweenFlows) {
  auto s = base6(Method::udp);
  s.token = 5;
  auto a = build_probe(s);
  s.sport = 51001;
  auto b = build_probe(s);
  EXPECT_NE(first_word(a) & 0xfffff, first_word(b) & 0xfffff);
  EXPECT_EQ(first_word(a) & 0xfffff, probe::packet::flow_label(51000, 33434));
}

TEST(BuildProbe6, MixedFamiliesAreRefused) {
  auto s = base6(Method::udp);
  s.token = 1;
  s.src = addr("198.18.0.1");
  EXPECT_THROW(build_probe(s), std::invalid_argument);
}

// An ICMPv6 error from `router` to the probe's source quoting `quote`, as
// RFC 4443 lays it out (the checksum is not checked by the parser).
std::vector<std::uint8_t> icmp6_error(std::uint8_t type, std::uint8_t code, const char* router,
                                      const probe::model::Address& to, const std::vector<std::uint8_t>& quote) {
  std::vector<std::uint8_t> p(48, 0);
  p[0] = 0x60;
  const std::size_t plen = 8 + quote.size();
  p[4] = static_cast<std::uint8_t>(plen >> 8);
  p[5] = static_cast<std::uint8_t>(plen);
  p[6] = 58;
  p[7] = 63;
  auto r = addr(router);
  std::copy(r.data(), r.data() + 16, p.begin() + 8);
  std::copy(to.data(), to.data() + 16, p.begin() + 24);
  p[40] = type;
  p[41] = code;
  p.insert(p.end(), quote.begin(), quote.end());
  return p;
}

// The probe with an extension header of `kind` put between the IPv6 header
// and the upper layer, as a sender's stack or a router's rewrite might.
std::vector<std::uint8_t> with_extension(std::vector<std::uint8_t> probe, std::uint8_t kind) {
  std::vector<std::uint8_t> ext(kind == 44 ? 8 : 16, 0);
  ext[0] = probe[6];  // next header: what came after the IPv6 header
  if (kind != 44) ext[1] = 1;  // (1 + 1) * 8 = 16 bytes
  if (kind == 44) ext[7] = 1;  // fragment: offset 0, the first one; identification 1
  probe[6] = kind;
  probe.insert(probe.begin() + 40, ext.begin(), ext.end());
  return probe;
}

Identity identity(Method m) { return Identity{m, addr("2001:db8:1::1"), kTag}; }

TEST(Classify6, TimeExceededQuotingEachMethodGivesTheToken) {
  for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
    auto s = base6(m);
    s.ttl = 3;
    s.token = 0x4242;
    auto probe = build_probe(s);
    probe[7] = 1;  // the hop limit as the router saw it expire
    auto err = icmp6_error(3, 0, "2001:db8:5::1", s.src, probe);
    auto d = parse_ip(err.data(), err.size());
    ASSERT_TRUE(d && d->is_icmp_error());
    auto e = classify(*d, identity(m));
    ASSERT_TRUE(e) << "method " << static_cast<int>(m);
    EXPECT_EQ(e->kind, probe::match::Evidence::Kind::reply);
    EXPECT_EQ(e->token, 0x4242);
    EXPECT_EQ(e->target, s.dst);
    EXPECT_EQ(e->reply.addr, addr("2001:db8:5::1"));
    EXPECT_EQ(e->reply.kind, ReplyKind::time_exceeded);
    EXPECT_EQ(e->reply.quoted_ttl, 1);
    // The probe itself, as the capture sees it leave, is ours too.
    auto out = parse_ip(build_probe(s).data(), build_probe(s).size());
    ASSERT_TRUE(out);
    auto pe = classify(*out, identity(m));
    ASSERT_TRUE(pe);
    EXPECT_EQ(pe->kind, probe::match::Evidence::Kind::probe);
    EXPECT_EQ(pe->token, 0x4242);
    EXPECT_EQ(pe->probe_ttl, 3);
  }
}

TEST(Classify6, ExtensionHeadersInTheQuoteAreSkipped) {
  for (std::uint8_t kind : std::initializer_list<std::uint8_t>{0, 43, 44, 60}) {
    for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
      auto s = base6(m);
      s.token = 0x1234;
      auto err = icmp6_error(1, 4, "2001:db8:9::9", s.src, with_extension(build_probe(s), kind));
      auto d = parse_ip(err.data(), err.size());
      ASSERT_TRUE(d && d->is_icmp_error());
      auto e = classify(*d, identity(m));
      ASSERT_TRUE(e) << "extension " << int{kind} << " method " << static_cast<int>(m);
      EXPECT_EQ(e->token, 0x1234);
      EXPECT_EQ(e->reply.kind, ReplyKind::unreachable);
      EXPECT_EQ(e->reply.icmp_code, 4);
    }
  }
}

// A quote cut anywhere -- inside the IPv6 header, inside an extension
// header, or before 8 bytes of the upper layer -- is no evidence; from 8
// bytes of the upper layer on, it names the probe. Nothing reads past the end.
TEST(Classify6, TruncatedQuotesAreRejectedWithinBounds) {
  auto s = base6(Method::udp);
  s.token = 0x0777;
  for (std::uint8_t kind : std::initializer_list<std::uint8_t>{0, 44, 60}) {
    auto quote = with_extension(build_probe(s), kind);
    const std::size_t upper = 40 + (kind == 44 ? 8u : 16u);
    for (std::size_t cut = 0; cut <= quote.size(); ++cut) {
      std::vector<std::uint8_t> q(quote.begin(), quote.begin() + static_cast<long>(cut));
      auto err = icmp6_error(3, 0, "2001:db8:5::1", s.src, q);
      auto d = parse_ip(err.data(), err.size());
      ASSERT_TRUE(d);
      auto e = classify(*d, identity(Method::udp));
      if (cut >= upper + 8) {
        ASSERT_TRUE(e) << "cut " << cut;
        EXPECT_EQ(e->token, 0x0777);
      } else {
        EXPECT_FALSE(e) << "extension " << int{kind} << " cut " << cut;
      }
    }
  }
}

TEST(Classify6, QuoteOfAnotherSourceOrANonFirstFragmentIsNotOurs) {
  auto s = base6(Method::udp);
  s.token = 9;
  auto probe = build_probe(s);
  auto theirs = probe;
  theirs[23] ^= 1;  // another source address
  auto err = icmp6_error(3, 0, "2001:db8:5::1", s.src, theirs);
  EXPECT_FALSE(classify(*parse_ip(err.data(), err.size()), identity(Method::udp)));
  auto frag = with_extension(probe, 44);
  frag[40 + 3] = 0x08;  // fragment offset 1: no upper-layer header follows
  err = icmp6_error(3, 0, "2001:db8:5::1", s.src, frag);
  EXPECT_FALSE(classify(*parse_ip(err.data(), err.size()), identity(Method::udp)));
}

TEST(Classify6, EchoReplyAndPacketTooBig) {
  auto s = base6(Method::icmp);
  s.token = 0x0102;
  auto probe = build_probe(s);
  // Packet too big (type 2) quoting our probe: not a hop's answer.
  auto big = icmp6_error(2, 0, "2001:db8:5::1", s.src, probe);
  EXPECT_FALSE(classify(*parse_ip(big.data(), big.size()), identity(Method::icmp)));
  // The echo reply: addresses swapped, type 129, identifier and sequence kept.
  auto reply = probe;
  std::swap_ranges(reply.begin() + 8, reply.begin() + 24, reply.begin() + 24);
  reply[40] = 129;
  auto d = parse_ip(reply.data(), reply.size());
  ASSERT_TRUE(d);
  auto e = classify(*d, identity(Method::icmp));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reply.kind, ReplyKind::echo_reply);
  EXPECT_EQ(e->token, 0x0102);
  EXPECT_EQ(e->target, s.dst);
}

}  // namespace
