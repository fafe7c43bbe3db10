// SPDX-License-Identifier: BSD-2-Clause
// Many vantages, one answer, live: the multi-vantage country (scenarios.cpp
// `multivantage*`, README "The multi-vantage lab") with one fault per lab.
// fl-locate runs at once from vp, vq and vr (each behind its own access
// router and carrier), each report names its vantage and writes a capture;
// `fl-locate --merge` of the three must give the fault's joint verdict, name
// the failing carrier's AS and last hop where it is the cause, and flag the
// vantage whose own network failed. Each capture replayed alone must merge
// to the same joint report.
//
// One fresh lab per fault, not one lab switched between faults: every
// router's ICMP rate-limit buckets start full, so what each vantage sees
// does not depend on which fault ran before. No baseline: the joint verdict
// must not need one (the border answers each vantage from its carrier's
// space, so alone each sees an upstream).

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lab_test_util.h"

#ifndef FL_MULTIVANTAGE_ASN
#define FL_MULTIVANTAGE_ASN ""
#endif

namespace probe::lab::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* PREFIX_A = "198.18.128.0/22";
constexpr const char* PREFIX_B = "198.18.136.0/24";
constexpr const char* CONTROL = "192.0.2.99";
constexpr const char* PARENT = "192.0.2.53";
const std::vector<std::string> kVantages = {"vp", "vq", "vr"};

/// b's address toward vantage k (1-based): its end of the link to carrier k.
std::string border_toward(int k) { return "198.18.2" + std::to_string(k) + ".6"; }

/// What the merge of one fault must say.
struct MvCase {
  std::string scenario;
  std::string verdict;     ///< the joint verdict
  std::string confidence;  ///< the joint confidence
  std::set<std::string> failing;            ///< vantages failing both prefixes; the others not local reach them
  std::optional<int> upstream_asn;          ///< each prefix's upstream_asn (nullopt: null)
  std::set<std::string> last_hops;          ///< each prefix's last_hop is one of these (empty: null)
  std::map<std::string, std::string> fail_hops;  ///< a failing vantage's last hop, per vantage
  std::string local;                        ///< the vantage flagged local, or ""
};

std::ostream& operator<<(std::ostream& os, const MvCase& c) { return os << c.scenario; }

std::vector<MvCase> cases() {
  std::vector<MvCase> all;
  all.push_back({"multivantage", "reachable", "high", {}, std::nullopt, {}, {}, ""});
  // Only vp's carrier drops the nation: its AS and its router are named.
  all.push_back({"multivantage-carrier-drop", "upstream", "medium", {"vp"}, 64511, {"198.18.21.2"},
                 {{"vp", "198.18.21.2"}}, ""});
  // Three carriers, one border: each vantage alone sees its carrier's
  // address last; together they are the country's.
  all.push_back({"multivantage-border-dark", "internal", "high", {"vp", "vq", "vr"}, std::nullopt,
                 {border_toward(1), border_toward(2), border_toward(3)},
                 {{"vp", border_toward(1)}, {"vq", border_toward(2)}, {"vr", border_toward(3)}}, ""});
  all.push_back({"multivantage-uplink-cut", "reachable", "high", {}, std::nullopt, {}, {}, "vp"});
  all.push_back({"multivantage-dns-down", "dns", "high", {}, std::nullopt, {}, {}, ""});
  return all;
}

/// fl-locate's small campaign from `vantage`, its report in `report` and its
/// capture in `capture`.
std::vector<std::string> campaign(const std::string& vantage, const std::string& report, const std::string& capture) {
  return {fl_locate_path(), "-p", PREFIX_A, "-p", PREFIX_B, "--per-block", "2", "--zone", "lab.test",
          "--parent", PARENT, "--control", CONTROL, "--asn-db", FL_MULTIVANTAGE_ASN, "-W", "0.5", "--pps", "500",
          "--budget", "2", "--vantage", vantage, "-o", "json", "-O", report, "-w", capture};
}

json read_json(const std::string& path) {
  try {
    return json::parse(read_file(path));
  } catch (const json::exception& e) {
    ADD_FAILURE() << path << ": " << e.what();
    return json();
  }
}

/// `fl-locate --merge` of `reports` (offline, no probes), parsed.
json merge(const std::vector<std::string>& reports, std::string* text) {
  std::vector<std::string> argv = {fl_locate_path(), "--merge"};
  argv.insert(argv.end(), reports.begin(), reports.end());
  argv.insert(argv.end(), {"-o", "json"});
  const ExecResult r = run_command(argv, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (text) *text = r.out;
  try {
    return json::parse(r.out);
  } catch (const json::exception& e) {
    ADD_FAILURE() << "merge printed no JSON: " << e.what() << "\n" << r.out << r.err;
    return json();
  }
}

std::set<std::string> names_in(json list) {
  std::set<std::string> names;
  for (const auto& v : list) names.insert(v.value("vantage", ""));
  return names;
}

/// Every vantage's own verdict and each prefix's ends, for failure messages.
std::string picture(json joint) {
  std::string s;
  for (const auto& v : joint["vantages"]) s += v.value("name", "?") + "=" + v.value("verdict", "?") + " ";
  for (const auto& p : joint["prefixes"]) {
    s += "| " + p.value("prefix", "?") + " " + p.value("verdict", "?") + ":";
    for (const auto& f : p["fail"])
      s += " " + f.value("vantage", "?") + "@" + (f["last_hop"].is_object() ? f["last_hop"].value("addr", "") : "-");
  }
  return s + " | " + joint.value("reason", "");
}

void expect_joint(json j, const MvCase& c) {
  const std::string pic = picture(j);
  EXPECT_EQ(j["type"], "joint");
  EXPECT_EQ(j["verdict"], c.verdict) << pic;
  EXPECT_EQ(j["confidence"], c.confidence) << pic;
  ASSERT_EQ(j["vantages"].size(), kVantages.size()) << pic;
  for (std::size_t i = 0; i < kVantages.size(); ++i) {
    const json v = j["vantages"][i];
    EXPECT_EQ(v["name"], kVantages[i]) << pic;
    EXPECT_EQ(v["local"], kVantages[i] == c.local) << kVantages[i] << ": " << pic;
  }
  std::set<std::string> reaching;
  for (const auto& v : kVantages)
    if (v != c.local && !c.failing.count(v)) reaching.insert(v);
  ASSERT_EQ(j["prefixes"].size(), 2u) << pic;
  for (const auto& p : j["prefixes"]) {
    SCOPED_TRACE(p.value("prefix", "?"));
    const std::string want = c.verdict == "dns" ? "reachable" : c.verdict;
    EXPECT_EQ(p["verdict"], want) << pic;
    EXPECT_EQ(names_in(p["fail"]), c.failing) << pic;
    EXPECT_EQ(names_in(p["reach"]), reaching) << pic;
    if (c.upstream_asn) {
      EXPECT_EQ(p["upstream_asn"], *c.upstream_asn) << pic;
    } else {
      EXPECT_TRUE(p["upstream_asn"].is_null()) << pic;
    }
    if (c.last_hops.empty()) {
      EXPECT_TRUE(p["last_hop"].is_null()) << pic;
    } else {
      ASSERT_TRUE(p["last_hop"].is_object()) << pic;
      EXPECT_TRUE(c.last_hops.count(p["last_hop"].value("addr", ""))) << pic;
    }
    for (const auto& f : p["fail"]) {
      const auto want_hop = c.fail_hops.find(f.value("vantage", ""));
      if (want_hop == c.fail_hops.end()) continue;
      ASSERT_TRUE(f["last_hop"].is_object()) << pic;
      EXPECT_EQ(f["last_hop"].value("addr", ""), want_hop->second) << pic;
    }
  }
  if (c.upstream_asn) {
    EXPECT_NE(j.value("reason", "").find("AS" + std::to_string(*c.upstream_asn)), std::string::npos) << pic;
  }
  ASSERT_TRUE(j["dns"].is_object()) << j["dns"].dump();
  EXPECT_EQ(j["dns"]["zone"], "lab.test.");
  for (const auto& s : j["dns"]["servers"]) {
    if (c.verdict == "dns") {
      EXPECT_TRUE(s["answered"].empty()) << s.dump();
    } else {
      // Each server answers exactly the vantages that reach the country.
      std::set<std::string> answered;
      for (const auto& v : s["answered"]) answered.insert(v.get<std::string>());
      EXPECT_EQ(answered, reaching) << s.dump();
    }
  }
}

class MultivantageLab : public ::testing::TestWithParam<MvCase> {};

TEST_P(MultivantageLab, JointVerdictLiveAndReplayed) {
  FL_REQUIRE_LOCATE_LAB();
  const MvCase& c = GetParam();
  TempDir dir;
  std::vector<std::string> live_reports, captures;
  for (const auto& v : kVantages) {
    live_reports.push_back(dir.file(v + ".json"));
    captures.push_back(dir.file(v + ".pcapng"));
  }
  std::vector<ExecResult> runs;
  {
    Lab lab = make_lab(c.scenario);
    std::vector<std::future<ExecResult>> pending;
    for (std::size_t i = 0; i < kVantages.size(); ++i)
      pending.push_back(std::async(std::launch::async, [&lab, &live_reports, &captures, i] {
        return lab.exec(kVantages[i], campaign(kVantages[i], live_reports[i], captures[i]), 60s);
      }));
    for (auto& p : pending) runs.push_back(p.get());
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    ASSERT_EQ(runs[i].exit_code, 0) << kVantages[i] << ": " << runs[i].err;
    const json r = read_json(live_reports[i]);
    ASSERT_TRUE(r.is_object()) << kVantages[i];
    EXPECT_EQ(r["vantage"]["name"], kVantages[i]);
    EXPECT_EQ(r["vantage"]["source"], "198.18.1" + std::to_string(i + 1) + ".1");
  }
  std::string live_text;
  const json live = merge(live_reports, &live_text);
  {
    SCOPED_TRACE("live");
    expect_joint(live, c);
  }

  // Each capture replayed alone (it carries its vantage's name and the
  // ASes) gives its live report, and the three merge to the same answer.
  std::vector<std::string> replayed;
  for (std::size_t i = 0; i < kVantages.size(); ++i) {
    replayed.push_back(dir.file(kVantages[i] + "-replay.json"));
    const ExecResult r = run_command({fl_locate_path(), "-r", captures[i], "-o", "json", "-O", replayed.back()}, 60s);
    ASSERT_EQ(r.exit_code, 0) << kVantages[i] << ": " << r.err;
    EXPECT_EQ(read_file(replayed.back()), read_file(live_reports[i])) << kVantages[i];
  }
  std::string again_text;
  const json again = merge(replayed, &again_text);
  {
    SCOPED_TRACE("replayed");
    expect_joint(again, c);
  }
  EXPECT_EQ(again_text, live_text);
}

INSTANTIATE_TEST_SUITE_P(Faults, MultivantageLab, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<MvCase>& pi) {
                           std::string n = pi.param.scenario;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace probe::lab::test
