// SPDX-License-Identifier: BSD-2-Clause
// fl-locate against the lab country (scenarios.cpp, README "The country"):
// one fresh lab per scenario, the campaign captures/record uses, and the
// report held to what the fault must give: verdict, the break hop (address,
// AS, national, border, unreachable code), the hop it used to reach next,
// each prefix's verdict, the zone's verdict and the control. Every live run
// writes a capture that must replay to the same bytes, and a Graphviz graph
// that marks the break hop red.
//
// The baseline is the recorded healthy run, captures/locate-country.json
// (core-dark takes its capture instead: both forms are accepted). The lab's
// paths never change and a baseline is matched by target, else by prefix,
// so it fits every run; recording one per test would cost a campaign per
// test process, as ctest runs each test on its own.
//
// Every live fl-locate here names the lab's control, zone and parent: its
// defaults are public addresses.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "country.h"
#include "lab_test_util.h"
#include "scenarios.h"

#ifndef FL_COUNTRY_ASN
#define FL_COUNTRY_ASN ""
#endif
#ifndef FL_CAPTURES_DIR
#define FL_CAPTURES_DIR ""
#endif

namespace probe::lab::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// The country's prefixes and ASes (country.h has the routers' addresses).
constexpr const char* PREFIX_A = "198.18.128.0/22";
constexpr const char* PREFIX_B = "198.18.136.0/24";
constexpr int kAccess = 64500;
constexpr int kTransit = 64510;
constexpr int kNational = 64520;

const std::string kBaselineJson = std::string(FL_CAPTURES_DIR) + "/locate-country.json";
const std::string kBaselineCapture = std::string(FL_CAPTURES_DIR) + "/locate-country.pcapng";

// ---- running it --------------------------------------------------------------

struct LocateRun {
  ExecResult result;
  json report;              ///< null when stdout was not one JSON document
  std::string parse_error;
};

LocateRun parse(ExecResult r) {
  LocateRun run;
  try {
    run.report = json::parse(r.out);
  } catch (const json::exception& e) {
    run.parse_error = e.what();
  }
  run.result = std::move(r);
  return run;
}

/// The campaign of captures/record, plus `extra`.
std::vector<std::string> campaign(const std::vector<std::string>& extra) {
  std::vector<std::string> a = {fl_locate_path(), "-p",      PREFIX_A,   "-p",  PREFIX_B,       "--zone",
                                "lab.test",       "--parent", PARENT,     "--control", CTRL,     "--asn-db",
                                FL_COUNTRY_ASN,   "-W",       "0.5",      "--pps", "500",        "-o",
                                "json"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

LocateRun run_locate(const Lab& lab, const std::vector<std::string>& extra) {
  return parse(lab.exec(kVantage, campaign(extra), 60s));
}

/// Offline: the capture read back alone; it carries the ASes and the
/// baseline the live run used.
LocateRun replay(const std::string& capture, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {fl_locate_path(), "-r", capture, "-o", "json"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return parse(run_command(argv, 60s));
}

// ---- what a report must say ----------------------------------------------------

struct HopWant {
  std::string addr;
  int asn = 0;
  bool national = false;
  bool border = false;
  int code = 0;  ///< unreachable_code; 0: none; -1: not checked
  int ttl = 0;   ///< 0: not checked (behind ip_error's rate limit an !H hop's TTL varies)
};

void expect_hop(json h, const HopWant& w, const std::string& what) {
  ASSERT_TRUE(h.is_object()) << what << " is " << h.dump();
  EXPECT_EQ(h.value("addr", ""), w.addr) << what << ": " << h.dump();
  EXPECT_EQ(h.value("asn", 0), w.asn) << what << ": " << h.dump();
  EXPECT_EQ(h.value("national", !w.national), w.national) << what << ": " << h.dump();
  EXPECT_EQ(h.value("border", !w.border), w.border) << what << ": " << h.dump();
  if (w.code > 0) {
    EXPECT_EQ(h["unreachable_code"], w.code) << what << ": " << h.dump();
  } else if (w.code == 0) {
    EXPECT_TRUE(h["unreachable_code"].is_null()) << what << ": " << h.dump();
  }
  if (w.ttl != 0) {
    EXPECT_EQ(h.value("ttl", 0), w.ttl) << what << ": " << h.dump();
  }
}

/// One national prefix: its verdict and (when given) where its paths break.
struct PrefixWant {
  std::string verdict;
  std::optional<std::string> after;   ///< "" = none; nullopt = not checked
  std::optional<std::string> before;
};

struct LocateCase {
  std::string scenario;
  std::string verdict;
  std::string confidence;
  std::optional<HopWant> after;   ///< nullopt: no break
  std::optional<HopWant> before;
  PrefixWant a, b;
  std::string dns;                ///< the zone's verdict
  bool parent_answers = true;     ///< the parent 192.0.2.53 answered the zone check
  std::string baseline = "json";  ///< json, capture or none
  std::function<void(json)> more = [](json) {};
};

std::ostream& operator<<(std::ostream& os, const LocateCase& c) { return os << c.scenario; }

// Reports are read through copies: a missing key reads as null instead of
// undefined behaviour (operator[] of a const json).
json prefix_of(json report, const std::string& prefix) {
  for (const auto& p : report["prefixes"])
    if (p.value("prefix", "") == prefix) return p;
  return json::object();
}

std::string addr_of(const json& hop) { return hop.is_object() ? hop.value("addr", "") : ""; }

void expect_prefix(const json& report, const std::string& prefix, const PrefixWant& w) {
  json p = prefix_of(report, prefix);
  ASSERT_TRUE(p.contains("verdict")) << "no prefix " << prefix;
  EXPECT_EQ(p["verdict"], w.verdict) << p.dump();
  if (w.after) {
    EXPECT_EQ(addr_of(p["break"]["after"]), *w.after) << prefix << ": " << p.dump();
  }
  if (w.before) {
    EXPECT_EQ(addr_of(p["break"]["before"]), *w.before) << prefix << ": " << p.dump();
  }
}

void expect_report(json r, const LocateCase& c) {
  EXPECT_EQ(r["verdict"], c.verdict) << r["reason"];
  EXPECT_EQ(r["confidence"], c.confidence) << r["reason"];
  if (c.after) {
    expect_hop(r["break"]["after"], *c.after, "break.after");
  } else {
    EXPECT_TRUE(r["break"]["after"].is_null()) << r["break"].dump();
  }
  if (c.before) {
    expect_hop(r["break"]["before"], *c.before, "break.before");
  } else {
    EXPECT_TRUE(r["break"]["before"].is_null()) << r["break"].dump();
  }
  ASSERT_EQ(r["prefixes"].size(), 2u);
  expect_prefix(r, PREFIX_A, c.a);
  expect_prefix(r, PREFIX_B, c.b);
  if (c.dns.empty()) {
    EXPECT_TRUE(r["dns"].is_null()) << r["dns"].dump();
  } else {
    EXPECT_EQ(r["dns"]["zone"], "lab.test.");
    EXPECT_EQ(r["dns"]["verdict"], c.dns) << r["dns"].dump();
    EXPECT_EQ(r["dns"]["parent_answered"].get<bool>(), c.parent_answers) << r["dns"].dump();
  }
  EXPECT_EQ(r["evidence"]["baseline"].get<bool>(), c.baseline != "none");
  // The reason never hides the rate limits the evidence shows.
  const json limited = r["evidence"]["rate_limited"];
  EXPECT_EQ(limited, r["evidence"]["rate_limited_hops"].size()) << r["evidence"].dump();
  if (limited.is_number() && limited.get<int>() > 0) {
    EXPECT_NE(r.value("reason", "").find("rate-limited"), std::string::npos) << r["reason"];
  }
  c.more(r);
}

// The dot graph names every hop; the break hop (if any) is drawn red.
void expect_dot(const std::string& path, json report) {
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "no graph at " << path;
  std::stringstream text;
  text << in.rdbuf();
  const std::string dot = text.str();
  EXPECT_EQ(dot.rfind("digraph faultline {", 0), 0u) << dot;
  const std::string brk = addr_of(report["break"]["after"]);
  if (!brk.empty()) {
    bool red_node = false;
    const std::string node = "\"" + brk + "\" [";
    std::istringstream lines(dot);
    for (std::string line; std::getline(lines, line);) {
      const auto at = line.find_first_not_of(' ');
      if (at != std::string::npos && line.compare(at, node.size(), node) == 0 &&
          line.find("color=red") != std::string::npos)
        red_node = true;
    }
    EXPECT_TRUE(red_node) << "the break hop " << brk << " is not drawn red:\n" << dot;
    // The dashed "break" edge goes to the hop that answered before: only with a baseline.
    if (report["break"]["before"].is_object()) {
      EXPECT_NE(dot.find("label=\"break\""), std::string::npos) << dot;
    }
  }
  if (run_command({"sh", "-c", "command -v dot"}, 5s).exit_code == 0) {
    const auto svg = run_command({"dot", "-Tsvg", "-o", "/dev/null", path}, 30s);
    EXPECT_EQ(svg.exit_code, 0) << svg.err;
  }
}

// ---- the scenarios ---------------------------------------------------------------

json reached_by(json r) { return r["evidence"]["reached_by"]; }

std::vector<LocateCase> cases() {
  const HopWant t2{T2, kTransit, false, false, 0, 3};
  const HopWant border{BR, kTransit, false, true, 0, 4};
  const HopWant c1{C1, kNational, true, false, 0, 5};
  std::vector<LocateCase> all;

  LocateCase healthy{"country", "reachable", "high", std::nullopt, std::nullopt,
                     {"reachable", "", ""}, {"reachable", "", ""}, "healthy", true, "none"};
  healthy.more = [](json r) {
    // No rate limits: every method, direct and traced, reaches all 15.
    EXPECT_EQ(r["evidence"]["targets"], 15);
    EXPECT_EQ(r["evidence"]["reached"], 15);
    for (const char* m : {"icmp", "tcp:80", "tcp:443", "udp"}) {
      EXPECT_EQ(reached_by(r).value(m, 0), 15) << m;
      EXPECT_EQ(reached_by(r).value(std::string("direct-") + m, 0), 15) << m;
    }
    EXPECT_EQ(prefix_of(r, PREFIX_A)["targets"], 12);
    EXPECT_EQ(prefix_of(r, PREFIX_B)["targets"], 3);
    EXPECT_EQ(r["control"]["reached"], 1);
  };
  all.push_back(healthy);

  // Default ICMP rate limits cut most traces short of their targets; the
  // direct probes (TCP answers with RST, never rate-limited) reach everyone.
  LocateCase limited{"country-ratelimit", "reachable", "high", std::nullopt, std::nullopt,
                     {"reachable", "", ""}, {"reachable", "", ""}, "healthy"};
  limited.more = [](json r) {
    EXPECT_EQ(r["evidence"]["reached"], 15);
    EXPECT_EQ(reached_by(r).value("direct-tcp:80", 0), 15) << reached_by(r);
    EXPECT_EQ(reached_by(r).value("direct-tcp:443", 0), 15) << reached_by(r);
  };
  all.push_back(limited);

  // Under the limits most traces get no answer at all (a1's bucket goes to
  // the first of 64 traces): the few that end at t2 decide, the silent ones
  // are on the way, and prefix B inherits the break it shares the way to.
  LocateCase transit_drop{"country-transit-drop", "upstream", "high", t2, border, {"upstream", T2, BR},
                          {"upstream", T2, BR}, "unreachable"};
  transit_drop.more = [](json r) { EXPECT_GE(r["evidence"]["rate_limited"].get<int>(), 1) << r["evidence"].dump(); };
  all.push_back(transit_drop);

  // t2's 3/1 come from ip_error (5, then 1/s): most traces end silent at t1
  // and a prefix may see no 3/1 at all, so its own break may read t1.
  HopWant t2_refuses{T2, kTransit, false, false, 1, 0};
  all.push_back({"country-transit-unreach", "upstream", "high", t2_refuses, border,
                 {"upstream", std::nullopt, std::nullopt}, {"upstream", std::nullopt, std::nullopt}, "unreachable"});

  LocateCase dark{"country-core-dark", "internal", "high", border, c1, {"internal", BR, C1}, {"internal", BR, C2},
                  "unreachable", true, "capture"};
  all.push_back(dark);

  HopWant border_refuses{BR, kTransit, false, true, 1, 0};
  all.push_back({"country-border-noroute", "internal", "high", border_refuses, c1,
                 {"internal", std::nullopt, std::nullopt}, {"internal", std::nullopt, std::nullopt}, "unreachable"});

  // Prefix A's paths pass b at TTL 4: that is its distance, however late
  // its rate-limited 3/1 toward B came.
  HopWant border_refuses_b{BR, kTransit, false, true, 1, 4};
  LocateCase down{"country-router-down", "partial", "high", border_refuses_b, HopWant{C2, kNational, true, false, 0, 5},
                  {"reachable", "", ""}, {"internal", BR, C2}, "healthy"};
  down.more = [](json r) {
    EXPECT_EQ(prefix_of(r, PREFIX_A)["reached"], 12);
    EXPECT_EQ(prefix_of(r, PREFIX_B)["reached"], 0);
    EXPECT_EQ(r["break"]["failing"], 3);
  };
  all.push_back(down);

  LocateCase ns_down{"country-ns-down", "dns", "high", std::nullopt, std::nullopt, {"reachable", "", ""},
                     {"reachable", "", ""}, "unreachable"};
  ns_down.more = [](json r) {
    EXPECT_EQ(r["evidence"]["reached"], 15);
    for (const auto& s : r["dns"]["servers"]) EXPECT_EQ(s["status"], "unreachable") << s.dump();
  };
  all.push_back(ns_down);

  LocateCase lame{"country-ns-lame", "dns", "high", std::nullopt, std::nullopt, {"reachable", "", ""},
                  {"reachable", "", ""}, "lame"};
  lame.more = [](json r) {
    for (const auto& s : r["dns"]["servers"]) EXPECT_EQ(s["rcode"], "REFUSED") << s.dump();
  };
  all.push_back(lame);

  LocateCase filtered{"country-icmp-filtered", "reachable", "high", std::nullopt, std::nullopt, {"reachable", "", ""},
                      {"reachable", "", ""}, "healthy"};
  filtered.more = [](json r) {
    // Traced TCP gets there only where the rate limits left its hops an
    // answer within the gap limit; the direct probes reach everyone.
    for (const char* m : {"direct-tcp:80", "direct-tcp:443"})
      EXPECT_EQ(reached_by(r).value(m, 0), 15) << m << " " << reached_by(r);
    for (const char* m : {"icmp", "udp", "direct-icmp", "direct-udp"})
      EXPECT_FALSE(reached_by(r).contains(m)) << m << " " << reached_by(r);
  };
  all.push_back(filtered);

  // The access ISP's uplink is cut: a1 answers net unreachable for
  // everything, and the zone check, first, takes most of its error burst.
  LocateCase access{"country-access-uplink-cut", "local", "high", HopWant{A1, kAccess, false, false, -1, 1},
                    std::nullopt, {"local", A1, ""}, {"local", A1, ""}, "unreachable"};
  access.more = [](json r) {
    EXPECT_EQ(r["break"]["after"]["unreachable_code"], 0) << r["break"].dump();
    EXPECT_EQ(r.value("reason", "").find("no probe got any answer"), std::string::npos) << r["reason"];
    EXPECT_NE(r.value("reason", "").find("outside the country too"), std::string::npos) << r["reason"];
    EXPECT_FALSE(r["control"]["ok"].get<bool>());
  };
  access.parent_answers = false;
  all.push_back(access);

  LocateCase uplink{"country-uplink-down", "local", "high", std::nullopt, std::nullopt, {"inconclusive", "", ""},
                    {"inconclusive", "", ""}, ""};
  uplink.more = [](json r) {
    EXPECT_NE(r.value("reason", "").find("no route"), std::string::npos) << r["reason"];
    EXPECT_EQ(r["evidence"]["probes"], 0);
  };
  all.push_back(uplink);
  return all;
}

class LocateLab : public ::testing::TestWithParam<LocateCase> {};

TEST_P(LocateLab, VerdictBreakAndReplay) {
  FL_REQUIRE_LOCATE_LAB();
  const LocateCase& c = GetParam();
  TempDir dir;
  const std::string capture = dir.file("run.pcapng");
  const std::string graph = dir.file("paths.dot");
  std::vector<std::string> extra = {"-w", capture, "--dot", graph};
  const std::string baseline = c.baseline == "json" ? kBaselineJson : c.baseline == "capture" ? kBaselineCapture : "";
  if (!baseline.empty()) extra.insert(extra.end(), {"--baseline", baseline});
  LocateRun live;
  {
    Lab lab = make_lab(c.scenario);
    live = run_locate(lab, extra);
  }
  ASSERT_EQ(live.result.exit_code, 0) << live.result.err;
  ASSERT_TRUE(live.parse_error.empty()) << live.parse_error << "\n" << live.result.out;
  expect_report(live.report, c);
  expect_dot(graph, live.report);

  // The replay draws the same picture: the capture knows every AS it shows.
  const std::string replayed_graph = dir.file("again.dot");
  const LocateRun again = replay(capture, {"--dot", replayed_graph});
  ASSERT_EQ(again.result.exit_code, 0) << again.result.err;
  EXPECT_EQ(again.result.err, "");  // no path of the live run read, nothing re-annotated
  EXPECT_EQ(again.result.out, live.result.out);
  EXPECT_EQ(read_file(replayed_graph), read_file(graph));
}

INSTANTIATE_TEST_SUITE_P(Country, LocateLab, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<LocateCase>& pi) {
                           std::string n = pi.param.scenario;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

/// The live report in a fresh lab of `scenario`, without a baseline; null
/// (and a failure) when fl-locate did not print one.
json report_without_baseline(const std::string& scenario) {
  Lab lab = make_lab(scenario);
  const LocateRun run = run_locate(lab, {});
  EXPECT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_TRUE(run.parse_error.empty()) << run.parse_error;
  return run.report;
}

// Without a baseline nothing shows where the country starts: b answers from
// the transit's address, so the dark core reads upstream, and says how
// little that is worth.
TEST(LocateLabBaseline, DarkCoreWithoutBaselineIsUpstreamWithLowConfidence) {
  FL_REQUIRE_LOCATE_LAB();
  json r = report_without_baseline("country-core-dark");
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["verdict"], "upstream");
  EXPECT_EQ(r["confidence"], "low");
  EXPECT_NE(r.value("reason", "").find("no path showed where the national network starts"), std::string::npos)
      << r["reason"];
  EXPECT_NE(r.value("reason", "").find("border"), std::string::npos) << r["reason"];
  expect_hop(r["break"]["after"], {BR, kTransit, false, false, 0, 4}, "break.after");
  EXPECT_TRUE(r["break"]["before"].is_null());
  EXPECT_FALSE(r["evidence"]["baseline"].get<bool>());
  for (const char* p : {PREFIX_A, PREFIX_B}) expect_prefix(r, p, {"upstream", BR, ""});
}

// Without a baseline t2's refusals, which the zone check took first, still
// name it, not t1 where the traces went silent; the interconnect numbered
// from national space changes nothing for the transit's drop.
TEST(LocateLabBaseline, TransitWithoutRouteIsNamedFromTheZoneChecksErrors) {
  FL_REQUIRE_LOCATE_LAB();
  for (const char* scenario : {"country-transit-unreach", "country-natlink-transit-drop"}) {
    SCOPED_TRACE(scenario);
    json r = report_without_baseline(scenario);
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r["verdict"], "upstream") << r["reason"];
    const bool unreach = std::string(scenario) == "country-transit-unreach";
    expect_hop(r["break"]["after"], {T2, kTransit, false, false, unreach ? 1 : 0, 3}, "break.after");
    for (const char* p : {PREFIX_A, PREFIX_B}) expect_prefix(r, p, {"upstream", T2, ""});
  }
}

// The border that lost its national routes, numbered from national space:
// its refusals went to the zone check, yet they name it, inside the country.
TEST(LocateLabBaseline, BorderWithoutRoutesNumberedFromNationalSpaceIsInternal) {
  FL_REQUIRE_LOCATE_LAB();
  json r = report_without_baseline("country-natlink-border-noroute");
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["verdict"], "internal") << r["reason"];
  expect_hop(r["break"]["after"], {"198.18.143.254", kNational, true, false, 1, 0}, "break.after");
  for (const char* p : {PREFIX_A, PREFIX_B}) expect_prefix(r, p, {"internal", "198.18.143.254", ""});
}

// Ctrl-C about a second in (the zone check or the first TTLs): exit 130, a
// whole report that does not take the unfinished silence for an outage,
// and a capture that replays to it.
// The campaign's zone check must leave the nameservers no ICMP port
// unreachable (one healthy campaign sent 39 before fl-locate held the port).
TEST(LocateLabBaseline, HealthyCampaignSendsNoPortUnreachableToTheNameservers) {
  FL_REQUIRE_LOCATE_LAB();
  Lab lab = make_lab("country");
  const long before = icmp_unreachables_sent(lab, kVantage);
  ASSERT_GE(before, 0);
  const LocateRun run = run_locate(lab, {});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  ASSERT_TRUE(run.report.is_object()) << run.parse_error;
  EXPECT_EQ(run.report["verdict"], "reachable");
  EXPECT_EQ(icmp_unreachables_sent(lab, kVantage) - before, 0);
}

TEST(LocateLabInterrupt, SigintStillReportsAndTheCaptureReplays) {
  FL_REQUIRE_LOCATE_LAB();
  TempDir dir;
  const std::string capture = dir.file("halted.pcapng");
  // A copy, gone before the cut capture is replayed (below). fl-locate
  // reads it as the user it drops to: the directory must let it.
  const std::string baseline = dir.file("baseline.json");
  testsupport::write_file(baseline, read_file(kBaselineJson));
  std::filesystem::permissions(dir.path(), std::filesystem::perms::others_read | std::filesystem::perms::others_exec,
                               std::filesystem::perm_options::add);
  std::filesystem::permissions(baseline, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  const auto argv = campaign({"--baseline", baseline, "-w", capture});
  std::vector<std::string> sh = {"sh", "-c", "\"$@\" & p=$!; sleep 1; kill -INT $p; wait $p", "sh"};
  sh.insert(sh.end(), argv.begin(), argv.end());
  LocateRun live;
  {
    Lab lab = make_lab("country-core-dark");
    live = parse(lab.exec(kVantage, sh, 60s));
  }
  EXPECT_EQ(live.result.exit_code, 130) << live.result.err;
  ASSERT_TRUE(live.parse_error.empty()) << live.parse_error << "\n" << live.result.out;
  json r = live.report;
  EXPECT_EQ(r["verdict"], "inconclusive") << r["reason"];
  EXPECT_EQ(r["confidence"], "low");
  EXPECT_NE(r.value("reason", "").find("interrupted"), std::string::npos) << r["reason"];
  EXPECT_EQ(r["evidence"]["targets"], 15);
  EXPECT_EQ(r["targets"].size(), 15u);
  EXPECT_EQ(r["prefixes"].size(), 2u);
  EXPECT_EQ(r["controls"].size(), 1u);
  EXPECT_TRUE(r["break"]["after"].is_null());

  const LocateRun again = replay(capture);
  ASSERT_EQ(again.result.exit_code, 0) << again.result.err;
  EXPECT_EQ(again.result.out, live.result.out);

  // Cut inside its closing annotation (killed before it was whole), with
  // the baseline file gone: the opening annotation still carries the
  // baseline and the targets' ASes, so the capture replays alone.
  ASSERT_EQ(std::remove(baseline.c_str()), 0);
  const std::string whole = read_file(capture);
  testsupport::write_file(capture, whole.substr(0, whole.size() - 8));
  const LocateRun cut = replay(capture);
  EXPECT_EQ(cut.result.exit_code, 6) << cut.result.err;
  EXPECT_NE(cut.result.err.find("capture cut at byte"), std::string::npos) << cut.result.err;
  ASSERT_TRUE(cut.parse_error.empty()) << cut.parse_error << "\n" << cut.result.err;
  EXPECT_EQ(cut.report["verdict"], "inconclusive") << cut.report["reason"];
  EXPECT_EQ(cut.report["evidence"]["baseline"], true);
  EXPECT_EQ(cut.report["evidence"]["targets"], 15);
}

// One lab whose transit drops the country's traffic (the paths end in the
// transit: upstream, or the vantage point's own network, which only the
// control tells apart), interrupted at three points of the campaign. Each
// report says "interrupted", marks what was never probed "unprobed", never
// blames the vantage point's network or the transit from what it did not
// probe, and its capture replays to the same bytes.
struct InterruptCase {
  const char* when;
  std::vector<std::string> args;  // after fl-locate's
  const char* delay;               // seconds from the start to SIGINT
};

TEST(LocateLabInterrupt, UnprobedIsNotFailedAtEveryPointOfTheCampaign) {
  FL_REQUIRE_LOCATE_LAB();
  const std::vector<std::string> common = {"-p", PREFIX_A, "-p", PREFIX_B, "--control", CTRL, "--asn-db",
                                           FL_COUNTRY_ASN, "-o", "json"};
  const InterruptCase cases[] = {
      // The zone check waits 3 s for nameservers behind the dropping transit.
      {"during DNS", {"--zone", "lab.test", "--parent", PARENT, "-W", "3"}, "1"},
      // 2 probes a second: the first targets' traces have begun, the
      // control (traced last) has not.
      {"before the controls", {"-W", "1", "--pps", "2"}, "1.5"},
      // Every trace has begun and the control is reached (by TTL 3, within
      // 4 s even when rate limits silence its first two hops); the national
      // ones wait out their gap limit (5 silent hops, 2 probes of 1 s each).
      {"during traces", {"-W", "1", "-g", "5", "--pps", "200"}, "6"},
  };
  Lab lab = make_lab("country-transit-drop");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.when);
    TempDir dir;
    const std::string capture = dir.file("halted.pcapng");
    std::vector<std::string> sh = {"sh", "-c", std::string("\"$@\" & p=$!; sleep ") + c.delay + "; kill -INT $p; wait $p",
                                   "sh", fl_locate_path()};
    sh.insert(sh.end(), common.begin(), common.end());
    sh.insert(sh.end(), c.args.begin(), c.args.end());
    sh.insert(sh.end(), {"-w", capture});
    LocateRun live = parse(lab.exec(kVantage, sh, 60s));
    EXPECT_EQ(live.result.exit_code, 130) << live.result.err;
    ASSERT_TRUE(live.parse_error.empty()) << live.parse_error << "\n" << live.result.out;
    const json& r = live.report;
    EXPECT_EQ(r.value("interrupted", false), true) << r.dump();
    EXPECT_NE(r["verdict"], "local") << r["reason"];
    EXPECT_NE(r["verdict"], "upstream") << r["reason"];
    EXPECT_EQ(r["verdict"], "inconclusive") << r["reason"];
    EXPECT_NE(r.value("reason", "").find("interrupted"), std::string::npos) << r["reason"];
    std::size_t unprobed = 0;
    for (const auto& t : r["targets"]) unprobed += t.value("unprobed", false) ? 1 : 0;
    ASSERT_EQ(r["controls"].size(), 1u);
    const bool control_unprobed = r["controls"][0].value("unprobed", false);
    const std::string when = c.when;
    if (when == "during DNS") {
      EXPECT_EQ(unprobed, r["targets"].size()) << r["targets"].dump();
      EXPECT_TRUE(control_unprobed);
    } else if (when == "before the controls") {
      EXPECT_GT(unprobed, 0u);
      EXPECT_LT(unprobed, r["targets"].size()) << "no target was probed: the run began late?";
      EXPECT_TRUE(control_unprobed) << r["controls"].dump();
      EXPECT_EQ(r["control"].value("unprobed", 0), 1) << r["control"].dump();
    } else {
      EXPECT_EQ(unprobed, 0u) << r["targets"].dump();
      EXPECT_FALSE(control_unprobed);
      EXPECT_EQ(r["control"]["reached"], 1) << r["control"].dump();
    }
    const LocateRun again = replay(capture);
    ASSERT_EQ(again.result.exit_code, 0) << again.result.err;
    EXPECT_EQ(again.result.out, live.result.out);
    auto text = run_command({fl_locate_path(), "-r", capture, "--asn-db", FL_COUNTRY_ASN}, 60s);
    EXPECT_EQ(text.out.rfind("verdict: inconclusive (interrupted) (low confidence): ", 0), 0u) << text.out;
  }
}

}  // namespace
}  // namespace probe::lab::test
