// SPDX-License-Identifier: BSD-2-Clause
// fl-trace and fl-dns against the lab country that fl-locate is tested on
// (scenarios.cpp, README "The country"): one fresh lab per scenario, the
// three probe methods toward prefix A, prefix B and the control host, then
// the delegation check of lab.test, each held to what the scenario promises.

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "country.h"
#include "lab_test_util.h"
#include "scenarios.h"

#ifndef FL_COUNTRY_ASN
#define FL_COUNTRY_ASN ""
#endif

namespace probe::lab::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// More addresses of the country (country.h has the routers').
constexpr const char* TA = "198.18.128.1";
constexpr const char* TB = "198.18.136.1";
constexpr const char* NS1 = "198.18.140.1";
constexpr const char* NS2 = "198.18.140.2";

const std::map<std::string, std::vector<std::string>>& paths() {
  static const std::map<std::string, std::vector<std::string>> p = {
      {TA, {A1, T1, T2, BR, C1, TA}}, {TB, {A1, T1, T2, BR, C2, TB}}, {CTRL, {A1, T1, CTRL}}};
  return p;
}

/// How a trace ends.
enum class End {
  kReached,        ///< the target answers at the end of its path
  kSilentAfter,    ///< hop `ttl` answers time-exceeded, then nothing (gaplimit)
  kUnreachableAt,  ///< hop `ttl` (the router at that place of the path) answers 3/1
};

struct Expect {
  End end = End::kReached;
  int ttl = 0;
};

/// What the nameservers do in the delegation check.
enum class Ns {
  kAnswer,        ///< authoritative answers
  kTimeout,       ///< nothing comes back
  kRouteError,    ///< ICMP 3/1 from `ns_icmp_from` (or nothing: ip_error's own rate limit)
  kDead,          ///< port unreachable over UDP, RST over TCP, from the server itself
  kRefused,       ///< REFUSED
};

using Ends = std::function<Expect(const std::string& method, const std::string& target)>;

struct CountryCase {
  std::string scenario;
  Ends ends;
  std::string verdict;             ///< of the zone check
  Ns ns = Ns::kAnswer;
  std::string ns_icmp_from;        ///< for Ns::kRouteError
  bool rate_limited = false;       ///< Linux's default ICMP limits: hops may stay silent
  bool paced = false;              ///< wait between runs (see TracesAndZoneCheck)
};

std::ostream& operator<<(std::ostream& os, const CountryCase& c) { return os << c.scenario; }

Ends reached() {
  return [](const std::string&, const std::string&) { return Expect{}; };
}

// Both national prefixes end as `e` for every method; the control is reached.
Ends national(Expect e) {
  return [e](const std::string&, const std::string& t) { return t == CTRL ? Expect{} : e; };
}

CountryCase make(std::string scenario, Ends ends, std::string verdict, Ns ns = Ns::kAnswer,
                 std::string ns_icmp_from = "") {
  CountryCase c;
  c.scenario = std::move(scenario);
  c.ends = std::move(ends);
  c.verdict = std::move(verdict);
  c.ns = ns;
  c.ns_icmp_from = std::move(ns_icmp_from);
  c.paced = ns == Ns::kRouteError;
  c.rate_limited = c.scenario != "country";  // the one scenario with ICMP unlimited (scenarios.cpp)
  return c;
}

std::vector<CountryCase> cases() {
  return {
      make("country", reached(), "healthy"),
      make("country-ratelimit", reached(), "healthy"),
      make("country-transit-drop", national({End::kSilentAfter, 3}), "unreachable", Ns::kTimeout),
      make("country-transit-unreach", national({End::kUnreachableAt, 3}), "unreachable", Ns::kRouteError, T2),
      make("country-core-dark", national({End::kSilentAfter, 4}), "unreachable", Ns::kTimeout),
      make("country-border-noroute", national({End::kUnreachableAt, 4}), "unreachable", Ns::kRouteError, BR),
      make("country-router-down",
           [](const std::string&, const std::string& t) {
             return t == TB ? Expect{End::kUnreachableAt, 4} : Expect{};
           },
           "healthy"),
      make("country-ns-down", reached(), "unreachable", Ns::kDead),
      make("country-ns-lame", reached(), "lame", Ns::kRefused),
      make("country-icmp-filtered",
           [](const std::string& m, const std::string& t) {
             return t != CTRL && m != "tcp" ? Expect{End::kSilentAfter, 4} : Expect{};
           },
           "healthy"),
  };
}

// One trace against the path of its target and the expected end.
void check_trace(const json& t, const std::string& method, const Expect& e, const CountryCase& c, int gaplimit) {
  const std::string dst = t.value("dst", "");
  const std::string pic = method + " " + describe(t);
  ASSERT_EQ(paths().count(dst), 1u) << pic;
  const auto& path = paths().at(dst);
  const int last = e.end == End::kReached ? static_cast<int>(path.size()) : e.ttl;
  ASSERT_EQ(last_answered_ttl(t), last) << pic;
  for (int ttl = 1; ttl <= last; ++ttl) {
    const auto got = addrs_at(t, ttl);
    const std::set<std::string> want = {path[static_cast<std::size_t>(ttl) - 1]};
    // Behind default rate limits a hop may stay silent, never answer wrong.
    if (c.rate_limited && ttl < last && got.empty()) continue;
    EXPECT_EQ(got, want) << "ttl " << ttl << ": " << pic;
  }
  const json r = first_reply(t, last);
  ASSERT_FALSE(r.is_null()) << pic;
  switch (e.end) {
    case End::kReached:
      EXPECT_EQ(t.value("stop_reason", ""), "completed") << pic;
      EXPECT_EQ(r.value("addr", ""), dst) << pic;
      if (method == "icmp") {
        EXPECT_EQ(r.value("kind", ""), "echo_reply") << r.dump();
        EXPECT_EQ(r.value("icmp_type", -1), 0) << r.dump();
      } else if (method == "tcp") {
        EXPECT_EQ(r.value("kind", ""), "tcp_rst") << r.dump();  // nothing listens on port 80
        EXPECT_NE(r.value("tcp_flags", 0) & 0x04, 0) << r.dump();
      } else {
        EXPECT_EQ(r.value("kind", ""), "unreachable") << r.dump();
        EXPECT_EQ(r.value("icmp_type", -1), 3) << r.dump();
        EXPECT_EQ(r.value("icmp_code", -1), 3) << r.dump();
      }
      break;
    case End::kSilentAfter:
      EXPECT_EQ(t.value("stop_reason", ""), "gaplimit") << pic;
      EXPECT_EQ(r.value("kind", ""), "time_exceeded") << r.dump();
      EXPECT_EQ(r.value("icmp_type", -1), 11) << r.dump();
      EXPECT_EQ(r.value("icmp_code", -1), 0) << r.dump();
      EXPECT_EQ(t["hops"].back().value("ttl", 0), last + gaplimit) << pic;
      break;
    case End::kUnreachableAt:
      EXPECT_EQ(t.value("stop_reason", ""), "unreachable") << pic;
      EXPECT_EQ(r.value("kind", ""), "unreachable") << r.dump();
      EXPECT_EQ(r.value("icmp_type", -1), 3) << r.dump();
      EXPECT_EQ(r.value("icmp_code", -1), 1) << r.dump();  // `unreachable` route: host unreachable
      break;
  }
}

const json* zone_of(const TraceRun& run) {
  for (const auto& j : run.traces)
    if (j.value("type", "") == "zone") return &j;
  return nullptr;
}

void check_dns(const TraceRun& run, const CountryCase& c) {
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  ASSERT_TRUE(run.parse_error.empty()) << run.parse_error;
  const json* z = zone_of(run);
  ASSERT_NE(z, nullptr) << run.result.out;
  EXPECT_EQ((*z)["verdict"], c.verdict) << z->dump();
  EXPECT_TRUE((*z)["parent_answered"].get<bool>()) << z->dump();
  EXPECT_EQ((*z)["parent_ns"], json({"ns1.lab.test.", "ns2.lab.test."}));
  const std::string status = c.ns == Ns::kAnswer ? "ok" : c.ns == Ns::kRefused ? "lame" : "unreachable";
  ASSERT_EQ((*z)["servers"].size(), 2u) << z->dump();
  for (const auto& s : (*z)["servers"]) {
    EXPECT_EQ(s["status"], status) << s.dump();
    EXPECT_TRUE(s["glue"].get<bool>()) << s.dump();
    if (c.ns == Ns::kAnswer) {
      EXPECT_EQ(s["serial"], 2026010101u) << s.dump();
    }
    if (c.ns == Ns::kRefused) {
      EXPECT_EQ(s["rcode"], "REFUSED") << s.dump();
      EXPECT_FALSE(s["aa"].get<bool>()) << s.dump();
    }
  }
  int route_errors = 0;
  int to_servers = 0;
  for (const auto& e : run.traces) {
    if (e.value("type", "") != "dns") continue;
    const std::string server = e["server"];
    const std::string outcome = e["outcome"];
    if (server == PARENT) {
      EXPECT_EQ(outcome, "answer") << e.dump();
      continue;
    }
    ++to_servers;
    EXPECT_TRUE(server == NS1 || server == NS2) << e.dump();
    switch (c.ns) {
      case Ns::kAnswer:
        EXPECT_EQ(outcome, "answer") << e.dump();
        EXPECT_EQ(e["rcode"], "NOERROR") << e.dump();
        break;
      case Ns::kRefused:
        EXPECT_EQ(outcome, "answer") << e.dump();
        EXPECT_EQ(e["rcode"], "REFUSED") << e.dump();
        break;
      case Ns::kTimeout:
        EXPECT_EQ(outcome, "timeout") << e.dump();
        break;
      case Ns::kDead:
        if (e["transport"] == "udp") {
          EXPECT_EQ(outcome, "icmp_error") << e.dump();
          EXPECT_EQ(e["icmp"], json({{"addr", server}, {"type", 3}, {"code", 3}})) << e.dump();
        } else {
          EXPECT_EQ(outcome, "tcp_reset") << e.dump();
        }
        break;
      case Ns::kRouteError:
        if (outcome == "icmp_error") {
          ++route_errors;
          EXPECT_EQ(e["icmp"], json({{"addr", c.ns_icmp_from}, {"type", 3}, {"code", 1}})) << e.dump();
        } else {
          EXPECT_EQ(outcome, "timeout") << e.dump();  // the router's error bucket was empty
        }
        break;
    }
  }
  EXPECT_GE(to_servers, 4) << run.result.out;  // SOA and NS over UDP and TCP, per server
  if (c.ns == Ns::kRouteError) {
    EXPECT_GE(route_errors, 1) << run.result.out;
  }
}

class CountryTest : public ::testing::TestWithParam<CountryCase> {};

TEST_P(CountryTest, TracesAndZoneCheck) {
  FL_REQUIRE_LAB(true);
  FL_REQUIRE_DNS_LAB();
  const CountryCase& c = GetParam();
  Lab lab = make_lab(c.scenario);
  // One attempt per hop is enough with the limits off (nothing is lost on a
  // veth); behind Linux's defaults the retry and a longer gap limit ride out
  // silent hops 1-2 of the later runs (a1 and t1 answer 6, then 1/s).
  const std::string attempts = c.rate_limited ? "2" : "1";
  const int gaplimit = c.rate_limited ? 3 : 2;
  bool first = true;
  for (const std::string m : {"icmp", "tcp", "udp"}) {
    // An `unreachable` route answers from ip_error, whose per-source bucket
    // (5, then one per second; net.ipv4.route.error_cost is host-wide, not
    // ours to change) is not switched off by icmp-unlimited: two errors per
    // run, so give it a second to refill.
    // Behind the ICMP limits as well the same bucket holds the routers'
    // time-exceeded messages: give it the time to refill its burst of 5.
    if (c.paced && !first) std::this_thread::sleep_for(c.rate_limited ? 5s : 1s);
    first = false;
    std::vector<std::string> args = {"-P", m, "--attempts", attempts, "-W", "0.5", "-g", std::to_string(gaplimit),
                                     "-m", "10", "-o", "json"};
    if (m == "tcp") args.insert(args.end(), {"-p", "80"});
    args.insert(args.end(), {TA, TB, CTRL});
    const TraceRun run = run_fl_trace(lab, args, 60s);
    ASSERT_EQ(run.result.exit_code, 0) << m << ": " << run.result.err;
    ASSERT_TRUE(run.parse_error.empty()) << run.parse_error;
    ASSERT_EQ(run.traces.size(), 3u) << run.result.out;
    for (const json& t : run.traces) {
      EXPECT_EQ(t.value("method", ""), m);
      EXPECT_EQ(t.value("src", ""), "198.18.0.1");
      check_trace(t, m, c.ends(m, t.value("dst", "")), c, gaplimit);
    }
  }
  if (c.paced && c.rate_limited) std::this_thread::sleep_for(5s);
  check_dns(run_fl_dns(lab, {"--check-zone", "lab.test", "--parent", PARENT, "-W", "0.4", "-q", "1", "-o", "json"},
                       60s),
            c);
}

INSTANTIATE_TEST_SUITE_P(Country, CountryTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<CountryCase>& pi) {
                           std::string n = pi.param.scenario;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

// The vantage's own uplink is down: every tool fails locally, saying so.
TEST(CountryLab, UplinkDownFailsLocally) {
  FL_REQUIRE_LAB(true);
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("country-uplink-down");
  for (const std::string m : {"icmp", "tcp", "udp"}) {
    const TraceRun run = run_fl_trace(lab, {"-P", m, "--attempts", "1", "-W", "0.5", "-o", "json", TA, TB, CTRL}, 30s);
    EXPECT_EQ(run.result.exit_code, 1) << m << ": " << run.result.out << run.result.err;
    EXPECT_NE(run.result.err.find("no route"), std::string::npos) << m << ": " << run.result.err;
    EXPECT_TRUE(run.traces.empty()) << run.result.out;
  }
  const TraceRun dns =
      run_fl_dns(lab, {"--check-zone", "lab.test", "--parent", PARENT, "-W", "0.4", "-o", "json"}, 30s);
  EXPECT_EQ(dns.result.exit_code, 1) << dns.result.out << dns.result.err;
  EXPECT_NE(dns.result.err.find(PARENT), std::string::npos) << dns.result.err;
}

// ---- the lab's addresses and its AS file --------------------------------------

std::uint32_t v4(const std::string& s) {
  in_addr a{};
  EXPECT_EQ(inet_pton(AF_INET, s.c_str(), &a), 1) << s;
  return ntohl(a.s_addr);
}

struct AsRow {
  std::uint32_t first;
  std::uint32_t last;
  int asn;
  std::string org;
};

std::vector<AsRow> read_asn_file() {
  std::vector<AsRow> rows;
  std::ifstream in(FL_COUNTRY_ASN);
  EXPECT_TRUE(in.good()) << "cannot read " << FL_COUNTRY_ASN;
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string first, last, asn, org;
    std::getline(f, first, ',');
    std::getline(f, last, ',');
    std::getline(f, asn, ',');
    std::getline(f, org);
    rows.push_back({v4(first), v4(last), std::stoi(asn), org});
  }
  return rows;
}

int asn_of(const std::vector<AsRow>& rows, const std::string& addr) {
  int found = 0;
  for (const auto& r : rows)
    if (v4(addr) >= r.first && v4(addr) <= r.last) {
      EXPECT_EQ(found, 0) << addr << " is in two rows";
      found = r.asn;
    }
  return found;
}

TEST(CountryLab, AddressesMatchThePlanAndTheAsnFile) {
  FL_REQUIRE_LAB(false);
  FL_REQUIRE_DNS_LAB();
  const auto rows = read_asn_file();
  ASSERT_EQ(rows.size(), 7u);
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_GT(rows[i].first, rows[i - 1].last) << "unsorted or overlapping";
  const std::map<std::string, int> want = {{A1, 64500}, {T1, 64510}, {T2, 64510}, {BR, 64510}, {C1, 64520},
                                           {C2, 64520}, {TA, 64520}, {TB, 64520}, {NS1, 64520}, {NS2, 64520},
                                           {CTRL, 64530}, {PARENT, 64530}, {"198.18.131.255", 64520},
                                           {"203.0.113.99", 64540}, {"198.18.143.254", 64520}};
  for (const auto& [addr, asn] : want) EXPECT_EQ(asn_of(rows, addr), asn) << addr;

  Lab lab = make_lab("country");
  EXPECT_EQ(lab.addr("vp", "a1"), "198.18.0.1");
  EXPECT_EQ(lab.addr("a1", "vp"), A1);
  EXPECT_EQ(lab.addr("t1", "a1"), T1);
  EXPECT_EQ(lab.addr("t2", "t1"), T2);
  EXPECT_EQ(lab.addr("b", "t2"), BR);
  EXPECT_EQ(lab.addr("c1", "b"), C1);
  EXPECT_EQ(lab.addr("c2", "b"), C2);
  EXPECT_EQ(lab.addr("ext", "t1"), "198.18.0.42");
  EXPECT_EQ(lab.addr("ext2", "t2"), "198.18.0.46");
  // The interconnect numbered from national space keeps every other address.
  Lab nat = make_lab("country-natlink-transit-drop");
  EXPECT_EQ(nat.addr("b", "t2"), "198.18.143.254");
  EXPECT_EQ(nat.addr("t2", "b"), "198.18.143.253");
  EXPECT_EQ(nat.addr("c1", "b"), C1);
  EXPECT_EQ(nat.addr("ext2", "t2"), "198.18.0.46");
  for (const auto& i : lab.interfaces()) EXPECT_NE(asn_of(rows, i.address), 0) << i.node << " " << i.address;
}

}  // namespace
}  // namespace probe::lab::test
