// SPDX-License-Identifier: BSD-2-Clause
// Every real capture in ../shared/captures-public: fl-trace -r never crashes
// on it, and our parser counts the same ICMP errors as tshark did (the counts
// are in that folder's SOURCES.tsv).

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "probe/io/packet_source.h"
#include "probe/packet/datagram.h"
#include "process.h"

namespace {

struct Source {
  std::string file;
  std::string linktype;
  int te4 = 0, unreach4 = 0, te6 = 0, unreach6 = 0;
};

std::vector<Source> sources() {
  std::ifstream in(std::string(FL_SHARED_DIR) + "/captures-public/SOURCES.tsv");
  std::vector<Source> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream cols(line);
    std::string c;
    while (std::getline(cols, c, '\t')) f.push_back(c);
    if (f.size() < 13) continue;
    out.push_back(Source{f[0], f[7], std::stoi(f[9]), std::stoi(f[10]), std::stoi(f[11]), std::stoi(f[12])});
  }
  return out;
}

std::string path_of(const Source& s) { return std::string(FL_SHARED_DIR) + "/captures-public/" + s.file; }

class PublicCapture : public ::testing::TestWithParam<Source> {};

TEST_P(PublicCapture, ReplayEndsCleanly) {
  auto o = testsupport::run({FL_TRACE_BIN, "-r", path_of(GetParam()), "-o", "json"}, 30);
  // 0: read (traces or a "no traceroute found" line); 4: a link type we name.
  EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 4) << "exit " << o.exit_code << ": " << o.err;
  if (o.exit_code == 4) {
    EXPECT_NE(o.err.find("is not supported"), std::string::npos) << o.err;
  }
  if (o.out.empty() && o.exit_code == 0) {
    EXPECT_NE(o.err.find("no traceroute found"), std::string::npos) << o.err;
  }
}

TEST_P(PublicCapture, IcmpErrorCountsMatchTshark) {
  const Source& s = GetParam();
  auto src = probe::io::open_file(path_of(s));
  ASSERT_TRUE(src) << src.error().message;
  if (!probe::packet::linktype_supported((*src)->linktype())) GTEST_SKIP() << "link type " << s.linktype;
  int te4 = 0, unreach4 = 0, te6 = 0, unreach6 = 0;
  while (auto p = (*src)->next(INT64_MAX)) {
    auto off = probe::packet::ip_offset(p->linktype, p->data, p->caplen);
    if (!off) continue;
    auto d = probe::packet::parse_ip(p->data + *off, p->caplen - *off);
    if (!d || d->ip.transport.length < 1) continue;
    auto type = d->ip.transport.icmp_type;
    if (d->ip.proto == probe::packet::kProtoIcmp) {
      te4 += type == 11;
      unreach4 += type == 3;
    } else if (d->ip.proto == probe::packet::kProtoIcmp6) {
      te6 += type == 3;
      unreach6 += type == 1;
    }
  }
  EXPECT_EQ(te4, s.te4);
  EXPECT_EQ(unreach4, s.unreach4);
  EXPECT_EQ(te6, s.te6);
  EXPECT_EQ(unreach6, s.unreach6);
}

INSTANTIATE_TEST_SUITE_P(Files, PublicCapture, ::testing::ValuesIn(sources()),
                         [](const ::testing::TestParamInfo<Source>& param_info) {
                           std::string n = param_info.param.file;
                           for (auto& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// A real classic UDP traceroute (probes inside MPLS on a PPP link) rebuilt
// with the hops, MPLS labels and port unreachable tcpdump decodes.
TEST(PublicCapture, MplsTracerouteIsRebuilt) {
  auto o = testsupport::run(
      {FL_TRACE_BIN, "-r", std::string(FL_SHARED_DIR) + "/captures-public/tcpdump__mpls-traceroute.pcap"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out,
            "traceroute to 12.1.1.1 (udp classic, looks like traceroute) from 12.4.4.4\n"
            " 1  10.5.0.1  0.815 ms [MPLS: Lbl 100704 Exp 0 S 1 TTL 1]  7.148 ms [MPLS: Lbl 100704 Exp 0 S 1 TTL 1]"
            "  0.631 ms [MPLS: Lbl 100704 Exp 0 S 1 TTL 1]\n"
            " 2  10.4.0.2  0.741 ms [MPLS: Lbl 102672 Exp 0 S 1 TTL 1]  0.625 ms [MPLS: Lbl 102672 Exp 0 S 1 TTL 1]"
            "  0.615 ms [MPLS: Lbl 102672 Exp 0 S 1 TTL 1]\n"
            " 3  12.1.1.1  0.657 ms  0.632 ms  0.597 ms\n"
            "stop: completed\n");
}

}  // namespace
