// SPDX-License-Identifier: BSD-2-Clause
// parse_ip / ip_offset / parse_mpls_extension over byte arrays of real packets.

#include "probe/packet/datagram.h"

#include <gtest/gtest.h>
#include <tins/exceptions.h>
#include <tins/tcp.h>

#include <cstring>
#include <vector>

#include "packet_helpers.h"
#include "real_packets.h"

namespace {

using probe::model::Address;
using probe::model::MplsLabel;
using probe::packet::Datagram;
using probe::packet::ip_offset;
using probe::packet::parse_ip;
using probe::packet::parse_mpls_extension;
using testing_packets::addr;
using testing_packets::bytes;
using testing_packets::cut_quote;
using testing_packets::parse_frame;

constexpr int kEthernet = 1;
constexpr int kPpp = 9;
constexpr int kNull = 0;
constexpr int kRaw = 101;
constexpr int kSll = 113;
constexpr int kSll2 = 276;

// --- ICMP errors and their quotes -------------------------------------------

TEST(ParseIp, LinuxTimeExceededQuotesTheWholeUdpProbe) {
  auto d = parse_frame(kEthernet, bytes(fixtures::kLabUdpTe));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ip.src, addr("198.18.0.2"));
  EXPECT_EQ(d->ip.dst, addr("198.18.0.1"));
  EXPECT_EQ(d->ip.proto, probe::packet::kProtoIcmp);
  EXPECT_EQ(d->ip.ttl, 64);
  EXPECT_EQ(d->ip.ipid, 7986);
  EXPECT_EQ(d->ip.transport.icmp_type, 11);
  EXPECT_EQ(d->ip.transport.icmp_code, 0);
  ASSERT_TRUE(d->is_icmp_error());
  const auto& q = *d->quote;
  EXPECT_EQ(q.src, addr("198.18.0.1"));
  EXPECT_EQ(q.dst, addr("198.18.200.0"));
  EXPECT_EQ(q.proto, probe::packet::kProtoUdp);
  EXPECT_EQ(q.ttl, 1);
  EXPECT_EQ(q.ipid, 57372);
  EXPECT_EQ(q.transport.sport, 48463);
  EXPECT_EQ(q.transport.dport, 33434);
  EXPECT_EQ(q.transport.udp_checksum, 0xe56b);
  EXPECT_EQ(q.transport.length, 20u);  // 8-byte header + 12 payload bytes
  EXPECT_TRUE(d->mpls.empty());
}

TEST(ParseIp, RealRouterQuotingOnlyEightUdpBytes) {
  auto d = parse_frame(kEthernet, bytes(fixtures::kLibtraceTeUdp8));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ip.src, addr("62.40.125.17"));
  EXPECT_EQ(d->ip.ttl, 248);
  ASSERT_TRUE(d->quote);
  EXPECT_EQ(d->quote->src, addr("130.216.1.23"));
  EXPECT_EQ(d->quote->dst, addr("139.19.142.5"));
  EXPECT_EQ(d->quote->ttl, 1);
  EXPECT_EQ(d->quote->transport.length, 8u);
  EXPECT_EQ(d->quote->transport.sport, 48145);
  EXPECT_EQ(d->quote->transport.dport, 33461);
  EXPECT_EQ(d->quote->transport.udp_checksum, 0x2eca);
  EXPECT_TRUE(d->mpls.empty());
}

TEST(ParseIp, PortUnreachableQuotingEightBytesOverPpp) {
  auto d = parse_frame(kPpp, bytes(fixtures::kPppPortUnreach8));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ip.src, addr("12.1.1.1"));
  EXPECT_EQ(d->ip.transport.icmp_type, 3);
  EXPECT_EQ(d->ip.transport.icmp_code, 3);
  ASSERT_TRUE(d->quote);
  EXPECT_EQ(d->quote->transport.length, 8u);
  EXPECT_EQ(d->quote->transport.sport, 42315);
  EXPECT_EQ(d->quote->transport.dport, 33441);
  EXPECT_EQ(d->quote->transport.udp_checksum, 0);
  EXPECT_EQ(d->quote->ttl, 1);
}

// The lab's Linux routers quote everything; this is one of their replies cut
// down to the 8 transport bytes that RFC 792 routers send.
TEST(ParseIp, LinuxTimeExceededCutToEightUdpBytes) {
  auto d = parse_frame(kEthernet, cut_quote(bytes(fixtures::kLabUdpTe), 8));
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->quote);
  EXPECT_EQ(d->quote->transport.length, 8u);
  EXPECT_EQ(d->quote->transport.sport, 48463);
  EXPECT_EQ(d->quote->transport.dport, 33434);
  EXPECT_EQ(d->quote->transport.udp_checksum, 0xe56b);
}

// 8 TCP bytes are the ports and the sequence number: libtins refuses them as
// a TCP header, parse_ip still reads what identifies the probe.
TEST(ParseIp, TcpQuoteOfEightBytesStillGivesPortsAndSequence) {
  auto frame = cut_quote(bytes(fixtures::kLabTcpTe), 8);
  const std::uint8_t* tcp = frame.data() + frame.size() - 8;
  EXPECT_THROW(Tins::TCP(tcp, 8), Tins::malformed_packet);

  auto d = parse_frame(kEthernet, frame);
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->quote);
  const auto& t = d->quote->transport;
  EXPECT_EQ(d->quote->proto, probe::packet::kProtoTcp);
  EXPECT_EQ(t.length, 8u);
  EXPECT_EQ(t.sport, 59656);
  EXPECT_EQ(t.dport, 80);
  EXPECT_EQ(t.tcp_seq, 1771657259u);
  EXPECT_EQ(t.tcp_ack, 0u);    // not there
  EXPECT_EQ(t.tcp_flags, 0u);  // not there
}

TEST(ParseIp, WholeTcpQuoteHasFlags) {
  auto d = parse_frame(kEthernet, bytes(fixtures::kLabTcpTe));
  ASSERT_TRUE(d && d->quote);
  EXPECT_EQ(d->quote->transport.tcp_seq, 1771657259u);
  EXPECT_EQ(d->quote->transport.tcp_flags, 0x02);  // SYN
  EXPECT_EQ(d->quote->transport.length, 24u);       // header + MSS option
}

TEST(ParseIp, Rfc4884QuoteOf128BytesWithMplsExtension) {
  auto f = bytes(fixtures::kLibtraceTeTcpMpls);
  auto d = parse_frame(kEthernet, f);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ip.src, addr("4.69.138.158"));
  EXPECT_EQ(d->ip.ttl, 56);
  EXPECT_EQ(f[14 + 20 + 5], 32);  // RFC 4884 length: 32 words = 128 bytes
  ASSERT_TRUE(d->quote);
  EXPECT_EQ(d->quote->src, addr("130.216.35.60"));
  EXPECT_EQ(d->quote->dst, addr("115.87.209.252"));
  EXPECT_EQ(d->quote->ttl, 1);
  EXPECT_EQ(d->quote->transport.sport, 37772);
  EXPECT_EQ(d->quote->transport.dport, 80);
  EXPECT_EQ(d->quote->transport.tcp_seq, 0xe1a95929u);
  EXPECT_EQ(d->quote->transport.tcp_flags, 0x10);  // ACK
  ASSERT_EQ(d->mpls.size(), 1u);
  EXPECT_EQ(d->mpls[0], (MplsLabel{1672, 7, true, 1}));
}

TEST(ParseIp, PreRfc4884ExtensionAfter128ByteQuote) {
  auto d1 = parse_frame(kPpp, bytes(fixtures::kPppTeMpls100704));
  ASSERT_TRUE(d1 && d1->quote);
  EXPECT_EQ(d1->quote->transport.dport, 33435);
  ASSERT_EQ(d1->mpls.size(), 1u);
  EXPECT_EQ(d1->mpls[0], (MplsLabel{100704, 0, true, 1}));

  auto d2 = parse_frame(kPpp, bytes(fixtures::kPppTeMpls102672));
  ASSERT_TRUE(d2 && d2->quote);
  EXPECT_EQ(d2->ip.src, addr("10.4.0.2"));
  EXPECT_EQ(d2->quote->transport.dport, 33438);
  ASSERT_EQ(d2->mpls.size(), 1u);
  EXPECT_EQ(d2->mpls[0], (MplsLabel{102672, 0, true, 1}));
}

TEST(ParseMplsExtension, BadChecksumOrVersionYieldsNoLabels) {
  auto f = bytes(fixtures::kPppTeMpls100704);
  const std::size_t icmp = 4 + 20;
  const std::size_t len = f.size() - icmp;
  ASSERT_EQ(parse_mpls_extension(f.data() + icmp, len, false).size(), 1u);

  auto bad_sum = f;
  bad_sum[icmp + 8 + 128 + 2] ^= 0x01;
  EXPECT_TRUE(parse_mpls_extension(bad_sum.data() + icmp, len, false).empty());

  auto bad_version = f;
  bad_version[icmp + 8 + 128] = 0x10;
  EXPECT_TRUE(parse_mpls_extension(bad_version.data() + icmp, len, false).empty());

  // An ICMP error without any extension.
  auto plain = bytes(fixtures::kPppPortUnreach8);
  EXPECT_TRUE(parse_mpls_extension(plain.data() + icmp, plain.size() - icmp, false).empty());
}

TEST(ParseMplsExtension, EveryPrefixOfTheExtensionIsSafe) {
  auto f = bytes(fixtures::kLibtraceTeTcpMpls);
  const std::size_t icmp = 14 + 20;
  const std::size_t full = f.size() - icmp;
  for (std::size_t len = 0; len <= full; ++len) {
    auto labels = parse_mpls_extension(f.data() + icmp, len, false);
    if (len < full) {
      EXPECT_TRUE(labels.empty()) << len;  // checksum no longer verifies
    } else {
      EXPECT_EQ(labels.size(), 1u);
    }
  }
}

TEST(ParseIp, FuzzedTruncatedExtensionDoesNotCrash) {
  auto d = parse_frame(kPpp, bytes(fixtures::kPppOobrTruncated));
  ASSERT_TRUE(d);  // total length 8360, 168 bytes captured: what is there is read
  EXPECT_EQ(d->ip.src, addr("10.0.12.2"));
  ASSERT_TRUE(d->quote);
  EXPECT_EQ(d->quote->transport.sport, 49215);
  EXPECT_EQ(d->quote->transport.dport, 33435);
  // The extension itself was captured whole and its checksum holds.
  ASSERT_EQ(d->mpls.size(), 1u);
  EXPECT_EQ(d->mpls[0], (MplsLabel{16, 0, true, 1}));
}

TEST(ParseIp, EchoReplyWithEthernetPaddingStripped) {
  auto d = parse_frame(kEthernet, bytes(fixtures::kLibtraceEchoReply));
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->is_icmp_error());
  EXPECT_EQ(d->ip.src, addr("207.226.183.42"));
  EXPECT_EQ(d->ip.transport.icmp_type, 0);
  EXPECT_EQ(d->ip.transport.icmp_id, 7516);
  EXPECT_EQ(d->ip.transport.icmp_seq, 1);
  EXPECT_EQ(d->ip.transport.length, 8u);  // IP length 28: the 18 padding bytes are not ICMP
}

TEST(ParseIp, EchoRequestQuotedByTimeExceeded) {
  auto d = parse_frame(kEthernet, bytes(fixtures::kLibtraceTeIcmp));
  ASSERT_TRUE(d && d->quote);
  EXPECT_EQ(d->quote->proto, probe::packet::kProtoIcmp);
  EXPECT_EQ(d->quote->transport.icmp_type, 8);
  EXPECT_EQ(d->quote->transport.icmp_id, 51359);
  EXPECT_EQ(d->quote->transport.icmp_seq, 2561);
}

TEST(ParseIp, PortUnreachableQuotingDnsResponse) {
  auto d = parse_frame(kEthernet, bytes(fixtures::kZeekPortUnreachDns));
  ASSERT_TRUE(d && d->quote);
  EXPECT_EQ(d->quote->src, addr("192.168.1.1"));
  EXPECT_EQ(d->quote->transport.sport, 53);
  EXPECT_EQ(d->quote->transport.dport, 59207);
  EXPECT_TRUE(d->mpls.empty());
}

TEST(ParseIp, Icmp6TimeExceededQuotingUdp) {
  auto d = parse_frame(kEthernet, bytes(fixtures::kV6TimeExceeded));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ip.src, addr("2001:450:2002:247::1"));
  EXPECT_EQ(d->ip.dst, addr("2001:df0:0:202a::237"));
  EXPECT_EQ(d->ip.proto, probe::packet::kProtoIcmp6);
  EXPECT_EQ(d->ip.ttl, 55);
  EXPECT_EQ(d->ip.transport.icmp_type, 3);
  ASSERT_TRUE(d->quote);
  EXPECT_EQ(d->quote->src, addr("2001:df0:0:202a::237"));
  EXPECT_EQ(d->quote->dst, addr("2001:502:2eda::14"));
  EXPECT_EQ(d->quote->proto, probe::packet::kProtoUdp);
  EXPECT_EQ(d->quote->ttl, 1);
  EXPECT_EQ(d->quote->transport.sport, 51977);
  EXPECT_EQ(d->quote->transport.dport, 33434);
  EXPECT_EQ(d->quote->transport.udp_checksum, 0x3b3f);
  EXPECT_TRUE(d->mpls.empty());
}

TEST(ParseIp, Icmp6PortUnreachable) {
  auto d = parse_frame(kEthernet, bytes(fixtures::kV6PortUnreach));
  ASSERT_TRUE(d && d->quote);
  EXPECT_EQ(d->ip.src, addr("2001:500:3::42"));
  EXPECT_EQ(d->ip.transport.icmp_type, 1);
  EXPECT_EQ(d->ip.transport.icmp_code, 4);
  EXPECT_EQ(d->quote->dst, addr("2001:500:3::42"));
  EXPECT_EQ(d->quote->transport.dport, 33434);
}

TEST(ParseIp, Icmp6QuoteWithExtensionHeaderCutShort) {
  auto d = parse_frame(kEthernet, bytes(fixtures::kV6QuoteExtTrunc));
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->quote);
  EXPECT_EQ(d->quote->src, addr("fe80::beef"));
  EXPECT_EQ(d->quote->proto, 0);  // hop-by-hop header announced, nothing behind it
  EXPECT_EQ(d->quote->transport.length, 0u);
}

TEST(ParseIp, Rfc5837InterfaceObjectIsNotMpls) {
  auto d = parse_frame(kPpp, bytes(fixtures::kPppTeRfc5837));
  ASSERT_TRUE(d && d->quote);
  EXPECT_EQ(d->ip.src, addr("10.4.0.2"));
  EXPECT_EQ(d->quote->transport.dport, 33440);
  EXPECT_TRUE(d->mpls.empty());
}

TEST(ParseIp, NonFirstFragmentHasNoTransport) {
  auto f = bytes(fixtures::kRawNonFirstFragment);
  EXPECT_EQ(ip_offset(228, f.data(), f.size()), 0u);
  auto d = parse_frame(228, f);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ip.src, addr("172.17.0.10"));
  EXPECT_EQ(d->ip.proto, 0);  // not taken for UDP: its first bytes are DNS, not ports
  EXPECT_EQ(d->ip.transport.sport, 0);
  EXPECT_EQ(d->ip.transport.dport, 0);
}

TEST(ParseIp, NotIp) {
  const std::uint8_t v5[20] = {0x55};
  EXPECT_FALSE(parse_ip(v5, sizeof v5));
  EXPECT_FALSE(parse_ip(nullptr, 0));
  auto f = bytes(fixtures::kLabUdpProbe);
  f[14] = 0x44;  // IHL 16 bytes: shorter than an IPv4 header
  EXPECT_FALSE(parse_frame(kEthernet, f));
}

// Every prefix of real packets: never a crash, and either nullopt (not even
// an IP header) or a transport length of exactly what the prefix holds.
TEST(ParseIp, EveryTruncationOfRealPackets) {
  struct Case {
    const char* name;
    int linktype;
    std::vector<std::uint8_t> frame;
  };
  const Case cases[] = {
      {"lab udp te", kEthernet, bytes(fixtures::kLabUdpTe)},
      {"lab tcp te", kEthernet, bytes(fixtures::kLabTcpTe)},
      {"lab icmp te", kEthernet, bytes(fixtures::kLabIcmpTe)},
      {"lab tcp rst", kEthernet, bytes(fixtures::kLabTcpRst)},
      {"libtrace mpls", kEthernet, bytes(fixtures::kLibtraceTeTcpMpls)},
      {"libtrace udp8", kEthernet, bytes(fixtures::kLibtraceTeUdp8)},
      {"ppp mpls", kPpp, bytes(fixtures::kPppTeMpls100704)},
      {"ppp oobr", kPpp, bytes(fixtures::kPppOobrTruncated)},
      {"null v6", kNull, bytes(fixtures::kNullTcp6)},
      {"sll2", kSll2, bytes(fixtures::kSll2DnsQuery)},
  };
  for (const auto& c : cases) {
    for (std::size_t n = 0; n <= c.frame.size(); ++n) {
      std::vector<std::uint8_t> cut(c.frame.begin(), c.frame.begin() + static_cast<long>(n));
      auto off = ip_offset(c.linktype, cut.data(), cut.size());
      if (!off) continue;
      auto d = parse_ip(cut.data() + *off, cut.size() - *off);
      const std::size_t ip_len = n - *off;
      const bool v6 = (cut[*off] >> 4) == 6;
      if (ip_len < (v6 ? 40u : 20u)) {
        EXPECT_FALSE(d) << c.name << " cut to " << n;
        continue;
      }
      ASSERT_TRUE(d) << c.name << " cut to " << n;
      const std::size_t header = v6 ? 40 : std::size_t{cut[*off] & 0x0fu} * 4;
      EXPECT_EQ(d->ip.transport.length, ip_len - header) << c.name << " cut to " << n;
      if (d->quote) {
        EXPECT_GE(ip_len, header + 8 + 20) << c.name << " cut to " << n;
        EXPECT_LE(d->quote->transport.length, ip_len - header - 8 - 20);
      }
    }
  }
}

TEST(ParseIp, QuoteAppearsOnceItsHeaderIsWhole) {
  auto f = bytes(fixtures::kLabUdpTe);
  const std::size_t quote_at = 14 + 20 + 8;
  for (std::size_t n = quote_at; n <= f.size(); ++n) {
    auto d = parse_ip(f.data() + 14, n - 14);
    ASSERT_TRUE(d);
    if (n < quote_at + 20) {
      EXPECT_FALSE(d->quote) << n;
    } else {
      ASSERT_TRUE(d->quote) << n;
      EXPECT_EQ(d->quote->transport.length, n - quote_at - 20);
      if (n >= quote_at + 20 + 4) {
        EXPECT_EQ(d->quote->transport.dport, 33434);
      }
      if (n >= quote_at + 20 + 8) {
        EXPECT_EQ(d->quote->transport.udp_checksum, 0xe56b);
      }
    }
  }
}

// --- Link layers -------------------------------------------------------------

TEST(IpOffset, Ethernet) {
  auto f = bytes(fixtures::kLabUdpProbe);
  EXPECT_EQ(ip_offset(kEthernet, f.data(), f.size()), 14u);
  auto arp = f;
  arp[12] = 0x08, arp[13] = 0x06;  // the same frame relabelled as ARP
  EXPECT_FALSE(ip_offset(kEthernet, arp.data(), arp.size()));
  EXPECT_FALSE(ip_offset(kEthernet, f.data(), 13));
  EXPECT_FALSE(ip_offset(kEthernet, f.data(), 14));  // nothing behind the header
}

TEST(IpOffset, VlanTaggedEthernet) {
  auto f = bytes(fixtures::kVlanDns);
  EXPECT_EQ(ip_offset(kEthernet, f.data(), f.size()), 18u);
  auto d = parse_frame(kEthernet, f);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ip.src, addr("203.0.113.26"));
  EXPECT_EQ(d->ip.dst, addr("214.187.42.114"));
  EXPECT_EQ(d->ip.transport.sport, 53);
  EXPECT_EQ(d->ip.transport.dport, 53669);
  EXPECT_FALSE(ip_offset(kEthernet, f.data(), 17));  // tag cut short
}

TEST(IpOffset, LinuxCookedSll) {
  auto f = bytes(fixtures::kSllDnsQuery);
  EXPECT_EQ(ip_offset(kSll, f.data(), f.size()), 16u);
  auto d = parse_frame(kSll, f);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ip.src, addr("127.0.0.1"));
  EXPECT_EQ(d->ip.transport.sport, 49725);
  EXPECT_EQ(d->ip.transport.dport, 53);
}

TEST(IpOffset, LinuxCookedSll2) {
  auto f = bytes(fixtures::kSll2DnsQuery);
  EXPECT_EQ(ip_offset(kSll2, f.data(), f.size()), 20u);
  auto d = parse_frame(kSll2, f);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ip.src, addr("238.0.0.1"));
  EXPECT_EQ(d->ip.dst, addr("238.0.0.2"));
  EXPECT_EQ(d->ip.ttl, 64);
  EXPECT_EQ(d->ip.ipid, 37396);
  EXPECT_EQ(d->ip.transport.sport, 37273);
  EXPECT_EQ(d->ip.transport.dport, 53);
  // Read as SLL v1 the protocol field lands elsewhere: not taken for IP at 16.
  EXPECT_NE(ip_offset(kSll, f.data(), f.size()), std::optional<std::size_t>(20));
}

TEST(IpOffset, NullLoopbackBothFamilies) {
  auto v4 = bytes(fixtures::kNullUdp4);
  EXPECT_EQ(ip_offset(kNull, v4.data(), v4.size()), 4u);
  auto d4 = parse_frame(kNull, v4);
  ASSERT_TRUE(d4);
  EXPECT_EQ(d4->ip.src, addr("172.16.1.117"));
  EXPECT_EQ(d4->ip.transport.dport, 8612);

  auto v6 = bytes(fixtures::kNullTcp6);
  auto d6 = parse_frame(kNull, v6);
  ASSERT_TRUE(d6);
  EXPECT_EQ(d6->ip.src, addr("::1"));
  EXPECT_EQ(d6->ip.proto, probe::packet::kProtoTcp);
  EXPECT_EQ(d6->ip.ttl, 64);
  EXPECT_EQ(d6->ip.ipid, 0);
  EXPECT_EQ(d6->ip.transport.sport, 49888);
  EXPECT_EQ(d6->ip.transport.dport, 81);

  auto other = bytes(fixtures::kNullUnknownAf);
  EXPECT_FALSE(ip_offset(kNull, other.data(), other.size()));
}

TEST(IpOffset, PppWithAndWithoutAddressControl) {
  auto f = bytes(fixtures::kPppPortUnreach8);
  EXPECT_EQ(ip_offset(kPpp, f.data(), f.size()), 4u);
  std::vector<std::uint8_t> bare(f.begin() + 2, f.end());  // same frame, ff 03 compressed away
  EXPECT_EQ(ip_offset(kPpp, bare.data(), bare.size()), 2u);
  // An MPLS-labelled probe: the IP header follows the bottom-of-stack label.
  auto mpls = bytes(fixtures::kPppMplsProbe);
  EXPECT_EQ(ip_offset(kPpp, mpls.data(), mpls.size()), 8u);
  auto d = parse_ip(mpls.data() + 8, mpls.size() - 8);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ip.proto, probe::packet::kProtoUdp);
  // A label stack without a bottom entry, or with no IP after it, is not IP.
  std::vector<std::uint8_t> endless(mpls.begin(), mpls.begin() + 8);
  endless[6] &= 0xfe;
  EXPECT_FALSE(ip_offset(kPpp, endless.data(), endless.size()));
}

TEST(IpOffset, RawIpAndUnknownLinkTypes) {
  auto f = bytes(fixtures::kLabUdpProbe);
  std::vector<std::uint8_t> raw(f.begin() + 14, f.end());
  EXPECT_EQ(ip_offset(kRaw, raw.data(), raw.size()), 0u);
  EXPECT_TRUE(probe::packet::linktype_supported(kRaw));
  for (int lt : {105, 127, 147, 239, 9999, -1}) {  // 802.11, radiotap, user0, nflog...
    EXPECT_FALSE(probe::packet::linktype_supported(lt)) << lt;
    EXPECT_FALSE(ip_offset(lt, f.data(), f.size())) << lt;
  }
  for (int lt : {kNull, kEthernet, kPpp, kRaw, kSll, kSll2})
    EXPECT_TRUE(probe::packet::linktype_supported(lt)) << lt;
}

}  // namespace
