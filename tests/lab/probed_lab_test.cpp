// SPDX-License-Identifier: BSD-2-Clause
// fl-probed in the lab: one daemon in the vantage namespace of one chain
// lab for every case (the lab and the daemon start once, so the cases cost
// seconds), fl-trace --via as its client, and the test's own connections to
// the control socket for what fl-trace would never send. The socket is a
// file (no network involved), so the test talks to it from where it runs.
//
// chain-unlimited: the cases trace the same routers back to back and from
// many clients at once; Linux's default ICMP rate limits would silence hops
// in the second run that the first run had answered, and the comparison of
// hops would then measure the limiter, not the daemon.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <thread>

#include "lab_test_util.h"
#include "probed_lab_util.h"

namespace probe::lab::test {
namespace {

const std::vector<std::string> kFast = {"--attempts", "2", "-W", "0.5", "-g", "3", "-m", "8"};

std::string request(const json& id, const std::vector<std::string>& targets, json extra = json::object()) {
  json j = {{"id", id}, {"verb", "trace"}, {"targets", targets}, {"wait_us", 500000}, {"max_ttl", 8}, {"gaplimit", 3}};
  j.update(extra);
  return j.dump() + "\n";
}

class ProbedLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    if (!lab_available(&why) || fl_probed_path().empty() || fl_trace_path().empty()) return;
    dir_ = new TempDir();
    lab_ = new Lab(make_lab("chain-unlimited"));
    // The unprivileged daemon and client reach the socket through the directory.
    chmod(dir_->path().c_str(), 0755);
    socket_ = dir_->path() + "/probed.sock";
    daemon_ = new Daemon(*lab_, socket_, dir_->path() + "/probed.log");
    for (int i = 0; i < 100 && !Conn(socket_).ok(); ++i) std::this_thread::sleep_for(50ms);
  }
  static void TearDownTestSuite() {
    delete daemon_;  // before the lab it runs in
    delete lab_;
    delete dir_;
    daemon_ = nullptr;
    lab_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override {
    FL_REQUIRE_LAB(true);
    if (fl_probed_path().empty()) {
      if (in_ci()) FAIL() << "fl-probed binary not found";
      GTEST_SKIP() << "fl-probed not built (set FL_PROBED=path)";
    }
    ASSERT_TRUE(daemon_ && Conn(socket_).ok()) << "fl-probed did not start: " << read_file(dir_->path() + "/probed.log");
  }
  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(daemon_->alive()) << read_file(dir_->path() + "/probed.log");
    }
  }
  // The chain's routers, each by its address toward the vantage.
  static std::string R1() { return lab_->addr("r1", "vp"); }
  static std::string R2() { return lab_->addr("r2", "r1"); }
  static std::string R3() { return lab_->addr("r3", "r2"); }
  static TempDir* dir_;
  static Lab* lab_;
  static Daemon* daemon_;
  static std::string socket_;
};
TempDir* ProbedLab::dir_ = nullptr;
Lab* ProbedLab::lab_ = nullptr;
Daemon* ProbedLab::daemon_ = nullptr;
std::string ProbedLab::socket_;

// What two runs of the same traces share: per target, the stop reason and
// each probe's answer, without the times, ports and checksums that a run
// key or the clock decides.
std::map<std::string, json> comparable(const std::vector<json>& traces) {
  std::map<std::string, json> out;
  for (const auto& t : traces) {
    json hops = json::array();
    for (const auto& h : t["hops"]) {
      json probes = json::array();
      for (auto p : h["probes"]) {
        for (const char* k : {"tx_us", "rtt_us", "reply_ipid"}) p.erase(k);
        probes.push_back(p);
      }
      hops.push_back({{"ttl", h["ttl"]}, {"probes", probes}});
    }
    out[t["dst"].get<std::string>()] = {{"stop_reason", t["stop_reason"]}, {"method", t["method"]}, {"hops", hops}};
  }
  return out;
}

TEST_F(ProbedLab, ViaGivesTheSameTracesAsADirectRun) {
  for (const std::string method : {"icmp", "udp", "tcp"}) {
    std::vector<std::string> args = {"-P", method, "-o", "json"};
    args.insert(args.end(), kFast.begin(), kFast.end());
    args.insert(args.end(), {"198.18.200.1", "198.18.200.2", "198.18.200.3"});
    auto direct = run_fl_trace(*lab_, args);
    args.insert(args.end(), {"--via", socket_});
    auto via = run_fl_trace(*lab_, args);
    ASSERT_EQ(direct.result.exit_code, 0) << direct.result.err;
    ASSERT_EQ(via.result.exit_code, 0) << via.result.err;
    EXPECT_EQ(via.parse_error, "");
    ASSERT_EQ(via.traces.size(), 3u) << method;
    EXPECT_EQ(comparable(via.traces), comparable(direct.traces)) << method;
    for (const auto& t : via.traces) EXPECT_EQ(t["stop_reason"], "completed") << describe(t);
  }
}

TEST_F(ProbedLab, ViaPrintsTextAndCsvLikeADirectRun) {
  for (const std::string format : {"text", "csv"}) {
    auto via = lab_->exec("vp", {fl_trace_path(), "-n", "-o", format, "-W", "0.5", "--via", socket_, "198.18.200.7"});
    ASSERT_EQ(via.exit_code, 0) << via.err;
    for (const std::string& hop : {R1(), R2(), R3(), std::string("198.18.200.7")})
      EXPECT_NE(via.out.find(hop), std::string::npos) << via.out;
  }
}

// A request's -w holds its run key's frames and the run record: it
// replays to what the daemon streamed, as a direct run's capture does.
TEST_F(ProbedLab, ViaWriteReplaysToTheSameTraces) {
  const std::string pcap = dir_->path() + "/via.pcapng";
  std::vector<std::string> args = {"-P", "udp", "-o", "json", "--via", socket_, "-w", pcap};
  args.insert(args.end(), kFast.begin(), kFast.end());
  args.insert(args.end(), {"198.18.200.20", "198.18.200.21"});
  auto via = run_fl_trace(*lab_, args);
  ASSERT_EQ(via.result.exit_code, 0) << via.result.err;
  ASSERT_EQ(via.traces.size(), 2u);
  auto replay = run_fl_trace(*lab_, {"-r", pcap, "-o", "json"});
  ASSERT_EQ(replay.result.exit_code, 0) << replay.result.err;
  EXPECT_EQ(json(replay.traces).dump(), json(via.traces).dump());
}

// The issue's case at a CI size: clients at once, each with its own
// targets. A reply that crossed to another request would show up as a hop
// or an end that is not its trace's own, or as a trace too many.
TEST_F(ProbedLab, ConcurrentClientsEachGetTheirOwnTracesOnly) {
  constexpr int kClients = 8, kTargets = 8;
  std::vector<std::future<TraceRun>> runs;
  for (int c = 0; c < kClients; ++c)
    runs.push_back(std::async(std::launch::async, [c] {
      std::vector<std::string> args = {"-o", "json", "--via", socket_};
      args.insert(args.end(), kFast.begin(), kFast.end());
      for (int k = 0; k < kTargets; ++k) args.push_back("198.18.200." + std::to_string(10 + c * kTargets + k));
      return run_fl_trace(*lab_, args);
    }));
  for (int c = 0; c < kClients; ++c) {
    TraceRun run = runs[c].get();
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    ASSERT_EQ(run.traces.size(), static_cast<std::size_t>(kTargets));
    std::set<std::string> dsts;
    for (const auto& t : run.traces) {
      const std::string dst = t["dst"];
      dsts.insert(dst);
      EXPECT_EQ(t["stop_reason"], "completed") << describe(t);
      EXPECT_EQ(addrs_at(t, 1), std::set<std::string>{R1()}) << describe(t);
      EXPECT_EQ(addrs_at(t, 4), std::set<std::string>{dst}) << describe(t);
    }
    std::set<std::string> want;
    for (int k = 0; k < kTargets; ++k) want.insert("198.18.200." + std::to_string(10 + c * kTargets + k));
    EXPECT_EQ(dsts, want);
  }
}

TEST_F(ProbedLab, BadLinesAreRefusedAndTheConnectionGoesOn) {
  Conn conn(socket_);
  conn.write("{not json\n");
  conn.write(R"({"id":"v","verb":"ping"})" "\n");
  conn.write(std::string(100000, 'x') + "\n");
  conn.write(R"({"id":"t","verb":"trace","targets":["198.18.200.1"],"methd":"udp"})" "\n");
  conn.write(request("ok", {"198.18.200.90"}));
  auto lines = conn.read_until(ended({"ok"}));
  ASSERT_EQ(lines.size(), 6u) << json(lines).dump();
  EXPECT_EQ(lines[0]["type"], "refused");
  EXPECT_EQ(lines[0]["id"], nullptr);
  EXPECT_EQ(lines[1]["id"], "v");
  EXPECT_NE(lines[1]["error"].get<std::string>().find("unknown verb"), std::string::npos);
  EXPECT_NE(lines[2]["error"].get<std::string>().find("longer than"), std::string::npos);
  EXPECT_EQ(lines[3]["id"], "t");
  EXPECT_EQ(lines[4]["type"], "trace");
  EXPECT_EQ(lines[4]["trace"]["stop_reason"], "completed");
  EXPECT_EQ(lines[5]["type"], "end");
  EXPECT_EQ(lines[5]["status"], "ok");
  EXPECT_EQ(lines[5]["traces"], 1);
}

// Over the quota the answer comes at once, and it says why.
TEST_F(ProbedLab, ARequestOverTheQuotaIsRefusedAtOnce) {
  Conn conn(socket_);
  std::string burst;
  std::set<json> ids;
  for (int i = 0; i <= kMaxRunning + kMaxQueued; ++i) {
    burst += request(i, {"198.18.200." + std::to_string(100 + i)});
    ids.insert(i);
  }
  conn.write(burst);  // one write: the daemon reads them all before any ends
  auto lines = conn.read_until(ended(ids));
  std::map<json, std::string> end_of;
  for (const auto& l : lines)
    if (l["type"] != "trace") end_of[l["id"]] = l["type"] == "end" ? l["status"].get<std::string>() : l["error"].get<std::string>();
  ASSERT_EQ(end_of.size(), ids.size());
  for (int i = 0; i < kMaxRunning + kMaxQueued; ++i) EXPECT_EQ(end_of[i], "ok") << i;
  EXPECT_NE(end_of[kMaxRunning + kMaxQueued].find("busy"), std::string::npos) << end_of[kMaxRunning + kMaxQueued];
}

// A client that asks for a lot and goes away costs the others nothing: its
// request is cancelled and the next one runs as usual.
TEST_F(ProbedLab, AClientThatVanishesMidStreamDoesNotBlockOthers) {
  {
    Conn gone(socket_);
    gone.write(request("big", {"198.18.200.0/25"}));
    gone.read_until([](const std::vector<json>& l) { return !l.empty(); });
  }
  Conn conn(socket_);
  conn.write(request("after", {"198.18.200.200"}));
  auto lines = conn.read_until(ended({"after"}), 10s);
  ASSERT_EQ(lines.size(), 2u) << json(lines).dump();
  EXPECT_EQ(lines[1]["status"], "ok");
}

TEST_F(ProbedLab, TheDaemonServesUnprivilegedOnAGroupSocket) {
  struct stat st{};
  ASSERT_EQ(stat(socket_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  std::ifstream status("/proc/" + std::to_string(daemon_->pid()) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Uid:", 0) == 0) {
      EXPECT_EQ(line.find("\t0\t"), std::string::npos) << line;
    }
}

// How often a process has gone to sleep of its own accord (woken later).
long voluntary_switches(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("voluntary_ctxt_switches:", 0) == 0) return std::stol(line.substr(24));
  return -1;
}

// With no client the daemon sleeps on its sockets and the capture: about
// once a second it looks (the capture's quiet second), where a daemon that
// looked at its sockets on a timer woke 200 times a second (5 ms). The next
// client is still served.
TEST_F(ProbedLab, AnIdleDaemonSleepsUntilAClientComes) {
  std::this_thread::sleep_for(1s);  // the last test's requests are over
  const long before = voluntary_switches(daemon_->pid());
  ASSERT_GE(before, 0);
  std::this_thread::sleep_for(2s);
  const long woke = voluntary_switches(daemon_->pid()) - before;
  EXPECT_LT(woke, 20) << "an idle fl-probed woke " << woke << " times in 2 s";
  auto run = run_fl_trace(*lab_, {"-o", "json", "--via", socket_, "-q", "1", "198.18.200.1"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  ASSERT_EQ(run.traces.size(), 1u);
  EXPECT_EQ(run.traces[0]["stop_reason"], "completed") << describe(run.traces[0]);
}

}  // namespace
}  // namespace probe::lab::test
