// SPDX-License-Identifier: BSD-2-Clause
// Tests of the lab itself: the description parser, teardown (also after a
// crash), the exec time bound, and each scenario checked with the system
// traceroute so that a lab fault is never blamed on fl-trace.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include "lab_test_util.h"
#include "scenarios.h"

namespace probe::lab::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> namespaces_with(const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& n : list_netns())
    if (n.rfind(prefix, 0) == 0) out.push_back(n);
  return out;
}

// Rejected before any namespace exists: these run without root.
TEST(LabDescription, RejectsAddressesOutsideTheLab) {
  try {
    Lab lab("route vp default 10.1.2.3\n");
    FAIL() << "accepted a non-lab address";
  } catch (const LabError& e) {
    EXPECT_NE(std::string(e.what()).find("outside"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Lab("nft r1 fwd ip daddr 8.8.8.0/24 drop\n"), LabError);
}

TEST(LabDescription, RejectsIpv6OutsideDocumentationAndBenchmarkSpace) {
  try {
    Lab lab("route vp 2001:4860::/32 r1\n");
    FAIL() << "accepted a non-lab IPv6 prefix";
  } catch (const LabError& e) {
    EXPECT_NE(std::string(e.what()).find("outside"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Lab("nft r1 fwd ip6 daddr 2001:db9::/32 drop\n"), LabError);
  EXPECT_THROW(Lab("block dst 2001:2:1::/48\n"), LabError);  // 2001:2::/48 only
}

TEST(LabDescription, RejectsUnknownStatementsAndEmptyLabs) {
  EXPECT_THROW(Lab("frobnicate r1\n"), LabError);
  EXPECT_THROW(Lab("# only a comment\n"), LabError);
}

TEST(LabScenarios, AllNamedAndDescribed) {
  const auto names = scenario_names();
  for (const char* want : {"chain", "drop-hop2", "reject-hop2", "prohibit-hop2", "unreach-route-hop2",
                           "no-te-hop2", "filter-icmp-udp", "loop", "ecmp", "chain-unlimited", "uplink-down", "chain6",
                           "chain6-unreach-route-hop2"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
    EXPECT_TRUE(scenario(want).has_value());
    EXPECT_FALSE(scenario_summary(want).empty());
  }
  EXPECT_FALSE(scenario("no-such").has_value());
}

TEST(LabLifecycle, BuildsAddressesAndTearsDown) {
  FL_REQUIRE_LAB(false);
  std::string prefix;
  {
    Lab lab = make_lab("chain");
    prefix = lab.prefix();
    EXPECT_EQ(namespaces_with(prefix).size(), 5u);
    EXPECT_EQ(lab.addr("vp", "r1"), "198.18.0.1");
    EXPECT_EQ(lab.addr("r1", "vp"), "198.18.0.2");
    EXPECT_EQ(lab.addr("r2", "r1"), "198.18.0.6");
    EXPECT_EQ(lab.addr("r3", "r2"), "198.18.0.10");
    const ExecResult reach = lab.exec("vp", {"traceroute", "-I", "-n", "-q1", "-w1", "-m", "6", kTarget}, 30s);
    EXPECT_NE(reach.out.find(std::string(" ") + kTarget + " "), std::string::npos) << reach.out << reach.err;
    // Nothing is reachable outside the lab: routers have no route for it.
    const ExecResult out = lab.exec("r1", {"ip", "route", "get", "192.0.2.1"}, 10s);
    EXPECT_NE(out.exit_code, 0) << out.out;
  }
  EXPECT_TRUE(namespaces_with(prefix).empty());
}

// A tool that looks names up in the lab asks the lab, never the host's
// resolver: every node's resolv.conf names loopback unless `resolver` names
// a lab server (an address the description may use), and goes with the lab.
TEST(LabLifecycle, EveryNodeHasItsOwnResolvConf) {
  FL_REQUIRE_LAB(false);
  std::string prefix;
  {
    Lab lab("node a\nnode b\nresolver b 198.18.200.53\n");
    prefix = lab.prefix();
    const ExecResult a = lab.exec("a", {"cat", "/etc/resolv.conf"}, 10s);
    EXPECT_NE(a.out.find("nameserver 127.0.0.1\n"), std::string::npos) << a.out;
    EXPECT_EQ(a.out.find("10.255.255.53"), std::string::npos) << a.out;
    const ExecResult b = lab.exec("b", {"cat", "/etc/resolv.conf"}, 10s);
    EXPECT_NE(b.out.find("nameserver 198.18.200.53\n"), std::string::npos) << b.out;
  }
  EXPECT_NE(access(("/etc/netns/" + prefix + "a").c_str(), F_OK), 0);
  EXPECT_THROW(Lab("node a\nresolver a 10.255.255.53\n"), LabError);  // outside the lab's address space
}

TEST(LabLifecycle, FailedBuildLeavesNothing) {
  FL_REQUIRE_LAB(false);
  LabOptions options;
  options.prefix = unique_prefix();
  EXPECT_THROW(Lab("node a\nnode b\nlink a b\nroute a 198.18.9.0/24 nosuchnode\n", options), LabError);
  EXPECT_TRUE(namespaces_with(options.prefix).empty());
}

TEST(LabLifecycle, ExecIsTimeBounded) {
  FL_REQUIRE_LAB(false);
  Lab lab = make_lab("chain");
  const auto start = std::chrono::steady_clock::now();
  const ExecResult r = lab.exec("vp", {"sleep", "30"}, 300ms);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

// A test process that dies without running destructors leaves namespaces
// behind; the ctest cleanup fixture (fl-lab reap) removes exactly those.
TEST(LabLifecycle, ReapRemovesLabsOfDeadProcesses) {
  FL_REQUIRE_LAB(false);
  TempDir tmp;
  const std::string state = tmp.file("state");
  int pipefd[2];
  // A child builds a lab and dies (_exit) with the Lab still alive: no
  // destructor runs, exactly like a crash or a ctest timeout kill.
  ASSERT_EQ(pipe(pipefd), 0);
  const pid_t crasher = fork();
  if (crasher == 0) {
    close(pipefd[0]);
    LabOptions options;
    options.state_dir = state;
    try {
      auto* lab = new Lab(*scenario("chain"), options);  // never deleted, on purpose
      const std::string p = lab->prefix();
      (void)!write(pipefd[1], p.data(), p.size());
    } catch (...) {
    }
    _exit(1);
  }
  close(pipefd[1]);
  char pbuf[64] = {};
  (void)!read(pipefd[0], pbuf, sizeof pbuf - 1);
  close(pipefd[0]);
  waitpid(crasher, nullptr, 0);
  const std::string prefix = pbuf;
  ASSERT_FALSE(prefix.empty());
  EXPECT_EQ(namespaces_with(prefix).size(), 5u);
  // A live lab of this process in the same state dir must survive the reap.
  LabOptions mine;
  mine.state_dir = state;
  Lab alive(*scenario("chain"), mine);
  EXPECT_EQ(reap_stale(state), 5);
  EXPECT_TRUE(namespaces_with(prefix).empty());
  EXPECT_EQ(namespaces_with(alive.prefix()).size(), 5u);
}

// chain6: IPv6 in its namespaces only, static (no RA, autoconf, DAD),
// forwarding on routers, the default ICMPv6 rate limit; chain keeps IPv6 off.
TEST(LabLifecycle, DualStackOnlyWhereTheScenarioSaysIpv6) {
  FL_REQUIRE_LAB(false);
  auto sysctl = [](const Lab& lab, const std::string& node, const std::string& key) {
    const ExecResult r = lab.exec(node, {"cat", "/proc/sys/net/" + key}, 10s);
    return split_words(r.out).empty() ? std::string("?") : split_words(r.out)[0];
  };
  std::string kernel_ratelimit;  // a fresh namespace's: the kernel's default
  {
    Lab v4 = make_lab("chain");
    EXPECT_EQ(sysctl(v4, "r1", "ipv6/conf/all/disable_ipv6"), "1");
    EXPECT_THROW(v4.addr6("r1", "vp"), LabError);
    kernel_ratelimit = sysctl(v4, "r1", "ipv6/icmp/ratelimit");
  }
  Lab lab = make_lab("chain6");
  EXPECT_EQ(lab.addr("r1", "vp"), "198.18.0.2");
  EXPECT_EQ(lab.addr6("vp", "r1"), "2001:db8::1");
  EXPECT_EQ(lab.addr6("r1", "vp"), "2001:db8::2");
  EXPECT_EQ(lab.addr6("r2", "r1"), "2001:db8:0:1::2");
  EXPECT_EQ(lab.addr6("r3", "r2"), "2001:db8:0:2::2");
  for (const std::string node : {"vp", "r2", "dst"}) {
    EXPECT_EQ(sysctl(lab, node, "ipv6/conf/all/disable_ipv6"), "0") << node;
    EXPECT_EQ(sysctl(lab, node, "ipv6/conf/all/accept_ra"), "0") << node;
    EXPECT_EQ(sysctl(lab, node, "ipv6/conf/all/autoconf"), "0") << node;
    EXPECT_EQ(sysctl(lab, node, "ipv6/icmp/ratelimit"), kernel_ratelimit) << node;
    EXPECT_NE(kernel_ratelimit, "0");
  }
  EXPECT_EQ(sysctl(lab, "r2", "ipv6/conf/all/forwarding"), "1");
  EXPECT_EQ(sysctl(lab, "vp", "ipv6/conf/all/forwarding"), "0");
  // Addresses are usable at once (nodad): none is tentative.
  const ExecResult tentative = lab.exec("r2", {"ip", "-6", "addr", "show", "tentative"}, 10s);
  EXPECT_EQ(tentative.out, "") << tentative.out;
  const ExecResult reach =
      lab.exec("vp", {"traceroute", "-6", "-I", "-n", "-q1", "-w1", "-m", "6", "2001:db8:200::7"}, 30s);
  EXPECT_NE(reach.out.find(" 2001:db8:200::7 "), std::string::npos) << reach.out << reach.err;
  // Nothing is reachable outside the lab over IPv6 either.
  const ExecResult out = lab.exec("r1", {"ip", "-6", "route", "get", "2001:db8:ffff::1"}, 10s);
  EXPECT_NE(out.exit_code, 0) << out.out;
}

TEST(LabLifecycle, Ipv6MustPrecedeTheNodes) {
  FL_REQUIRE_LAB(false);
  EXPECT_THROW(Lab("node a\nipv6\n"), LabError);
  EXPECT_THROW(Lab("node a\nnode b\nlink a b\nroute a 2001:db8:5::/48 b\n"), LabError);  // IPv6 without `ipv6`
}

// ---- scenarios checked with the system traceroute --------------------------

struct PeerCase {
  std::string scenario;
  std::string flag;                   ///< "" (UDP), "-I" or "-T"
  std::vector<std::string> hops;      ///< "*" = silent; a trailing "!H"/"!X" annotation is checked too
};

std::ostream& operator<<(std::ostream& os, const PeerCase& c) { return os << c.scenario << " " << c.flag; }

class PeerTracerouteTest : public ::testing::TestWithParam<PeerCase> {};

TEST_P(PeerTracerouteTest, HopsAsDesigned) {
  FL_REQUIRE_LAB(false);
  const PeerCase& c = GetParam();
  if (run_command({"sh", "-c", "command -v traceroute"}, 5s).exit_code != 0) GTEST_SKIP() << "no traceroute";
  Lab lab = make_lab(c.scenario);
  std::vector<std::string> argv = {"traceroute", "-N1", "-n", "-q1", "-w1", "-m", std::to_string(c.hops.size())};
  if (!c.flag.empty()) argv.push_back(c.flag);
  argv.push_back(kTarget);
  const ExecResult r = lab.exec("vp", argv, 60s);
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(traceroute_hops(r.out), c.hops) << r.out << r.err;
}

std::vector<PeerCase> peer_cases() {
  std::vector<PeerCase> out;
  for (const std::string f : {"", "-I", "-T"}) {
    out.push_back({"chain", f, {"198.18.0.2", "198.18.0.6", "198.18.0.10", "198.18.200.1"}});
    out.push_back({"drop-hop2", f, {"198.18.0.2", "198.18.0.6", "*", "*"}});
    out.push_back({"reject-hop2", f, {"198.18.0.2", "198.18.0.6", "198.18.0.6 !H"}});
    out.push_back({"prohibit-hop2", f, {"198.18.0.2", "198.18.0.6", "198.18.0.6 !X"}});
    out.push_back({"unreach-route-hop2", f, {"198.18.0.2", "198.18.0.6 !H"}});
    out.push_back({"no-te-hop2", f, {"198.18.0.2", "*", "198.18.0.10", "198.18.200.1"}});
    if (f == "-T")
      out.push_back({"filter-icmp-udp", f, {"198.18.0.2", "198.18.0.6", "198.18.0.10", "198.18.200.1"}});
    else
      out.push_back({"filter-icmp-udp", f, {"198.18.0.2", "198.18.0.6", "198.18.0.10", "*"}});
    out.push_back({"loop", f, {"198.18.0.2", "198.18.0.6", "198.18.0.10", "198.18.0.6", "198.18.0.10"}});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, PeerTracerouteTest, ::testing::ValuesIn(peer_cases()),
                         [](const ::testing::TestParamInfo<PeerCase>& pi) {
                           std::string n = pi.param.scenario + "_" +
                                           (pi.param.flag.empty() ? "udp" : pi.param.flag == "-I" ? "icmp" : "tcp");
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

// ECMP seen by peers: classic traceroute (new ports per probe) mixes the
// branches for some flow; scamper's udp-paris keeps each flow on one branch
// and different flows use both.
TEST(PeerEcmp, ClassicMixesParisKeeps) {
  FL_REQUIRE_LAB(false);
  const std::map<std::string, char> branch = {
      {"198.18.0.6", 'a'}, {"198.18.0.14", 'a'}, {"198.18.0.10", 'b'}, {"198.18.0.18", 'b'}};
  int mixed = 0;
  {
    Lab lab = make_lab("ecmp");
    for (int i = 1; i <= 8 && mixed == 0; ++i) {
      // Three probes per hop, one at a time: each has its own source port.
      const ExecResult r = lab.exec("vp", {"traceroute", "-N1", "-n", "-q3", "-w1", "-m", "3",
                                           "198.18.200." + std::to_string(i)}, 30s);
      std::set<char> seen;
      for (const auto& w : split_words(r.out))
        if (branch.count(w)) seen.insert(branch.at(w));
      if (seen.size() == 2) ++mixed;
    }
  }
  EXPECT_GE(mixed, 1) << "classic traceroute never crossed branches";
  std::set<char> flows;
  Lab lab = make_lab("ecmp");
  // scamper picks its flows at random: 8 of them all on one branch happens
  // once in 128 runs, so go on (up to 24) until both branches were used.
  for (int i = 1; i <= 24 && (i <= 4 || flows.size() < 2); ++i) {
    const ExecResult r = lab.exec("vp", {"scamper", "-O", "json", "-c", "trace -P udp-paris -q 1 -w 1 -m 5", "-i",
                                         "198.18.200." + std::to_string(i)}, 30s);
    const TraceRun t = parse_lines(r);
    std::set<char> seen;
    for (const auto& o : t.traces)
      for (const auto& h : o.value("hops", nlohmann::json::array()))
        if (branch.count(h.value("addr", ""))) seen.insert(branch.at(h.value("addr", "")));
    EXPECT_EQ(seen.size(), 1u) << r.out;
    flows.insert(seen.begin(), seen.end());
  }
  EXPECT_EQ(flows.size(), 2u);
}

}  // namespace
}  // namespace probe::lab::test
