// SPDX-License-Identifier: BSD-2-Clause
// Nothing but our own probes' replies is ever attributed to our probes: two
// campaigns run at once on the same host toward the same targets while a
// blind spoofer on the path floods the vantage with forged time-exceeded,
// unreachables, echo replies and TCP answers.

#include <gtest/gtest.h>

#include <thread>

#include "lab_test_util.h"

namespace probe::lab::test {
namespace {

#ifdef FL_SPOOF_BIN
// On the chain, TTL t can only be answered by these.
const std::map<int, std::string> kChain = {{1, "198.18.0.2"}, {2, "198.18.0.6"}, {3, "198.18.0.10"}};

void expect_clean(const TraceRun& run, const std::string& method) {
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  ASSERT_EQ(run.traces.size(), 16u) << run.result.out;
  for (const auto& t : run.traces) {
    EXPECT_EQ(t["method"], method);
    EXPECT_EQ(t["stop_reason"], "completed") << describe(t);
    for (const auto& h : t["hops"]) {
      int ttl = h["ttl"];
      for (const auto& p : h["probes"]) {
        if (!p.contains("addr")) continue;
        std::string want = ttl <= 3 ? kChain.at(ttl) : t["dst"].get<std::string>();
        EXPECT_EQ(p["addr"], want) << "forged or foreign reply taken at ttl " << ttl << ": " << describe(t);
      }
    }
  }
}

class Hostile : public ::testing::TestWithParam<std::string> {};

TEST_P(Hostile, ForgedRepliesAndAConcurrentRunAreNeverOurs) {
  FL_REQUIRE_LAB(true);
  const std::string method = GetParam();
  Lab lab = make_lab("chain-unlimited");
  // The spoofer sits on r1 and aims at vp while both campaigns run.
  ExecResult spoofed;
  std::thread spoofer([&] { spoofed = lab.exec("r1", {FL_SPOOF_BIN, "198.18.0.1", "198.18.200", "4", "3000"}); });
  std::vector<std::string> args = {"-P", method, "--attempts", "2", "-W", "1", "--pps", "200", "-o", "json", "198.18.200.0/28"};
  TraceRun second;
  std::thread other([&] { second = run_fl_trace(lab, args); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  TempDir dir;
  auto with_capture = args;
  // --capture-all: what reached the vantage, not only what the run kept.
  with_capture.insert(with_capture.end() - 1, {"-w", dir.file("first.pcap"), "--capture-all"});
  TraceRun first = run_fl_trace(lab, with_capture);
  other.join();
  spoofer.join();
  ASSERT_EQ(spoofed.exit_code, 0) << spoofed.err;
  expect_clean(first, method);
  expect_clean(second, method);
  // The attack did reach the parser: forged errors from 198.18.66.x are in
  // the capture of the first run, and the other run's probes too.
  auto dump = run_command({"tcpdump", "-nr", dir.file("first.pcap")}, std::chrono::seconds(20));
  EXPECT_NE(dump.out.find("198.18.66."), std::string::npos) << "no forged error reached the capture";
}

INSTANTIATE_TEST_SUITE_P(Methods, Hostile, ::testing::Values("icmp", "udp", "tcp"));
#endif

}  // namespace
}  // namespace probe::lab::test
