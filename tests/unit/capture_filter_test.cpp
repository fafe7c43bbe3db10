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
  explicit Filter(const TraceConfig& config) : pcap_(pcap_open_dead(DLT_EN10MB, 65535)) {
    expr_ = capture_filter(config);
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

}  // namespace
