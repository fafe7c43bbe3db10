// SPDX-License-Identifier: BSD-2-Clause
// Replay of other tools' captures: each peer (Linux traceroute in its three
// modes, tcptraceroute, mtr, scamper, Dublin Traceroute) runs in the lab under
// tcpdump, and `fl-trace -r` of that capture must find the hops the peer
// itself printed, and say what scheme the probes used.

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include "lab_test_util.h"

namespace probe::lab::test {
namespace {

constexpr const char* kTarget = "198.18.200.1";

struct Peer {
  std::string name;
  std::string command;  // run with sh -c inside vp
  std::string linktype; // tcpdump -y value ("" = default for -i any: LINUX_SLL)
  std::string scheme;   // expected inferred scheme
  std::string tool;     // expected substring of the tool guess
};

// flow label ("" for single-flow tools) -> ttl -> address the peer printed
using PeerHops = std::map<std::string, std::map<int, std::string>>;

PeerHops parse_peer(const std::string& out) {
  static const std::regex hop(R"(^\s*(\d+)\.?\|?-*\s+(\d+\.\d+\.\d+\.\d+|\*))");
  static const std::regex flow(R"(^== Flow ID (\d+) ==)");
  PeerHops hops;
  std::string current;
  std::istringstream lines(out);
  std::string line;
  std::smatch m;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, m, flow)) current = m[1];
    else if (std::regex_search(line, m, hop)) hops[current].emplace(std::stoi(m[1]), m[2]);
  }
  return hops;
}

// ttl -> the first address that answered at that TTL in a replayed trace.
std::map<int, std::string> replay_hops(const nlohmann::json& trace) {
  std::map<int, std::string> out;
  for (const auto& h : trace["hops"])
    for (const auto& p : h["probes"])
      if (p.contains("addr")) {
        out.emplace(h["ttl"].get<int>(), p["addr"].get<std::string>());
        break;
      }
  return out;
}

class PeerReplay : public ::testing::TestWithParam<Peer> {};

TEST_P(PeerReplay, ReplayFindsTheHopsThePeerPrinted) {
  FL_REQUIRE_LAB(true);
  const Peer& peer = GetParam();
  Lab lab = make_lab("chain-unlimited");
  TempDir dir;
  std::string pcap = dir.file("peer.pcap");
  // Ethernet framing comes from vp's own interface; "any" gives Linux cooked
  // headers, SLL by default or SLL2 on request.
  std::string device = "any";
  for (const auto& i : lab.interfaces())
    if (i.node == "vp") device = i.name;
  std::string ylink = peer.linktype == "EN10MB" ? "" : peer.linktype.empty() ? "" : "-y " + peer.linktype;
  if (peer.linktype != "EN10MB") device = "any";
  // tcpdump in immediate mode (else packets still in the ring are lost on
  // SIGINT), started before the peer: wait until it says it is listening.
  std::string script = "tcpdump -i " + device + " " + ylink + " --immediate-mode -U -s 2048 -w " + pcap + " 2>" +
                       dir.file("tcpdump.err") + " & p=$!; i=0; until grep -q listening " + dir.file("tcpdump.err") +
                       " || [ $i -gt 100 ]; do sleep 0.05; i=$((i+1)); done; " + peer.command + "; s=$?; sleep 0.3; " +
                       "kill -INT $p; wait $p; exit $s";
  auto ran = lab.exec("vp", {"sh", "-c", script}, std::chrono::seconds(60));
  ASSERT_EQ(ran.exit_code, 0) << peer.command << "\n" << ran.out << ran.err;
  PeerHops printed = parse_peer(ran.out);
  ASSERT_FALSE(printed.empty()) << "no hops in the peer's output:\n" << ran.out;

  auto replay = parse_lines(lab.exec("vp", {fl_trace_path(), "-r", pcap, "-o", "json"}));
  ASSERT_EQ(replay.result.exit_code, 0) << replay.result.err;
  std::vector<nlohmann::json> traces;
  for (const auto& t : replay.traces)
    if (t["dst"] == kTarget) traces.push_back(t);
  ASSERT_EQ(traces.size(), printed.size()) << "one replayed trace per flow the peer printed\n" << replay.result.out;

  for (const auto& t : traces) {
    // Single-flow tools print no flow label; Dublin names each flow by its dport.
    std::string label = printed.count("") ? "" : std::to_string(t["dport"].get<int>());
    ASSERT_TRUE(printed.count(label)) << "no printed flow " << label << " for " << describe(t);
    // Every hop the peer printed is found at its TTL. Where the peer printed
    // "*" the reply may still be in the capture (Dublin Traceroute misses the
    // first reply of a flow now and then): the replay may show it.
    auto found = replay_hops(t);
    for (const auto& [ttl, addr] : printed.at(label)) {
      if (addr == "*") continue;
      EXPECT_EQ(found[ttl], addr) << peer.name << " flow " << label << " ttl " << ttl << ": " << describe(t);
    }
    EXPECT_EQ(found.rbegin()->first, printed.at(label).rbegin()->first) << "trace ends where the peer's did";
    EXPECT_EQ(t["stop_reason"], "completed") << describe(t);
    EXPECT_EQ(t["inferred"]["scheme"], peer.scheme);
    EXPECT_EQ(t["inferred"]["paris"], peer.scheme != "classic");
    EXPECT_NE(t["inferred"]["tool"].get<std::string>().find(peer.tool), std::string::npos) << t["inferred"];
  }
}

const std::string kT = kTarget;
INSTANTIATE_TEST_SUITE_P(
    Peers, PeerReplay,
    ::testing::Values(
        Peer{"traceroute_udp", "traceroute -n -q 1 -w 1 -m 8 " + kT, "", "classic", "traceroute"},
        Peer{"traceroute_icmp", "traceroute -n -I -q 1 -w 1 -m 8 " + kT, "LINUX_SLL2", "classic", "traceroute -I"},
        Peer{"traceroute_tcp", "traceroute -n -T -q 1 -w 1 -m 8 " + kT, "EN10MB", "classic", "traceroute -T"},
        Peer{"tcptraceroute", "tcptraceroute -n -q 1 -w 1 -m 8 " + kT + " 80", "LINUX_SLL2", "paris", "tcptraceroute"},
        Peer{"mtr_icmp", "mtr -n -r -c 2 " + kT, "", "classic", "mtr"},
        Peer{"mtr_udp", "mtr -n -r -c 2 -u " + kT, "LINUX_SLL2", "classic", "mtr"},
        Peer{"mtr_tcp", "mtr -n -r -c 2 -T " + kT, "", "classic", "mtr"},
        Peer{"scamper_icmp_paris", "scamper -O text -c 'trace -P icmp-paris -q 1' -i " + kT, "", "paris", "scamper"},
        Peer{"scamper_udp_paris", "scamper -O text -c 'trace -P udp-paris -q 1' -i " + kT, "LINUX_SLL2", "paris", "scamper"},
        Peer{"scamper_tcp", "scamper -O text -c 'trace -P tcp -q 1' -i " + kT, "EN10MB", "paris", "scamper"},
        Peer{"dublin_traceroute", "cd /tmp && dublin-traceroute " + kT + " -n 2 -T 6", "", "multipath-paris",
             "dublin-traceroute"}),
    [](const ::testing::TestParamInfo<Peer>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace probe::lab::test
