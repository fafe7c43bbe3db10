// SPDX-License-Identifier: BSD-2-Clause
// fl-trace's command line, table-driven over fltrace::parse_options.

#include "options.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace {

using fltrace::Options;
using fltrace::OutputFormat;
using fltrace::parse_options;
using probe::model::Method;

probe::Result<Options> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "fl-trace");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_options(static_cast<int>(argv.size()), argv.data());
}

TEST(Options, Defaults) {
  auto r = parse({"198.18.0.1"});
  ASSERT_TRUE(r) << r.error().message;
  const Options& o = *r;
  const auto& c = o.config;
  EXPECT_EQ(c.method, Method::icmp);
  EXPECT_EQ(c.dport, 0);
  EXPECT_EQ(c.sport, 0);
  EXPECT_FALSE(o.sport_given);
  EXPECT_EQ(c.first_ttl, 1);
  EXPECT_EQ(c.max_ttl, 30);
  EXPECT_EQ(c.attempts, 2);
  EXPECT_EQ(c.queries, 0);  // a hop stops at its first answer
  EXPECT_EQ(c.wait_us, 2000000);
  EXPECT_EQ(c.gaplimit, 5);
  EXPECT_EQ(c.pps, 100);
  EXPECT_EQ(c.concurrency, 256u);
  EXPECT_FALSE(c.classic);
  EXPECT_FALSE(o.numeric);  // live text names its hops
  EXPECT_FALSE(o.show_asn);
  EXPECT_FALSE(o.traceroute_mpls);
  EXPECT_EQ(o.output, OutputFormat::text);
  EXPECT_EQ(o.targets, std::vector<std::string>{"198.18.0.1"});
  EXPECT_TRUE(o.target_file.empty());
  EXPECT_TRUE(o.interface.empty());
  EXPECT_TRUE(o.source.empty());
  EXPECT_TRUE(o.write_path.empty());
  EXPECT_TRUE(o.read_path.empty());
  EXPECT_TRUE(o.output_file.empty());
  EXPECT_FALSE(o.help);
  EXPECT_FALSE(o.version);
}

struct Accepted {
  std::vector<std::string> args;
  std::function<void(const Options&)> check;
};

TEST(Options, EveryOptionSetsItsField) {
  const Accepted table[] = {
      {{"-P", "udp", "t"}, [](const Options& o) {
         EXPECT_EQ(o.config.method, Method::udp);
         EXPECT_EQ(o.config.dport, 33434);
       }},
      {{"--method", "tcp", "t"}, [](const Options& o) {
         EXPECT_EQ(o.config.method, Method::tcp);
         EXPECT_EQ(o.config.dport, 80);
       }},
      {{"-P", "icmp-paris", "t"}, [](const Options& o) { EXPECT_EQ(o.config.method, Method::icmp); }},
      {{"-P", "udp-paris", "t"}, [](const Options& o) { EXPECT_EQ(o.config.method, Method::udp); }},
      {{"-P", "tcp-syn", "t"}, [](const Options& o) { EXPECT_EQ(o.config.method, Method::tcp); }},
      {{"-P", "udp", "-p", "53", "t"}, [](const Options& o) { EXPECT_EQ(o.config.dport, 53); }},
      {{"-P", "tcp", "--dport", "443", "t"}, [](const Options& o) { EXPECT_EQ(o.config.dport, 443); }},
      {{"-p", "65535", "t"}, [](const Options& o) { EXPECT_EQ(o.config.dport, 65535); }},
      {{"-s", "40000", "t"}, [](const Options& o) {
         EXPECT_EQ(o.config.sport, 40000);
         EXPECT_TRUE(o.sport_given);
       }},
      {{"--sport", "1", "t"}, [](const Options& o) { EXPECT_EQ(o.config.sport, 1); }},
      {{"-f", "4", "t"}, [](const Options& o) { EXPECT_EQ(o.config.first_ttl, 4); }},
      {{"--first-ttl", "30", "t"}, [](const Options& o) { EXPECT_EQ(o.config.first_ttl, 30); }},
      {{"-m", "255", "t"}, [](const Options& o) { EXPECT_EQ(o.config.max_ttl, 255); }},
      {{"-f", "7", "-m", "7", "t"}, [](const Options& o) {
         EXPECT_EQ(o.config.first_ttl, 7);
         EXPECT_EQ(o.config.max_ttl, 7);
       }},
      {{"-q", "3", "t"}, [](const Options& o) {
         EXPECT_EQ(o.config.queries, 3);
         EXPECT_EQ(o.config.attempts, 2);
       }},
      {{"--queries", "1", "t"}, [](const Options& o) { EXPECT_EQ(o.config.queries, 1); }},
      {{"--attempts", "1", "t"}, [](const Options& o) { EXPECT_EQ(o.config.attempts, 1); }},
      {{"-w", "./1", "t"}, [](const Options& o) { EXPECT_EQ(o.write_path, "./1"); }},
      {{"-w", "1.pcapng", "t"}, [](const Options& o) { EXPECT_EQ(o.write_path, "1.pcapng"); }},
      {{"-T", "./198.18.0.1"}, [](const Options& o) { EXPECT_EQ(o.target_file, "./198.18.0.1"); }},
      {{"-o", "csv", "t"}, [](const Options& o) { EXPECT_EQ(o.output, OutputFormat::csv); }},
      {{"-r", "x.pcapng", "-o", "csv", "-n", "-A", "-e"}, [](const Options& o) {
         EXPECT_EQ(o.output, OutputFormat::csv);
         EXPECT_TRUE(o.numeric);
         EXPECT_TRUE(o.show_asn);
         EXPECT_TRUE(o.traceroute_mpls);
       }},
      {{"-A", "--asn-db", "as.csv", "t"}, [](const Options& o) { EXPECT_EQ(o.asn_db, "as.csv"); }},
      {{"--report", "t"}, [](const Options& o) {
         EXPECT_EQ(o.report_cycles, 10u);  // mtr's default
         EXPECT_EQ(o.report_interval_us, 1000000);
       }},
      {{"--report", "--report-cycles", "3", "--report-interval", "0.25", "-o", "json", "t"},
       [](const Options& o) {
         EXPECT_EQ(o.report_cycles, 3u);
         EXPECT_EQ(o.report_interval_us, 250000);
       }},
      {{"--report", "--report-interval", "0", "t"}, [](const Options& o) { EXPECT_EQ(o.report_interval_us, 0); }},
      {{"--attempts", "10", "t"}, [](const Options& o) { EXPECT_EQ(o.config.attempts, 10); }},
      {{"-W", "5", "t"}, [](const Options& o) { EXPECT_EQ(o.config.wait_us, 5000000); }},
      {{"-W", "0.25", "t"}, [](const Options& o) { EXPECT_EQ(o.config.wait_us, 250000); }},
      {{"--wait", "1.5", "t"}, [](const Options& o) { EXPECT_EQ(o.config.wait_us, 1500000); }},
      {{"-W", "0.001", "t"}, [](const Options& o) { EXPECT_EQ(o.config.wait_us, 1000); }},
      {{"-W", "60", "t"}, [](const Options& o) { EXPECT_EQ(o.config.wait_us, 60000000); }},
      {{"-g", "1", "t"}, [](const Options& o) { EXPECT_EQ(o.config.gaplimit, 1); }},
      {{"--gaplimit", "255", "t"}, [](const Options& o) { EXPECT_EQ(o.config.gaplimit, 255); }},
      {{"--pps", "2500.5", "t"}, [](const Options& o) { EXPECT_EQ(o.config.pps, 2500.5); }},
      {{"-c", "1", "t"}, [](const Options& o) { EXPECT_EQ(o.config.concurrency, 1u); }},
      {{"--concurrency", "1048576", "t"}, [](const Options& o) { EXPECT_EQ(o.config.concurrency, 1048576u); }},
      {{"-i", "veth0", "t"}, [](const Options& o) { EXPECT_EQ(o.interface, "veth0"); }},
      {{"-S", "198.18.0.1", "t"}, [](const Options& o) { EXPECT_EQ(o.source, "198.18.0.1"); }},
      {{"-T", "targets.txt"}, [](const Options& o) {
         EXPECT_EQ(o.target_file, "targets.txt");
         EXPECT_TRUE(o.targets.empty());
       }},
      {{"-w", "run.pcapng", "t"}, [](const Options& o) {
         EXPECT_EQ(o.write_path, "run.pcapng");
         EXPECT_FALSE(o.capture_all);
       }},
      {{"-w", "run.pcapng", "--capture-all", "t"}, [](const Options& o) { EXPECT_TRUE(o.capture_all); }},
      {{"-r", "run.pcapng"}, [](const Options& o) {
         EXPECT_EQ(o.read_path, "run.pcapng");
         EXPECT_TRUE(o.targets.empty());
       }},
      {{"-r", "run.pcapng", "-o", "json", "-O", "out.jsonl"}, [](const Options& o) {
         EXPECT_EQ(o.output, OutputFormat::json);
         EXPECT_EQ(o.output_file, "out.jsonl");
       }},
      {{"-o", "json", "t"}, [](const Options& o) { EXPECT_EQ(o.output, OutputFormat::json); }},
      {{"-o", "text", "t"}, [](const Options& o) { EXPECT_EQ(o.output, OutputFormat::text); }},
      {{"-O", "x.txt", "t"}, [](const Options& o) { EXPECT_EQ(o.output_file, "x.txt"); }},
      {{"--classic", "t"}, [](const Options& o) { EXPECT_TRUE(o.config.classic); }},
      {{"--via", "/run/p.sock", "-w", "v.pcapng", "t"}, [](const Options& o) {
         EXPECT_EQ(o.via, "/run/p.sock");
         EXPECT_EQ(o.write_path, "v.pcapng");
       }},
      {{"a", "198.18.0.0/30", "b"}, [](const Options& o) {
         EXPECT_EQ(o.targets, (std::vector<std::string>{"a", "198.18.0.0/30", "b"}));
       }},
      {{"-h"}, [](const Options& o) { EXPECT_TRUE(o.help); }},
      {{"--help", "-P", "nonsense"}, [](const Options& o) { EXPECT_TRUE(o.help); }},
      {{"--version"}, [](const Options& o) { EXPECT_TRUE(o.version); }},
  };
  for (const auto& row : table) {
    std::string line;
    for (const auto& a : row.args) line += a + " ";
    SCOPED_TRACE(line);
    auto r = parse(row.args);
    ASSERT_TRUE(r) << r.error().message;
    row.check(*r);
  }
}

struct Rejected {
  std::vector<std::string> args;
  std::string says;  ///< a word the message must contain
};

TEST(Options, ErrorsAreOneLineUsageErrors) {
  const Rejected table[] = {
      {{"-P", "ping", "t"}, "ping"},
      {{"-p", "0", "t"}, "dport"},
      {{"-p", "65536", "t"}, "dport"},
      {{"-p", "http", "t"}, "dport"},
      {{"-s", "0", "t"}, "sport"},
      {{"-s", "70000", "t"}, "sport"},
      {{"-f", "0", "t"}, "first-ttl"},
      {{"-m", "0", "t"}, "max-ttl"},
      {{"-m", "256", "t"}, "max-ttl"},
      {{"-f", "9", "-m", "8", "t"}, "first-ttl"},
      {{"--attempts", "0", "t"}, "attempts"},
      {{"--attempts", "11", "t"}, "attempts"},
      {{"-q", "0", "t"}, "queries"},
      {{"-q", "11", "t"}, "queries"},
      {{"-q", "3", "--attempts", "3", "t"}, "--attempts (stop at the first answer) cannot be given with it"},
      {{"-q", "3", "--doubletree", "t"}, "-q cannot be combined with it"},
      {{"-r", "x.pcapng", "-q", "3"}, "queries"},
      {{"-w", "1", "t"}, "did you mean -W 1? -w writes a capture"},
      {{"-w", "0.5", "t"}, "did you mean -W 0.5?"},
      {{"-T", "198.18.0.1"}, "-T reads a file of targets; give the address as an argument"},
      {{"-T", "198.18.0.0/24"}, "-T reads a file of targets"},
      {{"--asn-db", "as.csv", "t"}, "give -A"},
      {{"-g", "0", "t"}, "gaplimit"},
      {{"-c", "0", "t"}, "concurrency"},
      {{"-W", "0", "t"}, "wait"},
      {{"-W", "-1", "t"}, "wait"},  // not another option
      {{"-W", "60.5", "t"}, "wait"},
      {{"-W", "soon", "t"}, "wait"},
      {{"--via", "s", "-S", "198.18.0.1", "t"}, "--source cannot be given with --via"},
      {{"--via", "s", "-i", "eth0", "t"}, "--interface cannot be given with --via"},
      {{"--via", "s", "--pps", "50", "t"}, "--pps cannot be given with --via"},
      {{"--via", "s", "-w", "x", "--capture-all", "t"}, "--capture-all cannot be given with --via"},
      {{"--pps", "0.5", "t"}, "pps"},
      {{"--pps", "2000000", "t"}, "pps"},
      {{}, "no targets"},
      {{"-P", "udp"}, "no targets"},
      {{"-r", "x.pcapng", "198.18.0.1"}, "target"},
      {{"-r", "x.pcapng", "-P", "udp"}, "method"},
      {{"-r", "x.pcapng", "-m", "12"}, "max-ttl"},
      {{"-r", "x.pcapng", "-w", "y.pcapng"}, "write"},
      {{"--capture-all", "t"}, "--capture-all says what -w keeps"},
      {{"-r", "x.pcapng", "-T", "list"}, "target-file"},
      {{"-r", "x.pcapng", "--pps", "5"}, "pps"},
      {{"-r", "x.pcapng", "--classic"}, "classic"},
      {{"--frobnicate", "t"}, "frobnicate"},
      {{"-Z", "t"}, "-Z"},
      {{"-o", "xml", "t"}, "(text, csv or json)"},
      {{"-o"}, "output"},
      {{"--report-cycles", "3", "t"}, "--report-cycles is a setting of --report: give --report"},
      {{"--report-interval", "2", "t"}, "give --report"},
      {{"--report", "--report-cycles", "0", "t"}, "report-cycles"},
      {{"--report", "--report-cycles", "10001", "t"}, "report-cycles"},
      {{"--report", "--report-interval", "-1", "t"}, "report-interval"},
      {{"--report", "-o", "csv", "t"}, "--report prints text or json, not csv"},
      {{"--report", "--doubletree", "t"}, "--doubletree cannot be combined with it"},
      {{"-r", "x.pcapng", "--report"}, "report"},
      {{"-r", "x.pcapng", "--report-cycles", "3"}, "report-cycles"},
  };
  for (const auto& row : table) {
    std::string line;
    for (const auto& a : row.args) line += a + " ";
    SCOPED_TRACE(line);
    auto r = parse(row.args);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, probe::ErrorKind::usage);
    EXPECT_NE(r.error().message.find(row.says), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
    EXPECT_FALSE(r.error().message.empty());
  }
}

// A wait too short to time anything is refused, not rounded to zero.
TEST(Options, WaitBelowOneMillisecondIsAUsageError) {
  auto r = parse({"-W", "0.0000001", "t"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, probe::ErrorKind::usage);
}

// Boost 1.74 loops for ever building a message about a value that holds
// one of its own placeholders; the message must come back, '%' and all.
TEST(Options, AValueHoldingBoostsPlaceholderIsAnErrorNotAHang) {
  for (const char* bad : {"%value%", "%option%1", "1%"}) {
    auto r = parse({"-m", bad, "198.18.0.1"});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, probe::ErrorKind::usage);
    EXPECT_NE(r.error().message.find(std::string("'") + bad + "'"), std::string::npos) << r.error().message;
  }
  auto ok = parse({"-T", "100%.txt"});  // a '%' in a valid value is kept as it is
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->target_file, "100%.txt");
}

TEST(Options, RepeatedOptionIsAUsageError) {
  auto r = parse({"-p", "53", "-p", "54", "t"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, probe::ErrorKind::usage);
  EXPECT_NE(r.error().message.find("dport"), std::string::npos);
}

TEST(Options, UsageMentionsEveryOption) {
  const std::string u = fltrace::usage();
  for (const char* opt : {"--method", "--dport", "--sport", "--first-ttl", "--max-ttl", "--attempts",
                          "--wait", "--gaplimit", "--pps", "--concurrency", "--interface",
                          "--source", "--target-file", "--write", "--capture-all", "--read", "--output",
                          "--output-file", "--classic", "--help", "--version"})
    EXPECT_NE(u.find(opt), std::string::npos) << opt;
}

}  // namespace
