// SPDX-License-Identifier: BSD-2-Clause
// match::classify: which probe a packet is, or which probe it answers.

#include "probe/match/classify.h"

#include <gtest/gtest.h>

#include <vector>

#include "packet_helpers.h"
#include "probe/packet/probe_builder.h"
#include "real_packets.h"

namespace {

using probe::match::classify;
using probe::match::Evidence;
using probe::match::Flow;
using probe::match::Identity;
using probe::model::Method;
using probe::model::MplsLabel;
using probe::model::ReplyKind;
using probe::packet::build_probe;
using probe::packet::parse_ip;
using probe::packet::ProbeSpec;
using testing_packets::addr;
using testing_packets::bytes;
using testing_packets::parse_frame;

constexpr int kEthernet = 1;
const char* const kLabSrc = "198.18.0.1";  // fl-trace's address in the lab captures

Identity lab(Method m, std::uint16_t tag = 0) { return Identity{m, addr(kLabSrc), tag}; }

std::optional<Evidence> classify_frame(const std::vector<std::uint8_t>& frame, const Identity& id) {
  auto d = parse_frame(kEthernet, frame);
  if (!d) return std::nullopt;
  return classify(*d, id);
}

std::optional<Evidence> classify_ip(const std::vector<std::uint8_t>& ip, const Identity& id) {
  auto d = parse_ip(ip.data(), ip.size());
  if (!d) return std::nullopt;
  return classify(*d, id);
}

ProbeSpec spec(Method m) {
  ProbeSpec s;
  s.method = m;
  s.src = addr(kLabSrc);
  s.dst = addr("198.18.200.7");
  s.ttl = 5;
  s.sport = 40001;
  s.dport = m == Method::icmp ? 0x1234 : (m == Method::udp ? 33434 : 443);
  s.token = 0xbeef;
  s.tcp_tag = 0x6999;
  s.ipid = 777;
  return s;
}

// --- Our probes as they leave ----------------------------------------------

TEST(Classify, BuiltProbesAreRecognisedAsOurs) {
  for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
    SCOPED_TRACE(std::string(probe::model::to_string(m)));
    auto s = spec(m);
    auto e = classify_ip(build_probe(s), lab(m, 0x6999));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, Evidence::Kind::probe);
    EXPECT_EQ(e->target, s.dst);
    EXPECT_EQ(e->token, 0xbeef);
    EXPECT_EQ(e->probe_ttl, 5);
    EXPECT_EQ(e->flow, (Flow{40001, s.dport}));
    EXPECT_TRUE(e->flow_dport_known);
  }
}

TEST(Classify, RealLabProbesAreRecognised) {
  auto icmp = classify_frame(bytes(fixtures::kLabIcmpProbe), lab(Method::icmp));
  ASSERT_TRUE(icmp);
  EXPECT_EQ(icmp->kind, Evidence::Kind::probe);
  EXPECT_EQ(icmp->target, addr("198.18.200.0"));
  EXPECT_EQ(icmp->token, 25252);
  EXPECT_EQ(icmp->flow, (Flow{44040, 0x0446}));  // echo id, steered checksum
  EXPECT_EQ(icmp->probe_ttl, 1);

  auto udp = classify_frame(bytes(fixtures::kLabUdpProbe), lab(Method::udp));
  ASSERT_TRUE(udp);
  EXPECT_EQ(udp->token, 0xe56b);
  EXPECT_EQ(udp->flow, (Flow{48463, 33434}));

  auto tcp = classify_frame(bytes(fixtures::kLabTcpProbe), lab(Method::tcp, 0x6999));
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->token, 0x582b);
  EXPECT_EQ(tcp->flow, (Flow{59656, 80}));
}

TEST(Classify, ProbeOfAnotherMethodOrTagIsNotOurs) {
  EXPECT_FALSE(classify_frame(bytes(fixtures::kLabUdpProbe), lab(Method::icmp)));
  EXPECT_FALSE(classify_frame(bytes(fixtures::kLabIcmpProbe), lab(Method::tcp)));
  EXPECT_FALSE(classify_frame(bytes(fixtures::kLabTcpProbe), lab(Method::tcp, 0x699a)));
  // Same packet, someone else's source address.
  Identity other{Method::udp, addr("198.18.0.2"), 0};
  EXPECT_FALSE(classify_frame(bytes(fixtures::kLabUdpProbe), other));
}

TEST(Classify, OurOwnTcpPacketsThatAreNotSynsAreNotProbes) {
  auto syn = build_probe(spec(Method::tcp));
  const std::size_t flags = 20 + 13;
  ASSERT_EQ(syn[flags], 0x02);
  for (int f : {0x12, 0x04, 0x10, 0x14}) {  // SYN+ACK, RST, ACK, RST+ACK
    auto p = syn;
    p[flags] = static_cast<std::uint8_t>(f);
    EXPECT_FALSE(classify_ip(p, lab(Method::tcp, 0x6999))) << f;
  }
}

// --- ICMP errors quoting a probe --------------------------------------------

TEST(Classify, LinuxTimeExceededQuotingUdpProbe) {
  auto e = classify_frame(bytes(fixtures::kLabUdpTe), lab(Method::udp));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, Evidence::Kind::reply);
  EXPECT_EQ(e->target, addr("198.18.200.0"));
  EXPECT_EQ(e->token, 0xe56b);
  EXPECT_EQ(e->flow, (Flow{48463, 33434}));
  EXPECT_EQ(e->reply.kind, ReplyKind::time_exceeded);
  EXPECT_EQ(e->reply.addr, addr("198.18.0.2"));
  EXPECT_EQ(e->reply.icmp_type, 11);
  EXPECT_EQ(e->reply.icmp_code, 0);
  EXPECT_EQ(e->reply.reply_ttl, 64);
  EXPECT_EQ(e->reply.reply_ipid, 7986);
  ASSERT_TRUE(e->reply.quoted_ttl);
  EXPECT_EQ(*e->reply.quoted_ttl, 1);
  EXPECT_TRUE(e->reply.mpls.empty());
}

TEST(Classify, TimeExceededQuotingIcmpAndTcpProbes) {
  auto icmp = classify_frame(bytes(fixtures::kLabIcmpTe), lab(Method::icmp));
  ASSERT_TRUE(icmp);
  EXPECT_EQ(icmp->reply.kind, ReplyKind::time_exceeded);
  EXPECT_EQ(icmp->token, 25252);
  EXPECT_EQ(icmp->flow, (Flow{44040, 0x0446}));
  EXPECT_EQ(icmp->reply.reply_ipid, 7354);

  auto tcp = classify_frame(bytes(fixtures::kLabTcpTe), lab(Method::tcp, 0x6999));
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->token, 0x582b);
  EXPECT_EQ(tcp->flow, (Flow{59656, 80}));
  EXPECT_FALSE(classify_frame(bytes(fixtures::kLabTcpTe), lab(Method::tcp, 0x1234)));
}

TEST(Classify, EightByteQuotesIdentifyTheProbe) {
  // A real router's 8-byte UDP quote (python-libtrace frame 16).
  Identity auckland{Method::udp, addr("130.216.1.23"), 0};
  auto udp = classify_frame(bytes(fixtures::kLibtraceTeUdp8), auckland);
  ASSERT_TRUE(udp);
  EXPECT_EQ(udp->token, 0x2eca);
  EXPECT_EQ(udp->flow, (Flow{48145, 33461}));
  EXPECT_EQ(udp->reply.addr, addr("62.40.125.17"));

  // A lab TCP quote cut to 8 bytes: no flags, but the sequence is there.
  auto tcp = classify_frame(testing_packets::cut_quote(bytes(fixtures::kLabTcpTe), 8),
                            lab(Method::tcp, 0x6999));
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->token, 0x582b);

  // Fewer than 8 bytes cannot say which probe it was.
  EXPECT_FALSE(classify_frame(testing_packets::cut_quote(bytes(fixtures::kLabTcpTe), 6),
                              lab(Method::tcp, 0x6999)));
}

TEST(Classify, BuiltProbeQuotedByRealTimeExceeded) {
  for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
    SCOPED_TRACE(std::string(probe::model::to_string(m)));
    auto s = spec(m);
    auto reply = testing_packets::requote(bytes(fixtures::kLabUdpTe), build_probe(s));
    auto e = classify_ip(reply, lab(m, 0x6999));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, Evidence::Kind::reply);
    EXPECT_EQ(e->reply.kind, ReplyKind::time_exceeded);
    EXPECT_EQ(e->token, 0xbeef);
    EXPECT_EQ(e->flow, (Flow{40001, s.dport}));
    EXPECT_EQ(e->target, s.dst);
    EXPECT_EQ(e->reply.quoted_ttl, std::optional<std::uint8_t>(5));
  }
}

TEST(Classify, TimeExceededWithMplsLabels) {
  // python-libtrace frame 10: the quoted TCP segment had seq 0xe1a95929.
  Identity prober{Method::tcp, addr("130.216.35.60"), 0xe1a9};
  auto e = classify_frame(bytes(fixtures::kLibtraceTeTcpMpls), prober);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->token, 0x5929);
  EXPECT_EQ(e->reply.addr, addr("4.69.138.158"));
  EXPECT_EQ(e->reply.reply_ttl, 56);
  ASSERT_EQ(e->reply.mpls.size(), 1u);
  EXPECT_EQ(e->reply.mpls[0], (MplsLabel{1672, 7, true, 1}));

  auto d = parse_frame(9, bytes(fixtures::kPppTeMpls102672));
  ASSERT_TRUE(d);
  auto ppp = classify(*d, Identity{Method::udp, addr("12.4.4.4"), 0});
  ASSERT_TRUE(ppp);
  ASSERT_EQ(ppp->reply.mpls.size(), 1u);
  EXPECT_EQ(ppp->reply.mpls[0].label, 102672u);
}

TEST(Classify, PortUnreachableFromDestination) {
  auto e = classify_frame(bytes(fixtures::kLabUdpPortUnreach), lab(Method::udp));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reply.kind, ReplyKind::unreachable);
  EXPECT_EQ(e->reply.addr, addr("198.18.200.0"));
  EXPECT_EQ(e->target, addr("198.18.200.0"));
  EXPECT_EQ(e->reply.icmp_type, 3);
  EXPECT_EQ(e->reply.icmp_code, 3);
}

TEST(Classify, QuoteOfSomeoneElsesPacketIsRejected) {
  auto f = bytes(fixtures::kLabUdpTe);
  const std::size_t quoted_src = 14 + 20 + 8 + 12;
  ASSERT_EQ(f[quoted_src + 3], 0x01);  // 198.18.0.1
  f[quoted_src + 3] = 0x63;            // 198.18.0.99 sent it, the reply still comes to us
  EXPECT_FALSE(classify_frame(f, lab(Method::udp)));

  // An error about our own probe, but addressed to another host.
  Identity not_us{Method::udp, addr("198.18.0.99"), 0};
  EXPECT_FALSE(classify_frame(bytes(fixtures::kLabUdpTe), not_us));
}

TEST(Classify, IcmpErrorsOtherThanExceededAndUnreachableAreRejected) {
  auto f = bytes(fixtures::kLabUdpTe);
  f[14 + 20] = 12;  // parameter problem, same quote
  auto d = parse_frame(kEthernet, f);
  ASSERT_TRUE(d && d->quote);
  EXPECT_FALSE(classify(*d, lab(Method::udp)));
}

// --- Direct answers from the destination ------------------------------------

TEST(Classify, EchoReply) {
  auto e = classify_frame(bytes(fixtures::kLabIcmpEchoReply), lab(Method::icmp));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, Evidence::Kind::reply);
  EXPECT_EQ(e->reply.kind, ReplyKind::echo_reply);
  EXPECT_EQ(e->target, addr("198.18.200.0"));
  EXPECT_EQ(e->reply.addr, addr("198.18.200.0"));
  EXPECT_EQ(e->token, 25254);
  EXPECT_EQ(e->flow.sport, 44040);
  EXPECT_FALSE(e->flow_dport_known);
  EXPECT_EQ(e->reply.reply_ttl, 62);
  EXPECT_EQ(e->reply.reply_ipid, 0xb66c);
  EXPECT_FALSE(e->reply.quoted_ttl);
  // UDP and TCP runs do not take echo replies.
  EXPECT_FALSE(classify_frame(bytes(fixtures::kLabIcmpEchoReply), lab(Method::udp)));
  EXPECT_FALSE(classify_frame(bytes(fixtures::kLabIcmpEchoReply), lab(Method::tcp)));
}

TEST(Classify, TcpRstTokenFromAckMinusOne) {
  auto e = classify_frame(bytes(fixtures::kLabTcpRst), lab(Method::tcp, 0x6999));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reply.kind, ReplyKind::tcp_rst);
  EXPECT_EQ(e->token, 0x582d);  // ack 1771657262 - 1 = 0x6999582d
  EXPECT_EQ(e->flow, (Flow{59656, 80}));
  EXPECT_EQ(e->target, addr("198.18.200.0"));
  EXPECT_EQ(e->reply.tcp_flags, 0x14);
  EXPECT_FALSE(classify_frame(bytes(fixtures::kLabTcpRst), lab(Method::tcp, 0x6998)));
}

TEST(Classify, TcpSynAck) {
  // dnscap frame 2: 8.8.8.8 answers a SYN with seq 0x5f51d6dc.
  Identity client{Method::tcp, addr("172.17.0.8"), 0x5f51};
  auto e = classify_frame(bytes(fixtures::kDnscapSynAck), client);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reply.kind, ReplyKind::tcp_synack);
  EXPECT_EQ(e->token, 0xd6dc);
  EXPECT_EQ(e->flow, (Flow{51388, 53}));
  EXPECT_EQ(e->reply.addr, addr("8.8.8.8"));
  EXPECT_EQ(e->reply.reply_ttl, 54);
  EXPECT_EQ(e->reply.reply_ipid, 21772);
  EXPECT_EQ(e->reply.tcp_flags, 0x12);
  client.tcp_tag = 0x5f52;  // another run's tag
  EXPECT_FALSE(classify_frame(bytes(fixtures::kDnscapSynAck), client));
}

TEST(Classify, OtherTrafficIsRejected) {
  // DNS over UDP to and from the address we pretend to be.
  auto d = parse_frame(276, bytes(fixtures::kSll2DnsQuery));
  ASSERT_TRUE(d);
  for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
    EXPECT_FALSE(classify(*d, Identity{m, addr("238.0.0.2"), 0}));
  }
  // A plain TCP ACK (neither SYN+ACK nor RST) from a destination.
  auto ack = bytes(fixtures::kDnscapSynAck);
  ack[14 + 20 + 13] = 0x10;
  EXPECT_FALSE(classify_frame(ack, Identity{Method::tcp, addr("172.17.0.8"), 0x5f51}));
  // An echo request to us is not an echo reply.
  auto d2 = parse_frame(kEthernet, bytes(fixtures::kLibtraceEchoReply));
  ASSERT_TRUE(d2);
  EXPECT_TRUE(classify(*d2, Identity{Method::icmp, addr("130.216.1.23"), 0}));
  auto req = bytes(fixtures::kLibtraceEchoReply);
  req[14 + 20] = 8;
  EXPECT_FALSE(classify_frame(req, Identity{Method::icmp, addr("130.216.1.23"), 0}));
}

}  // namespace
