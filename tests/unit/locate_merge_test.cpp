// SPDX-License-Identifier: BSD-2-Clause
// fl-locate --merge: reports from several vantage points, written as
// fl-locate writes them, read back and merged into one joint verdict. One
// test per rule of locate/merge.h.

#include "probe/locate/merge.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "probe/format/joint_report.h"
#include "probe/format/locate_report.h"

namespace {

using nlohmann::json;
using probe::locate::JointReport;
using probe::locate::Report;
using probe::model::Verdict;

// The lab's country: 198.18.128.0/22 and 198.18.136.0/24 behind AS64520.
const char* kP1 = "198.18.128.0/22";
const char* kP2 = "198.18.136.0/24";

json hop(const char* addr, std::uint32_t asn, bool national = false, bool border = false) {
  return {{"addr", addr}, {"ttl", 3},          {"asn", asn},          {"as_name", "AS" + std::to_string(asn)},
          {"national", national}, {"border", border}, {"unreachable_code", nullptr}};
}

json brk(const json& after) { return {{"after", after}, {"before", nullptr}, {"failing", 4}, {"sharing", 4}}; }

// How one vantage saw one prefix: targets reached of 4, and where the
// failing paths end (null: reached, or no hop answered).
struct Seen {
  const char* prefix;
  int reached;
  json after = nullptr;
};

json report(const char* name, const char* verdict, const std::vector<Seen>& seen, bool control_ok = true,
            json dns = nullptr) {
  json prefixes = json::array();
  for (const auto& s : seen)
    prefixes.push_back({{"prefix", s.prefix}, {"verdict", s.reached > 0 ? "reachable" : "internal"},
                        {"status", s.reached > 0 ? "reachable" : "unreachable"}, {"targets", 4},
                        {"reached", s.reached}, {"break", brk(s.reached > 0 ? json(nullptr) : s.after)}});
  return {{"type", "locate"},
          {"vantage", {{"name", name}, {"source", "198.51.100.1"}}},
          {"verdict", verdict},
          {"confidence", "medium"},
          {"reason", std::string(name) + "'s own reason"},
          {"break", brk(nullptr)},
          {"prefixes", prefixes},
          {"dns", dns},
          {"control", {{"targets", 1}, {"reached", control_ok ? 1 : 0}, {"ok", control_ok}, {"addrs", {"192.0.2.99"}}}},
          {"evidence", json::object()},
          {"targets", json::array()},
          {"controls", json::array()}};
}

JointReport merged(const std::vector<json>& reports) {
  std::vector<Report> read;
  for (const auto& j : reports) {
    auto r = probe::format::read_locate_report(j.dump());
    EXPECT_TRUE(r) << r.error().message;
    if (r) read.push_back(std::move(*r));
  }
  return probe::locate::merge(read);
}

// Three carriers into the country: AS64501, AS64502 and AS64503.
TEST(LocateMerge, AllFailingThroughDifferentCarriersIsInternalWithHighConfidence) {
  auto j = merged({report("a", "internal", {{kP1, 0, hop("198.18.0.2", 64501, false, true)}}),
                   report("b", "upstream", {{kP1, 0, hop("198.18.0.6", 64502)}}),
                   report("c", "upstream", {{kP1, 0, hop("198.18.0.10", 64503)}})});
  EXPECT_EQ(j.verdict, Verdict::internal);
  EXPECT_EQ(j.confidence, probe::model::Confidence::high);
  EXPECT_NE(j.reason.find("through 3 upstream ASes"), std::string::npos) << j.reason;
  ASSERT_EQ(j.prefixes.size(), 1u);
  EXPECT_EQ(j.prefixes[0].verdict, Verdict::internal);
}

TEST(LocateMerge, AllFailingAtTheSameBorderIsInternal) {
  const json border = hop("198.18.0.14", 64510, false, true);
  auto j = merged({report("a", "internal", {{kP1, 0, border}}), report("b", "internal", {{kP1, 0, border}})});
  EXPECT_EQ(j.verdict, Verdict::internal);
  // One upstream AS behind both: the country is not seen from two sides.
  EXPECT_EQ(j.confidence, probe::model::Confidence::medium);
}

TEST(LocateMerge, OnlyThePathsThroughOneCarrierFailingIsThatCarriersFault) {
  auto j = merged({report("a", "upstream", {{kP1, 0, hop("198.18.0.5", 64502)}, {kP2, 0, hop("198.18.0.5", 64502)}}),
                   report("b", "reachable", {{kP1, 4}, {kP2, 4}}), report("c", "reachable", {{kP1, 3}, {kP2, 4}})});
  EXPECT_EQ(j.verdict, Verdict::upstream);
  ASSERT_EQ(j.prefixes.size(), 2u);
  ASSERT_TRUE(j.prefixes[0].upstream);
  EXPECT_EQ(j.prefixes[0].upstream->asn, 64502u);
  ASSERT_TRUE(j.prefixes[0].last_hop);
  EXPECT_EQ(j.prefixes[0].last_hop->addr.to_string(), "198.18.0.5");
  EXPECT_NE(j.reason.find("AS64502"), std::string::npos) << j.reason;
  EXPECT_NE(j.reason.find("198.18.0.5"), std::string::npos) << j.reason;
  EXPECT_NE(j.reason.find("while b, c reach it"), std::string::npos) << j.reason;
}

TEST(LocateMerge, AVantageWhoseOwnNetworkFailsIsLocalAndLeftOut) {
  auto j = merged({report("a", "local", {{kP1, 0}}, false), report("b", "reachable", {{kP1, 4}}),
                   report("c", "reachable", {{kP1, 4}})});
  EXPECT_EQ(j.verdict, Verdict::reachable);
  ASSERT_EQ(j.vantages.size(), 3u);
  EXPECT_TRUE(j.vantages[0].local);
  EXPECT_FALSE(j.vantages[1].local);
  EXPECT_NE(j.reason.find("a local"), std::string::npos) << j.reason;
  // Its failure is not the prefix's: only b and c are judged.
  ASSERT_EQ(j.prefixes.size(), 1u);
  EXPECT_EQ(j.prefixes[0].vantages.size(), 2u);
}

TEST(LocateMerge, EveryVantageLocalIsLocal) {
  auto j = merged({report("a", "local", {{kP1, 0}}, false), report("b", "local", {{kP1, 0}}, false)});
  EXPECT_EQ(j.verdict, Verdict::local);
}

TEST(LocateMerge, SomeVantagesReachingSomePrefixesIsPartialPerPrefix) {
  // a fails kP1 at a national hop, b fails kP2 at another: no one carrier.
  auto j = merged({report("a", "partial", {{kP1, 0, hop("198.18.0.18", 64520, true)}, {kP2, 4}}),
                   report("b", "partial", {{kP1, 4}, {kP2, 0, hop("198.18.0.22", 64520, true)}})});
  EXPECT_EQ(j.verdict, Verdict::partial);
  ASSERT_EQ(j.prefixes.size(), 2u);
  EXPECT_EQ(j.prefixes[0].verdict, Verdict::partial);
  EXPECT_EQ(j.prefixes[1].verdict, Verdict::partial);
  EXPECT_NE(j.reason.find(std::string(kP1) + ": b reach it, a fail"), std::string::npos) << j.reason;
}

TEST(LocateMerge, PrefixSetsThatDifferAreMergedPerPrefix) {
  auto j = merged({report("a", "reachable", {{kP1, 4}}), report("b", "internal", {{kP2, 0, hop("198.18.0.22", 64520, true)}})});
  ASSERT_EQ(j.prefixes.size(), 2u);
  EXPECT_EQ(j.prefixes[0].verdict, Verdict::reachable);
  EXPECT_EQ(j.prefixes[1].verdict, Verdict::internal);
  EXPECT_EQ(j.verdict, Verdict::partial);
}

json zone(const char* ns1_status, const char* ns2_status) {
  return {{"zone", "lab.test."}, {"verdict", "unreachable"}, {"parent_answered", true}, {"parent_ns", json::array()},
          {"servers",
           {{{"name", "ns1.lab.test."}, {"addr", "198.18.140.1"}, {"status", ns1_status}, {"udp", false}, {"tcp", false}, {"rcode", nullptr}},
            {{"name", "ns2.lab.test."}, {"addr", "198.18.140.2"}, {"status", ns2_status}, {"udp", false}, {"tcp", false}, {"rcode", nullptr}}}}};
}

TEST(LocateMerge, AServerThatAnsweredAnyVantageIsUp) {
  auto j = merged({report("a", "dns", {{kP1, 4}}, true, zone("unreachable", "unreachable")),
                   report("b", "reachable", {{kP1, 4}}, true, zone("ok", "unreachable"))});
  EXPECT_EQ(j.verdict, Verdict::reachable);
  ASSERT_EQ(j.servers.size(), 2u);
  EXPECT_EQ(j.servers[0].answered, std::vector<std::string>{"b"});
  EXPECT_TRUE(j.servers[1].answered.empty());
  EXPECT_NE(j.reason.find("ns2.lab.test."), std::string::npos) << j.reason;
}

TEST(LocateMerge, NoServerAnsweringAnyVantageIsDns) {
  auto j = merged({report("a", "dns", {{kP1, 4}}, true, zone("unreachable", "lame")),
                   report("b", "dns", {{kP1, 4}}, true, zone("unreachable", "unreachable"))});
  // ns2 answered a (lame, but it answered): the zone is not dark.
  EXPECT_EQ(j.verdict, Verdict::reachable);
  auto dark = merged({report("a", "dns", {{kP1, 4}}, true, zone("unreachable", "unreachable")),
                      report("b", "dns", {{kP1, 4}}, true, zone("unreachable", "unreachable"))});
  EXPECT_EQ(dark.verdict, Verdict::dns);
  EXPECT_EQ(dark.confidence, probe::model::Confidence::high);
}

TEST(LocateMerge, OneVantageOnlyGivesItsVerdictAndSaysSo) {
  auto j = merged({report("solo", "upstream", {{kP1, 0, hop("198.18.0.5", 64502)}})});
  EXPECT_EQ(j.verdict, Verdict::upstream);
  EXPECT_EQ(j.confidence, probe::model::Confidence::medium);
  EXPECT_NE(j.reason.find("one vantage only (solo)"), std::string::npos) << j.reason;
  EXPECT_NE(j.reason.find("solo's own reason"), std::string::npos) << j.reason;
}

TEST(LocateMerge, TwoReportsOfOneVantageClash) {
  std::vector<Report> reports;
  for (const char* name : {"a", "b", "a"}) reports.push_back(*probe::format::read_locate_report(report(name, "reachable", {{kP1, 4}}).dump()));
  EXPECT_EQ(probe::locate::vantage_clash(reports), std::optional<std::string>("a"));
  reports.pop_back();
  EXPECT_FALSE(probe::locate::vantage_clash(reports));
}

TEST(LocateReportReader, RefusesWhatIsNoReport) {
  EXPECT_FALSE(probe::format::read_locate_report("{"));
  EXPECT_FALSE(probe::format::read_locate_report("[]"));
  EXPECT_FALSE(probe::format::read_locate_report(R"({"type":"trace"})"));
  auto bad = report("a", "reachable", {{kP1, 4}});
  bad["verdict"] = "fine";
  auto r = probe::format::read_locate_report(bad.dump());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("verdict"), std::string::npos) << r.error().message;
  bad = report("a", "reachable", {{kP1, 4}});
  bad["prefixes"][0]["reached"] = 5;  // of 4 targets
  EXPECT_FALSE(probe::format::read_locate_report(bad.dump()));
  EXPECT_FALSE(probe::format::read_locate_report(std::string(probe::format::kMaxLocateReportBytes + 1, ' ')));
}

TEST(LocateReportReader, AReportFromBeforeVantagesReadsUnnamed) {
  auto old = report("a", "reachable", {{kP1, 4}});
  old.erase("vantage");
  auto r = probe::format::read_locate_report(old.dump());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->vantage.name, "");
  EXPECT_TRUE(r->vantage.source.is_unspecified());
}

TEST(JointReport, JsonNamesEachVantageAndWhereItFails) {
  auto j = probe::format::to_json(merged({report("a", "upstream", {{kP1, 0, hop("198.18.0.5", 64502)}}),
                                          report("b", "reachable", {{kP1, 4}})}));
  EXPECT_EQ(j["type"], "joint");
  EXPECT_EQ(j["verdict"], "upstream");
  EXPECT_EQ(j["vantages"][0]["name"], "a");
  EXPECT_EQ(j["prefixes"][0]["upstream_asn"], 64502);
  EXPECT_EQ(j["prefixes"][0]["fail"][0]["vantage"], "a");
  EXPECT_EQ(j["prefixes"][0]["fail"][0]["last_hop"]["addr"], "198.18.0.5");
  EXPECT_EQ(j["prefixes"][0]["reach"][0]["vantage"], "b");
}

TEST(JointReport, DotDrawsEachVantagesPathsInItsColourAndMarksTheBreak) {
  auto a = report("a", "upstream", {{kP1, 0, hop("198.18.0.5", 64502)}});
  a["targets"] = {{{"addr", "198.18.128.1"}, {"prefix", 0}, {"reached", false}, {"by", json::array()}, {"loop", false},
                   {"last_hop", nullptr}, {"path", {{{"ttl", 1}, {"addr", "198.18.0.5"}}}}, {"reached_ttl", nullptr}}};
  auto b = report("b", "reachable", {{kP1, 4}});
  b["targets"] = {{{"addr", "198.18.128.1"}, {"prefix", 0}, {"reached", true}, {"by", json::array()}, {"loop", false},
                   {"last_hop", nullptr}, {"path", {{{"ttl", 1}, {"addr", "198.18.0.9"}}}}, {"reached_ttl", 2}}};
  std::vector<Report> read = {*probe::format::read_locate_report(a.dump()),
                              *probe::format::read_locate_report(b.dump())};
  std::ostringstream dot;
  probe::format::write_dot(dot, probe::locate::merge(read), read);
  const std::string g = dot.str();
  EXPECT_NE(g.find("\"vantage 0\" -> \"198.18.0.5\" [color=\"#1f77b4\"]"), std::string::npos) << g;
  EXPECT_NE(g.find("\"vantage 1\" -> \"198.18.0.9\" [color=\"#ff7f0e\"]"), std::string::npos) << g;
  EXPECT_NE(g.find("\"198.18.0.5\" [color=red"), std::string::npos) << g;
  EXPECT_EQ(g.find("\"198.18.0.9\" [color=red"), std::string::npos) << g;
  EXPECT_NE(g.find("label=\"paths of a\""), std::string::npos) << g;
  EXPECT_NE(g.find("label=\"paths of b\""), std::string::npos) << g;
  EXPECT_NE(g.find("\"198.18.128.0/22\" [shape=box, color=red, label=\"198.18.128.0/22\\nupstream\"]"), std::string::npos) << g;
}

}  // namespace
