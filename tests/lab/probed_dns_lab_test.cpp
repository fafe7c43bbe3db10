// SPDX-License-Identifier: BSD-2-Clause
// fl-probed serving DNS in the lab: one daemon in the vantage of one NSD lab
// (dns-lame: ns1 198.18.201.1 serves lab.test, ns2 198.18.201.2 REFUSEs it)
// for every case, fl-dns --via as its client beside direct fl-dns runs, and
// fl-trace --via at the same time. Linux's default ICMP limits: the traces
// here only need the echo reply of their destination, and the one ICMP
// error a case needs (a closed port on ns1) is one per run.

#include <sys/stat.h>

#include <future>
#include <regex>

#include "probed_lab_util.h"

namespace probe::lab::test {
namespace {

constexpr const char* NS1 = "198.18.201.1";
constexpr const char* NS2 = "198.18.201.2";
constexpr const char* PARENT = "198.18.200.53";

const std::vector<std::string> kFast = {"-W", "0.4", "-q", "2"};

class ProbedDnsLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    if (!lab_available(&why) || fl_probed_path().empty() || !dns_lab_missing().empty()) return;
    dir_ = new TempDir();
    lab_ = new Lab(make_lab("dns-lame"));
    chmod(dir_->path().c_str(), 0755);
    socket_ = dir_->path() + "/probed.sock";
    // Whole frames: the truncated answer's TCP retry comes as one offloaded
    // segment of 3 KB, which the default snaplen would cut.
    daemon_ = new Daemon(*lab_, socket_, dir_->path() + "/probed.log", {"--whole-frames"});
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
    FL_REQUIRE_DNS_LAB();
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
  // fl-dns with `args`, directly and through the daemon.
  static std::pair<TraceRun, TraceRun> both(std::vector<std::string> args) {
    args.insert(args.end(), kFast.begin(), kFast.end());
    auto direct = run_fl_dns(*lab_, args);
    args.insert(args.end(), {"--via", socket_});
    auto via = run_fl_dns(*lab_, args);
    return {direct, via};
  }
  static TempDir* dir_;
  static Lab* lab_;
  static Daemon* daemon_;
  static std::string socket_;
};
TempDir* ProbedDnsLab::dir_ = nullptr;
Lab* ProbedDnsLab::lab_ = nullptr;
Daemon* ProbedDnsLab::daemon_ = nullptr;
std::string ProbedDnsLab::socket_;

// What two runs of the same queries share: every field but those the run
// key and the clock decide (the DNS id, our port, the times).
std::string comparable(const std::vector<json>& exchanges) {
  json out = json::array();
  for (auto e : exchanges) {
    for (const char* k : {"id", "sport", "tx_us", "rtt_us"}) e.erase(k);
    out.push_back(e);
  }
  return out.dump();
}

// The same for fl-dns's text: its id and query time lines.
std::string comparable_text(const std::string& text) {
  static const std::regex id(R"(, id: \d+)"), time(R"(;; Query time: \d+ usec)");
  return std::regex_replace(std::regex_replace(text, id, ", id: N"), time, ";; Query time: N usec");
}

TEST_F(ProbedDnsLab, ViaGivesTheSameExchangesAsADirectRunInEveryFormat) {
  // ns1 answers, ns2 is lame for lab.test (REFUSED); UDP, then TCP from the start.
  for (const std::string transport : {"+notcp", "+tcp"}) {
    const std::vector<std::string> ask = {"@" + std::string(NS1), "@" + std::string(NS2), "+norec", transport,
                                          "lab.test", "SOA", "www.lab.test", "A"};
    auto args = ask;
    args.insert(args.end(), {"-o", "json"});
    auto [direct, via] = both(args);
    ASSERT_EQ(direct.result.exit_code, 0) << direct.result.err;
    ASSERT_EQ(via.result.exit_code, 0) << via.result.err;
    EXPECT_EQ(via.parse_error, "");
    ASSERT_EQ(via.traces.size(), 4u) << via.result.out;
    EXPECT_EQ(comparable(via.traces), comparable(direct.traces)) << transport;
    for (std::size_t i = 0; i < 4; ++i) {
      const json& e = via.traces[i];
      EXPECT_EQ(e["server"], i < 2 ? NS1 : NS2);
      EXPECT_EQ(e["outcome"], "answer") << e.dump();
      EXPECT_EQ(e["transport"], transport == "+tcp" ? "tcp" : "udp") << e.dump();
      EXPECT_EQ(e["rcode"], i < 2 ? "NOERROR" : "REFUSED") << e.dump();
    }
    EXPECT_EQ(via.traces[0]["answer"].size(), 1u);
    for (const std::string format : {"text", "+short"}) {
      auto text = ask;
      if (format == "+short") text.push_back("+short");
      auto [d, v] = both(text);
      ASSERT_EQ(d.result.exit_code, 0) << d.result.err;
      ASSERT_EQ(v.result.exit_code, 0) << v.result.err;
      EXPECT_EQ(comparable_text(v.result.out), comparable_text(d.result.out)) << format << transport;
      if (format == "+short") {
        EXPECT_EQ(v.result.out, d.result.out);
      }
      EXPECT_NE(v.result.out.find("ns1.lab.test."), std::string::npos) << v.result.out;
    }
  }
}

// A port nothing listens on: ns1's kernel answers with a port unreachable,
// through the daemon as directly.
TEST_F(ProbedDnsLab, ViaReportsAnIcmpErrorAsADirectRunDoes) {
  auto [direct, via] = both({"-p", "5353", "@" + std::string(NS1), "lab.test", "SOA", "-o", "json"});
  ASSERT_EQ(direct.result.exit_code, 0) << direct.result.err;
  ASSERT_EQ(via.result.exit_code, 0) << via.result.err;
  ASSERT_EQ(via.traces.size(), 1u) << via.result.out;
  EXPECT_EQ(via.traces[0]["outcome"], "icmp_error") << via.traces[0].dump();
  EXPECT_EQ(comparable(via.traces), comparable(direct.traces));
}

// big.lab.test's TXT set is far over 1232 bytes: truncated over UDP, then
// asked again over TCP on one of the daemon's own sockets, its 3 KB answer
// captured whole (--whole-frames).
TEST_F(ProbedDnsLab, ATruncatedAnswerIsAskedAgainOverTcpAsDirectly) {
  auto [direct, via] = both({"@" + std::string(NS1), "+norec", "big.lab.test", "TXT", "-o", "json"});
  ASSERT_EQ(direct.result.exit_code, 0) << direct.result.err;
  ASSERT_EQ(via.result.exit_code, 0) << via.result.err;
  ASSERT_EQ(via.traces.size(), 1u) << via.result.out;
  EXPECT_EQ(via.traces[0]["outcome"], "answer") << via.traces[0].dump();
  EXPECT_EQ(via.traces[0]["udp_truncated"], true);
  EXPECT_EQ(via.traces[0]["transport"], "tcp");
  EXPECT_EQ(via.traces[0]["answer"].size(), 40u);
  EXPECT_EQ(comparable(via.traces), comparable(direct.traces));
}

// A request's -w replays with fl-dns -r to what the daemon streamed, byte
// for byte, as a direct run's capture does.
TEST_F(ProbedDnsLab, ViaWriteReplaysToTheSameExchanges) {
  for (const std::string transport : {"+notcp", "+tcp"}) {
    const std::string pcap = dir_->path() + "/via" + transport + ".pcapng";
    std::vector<std::string> args = {"@" + std::string(NS1), "@" + std::string(NS2), transport, "lab.test", "NS",
                                     "-o", "json", "--via", socket_, "-w", pcap};
    args.insert(args.end(), kFast.begin(), kFast.end());
    auto via = run_fl_dns(*lab_, args);
    ASSERT_EQ(via.result.exit_code, 0) << via.result.err;
    ASSERT_EQ(via.traces.size(), 2u) << via.result.out;
    auto replay = run_command({fl_dns_path(), "-r", pcap, "-o", "json"}, 60s);
    ASSERT_EQ(replay.exit_code, 0) << replay.err;
    EXPECT_EQ(replay.out, via.result.out) << transport;
  }
}

// DNS and trace requests at once, from several clients and on one
// connection: each gets its own lines only.
TEST_F(ProbedDnsLab, DnsAndTraceRequestsAtOnceDoNotCross) {
  const std::vector<std::string> names = {"lab.test", "www.lab.test", "ns1.lab.test", "ns2.lab.test"};
  std::vector<std::future<TraceRun>> dns, traces;
  for (const auto& name : names)
    dns.push_back(std::async(std::launch::async, [name] {
      std::vector<std::string> args = {"@" + std::string(NS1), "+norec", name, "A", "-o", "json", "--via", socket_};
      args.insert(args.end(), kFast.begin(), kFast.end());
      return run_fl_dns(*lab_, args);
    }));
  for (const char* dst : {NS1, PARENT})
    traces.push_back(std::async(std::launch::async, [dst] {
      return run_fl_trace(*lab_, {"-o", "json", "-W", "0.5", "-m", "6", "--via", socket_, dst});
    }));
  for (std::size_t k = 0; k < names.size(); ++k) {
    TraceRun run = dns[k].get();
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    ASSERT_EQ(run.traces.size(), 1u) << run.result.out;
    EXPECT_EQ(run.traces[0]["type"], "dns");
    EXPECT_EQ(run.traces[0]["qname"], names[k] + ".");
    EXPECT_EQ(run.traces[0]["outcome"], "answer") << run.traces[0].dump();
    EXPECT_EQ(run.traces[0]["rcode"], "NOERROR");
  }
  const char* dsts[] = {NS1, PARENT};
  for (std::size_t k = 0; k < 2; ++k) {
    TraceRun run = traces[k].get();
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    ASSERT_EQ(run.traces.size(), 1u) << run.result.out;
    EXPECT_EQ(run.traces[0]["dst"], dsts[k]);
    EXPECT_EQ(run.traces[0]["stop_reason"], "completed") << describe(run.traces[0]);
  }

  // One connection, both verbs: the lines of each id are its verb's.
  Conn c(socket_);
  ASSERT_TRUE(c.ok());
  c.write(json({{"id", "t"}, {"verb", "trace"}, {"targets", {NS2}}, {"wait_us", 500000}, {"max_ttl", 6}}).dump() + "\n" +
          json({{"id", "d"}, {"verb", "dns"}, {"wait_us", 400000},
                {"queries", {{{"server", NS1}, {"qname", "lab.test."}, {"qtype", 6}, {"rd", false}},
                             {{"server", NS2}, {"qname", "lab.test."}, {"qtype", 6}, {"rd", false}}}}})
                  .dump() +
          "\n");
  auto lines = c.read_until(ended({"t", "d"}));
  std::map<std::string, std::vector<json>> by_id;
  for (const auto& l : lines) by_id[l["id"].get<std::string>()].push_back(l);
  ASSERT_EQ(by_id["d"].size(), 3u) << json(lines).dump();
  EXPECT_EQ(by_id["d"][0]["type"], "dns");
  EXPECT_EQ(by_id["d"][0]["dns"]["server"], NS1);
  EXPECT_EQ(by_id["d"][0]["dns"]["rcode"], "NOERROR");
  EXPECT_EQ(by_id["d"][1]["dns"]["server"], NS2);
  EXPECT_EQ(by_id["d"][1]["dns"]["rcode"], "REFUSED");
  EXPECT_EQ(by_id["d"][2]["type"], "end");
  EXPECT_EQ(by_id["d"][2]["status"], "ok");
  EXPECT_EQ(by_id["d"][2]["exchanges"], 2);
  EXPECT_EQ(by_id["d"][2]["responses"], 2);
  EXPECT_EQ(by_id["d"][2]["wrong_id"], 0);
  ASSERT_EQ(by_id["t"].size(), 2u) << json(lines).dump();
  EXPECT_EQ(by_id["t"][0]["type"], "trace");
  EXPECT_EQ(by_id["t"][0]["trace"]["dst"], NS2);
  EXPECT_EQ(by_id["t"][1]["type"], "end");
  EXPECT_EQ(by_id["t"][1]["traces"], 1);
}

// What the daemon cannot do for fl-dns is refused before anything is sent.
TEST_F(ProbedDnsLab, ZoneChecksAndTracesAreRefusedWithVia) {
  auto zone = run_fl_dns(*lab_, {"--check-zone", "lab.test", "--parent", PARENT, "--via", socket_});
  EXPECT_EQ(zone.result.exit_code, 2);
  EXPECT_NE(zone.result.err.find("--check-zone cannot be given with --via"), std::string::npos) << zone.result.err;
  auto trace = run_fl_dns(*lab_, {"--trace", "@" + std::string(NS1), "lab.test", "--via", socket_});
  EXPECT_EQ(trace.result.exit_code, 2);
  EXPECT_NE(trace.result.err.find("--trace cannot be given with --via"), std::string::npos) << trace.result.err;
}

}  // namespace
}  // namespace probe::lab::test
