// SPDX-License-Identifier: BSD-2-Clause
// capture_filter: the BPF expression must let through a run's probes and
// replies (checked with libpcap on real lab frames) and keep others out.

#include "probe/engine/capture_filter.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <memory>
#include <string>
#include <vector>

#include "packet_helpers.h"
#include "probe/packet/dns.h"
#include "probe/packet/probe_builder.h"
#include "real_packets.h"

namespace {

using probe::engine::capture_filter;
using probe::engine::TraceConfig;
using probe::model::Method;

struct Dead {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

// Whether the filter of `config` accepts an Ethernet frame.
class Filter {
 public:
  explicit Filter(const TraceConfig& config) : Filter(capture_filter(config)) {}
  explicit Filter(std::string expr) : pcap_(pcap_open_dead(DLT_EN10MB, 65535)), expr_(std::move(expr)) {
    ok_ = pcap_compile(pcap_.get(), &prog_, expr_.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
  }
  ~Filter() {
    if (ok_) pcap_freecode(&prog_);
  }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;
  bool compiled() const { return ok_; }
  const std::string& expr() const { return expr_; }
  template <std::size_t N>
  bool accepts(const std::uint8_t (&frame)[N]) const {
    pcap_pkthdr h{};
    h.caplen = h.len = N;
    return pcap_offline_filter(&prog_, &h, frame) != 0;
  }
  bool accepts(const std::vector<std::uint8_t>& frame) const {
    pcap_pkthdr h{};
    h.caplen = h.len = static_cast<bpf_u_int32>(frame.size());
    return pcap_offline_filter(&prog_, &h, frame.data()) != 0;
  }

 private:
  std::unique_ptr<pcap_t, Dead> pcap_;
  bpf_program prog_{};
  std::string expr_;
  bool ok_ = false;
};

TraceConfig lab(Method m, std::uint16_t sport, std::uint16_t dport) {
  TraceConfig c;
  c.method = m;
  c.src = testing_packets::addr("198.18.0.1");
  c.sport = sport;
  c.dport = dport;
  return c;
}

TEST(CaptureFilter, IcmpRunSeesProbesAndReplies) {
  Filter f(lab(Method::icmp, 0, 0));
  ASSERT_TRUE(f.compiled()) << f.expr();
  EXPECT_TRUE(f.accepts(fixtures::kLabIcmpProbe));
  EXPECT_TRUE(f.accepts(fixtures::kLabIcmpTe));
  EXPECT_TRUE(f.accepts(fixtures::kLabIcmpEchoReply));
  EXPECT_FALSE(f.accepts(fixtures::kLabUdpProbe));
  EXPECT_FALSE(f.accepts(fixtures::kLabTcpRst));
  EXPECT_FALSE(f.accepts(fixtures::kLibtraceEchoReply));  // someone else's ping
}

TEST(CaptureFilter, UdpRunSeesProbesAndReplies) {
  Filter f(lab(Method::udp, 48463, 33434));
  ASSERT_TRUE(f.compiled()) << f.expr();
  EXPECT_TRUE(f.accepts(fixtures::kLabUdpProbe));
  EXPECT_TRUE(f.accepts(fixtures::kLabUdpTe));
  EXPECT_TRUE(f.accepts(fixtures::kLabUdpPortUnreach));
  EXPECT_FALSE(f.accepts(fixtures::kLabTcpProbe));
  Filter other_port(lab(Method::udp, 48464, 33434));  // another run's source port
  EXPECT_FALSE(other_port.accepts(fixtures::kLabUdpProbe));
}

TEST(CaptureFilter, TcpRunSeesProbesAndReplies) {
  Filter f(lab(Method::tcp, 59656, 80));
  ASSERT_TRUE(f.compiled()) << f.expr();
  EXPECT_TRUE(f.accepts(fixtures::kLabTcpProbe));
  EXPECT_TRUE(f.accepts(fixtures::kLabTcpTe));
  EXPECT_TRUE(f.accepts(fixtures::kLabTcpRst));
  EXPECT_FALSE(f.accepts(fixtures::kLabUdpProbe));
  Filter https(lab(Method::tcp, 59656, 443));
  EXPECT_FALSE(https.accepts(fixtures::kLabTcpRst));
}

// An IPv6 packet in an Ethernet frame (EtherType 0x86dd).
std::vector<std::uint8_t> ether6(const std::vector<std::uint8_t>& ip) {
  std::vector<std::uint8_t> f(14, 0);
  f[12] = 0x86;
  f[13] = 0xdd;
  f.insert(f.end(), ip.begin(), ip.end());
  return f;
}

// An ICMPv6 error of `type` from 2001:db8:5::1 to the probe's source, quoting it.
std::vector<std::uint8_t> icmp6_error(std::uint8_t type, const std::vector<std::uint8_t>& probe) {
  std::vector<std::uint8_t> ip(probe.begin(), probe.begin() + 40);
  std::copy(probe.begin() + 8, probe.begin() + 24, ip.begin() + 24);  // to the prober
  auto router = testing_packets::addr("2001:db8:5::1");
  std::copy(router.data(), router.data() + 16, ip.begin() + 8);
  ip[0] = 0x60;
  ip[1] = ip[2] = ip[3] = 0;
  ip[6] = 58;
  const std::size_t plen = 8 + probe.size();
  ip[4] = static_cast<std::uint8_t>(plen >> 8);
  ip[5] = static_cast<std::uint8_t>(plen);
  std::vector<std::uint8_t> icmp(8, 0);
  icmp[0] = type;
  ip.insert(ip.end(), icmp.begin(), icmp.end());
  ip.insert(ip.end(), probe.begin(), probe.end());
  return ether6(ip);
}

// IPv6 runs: ICMPv6 (which BPF's "icmp" does not match) and IPv6 UDP/TCP.
TEST(CaptureFilter, Ipv6RunsSeeProbesAndIcmp6Errors) {
  for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
    TraceConfig c = lab(m, 51000, m == Method::tcp ? 80 : 33434);
    c.src = testing_packets::addr("2001:db8:1::1");
    Filter f(c);
    ASSERT_TRUE(f.compiled()) << f.expr();
    probe::packet::ProbeSpec s;
    s.method = m;
    s.src = c.src;
    s.dst = testing_packets::addr("2001:db8:9::9");
    s.sport = 51000;
    s.dport = m == Method::icmp ? 0x1234 : c.dport;
    s.tcp_tag = 1;
    s.token = 7;
    auto probe = probe::packet::build_probe(s);
    EXPECT_TRUE(f.accepts(ether6(probe))) << f.expr();
    EXPECT_TRUE(f.accepts(icmp6_error(3, probe))) << f.expr();
    s.src = testing_packets::addr("2001:db8:1::2");  // another host's probe
    auto theirs = probe::packet::build_probe(s);
    EXPECT_FALSE(f.accepts(ether6(theirs))) << f.expr();
    EXPECT_FALSE(f.accepts(fixtures::kLabIcmpTe));  // IPv4 to another address
  }
}

// fl-dns to an IPv6 server: its queries, the answers and ICMPv6 errors
// quoting a query; not another host's queries.
TEST(CaptureFilter, Ipv6DnsRunSeesQueriesAnswersAndIcmp6Errors) {
  auto src = testing_packets::addr("2001:db8::1");
  auto server = testing_packets::addr("2001:db8:201::1");
  Filter f(probe::engine::dns_capture_filter(src, 53));
  ASSERT_TRUE(f.compiled()) << f.expr();
  const std::vector<std::uint8_t> msg(12, 0);
  auto query = probe::packet::build_udp_packet(src, server, 64, 45000, 53, 0, msg);
  EXPECT_TRUE(f.accepts(ether6(query))) << f.expr();
  EXPECT_TRUE(f.accepts(ether6(probe::packet::build_udp_packet(server, src, 64, 53, 45000, 0, msg))));
  EXPECT_TRUE(f.accepts(icmp6_error(1, query))) << f.expr();
  auto theirs = probe::packet::build_udp_packet(testing_packets::addr("2001:db8::7"), server, 64, 45000, 53, 0, msg);
  EXPECT_FALSE(f.accepts(ether6(theirs)));
}

}  // namespace
