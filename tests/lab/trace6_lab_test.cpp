// SPDX-License-Identifier: BSD-2-Clause
// fl-trace -6 against the dual-stacked chain (scenario chain6): ICMPv6, UDP
// and TCP-SYN reach the target at hop 4 through the routers' link
// addresses, and Debian's traceroute -6 finds the same hops in the same lab.
// One fresh lab per tool run: the routers keep Linux's default ICMPv6 rate
// limit (a burst of 6 per destination), which a single trace at -q 1 or two
// attempts per hop stays well inside.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lab_test_util.h"
#include "scenarios.h"

namespace probe::lab::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// chain6's IPv6 addressing (scenarios.cpp): link i is 2001:db8:0:i::/64.
constexpr const char* VP6 = "2001:db8::1";
constexpr const char* R1_6 = "2001:db8::2";
constexpr const char* R2_6 = "2001:db8:0:1::2";
constexpr const char* R3_6 = "2001:db8:0:2::2";
constexpr const char* DST6 = "2001:db8:200::1";

struct Method6 {
  std::string method;      ///< fl-trace -P
  std::string peer_flag;   ///< traceroute -6: "" (UDP), "-I" or "-T"
  int done_type;           ///< ICMPv6 type of the target's answer; -1 = a TCP reply
  int done_code;
};

std::ostream& operator<<(std::ostream& os, const Method6& m) { return os << m.method; }

const std::vector<Method6> kMethods = {
    {"icmp", "-I", 129, 0},  // echo reply
    {"udp", "", 1, 4},       // port unreachable
    {"tcp", "-T", -1, 0},    // RST (nothing listens on 443)
};

// traceroute -6 with one probe per hop in a fresh lab; TCP to port 443 as fl-trace's.
std::vector<std::string> peer_hops(const std::string& scenario, const Method6& m, int max_ttl, std::string* raw) {
  Lab lab = make_lab(scenario);
  std::vector<std::string> argv = {"traceroute", "-6", "-N1", "-n", "-q1", "-w1", "-m", std::to_string(max_ttl)};
  if (!m.peer_flag.empty()) argv.push_back(m.peer_flag);
  if (m.method == "tcp") argv.insert(argv.end(), {"-p", "443"});
  argv.push_back(DST6);
  const ExecResult r = lab.exec(kVantage, argv, 60s);
  *raw = r.out + r.err;
  return traceroute_hops(r.out);
}

TraceRun trace6(const std::string& scenario, const Method6& m, std::vector<std::string> extra = {}) {
  Lab lab = make_lab(scenario);
  std::vector<std::string> args = {"-6", "-P", m.method, "--attempts", "2", "-W", "0.5", "-g", "3", "-m", "10"};
  if (m.method == "tcp") args.insert(args.end(), {"-p", "443"});
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(DST6);
  return run_fl_trace(lab, args);
}

bool have_traceroute() {
  return run_command({"sh", "-c", "command -v traceroute"}, 5s).exit_code == 0;
}

class Chain6Test : public ::testing::TestWithParam<Method6> {};

TEST_P(Chain6Test, ReachesTargetAtHop4LikeTraceroute6) {
  FL_REQUIRE_LAB(true);
  if (!have_traceroute()) {
    if (in_ci()) FAIL() << "traceroute not installed";
    GTEST_SKIP() << "traceroute not installed";
  }
  const Method6& m = GetParam();
  std::string raw;
  const std::vector<std::string> theirs = peer_hops("chain6", m, 4, &raw);
  const std::vector<std::string> designed = {R1_6, R2_6, R3_6, DST6};
  EXPECT_EQ(theirs, designed) << "traceroute -6 " << m.peer_flag << ":\n" << raw;

  const TraceRun run = trace6("chain6", m, {"-o", "json"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  ASSERT_TRUE(run.parse_error.empty()) << "not JSON: " << run.parse_error;
  ASSERT_EQ(run.traces.size(), 1u) << run.result.out;
  const json& t = run.traces[0];
  const std::string pic = describe(t);
  EXPECT_EQ(t.value("method", ""), m.method);
  EXPECT_EQ(t.value("src", ""), VP6);
  EXPECT_EQ(t.value("dst", ""), DST6);
  EXPECT_EQ(t.value("stop_reason", ""), "completed") << pic;
  std::vector<std::string> ours;
  for (int ttl = 1; ttl <= last_answered_ttl(t); ++ttl) {
    const auto a = addrs_at(t, ttl);
    ours.push_back(a.size() == 1 ? *a.begin() : a.empty() ? "*" : "several");
  }
  EXPECT_EQ(ours, designed) << pic;
  EXPECT_EQ(ours, theirs) << "fl-trace: " << pic << "\ntraceroute -6:\n" << raw;
  for (int ttl = 1; ttl <= 3; ++ttl) {
    const json te = first_reply(t, ttl);
    ASSERT_FALSE(te.is_null()) << pic;
    EXPECT_EQ(te.value("icmp_type", -1), 3) << "ICMPv6 time exceeded: " << te.dump();
    EXPECT_EQ(te.value("icmp_code", -1), 0) << te.dump();
  }
  const json last = first_reply(t, 4);
  ASSERT_FALSE(last.is_null()) << pic;
  if (m.done_type < 0) {
    ASSERT_TRUE(last.contains("tcp_flags")) << last.dump();
    EXPECT_NE(last["tcp_flags"].get<int>() & 0x14, 0) << "want RST or SYN+ACK: " << last.dump();
  } else {
    EXPECT_EQ(last.value("icmp_type", -1), m.done_type) << last.dump();
    EXPECT_EQ(last.value("icmp_code", -1), m.done_code) << last.dump();
  }
}

// r2 holds an `unreachable` IPv6 route for the block: its kernel answers
// ICMPv6 destination unreachable code 0 (no route) at hop 2, which
// traceroute -6 and fl-trace's text both mark !N.
TEST_P(Chain6Test, NoRouteAtR2IsMarkedN) {
  FL_REQUIRE_LAB(true);
  const Method6& m = GetParam();
  const TraceRun run = trace6("chain6-unreach-route-hop2", m, {"-o", "json"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  ASSERT_EQ(run.traces.size(), 1u) << run.result.out;
  const json& t = run.traces[0];
  const std::string pic = describe(t);
  EXPECT_EQ(t.value("stop_reason", ""), "unreachable") << pic;
  EXPECT_EQ(addrs_at(t, 1), std::set<std::string>{R1_6}) << pic;
  EXPECT_EQ(addrs_at(t, 2), std::set<std::string>{R2_6}) << pic;
  EXPECT_EQ(last_answered_ttl(t), 2) << pic;
  const json last = first_reply(t, 2);
  ASSERT_FALSE(last.is_null()) << pic;
  EXPECT_EQ(last.value("icmp_type", -1), 1) << last.dump();
  EXPECT_EQ(last.value("icmp_code", -1), 0) << last.dump();

  const TraceRun text = trace6("chain6-unreach-route-hop2", m, {"-n"});
  ASSERT_EQ(text.result.exit_code, 0) << text.result.err;
  const std::vector<std::string> ours = traceroute_hops(text.result.out);
  const std::vector<std::string> designed = {R1_6, std::string(R2_6) + " !N"};
  EXPECT_EQ(ours, designed) << text.result.out;
  if (!have_traceroute()) return;
  std::string raw;
  EXPECT_EQ(peer_hops("chain6-unreach-route-hop2", m, 2, &raw), designed) << raw;
}

INSTANTIATE_TEST_SUITE_P(Trace6, Chain6Test, ::testing::ValuesIn(kMethods),
                         [](const ::testing::TestParamInfo<Method6>& pi) { return pi.param.method; });

}  // namespace
}  // namespace probe::lab::test
