// SPDX-License-Identifier: BSD-2-Clause
// The frontier phase of fl-locate behind Linux's default ICMP rate limits
// (the scenarios of scenarios.cpp without their `icmp-unlimited *` line):
// the breaking router's unreachables, which the survey's probes drain,
// arrive once the phase asks again, paced. Each run is also replayed from
// its capture, to the same bytes.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lab_test_util.h"
#include "scenarios.h"

#ifndef FL_COUNTRY_ASN
#define FL_COUNTRY_ASN ""
#endif

namespace probe::lab::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct FrontierCase {
  std::string scenario;
  std::string breaker;  ///< the router whose unreachable names the break
};

std::ostream& operator<<(std::ostream& os, const FrontierCase& c) { return os << c.scenario; }

// The scenario with every router at Linux's default ICMP behaviour.
Lab limited_lab(const std::string& name) {
  auto text = scenario(name);
  if (!text) throw LabError("no scenario " + name);
  const std::string unlimited = "icmp-unlimited *\n";
  for (auto at = text->find(unlimited); at != std::string::npos; at = text->find(unlimited))
    text->erase(at, unlimited.size());
  LabOptions options;
  options.state_dir = FL_LAB_STATE_DIR;
  return Lab(*text, options);
}

json parse_report(const ExecResult& r) {
  try {
    return json::parse(r.out);
  } catch (const json::exception&) {
    return json();
  }
}

class FrontierLab : public ::testing::TestWithParam<FrontierCase> {};

TEST_P(FrontierLab, AsksThePacedFrontierForTheBreakingRoutersUnreachable) {
  FL_REQUIRE_LOCATE_LAB();
  const FrontierCase& c = GetParam();
  TempDir dir;
  const std::string capture = dir.file("run.pcapng");
  ExecResult live;
  {
    Lab lab = limited_lab(c.scenario);
    live = lab.exec(kVantage,
                    {fl_locate_path(), "-p", "198.18.128.0/22", "-p", "198.18.136.0/24", "--zone", "lab.test",
                     "--parent", "192.0.2.53", "--control", "192.0.2.99", "--asn-db", FL_COUNTRY_ASN, "-W", "0.5",
                     "--pps", "500", "-o", "json", "-w", capture},
                    90s);
  }
  ASSERT_EQ(live.exit_code, 0) << live.err;
  json r = parse_report(live);
  ASSERT_TRUE(r.is_object()) << live.out;

  // The phase ran, and what it asked got the breaking router's 3/1.
  EXPECT_GT(r["evidence"]["frontier_probes"].get<int>(), 0) << r["evidence"].dump();
  EXPECT_LE(r["evidence"]["frontier_probes"].get<int>(), 40) << r["evidence"].dump();
  EXPECT_GT(r["evidence"]["rate_limited"].get<int>(), 0) << r["evidence"].dump();
  bool refused = false;
  for (const auto& t : r["targets"])
    if (t.contains("frontier"))
      for (const auto& a : t["frontier"])
        if (a["addr"] == c.breaker && a["unreachable_code"] == 1) refused = true;
  EXPECT_TRUE(refused) << "no frontier probe got 3/1 from " << c.breaker << ": " << r["targets"].dump();
  ASSERT_TRUE(r["break"]["after"].is_object()) << r.dump();
  EXPECT_EQ(r["break"]["after"]["addr"], c.breaker) << r["break"].dump();
  EXPECT_EQ(r["break"]["after"]["unreachable_code"], 1) << r["break"].dump();

  const auto again = run_command({fl_locate_path(), "-r", capture, "--asn-db", FL_COUNTRY_ASN, "-o", "json"}, 60s);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, live.out);
}

INSTANTIATE_TEST_SUITE_P(RateLimited, FrontierLab,
                         ::testing::Values(FrontierCase{"country-transit-unreach", "198.18.0.10"},
                                           FrontierCase{"country-border-noroute", "198.18.0.14"}),
                         [](const ::testing::TestParamInfo<FrontierCase>& pi) {
                           std::string n = pi.param.scenario;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace probe::lab::test
