// SPDX-License-Identifier: BSD-2-Clause
// fl-locate --vantage and --merge over real reports: the lab's captures
// replayed under vantage names, then merged as the reports of three
// vantage points would be.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "process.h"

namespace {

using testsupport::run;

std::string capture(const char* name) { return std::string(FL_CAPTURES_DIR) + "/" + name + ".pcapng"; }

// The capture's report under `vantage`, written to `path`.
void replay_as(const char* name, const char* vantage, const std::string& path) {
  auto o = run({FL_LOCATE_BIN, "-r", capture(name), "--vantage", vantage, "-o", "json", "-O", path});
  ASSERT_EQ(o.exit_code, 0) << o.err;
}

TEST(LocateVantage, AReplayIsNamedAndKeepsItsSource) {
  auto o = run({FL_LOCATE_BIN, "-r", capture("locate-country"), "--vantage", "ams-1", "-o", "json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j.at("vantage").at("name"), "ams-1");
  EXPECT_EQ(j.at("vantage").at("source"), "198.18.0.1");
  auto text = run({FL_LOCATE_BIN, "-r", capture("locate-country"), "--vantage", "ams-1"});
  EXPECT_NE(text.out.find("\nvantage ams-1 from 198.18.0.1\n"), std::string::npos) << text.out;
}

TEST(LocateMerge, OneCarrierDroppingTheCountryIsNamedAndAVantagesOwnFaultLeftOut) {
  // a: t2 (AS64510) drops the nation; b: healthy; c: its own uplink down.
  testsupport::TempDir dir;
  replay_as("locate-transit-drop", "a", dir.file("a.json"));
  replay_as("locate-country", "b", dir.file("b.json"));
  replay_as("locate-uplink-down", "c", dir.file("c.json"));
  auto o = run({FL_LOCATE_BIN, "--merge", dir.file("a.json"), dir.file("b.json"), dir.file("c.json"), "-o", "json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j.at("type"), "joint");
  EXPECT_EQ(j.at("verdict"), "upstream") << j.at("reason");
  EXPECT_NE(j.at("reason").get<std::string>().find("AS64510"), std::string::npos) << j.at("reason");
  EXPECT_EQ(j.at("vantages").at(2).at("local"), true);
  ASSERT_EQ(j.at("prefixes").size(), 2u);
  for (const auto& p : j.at("prefixes")) {
    EXPECT_EQ(p.at("upstream_asn"), 64510);
    EXPECT_EQ(p.at("last_hop").at("addr"), "198.18.0.10");
    EXPECT_EQ(p.at("reach").at(0).at("vantage"), "b");
    EXPECT_EQ(p.at("fail").size(), 1u);
  }
}

TEST(LocateMerge, RefusesTwoReportsOfOneVantageAndWhatIsNoReport) {
  testsupport::TempDir dir;
  replay_as("locate-country", "a", dir.file("a.json"));
  auto twice = run({FL_LOCATE_BIN, "--merge", dir.file("a.json"), dir.file("a.json")});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("two reports name the vantage 'a'"), std::string::npos) << twice.err;
  auto pcap = run({FL_LOCATE_BIN, "--merge", capture("locate-country")});
  EXPECT_EQ(pcap.exit_code, 4) << pcap.err;
  auto probing = run({FL_LOCATE_BIN, "--merge", dir.file("a.json"), "-p", "198.18.128.0/22"});
  EXPECT_EQ(probing.exit_code, 2);
  EXPECT_NE(probing.err.find("cannot be given with --merge"), std::string::npos) << probing.err;
}

}  // namespace
