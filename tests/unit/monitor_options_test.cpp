// SPDX-License-Identifier: BSD-2-Clause
// fl-monitor's command line: its own options, fl-locate's read through
// fl-locate's code, and the report subcommand kept apart.

#include <gtest/gtest.h>

#include <unistd.h>

#include <string>
#include <vector>

#include "../../tools/fl-monitor/options.h"

namespace {

probe::Result<flmonitor::Options> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "fl-monitor");
  return flmonitor::parse_options(static_cast<int>(args.size()), args.data());
}

TEST(MonitorOptions, WatchReadsItsOwnAndFlLocatesOptions) {
  auto o = parse({"--db", "kp.db", "--country", "kp", "--interval", "2s", "--rounds", "3", "--full-every", "0"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_FALSE(o->report);
  EXPECT_EQ(o->db, "kp.db");
  EXPECT_EQ(o->country, "KP");
  EXPECT_EQ(o->zone, "kp.");  // fl-locate's default, from its own code
  EXPECT_EQ(o->interval_us, 2'000'000);
  EXPECT_EQ(o->rounds, 3);
  EXPECT_EQ(o->full_every, 0);
}

TEST(MonitorOptions, UsageErrors) {
  const std::vector<std::vector<const char*>> bad = {
      {"--country", "KP"},                                 // no --db
      {"--db", "x.db"},                                    // nothing to probe
      {"--db", "x.db", "-p", "198.18.0.0/24", "--interval", "10x"},
      {"--db", "x.db", "-p", "198.18.0.0/24", "--interval", "0.01s"},
      {"--db", "x.db", "-p", "198.18.0.0/24", "--since", "0"},  // report's
      {"--db", "x.db", "-p", "198.18.0.0/24", "-o", "json"},
  };
  for (const auto& args : bad) {
    auto o = parse(args);
    ASSERT_FALSE(o) << args.back();
    EXPECT_EQ(o.error().kind, probe::ErrorKind::usage) << args.back();
  }
}

TEST(MonitorOptions, VantageNamesTheMonitorAndDefaultsToTheHostName) {
  auto named = parse({"--db", "kp.db", "--country", "kp", "--vantage", "ams-1"});
  ASSERT_TRUE(named) << named.error().message;
  EXPECT_EQ(named->vantage, "ams-1");
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  auto unnamed = parse({"--db", "kp.db", "--country", "kp"});
  ASSERT_TRUE(unnamed) << unnamed.error().message;
  EXPECT_EQ(unnamed->vantage, std::string(host).substr(0, 64));
  for (const char* bad : {"", "ams\t1"}) {
    auto o = parse({"--db", "kp.db", "--country", "kp", "--vantage", bad});
    ASSERT_FALSE(o) << bad;
    EXPECT_EQ(o.error().kind, probe::ErrorKind::usage);
    EXPECT_NE(o.error().message.find("--vantage"), std::string::npos) << o.error().message;
  }
}

TEST(MonitorOptions, ReportTakesTimesAsUtcOrEpochSeconds) {
  auto o = parse({"report", "--db", "kp.db", "--since", "2026-12-01T03:00:00Z", "--until", "1796200000", "-o", "json"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_TRUE(o->report);
  EXPECT_EQ(o->since_us, 1'796'094'000'000'000);
  EXPECT_EQ(o->until_us, 1'796'200'000'000'000);
  EXPECT_EQ(o->output, flcommon::OutputFormat::json);
  EXPECT_FALSE(parse({"report", "--db", "kp.db", "--since", "yesterday"}));
  EXPECT_FALSE(parse({"report", "--db", "kp.db", "--country", "KP"}));  // what to probe is the watcher's
}

TEST(MonitorOptions, Durations) {
  EXPECT_EQ(flmonitor::parse_duration_us("10m"), 600'000'000);
  EXPECT_EQ(flmonitor::parse_duration_us("1.5h"), 5'400'000'000);
  EXPECT_EQ(flmonitor::parse_duration_us("90"), 90'000'000);
  EXPECT_FALSE(flmonitor::parse_duration_us("m"));
  EXPECT_FALSE(flmonitor::parse_duration_us("-1s"));
}

}  // namespace
