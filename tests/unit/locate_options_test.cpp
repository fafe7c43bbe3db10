// SPDX-License-Identifier: BSD-2-Clause
// fl-locate's command line, table-driven over fllocate::parse_options.

#include <gtest/gtest.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

// Every tool has an options.h on the include path: name this one by path.
#include "../../tools/fl-locate/options.h"

namespace {

using fllocate::Options;
using fllocate::OutputFormat;

probe::Result<Options> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "fl-locate");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return fllocate::parse_options(static_cast<int>(argv.size()), argv.data());
}

std::vector<std::string> labels(const Options& o) {
  std::vector<std::string> out;
  for (const auto& m : o.methods) out.push_back(m.label());
  return out;
}

using Labels = std::vector<std::string>;

TEST(LocateOptions, Defaults) {
  auto r = parse({"-p", "198.18.128.0/22"});
  ASSERT_TRUE(r) << r.error().message;
  const Options& o = *r;
  EXPECT_EQ(o.prefixes, std::vector<std::string>{"198.18.128.0/22"});
  EXPECT_EQ(o.per_block, 3);
  EXPECT_EQ(o.max_targets, 1024u);
  // Every trace method gets a TTL-64 twin, put first.
  EXPECT_EQ(labels(o), (Labels{"direct-icmp", "direct-tcp:80", "direct-tcp:443", "direct-udp", "icmp", "tcp:80",
                               "tcp:443", "udp"}));
  EXPECT_EQ(o.controls, fllocate::kDefaultControls);
  EXPECT_EQ(o.controls, (std::vector<std::string>{"1.1.1.1", "8.8.8.8", "9.9.9.9"}));
  // No --country and no --zone: no DNS check, so no parents either.
  EXPECT_TRUE(o.zone.empty());
  EXPECT_TRUE(o.parents.empty());
  EXPECT_FALSE(o.no_dns);
  EXPECT_TRUE(o.asn_db.empty());
  EXPECT_TRUE(o.baseline.empty());
  EXPECT_EQ(o.wait_us, 1000000);
  EXPECT_EQ(o.attempts, 2);
  EXPECT_EQ(o.gaplimit, 3);
  EXPECT_EQ(o.max_ttl, 30);
  EXPECT_EQ(o.pps, 200);
  EXPECT_EQ(o.budget_us, 10000000);
  EXPECT_EQ(o.output, OutputFormat::text);
  EXPECT_TRUE(o.read_path.empty());
  EXPECT_TRUE(o.write_path.empty());
  EXPECT_TRUE(o.dot_file.empty());
  EXPECT_FALSE(o.help);
}

TEST(LocateOptions, CountryGivesItsZoneAndTheRootServers) {
  auto r = parse({"--country", "kp"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->country, "KP");
  EXPECT_EQ(r->zone, "kp.");
  EXPECT_EQ(r->parents, fllocate::kRootServers);
  ASSERT_EQ(r->parents.size(), 13u);
  EXPECT_EQ(r->parents.front(), "198.41.0.4");
  EXPECT_EQ(r->parents.back(), "202.12.27.33");
  // --no-dns: no zone from the country either.
  auto quiet = parse({"--country", "KP", "--no-dns"});
  ASSERT_TRUE(quiet) << quiet.error().message;
  EXPECT_TRUE(quiet->no_dns);
  EXPECT_TRUE(quiet->zone.empty());
  EXPECT_TRUE(quiet->parents.empty());
}

struct Accepted {
  std::vector<std::string> args;
  std::function<void(const Options&)> check;
};

TEST(LocateOptions, GoodCommandLines) {
  const Accepted table[] = {
      // The lab command of tests/lab (locate_lab_test.cpp).
      {{"-p", "198.18.128.0/22", "-p", "198.18.136.0/24", "--zone", "lab.test", "--parent", "192.0.2.53", "--control",
        "192.0.2.99", "--asn-db", "country-asn.csv", "-W", "0.5", "--pps", "500", "--baseline", "h.json", "-w",
        "c.pcapng", "-o", "json"},
       [](const Options& o) {
         EXPECT_EQ(o.prefixes.size(), 2u);
         EXPECT_EQ(o.zone, "lab.test.");
         EXPECT_EQ(o.parents, std::vector<std::string>{"192.0.2.53"});
         EXPECT_EQ(o.controls, std::vector<std::string>{"192.0.2.99"});
         EXPECT_EQ(o.asn_db, "country-asn.csv");
         EXPECT_EQ(o.wait_us, 500000);
         EXPECT_EQ(o.pps, 500);
         EXPECT_EQ(o.baseline, "h.json");
         EXPECT_EQ(o.write_path, "c.pcapng");
         EXPECT_EQ(o.output, OutputFormat::json);
       }},
      {{"-p", "198.18.128.0/22"}, [](const Options& o) { EXPECT_FALSE(o.yes); }},
      // A live run is named after its host unless told; a replay keeps the
      // capture's name unless told.
      {{"-p", "198.18.128.0/22"},
       [](const Options& o) {
         char host[256] = {};
         ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
         EXPECT_EQ(o.vantage, std::string(host).substr(0, 64));
       }},
      {{"-p", "198.18.128.0/22", "--vantage", "ams-1 (AS64496)"},
       [](const Options& o) { EXPECT_EQ(o.vantage, "ams-1 (AS64496)"); }},
      {{"-r", "x.pcapng"}, [](const Options& o) { EXPECT_EQ(o.vantage, ""); }},
      {{"-r", "x.pcapng", "--vantage", "fra"}, [](const Options& o) { EXPECT_EQ(o.vantage, "fra"); }},
      {{"-p", "198.18.128.1/22", "--yes"}, [](const Options& o) { EXPECT_TRUE(o.yes); }},
      // The frontier phase: seconds, 0 turns it off.
      {{"-p", "198.18.128.0/22", "--budget", "2.5"}, [](const Options& o) { EXPECT_EQ(o.budget_us, 2500000); }},
      {{"-p", "198.18.128.0/22", "--budget", "0"}, [](const Options& o) { EXPECT_EQ(o.budget_us, 0); }},
      // Zones are normalized: lower case, trailing dot.
      {{"-p", "198.18.128.0/22", "--zone", "Lab.TEST"}, [](const Options& o) { EXPECT_EQ(o.zone, "lab.test."); }},
      {{"-p", "198.18.128.0/22", "--zone", "lab.test."}, [](const Options& o) { EXPECT_EQ(o.zone, "lab.test."); }},
      // --zone overrides the country's ccTLD; the roots stay the parents.
      {{"--country", "KP", "--zone", "Example.KP"},
       [](const Options& o) {
         EXPECT_EQ(o.zone, "example.kp.");
         EXPECT_EQ(o.parents.size(), 13u);
       }},
      {{"-p", "198.18.128.0/22", "--zone", "lab.test", "--parent", "192.0.2.53", "--parent", "192.0.2.54"},
       [](const Options& o) { EXPECT_EQ(o.parents, (std::vector<std::string>{"192.0.2.53", "192.0.2.54"})); }},
      {{"-p", "198.18.128.0/22", "--no-control"}, [](const Options& o) { EXPECT_TRUE(o.controls.empty()); }},
      {{"-p", "198.18.128.0/22", "--control", "192.0.2.99", "--control", "192.0.2.98"},
       [](const Options& o) { EXPECT_EQ(o.controls, (std::vector<std::string>{"192.0.2.99", "192.0.2.98"})); }},
      {{"-p", "198.18.128.0/22", "--no-dns"},
       [](const Options& o) {
         EXPECT_TRUE(o.no_dns);
         EXPECT_TRUE(o.zone.empty());
       }},
      {{"--asn", "131279", "--asn", "64520"},
       [](const Options& o) { EXPECT_EQ(o.asns, (std::vector<std::uint32_t>{131279, 64520})); }},
      {{"--prefix-file", "kp.txt"}, [](const Options& o) { EXPECT_EQ(o.prefix_file, "kp.txt"); }},
      {{"-p", "198.18.128.0/22", "--per-block", "1", "--max-targets", "10", "-q", "1", "-g", "2", "-m", "12"},
       [](const Options& o) {
         EXPECT_EQ(o.per_block, 1);
         EXPECT_EQ(o.max_targets, 10u);
         EXPECT_EQ(o.attempts, 1);
         EXPECT_EQ(o.gaplimit, 2);
         EXPECT_EQ(o.max_ttl, 12);
       }},
      // Methods: given order, direct twins first and only for the missing ones.
      {{"-p", "198.18.128.0/22", "--methods", "tcp:443,icmp"},
       [](const Options& o) { EXPECT_EQ(labels(o), (Labels{"direct-tcp:443", "direct-icmp", "tcp:443", "icmp"})); }},
      {{"-p", "198.18.128.0/22", "--methods", "udp:53"},
       [](const Options& o) {
         EXPECT_EQ(labels(o), (Labels{"direct-udp:53", "udp:53"}));
         EXPECT_EQ(o.methods[1].dport, 53);
         EXPECT_TRUE(o.methods[0].direct);
         EXPECT_FALSE(o.methods[1].direct);
       }},
      {{"-p", "198.18.128.0/22", "--methods", "direct-icmp,icmp"},
       [](const Options& o) { EXPECT_EQ(labels(o), (Labels{"direct-icmp", "icmp"})); }},
      {{"-p", "198.18.128.0/22", "--methods", "icmp,direct-tcp:80"},
       [](const Options& o) { EXPECT_EQ(labels(o), (Labels{"direct-icmp", "icmp", "direct-tcp:80"})); }},
      {{"-p", "198.18.128.0/22", "--methods", "udp,direct-udp"},
       [](const Options& o) { EXPECT_EQ(labels(o), (Labels{"udp", "direct-udp"})); }},
      {{"-p", "198.18.128.0/22", "--methods", "icmp,tcp:80", "--no-direct"},
       [](const Options& o) { EXPECT_EQ(labels(o), (Labels{"icmp", "tcp:80"})); }},
      {{"-p", "198.18.128.0/22", "--no-direct"},
       [](const Options& o) { EXPECT_EQ(labels(o), (Labels{"icmp", "tcp:80", "tcp:443", "udp"})); }},
      // Nine traced methods fit without their twins.
      {{"-p", "198.18.128.0/22", "--no-direct", "--methods",
        "tcp:1,tcp:2,tcp:3,tcp:4,tcp:5,tcp:6,tcp:7,tcp:8,tcp:9"},
       [](const Options& o) { EXPECT_EQ(o.methods.size(), 9u); }},
      // Replay: only what reading and writing the report needs.
      {{"-r", "run.pcapng", "--baseline", "h.json", "--asn-db", "asn.csv", "-o", "json", "-O", "out.json", "--dot",
        "g.dot"},
       [](const Options& o) {
         EXPECT_EQ(o.read_path, "run.pcapng");
         EXPECT_EQ(o.baseline, "h.json");
         EXPECT_EQ(o.asn_db, "asn.csv");
         EXPECT_EQ(o.output_file, "out.json");
         EXPECT_EQ(o.dot_file, "g.dot");
         EXPECT_TRUE(o.prefixes.empty());
         EXPECT_TRUE(o.methods.empty());   // the capture says which
         EXPECT_TRUE(o.controls.empty());  // no public default sneaks in
         EXPECT_TRUE(o.parents.empty());
       }},
      {{"--help"}, [](const Options& o) { EXPECT_TRUE(o.help); }},
      {{"--version"}, [](const Options& o) { EXPECT_TRUE(o.version); }},
  };
  for (const auto& c : table) {
    auto r = parse(c.args);
    ASSERT_TRUE(r) << c.args.front() << " " << c.args.back() << ": " << r.error().message;
    c.check(*r);
  }
}

struct Bad {
  std::vector<std::string> args;
  const char* says;
};

TEST(LocateOptions, BadCommandLines) {
  const std::string p = "198.18.128.0/22";
  const Bad table[] = {
      {{}, "say what to probe"},
      {{"--zone", "lab.test"}, "say what to probe"},
      {{"--control", "192.0.2.99", "-o", "json"}, "say what to probe"},
      {{"--country", "K"}, "two-letter ISO code"},
      {{"--country", "KPX"}, "two-letter ISO code"},
      {{"--country", "K1"}, "two-letter ISO code"},
      {{"--country", "1P"}, "two-letter ISO code"},
      {{"--country", ""}, "say what to probe"},  // an empty country is no country
      {{"--asn", "0"}, "--asn 0"},
      {{"--asn", "AS64520"}, "asn"},
      {{"-p", p, "--parent", "192.0.2.53"}, "--parent needs a zone"},
      {{"-p", p, "--zone", "a..b"}, "malformed zone"},
      {{"-p", p, "--zone", "lab test"}, "malformed zone"},
      {{"-p", p, "--no-dns", "--zone", "lab.test"}, "--no-dns cannot be given with --zone or --parent"},
      {{"-p", p, "--no-dns", "--parent", "192.0.2.53"}, "--no-dns cannot be given"},
      {{"--country", "KP", "--no-dns", "--zone", "kp"}, "--no-dns cannot be given"},
      {{"-p", p, "--no-control", "--control", "192.0.2.99"}, "contradict"},
      {{"-p", p, "--methods", "icmp,icmp"}, "'icmp' given twice"},
      {{"-p", p, "--methods", "tcp:80,icmp,tcp:80"}, "'tcp:80' given twice"},
      {{"-p", p, "--methods", "direct-icmp,direct-icmp"}, "given twice"},
      {{"-p", p, "--methods", "udp,udp:53"}, "one udp method at most"},
      {{"-p", p, "--methods", "tcp"}, "unknown method 'tcp'"},
      {{"-p", p, "--methods", "icmp:80"}, "unknown method"},
      {{"-p", p, "--methods", "tcp:0"}, "unknown method"},
      {{"-p", p, "--methods", "tcp:65536"}, "unknown method"},
      {{"-p", p, "--methods", "dns"}, "unknown method"},
      {{"-p", p, "--methods", "icmp,,udp"}, "unknown method ''"},
      {{"-p", p, "--methods", ""}, "--methods is empty"},
      // Nine traced methods and their nine twins are two too many.
      {{"-p", p, "--methods", "tcp:1,tcp:2,tcp:3,tcp:4,tcp:5,tcp:6,tcp:7,tcp:8,tcp:9"}, "at most 16 methods"},
      {{"-p", p, "--per-block", "0"}, "--per-block must be between 1 and 254"},
      {{"-p", p, "--max-targets", "0"}, "--max-targets"},
      {{"-p", p, "-q", "11"}, "--attempts"},
      {{"-p", p, "-g", "0"}, "--gaplimit"},
      {{"-p", p, "-m", "256"}, "--max-ttl"},
      {{"-p", p, "-W", "0"}, "--wait"},
      {{"-p", p, "-W", "61"}, "--wait"},
      {{"-p", p, "--pps", "0.5"}, "--pps"},
      {{"-p", p, "--budget", "-1"}, "--budget must be between 0 and 3600"},
      {{"-p", p, "--budget", "3601"}, "--budget"},
      {{"-p", p, "-o", "xml"}, "unknown output format 'xml'"},
      {{"-p", p, "-w", "1"}, "did you mean -W 1? -w writes a capture"},
      {{"-p", p, "--frobnicate"}, "frobnicate"},
      // -r replays what the capture stored: no live option goes with it.
      {{"-r", "x.pcapng", "-p", p}, "--prefix cannot be given with it"},
      {{"-r", "x.pcapng", "--prefix-file", "f"}, "--prefix-file cannot"},
      {{"-r", "x.pcapng", "--country", "KP"}, "--country cannot"},
      {{"-r", "x.pcapng", "--asn", "64520"}, "--asn cannot"},
      {{"-r", "x.pcapng", "--hitlist", "h"}, "--hitlist cannot"},
      {{"-r", "x.pcapng", "--control", "192.0.2.99"}, "--control cannot"},
      {{"-r", "x.pcapng", "--zone", "lab.test"}, "--zone cannot"},
      {{"-r", "x.pcapng", "--parent", "192.0.2.53"}, "--parent cannot"},
      {{"-r", "x.pcapng", "-i", "eth0"}, "--interface cannot"},
      {{"-r", "x.pcapng", "-S", "198.18.0.1"}, "--source cannot"},
      {{"-r", "x.pcapng", "-w", "y.pcapng"}, "--write cannot"},
      {{"-r", "x.pcapng", "--country-db", "c.csv"}, "--country-db cannot"},
      {{"-r", "x.pcapng", "--methods", "icmp"}, "--methods cannot"},
      {{"-r", "x.pcapng", "-W", "0.5"}, "--wait cannot"},
      {{"-r", "x.pcapng", "-q", "1"}, "--attempts cannot"},
      {{"-r", "x.pcapng", "-g", "2"}, "--gaplimit cannot"},
      {{"-r", "x.pcapng", "-m", "12"}, "--max-ttl cannot"},
      {{"-r", "x.pcapng", "--pps", "500"}, "--pps cannot"},
      {{"-r", "x.pcapng", "--budget", "0"}, "--budget cannot"},
      {{"-r", "x.pcapng", "--per-block", "2"}, "--per-block cannot"},
      {{"-r", "x.pcapng", "--max-targets", "5"}, "--max-targets cannot"},
      {{"-r", "x.pcapng", "--no-control"}, "--no-control cannot"},
      {{"-r", "x.pcapng", "--no-dns"}, "--no-dns cannot"},
      {{"-r", "x.pcapng", "--no-direct"}, "--no-direct cannot"},
      {{"-r", "x.pcapng", "--yes"}, "--yes cannot"},
      {{"-r", "x.pcapng", "-o", "yaml"}, "unknown output format"},
      {{"-p", p, "--vantage", ""}, "cannot be empty"},
      {{"-p", p, "--vantage", "ams\t1"}, "printable ASCII"},
      {{"-r", "x.pcapng", "--vantage", "caf\xc3\xa9"}, "printable ASCII"},
      {{"-p", p, "--vantage", std::string(65, 'v')}, "at most 64 bytes"},
  };
  for (const auto& c : table) {
    auto r = parse(c.args);
    std::string line;
    for (const auto& a : c.args) line += a + " ";
    ASSERT_FALSE(r) << line;
    EXPECT_EQ(r.error().kind, probe::ErrorKind::usage) << line;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << line << "-> " << r.error().message;
  }
}

TEST(LocateOptions, UsageNamesTheVerdictsAndExitCodes) {
  const std::string u = fllocate::usage();
  EXPECT_NE(u.find("--baseline"), std::string::npos);
  EXPECT_NE(u.find("130 interrupted"), std::string::npos);
  EXPECT_NE(u.find("inconclusive"), std::string::npos);
}

}  // namespace
