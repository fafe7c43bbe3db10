// SPDX-License-Identifier: BSD-2-Clause
// fl-dns against the DNS lab: real NSD servers (parent test. at
// 198.18.200.53, lab.test on ns1 198.18.201.1 and ns2 198.18.201.2) inside
// namespaces, one fresh lab per test. Each fault is checked for its
// per-server status and zone verdict, answers are cross-checked with dig and
// kdig in the same namespace, and every live run's capture must replay to
// byte-identical JSON.

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lab_test_util.h"
#include "scenarios.h"

namespace probe::lab::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* PARENT = "198.18.200.53";
constexpr const char* NS1 = "198.18.201.1";
constexpr const char* NS2 = "198.18.201.2";
constexpr const char* R2 = "198.18.0.10";

const std::vector<std::string> kFast = {"-W", "0.4", "-q", "2", "-o", "json"};

std::vector<std::string> args(std::vector<std::string> a, const std::string& capture = "") {
  a.insert(a.end(), kFast.begin(), kFast.end());
  if (!capture.empty()) a.insert(a.end(), {"-w", capture});
  return a;
}

// The live run's stdout must come back byte for byte from its capture.
void expect_replay_identical(const TraceRun& live, const std::string& capture) {
  auto replay = run_command({fl_dns_path(), "-r", capture, "-o", "json"}, 60s);
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_EQ(replay.out, live.result.out);
}

const json* zone_of(const TraceRun& run) {
  for (const auto& j : run.traces)
    if (j.value("type", "") == "zone") return &j;
  return nullptr;
}

const json* server(const json& zone, const std::string& addr) {
  for (const auto& s : zone["servers"])
    if (s["addr"] == addr) return &s;
  return nullptr;
}

TraceRun check_zone(const Lab& lab, const std::string& capture) {
  auto run = run_fl_dns(lab, args({"--check-zone", "lab.test", "--parent", PARENT}, capture));
  EXPECT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_TRUE(run.parse_error.empty()) << run.parse_error;
  return run;
}

// dig's short answer lines, sorted, for comparison with our "data" fields.
std::vector<std::string> dig_short(const Lab& lab, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {"dig", "+short", "+time=1", "+tries=2"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto r = lab.exec("vp", argv, 20s);
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) lines.push_back(l);
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::vector<std::string> answer_data(const json& exchange) {
  std::vector<std::string> v;
  for (const auto& r : exchange["answer"]) v.push_back(r["data"].get<std::string>());
  std::sort(v.begin(), v.end());
  return v;
}

TEST(DnsLab, HealthyZoneAndAnswersMatchDigAndKdig) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns");
  TempDir tmp;
  auto run = check_zone(lab, tmp.file("zone.pcapng"));
  const json* z = zone_of(run);
  ASSERT_NE(z, nullptr) << run.result.out;
  EXPECT_EQ((*z)["verdict"], "healthy") << z->dump();
  EXPECT_EQ((*z)["parent_ns"], json({"ns1.lab.test.", "ns2.lab.test."}));
  for (const char* a : {NS1, NS2}) {
    const json* s = server(*z, a);
    ASSERT_NE(s, nullptr) << a;
    EXPECT_EQ((*s)["status"], "ok");
    EXPECT_EQ((*s)["serial"], 2026010101u);
    EXPECT_TRUE((*s)["udp"].get<bool>() && (*s)["tcp"].get<bool>() && (*s)["aa"].get<bool>());
    EXPECT_TRUE((*s)["glue"].get<bool>());
  }
  expect_replay_identical(run, tmp.file("zone.pcapng"));

  // The same questions through dig and kdig on the same servers.
  // Servers x names, in that order: 2 x 5 exchanges.
  const std::vector<std::pair<std::string, std::string>> names = {
      {"lab.test", "SOA"}, {"www.lab.test", "A"}, {"lab.test", "MX"}, {"lab.test", "NS"}, {"www.lab.test", "AAAA"}};
  std::vector<std::string> a = {"@" + std::string(NS1), "@" + std::string(NS2), "+norec"};
  for (const auto& [n, t] : names) a.insert(a.end(), {n, t});
  auto q = run_fl_dns(lab, args(a, tmp.file("q.pcapng")));
  ASSERT_EQ(q.result.exit_code, 0) << q.result.err;
  ASSERT_EQ(q.traces.size(), 10u) << q.result.out;
  for (std::size_t i = 0; i < q.traces.size(); ++i) {
    const json& e = q.traces[i];
    const std::string srv = i < 5 ? NS1 : NS2;
    const auto& [n, t] = names[i % 5];
    EXPECT_EQ(e["server"], srv);
    EXPECT_EQ(e["qname"], n + ".");
    EXPECT_EQ(e["qtype"], t);
    EXPECT_EQ(e["rcode"], "NOERROR");
    EXPECT_EQ(answer_data(e), dig_short(lab, {"@" + srv, "+norec", n, t})) << e.dump();
    EXPECT_NE(std::find(e["flags"].begin(), e["flags"].end(), "aa"), e["flags"].end());
  }
  auto kdig = lab.exec("vp", {"kdig", "+short", "+norec", "@" + std::string(NS2), "www.lab.test", "A"}, 20s);
  EXPECT_EQ(kdig.out, "198.18.201.80\n");
  EXPECT_EQ(answer_data(q.traces[6]), std::vector<std::string>{"198.18.201.80"});
  auto kdig_tcp = lab.exec("vp", {"kdig", "+short", "+tcp", "@" + std::string(NS1), "lab.test", "SOA"}, 20s);
  EXPECT_EQ(kdig_tcp.out, answer_data(q.traces[0]).at(0) + "\n");
  expect_replay_identical(q, tmp.file("q.pcapng"));
}

// The vantage's kernel must not answer the nameservers' responses with ICMP
// port unreachable: their operators would see a probe where there was a
// question. fl-dns holds its query port for the run.
TEST(DnsLab, ZoneCheckAndQueriesSendNoPortUnreachableToTheServers) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns");
  const long before = icmp_unreachables_sent(lab, "vp");
  ASSERT_GE(before, 0);
  auto run = check_zone(lab, "");
  const json* z = zone_of(run);
  ASSERT_NE(z, nullptr) << run.result.out;
  EXPECT_EQ((*z)["verdict"], "healthy") << z->dump();
  auto q = run_fl_dns(lab, args({"@" + std::string(NS1), "@" + std::string(NS2), "lab.test", "SOA", "www.lab.test"}));
  ASSERT_EQ(q.result.exit_code, 0) << q.result.err;
  EXPECT_EQ(icmp_unreachables_sent(lab, "vp") - before, 0);
}

// dig's habits: no @SERVER asks resolv.conf's first nameserver (a lab file
// here: the host's names a server outside the lab), +short prints what dig
// +short prints, -x asks the PTR of the reverse name, -p another port.
TEST(DnsLab, DigHabitsShortReverseResolvConfAndPort) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns");
  TempDir tmp;
  testsupport::write_file(tmp.file("resolv.conf"),
                          "search lab.test\nnameserver 2001:db8::53\nnameserver " + std::string(NS1) + "\n");
  auto s = lab.exec("vp", {fl_dns_path(), "--resolv-conf", tmp.file("resolv.conf"), "+short", "+norec", "-W", "0.4",
                           "www.lab.test", "-w", tmp.file("short.pcapng")}, 60s);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto dig = lab.exec("vp", {"dig", "+short", "+norec", "+time=1", "@" + std::string(NS1), "www.lab.test"}, 20s);
  EXPECT_EQ(s.out, dig.out);
  EXPECT_EQ(s.out, "198.18.201.80\n");
  auto replayed = run_command({fl_dns_path(), "-r", tmp.file("short.pcapng"), "+short"}, 60s);
  EXPECT_EQ(replayed.out, s.out) << replayed.err;

  auto x = run_fl_dns(lab, args({"@" + std::string(NS1), "+norec", "-x", "198.18.201.80"}));
  ASSERT_EQ(x.traces.size(), 1u) << x.result.out << x.result.err;
  EXPECT_EQ(x.traces[0]["qname"], "80.201.18.198.in-addr.arpa.");
  EXPECT_EQ(x.traces[0]["qtype"], "PTR");
  const auto dig_x = lab.exec("vp", {"dig", "+norec", "+time=1", "@" + std::string(NS1), "-x", "198.18.201.80"}, 20s);
  EXPECT_NE(dig_x.out.find("status: " + x.traces[0]["rcode"].get<std::string>()), std::string::npos) << dig_x.out;

  // Nothing listens on 5353: the server's own kernel says port unreachable.
  auto p = run_fl_dns(lab, args({"@" + std::string(NS1), "-p", "5353", "lab.test", "SOA"}, tmp.file("p.pcapng")));
  ASSERT_EQ(p.traces.size(), 1u) << p.result.out << p.result.err;
  EXPECT_EQ(p.traces[0]["dport"], 5353);
  EXPECT_EQ(p.traces[0]["outcome"], "icmp_error") << p.traces[0].dump();
  EXPECT_EQ(p.traces[0]["icmp"]["addr"], NS1);
  EXPECT_EQ(p.traces[0]["icmp"]["code"], 3);
  expect_replay_identical(p, tmp.file("p.pcapng"));
}

TEST(DnsLab, LargeAnswerIsTruncatedOverUdpAndFetchedOverTcp) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns");
  TempDir tmp;
  auto q = run_fl_dns(lab, args({"@" + std::string(NS1), "big.lab.test", "TXT"}, tmp.file("big.pcapng")));
  ASSERT_EQ(q.result.exit_code, 0) << q.result.err;
  ASSERT_EQ(q.traces.size(), 1u);
  const json& e = q.traces[0];
  EXPECT_EQ(e["transport"], "tcp");
  EXPECT_TRUE(e["udp_truncated"].get<bool>());
  EXPECT_EQ(e["answer"].size(), 40u);
  EXPECT_GT(e["size"].get<int>(), 2000);
  auto dig = dig_short(lab, {"+tcp", "+norec", "@" + std::string(NS1), "big.lab.test", "TXT"});
  EXPECT_EQ(answer_data(e), dig);
  // --tcp from the start: no UDP try at all.
  auto t = run_fl_dns(lab, args({"--tcp", "@" + std::string(NS2), "big.lab.test", "TXT"}));
  ASSERT_EQ(t.traces.size(), 1u);
  EXPECT_EQ(t.traces[0]["transport"], "tcp");
  EXPECT_FALSE(t.traces[0]["udp_truncated"].get<bool>());
  EXPECT_EQ(t.traces[0]["answer"].size(), 40u);
  expect_replay_identical(q, tmp.file("big.pcapng"));
}

TEST(DnsLab, StoppedNameserverIsUnreachableAndZonePartiallyLame) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns-ns-stopped");
  TempDir tmp;
  auto q = run_fl_dns(lab, args({"@" + std::string(NS2), "lab.test", "SOA"}));
  ASSERT_EQ(q.traces.size(), 1u);
  EXPECT_EQ(q.traces[0]["outcome"], "icmp_error");  // port unreachable from the host itself
  EXPECT_EQ(q.traces[0]["icmp"], json({{"addr", NS2}, {"type", 3}, {"code", 3}}));
  auto t = run_fl_dns(lab, args({"--tcp", "@" + std::string(NS2), "lab.test", "SOA"}));
  ASSERT_EQ(t.traces.size(), 1u);
  EXPECT_EQ(t.traces[0]["outcome"], "tcp_reset");
  auto run = check_zone(lab, tmp.file("zone.pcapng"));
  const json* z = zone_of(run);
  ASSERT_NE(z, nullptr);
  EXPECT_EQ((*z)["verdict"], "partially-lame") << z->dump();
  EXPECT_EQ((*server(*z, NS1))["status"], "ok");
  EXPECT_EQ((*server(*z, NS2))["status"], "unreachable");
  expect_replay_identical(run, tmp.file("zone.pcapng"));
}

TEST(DnsLab, RefusingNameserverIsLame) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns-lame");
  TempDir tmp;
  auto run = check_zone(lab, tmp.file("zone.pcapng"));
  const json* z = zone_of(run);
  ASSERT_NE(z, nullptr);
  EXPECT_EQ((*z)["verdict"], "partially-lame") << z->dump();
  const json* s = server(*z, NS2);
  EXPECT_EQ((*s)["status"], "lame");
  EXPECT_EQ((*s)["rcode"], "REFUSED");
  EXPECT_FALSE((*s)["aa"].get<bool>());
  auto dig = lab.exec("vp", {"dig", "+norec", "+time=1", "@" + std::string(NS2), "lab.test", "SOA"}, 20s);
  EXPECT_NE(dig.out.find("status: REFUSED"), std::string::npos) << dig.out;
  expect_replay_identical(run, tmp.file("zone.pcapng"));
}

TEST(DnsLab, NameserverWithAnotherNsSetIsInconsistent) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns-ns-differs");
  TempDir tmp;
  auto run = check_zone(lab, tmp.file("zone.pcapng"));
  const json* z = zone_of(run);
  ASSERT_NE(z, nullptr);
  EXPECT_EQ((*z)["verdict"], "inconsistent") << z->dump();
  EXPECT_EQ((*server(*z, NS1))["status"], "ok");
  const json* s = server(*z, NS2);
  EXPECT_EQ((*s)["status"], "inconsistent");
  EXPECT_EQ((*s)["ns"], json({"ns1.lab.test.", "ns2.lab.test.", "ns3.lab.test."}));
  EXPECT_FALSE((*s)["ns_match"].get<bool>());
  auto dig = dig_short(lab, {"+norec", "@" + std::string(NS2), "lab.test", "NS"});
  EXPECT_EQ(dig, (std::vector<std::string>{"ns1.lab.test.", "ns2.lab.test.", "ns3.lab.test."}));
  expect_replay_identical(run, tmp.file("zone.pcapng"));
}

TEST(DnsLab, FilteredPort53IsUnreachableAndTraceShowsWhereDnsDies) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns-filtered");
  TempDir tmp;
  auto tr = run_fl_dns(lab, {"--trace", "@" + std::string(NS1), "lab.test", "SOA", "-W", "0.4", "-q", "1", "-g", "2",
                             "-o", "json", "-w", tmp.file("trace.pcapng")});
  ASSERT_EQ(tr.result.exit_code, 0) << tr.result.err;
  ASSERT_EQ(tr.traces.size(), 1u);
  const json& t = tr.traces[0];
  EXPECT_EQ(t["type"], "trace");
  EXPECT_EQ(t["method"], "dns");
  EXPECT_EQ(t["dport"], 53);
  EXPECT_EQ(t["stop_reason"], "gaplimit") << describe(t);
  EXPECT_EQ(last_answered_ttl(t), 2) << describe(t);
  EXPECT_EQ(addrs_at(t, 2), std::set<std::string>{R2}) << describe(t);
  expect_replay_identical(tr, tmp.file("trace.pcapng"));

  auto run = check_zone(lab, tmp.file("zone.pcapng"));
  const json* z = zone_of(run);
  ASSERT_NE(z, nullptr);
  EXPECT_EQ((*z)["verdict"], "unreachable") << z->dump();
  EXPECT_TRUE((*z)["parent_answered"].get<bool>());
  expect_replay_identical(run, tmp.file("zone.pcapng"));
}

TEST(DnsLab, TraceOnHealthyLabEndsWithTheDnsAnswer) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns");
  auto tr = run_fl_dns(lab, {"--trace", "@" + std::string(NS2), "lab.test", "SOA", "-W", "0.4", "-o", "json"});
  ASSERT_EQ(tr.traces.size(), 1u);
  const json& t = tr.traces[0];
  EXPECT_EQ(t["stop_reason"], "completed") << describe(t);
  EXPECT_EQ(last_answered_ttl(t), 4);
  EXPECT_EQ(first_reply(t, 4)["kind"], "dns_response");
  EXPECT_EQ(first_reply(t, 4)["addr"], NS2);
}

TEST(DnsLab, NationalNetworkDownGivesIcmpFromTheBorderAndUnreachableZone) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns-national-down");
  TempDir tmp;
  auto q = run_fl_dns(lab, args({"@" + std::string(NS1), "lab.test", "SOA"}, tmp.file("q.pcapng")));
  ASSERT_EQ(q.traces.size(), 1u);
  EXPECT_EQ(q.traces[0]["outcome"], "icmp_error");
  EXPECT_EQ(q.traces[0]["icmp"]["addr"], R2);
  EXPECT_EQ(q.traces[0]["icmp"]["type"], 3);
  expect_replay_identical(q, tmp.file("q.pcapng"));
  auto run = check_zone(lab, tmp.file("zone.pcapng"));
  const json* z = zone_of(run);
  ASSERT_NE(z, nullptr);
  EXPECT_EQ((*z)["verdict"], "unreachable") << z->dump();
  for (const char* a : {NS1, NS2}) EXPECT_EQ((*server(*z, a))["status"], "unreachable");
  expect_replay_identical(run, tmp.file("zone.pcapng"));
}

TEST(DnsLab, QueryFileManyAtOnceInInputOrder) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns");
  TempDir tmp;
  std::string text;
  std::vector<std::string> names = {"www.lab.test", "lab.test", "nope.lab.test", "mail.lab.test"};
  for (int round = 0; round < 5; ++round)
    for (const auto& n : names)
      for (const char* s : {NS1, NS2, PARENT}) text += std::string(s) + " " + n + " A\n";
  run_command({"sh", "-c", "cat > " + tmp.file("q.txt") + " <<'EOF'\n" + text + "EOF\n"}, 10s);
  auto q = run_fl_dns(lab, args({"-T", tmp.file("q.txt"), "--pps", "500"}, tmp.file("many.pcapng")));
  ASSERT_EQ(q.result.exit_code, 0) << q.result.err;
  ASSERT_EQ(q.traces.size(), 60u);
  for (std::size_t i = 0; i < q.traces.size(); ++i) {
    const json& e = q.traces[i];
    EXPECT_EQ(e["qname"], names[(i / 3) % 4] + ".") << i;
    EXPECT_EQ(e["outcome"], "answer") << e.dump();
    const std::string srv = e["server"];
    const std::string name = e["qname"];
    if (srv == PARENT) {
      EXPECT_EQ(e["rcode"], "NOERROR");  // a referral
    } else if (name == "nope.lab.test.") {
      EXPECT_EQ(e["rcode"], "NXDOMAIN");
    }
  }
  expect_replay_identical(q, tmp.file("many.pcapng"));
}

// The dual-stack labs (dns6*, scenarios.cpp): each server also at an IPv6
// address. One lab per test, several checks each: a dual-stack lab costs
// its neighbour resolution on every link.
constexpr const char* NS1_6 = "2001:db8:201::1";
constexpr const char* NS2_6 = "2001:db8:201::2";
constexpr const char* PARENT_6 = "2001:db8:200::53";

// The zone check from an IPv6 parent: AAAA glue, IPv6 nameserver addresses.
TraceRun check_zone6(const Lab& lab, const std::string& capture) {
  auto run = run_fl_dns(lab, args({"--check-zone", "lab.test", "--parent", PARENT_6}, capture));
  EXPECT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_TRUE(run.parse_error.empty()) << run.parse_error;
  return run;
}

TEST(DnsLab, Ipv6ServersAnswerOverUdpAndTcpAsDigDoes) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns6");
  TempDir tmp;
  const std::vector<std::pair<std::string, std::string>> names = {
      {"www.lab.test", "AAAA"}, {"lab.test", "SOA"}, {"www.lab.test", "A"}};
  std::vector<std::string> a = {"@" + std::string(NS1_6), "@" + std::string(NS2_6), "+norec"};
  for (const auto& [n, t] : names) a.insert(a.end(), {n, t});
  auto q = run_fl_dns(lab, args(a, tmp.file("q6.pcapng")));
  ASSERT_EQ(q.result.exit_code, 0) << q.result.err;
  ASSERT_EQ(q.traces.size(), 6u) << q.result.out;
  for (std::size_t i = 0; i < q.traces.size(); ++i) {
    const json& e = q.traces[i];
    const std::string srv = i < 3 ? NS1_6 : NS2_6;
    const auto& [n, t] = names[i % 3];
    EXPECT_EQ(e["server"], srv);
    EXPECT_EQ(e["qtype"], t);
    EXPECT_EQ(e["outcome"], "answer") << e.dump();
    EXPECT_EQ(answer_data(e), dig_short(lab, {"-6", "@" + srv, "+norec", n, t})) << e.dump();
  }
  EXPECT_EQ(answer_data(q.traces[0]), std::vector<std::string>{"2001:db8::80"});
  expect_replay_identical(q, tmp.file("q6.pcapng"));

  // The truncated answer's TCP retry, and TCP from the start, over IPv6.
  auto big = run_fl_dns(lab, args({"@" + std::string(NS1_6), "big.lab.test", "TXT"}, tmp.file("big6.pcapng")));
  ASSERT_EQ(big.traces.size(), 1u) << big.result.err;
  EXPECT_EQ(big.traces[0]["transport"], "tcp");
  EXPECT_TRUE(big.traces[0]["udp_truncated"].get<bool>());
  EXPECT_EQ(big.traces[0]["answer"].size(), 40u);
  expect_replay_identical(big, tmp.file("big6.pcapng"));
  auto t = run_fl_dns(lab, args({"--tcp", "@" + std::string(NS2_6), "lab.test", "SOA"}));
  ASSERT_EQ(t.traces.size(), 1u) << t.result.err;
  EXPECT_EQ(t.traces[0]["transport"], "tcp");
  EXPECT_EQ(t.traces[0]["outcome"], "answer");

  // Nothing listens on port 5353: ICMPv6 port unreachable (1/4) from the server.
  auto closed = run_fl_dns(lab, args({"-p", "5353", "@" + std::string(NS1_6), "lab.test", "SOA"}));
  ASSERT_EQ(closed.traces.size(), 1u) << closed.result.err;
  EXPECT_EQ(closed.traces[0]["outcome"], "icmp_error");
  EXPECT_EQ(closed.traces[0]["icmp"], json({{"addr", NS1_6}, {"type", 1}, {"code", 4}}));

  // --trace over IPv6: r1, r2, gw by their link addresses, then ns1's answer.
  auto tr = run_fl_dns(lab, {"--trace", "@" + std::string(NS1_6), "lab.test", "SOA", "-W", "0.4", "-o", "json", "-w",
                             tmp.file("trace6.pcapng")});
  ASSERT_EQ(tr.traces.size(), 1u) << tr.result.err;
  const json& t6 = tr.traces[0];
  EXPECT_EQ(t6["stop_reason"], "completed") << describe(t6);
  EXPECT_EQ(last_answered_ttl(t6), 4);
  EXPECT_EQ(first_reply(t6, 1)["addr"], "2001:db8::2");
  EXPECT_EQ(first_reply(t6, 3)["addr"], "2001:db8:0:3::2");
  EXPECT_EQ(first_reply(t6, 4)["kind"], "dns_response");
  EXPECT_EQ(first_reply(t6, 4)["addr"], NS1_6);
  expect_replay_identical(tr, tmp.file("trace6.pcapng"));

  // The delegation over IPv6: the parent's AAAA glue names both servers'
  // IPv6 addresses, and each is asked there (SOA and NS, UDP and TCP).
  auto zone = check_zone6(lab, tmp.file("zone6.pcapng"));
  const json* z = zone_of(zone);
  ASSERT_NE(z, nullptr) << zone.result.out;
  EXPECT_EQ((*z)["verdict"], "healthy") << z->dump();
  EXPECT_EQ((*z)["parent_ns"], json({"ns1.lab.test.", "ns2.lab.test."}));
  ASSERT_EQ((*z)["servers"].size(), 2u) << z->dump();
  for (const char* addr : {NS1_6, NS2_6}) {
    const json* s = server(*z, addr);
    ASSERT_NE(s, nullptr) << addr << " " << z->dump();
    EXPECT_EQ((*s)["status"], "ok");
    EXPECT_TRUE((*s)["glue"].get<bool>());
    EXPECT_TRUE((*s)["udp"].get<bool>() && (*s)["tcp"].get<bool>());
  }
  expect_replay_identical(zone, tmp.file("zone6.pcapng"));
}

TEST(DnsLab, DarkIpv6AddressOfANameserverTimesOutWhileItsIpv4Answers) {
  FL_REQUIRE_DNS_LAB();
  Lab lab = make_lab("dns6-ns2-v6-dark");
  auto v6 = run_fl_dns(lab, args({"-6", "@" + std::string(NS1_6), "@" + std::string(NS2_6), "lab.test", "SOA"}));
  ASSERT_EQ(v6.traces.size(), 2u) << v6.result.err;
  EXPECT_EQ(v6.traces[0]["outcome"], "answer");
  EXPECT_EQ(v6.traces[1]["outcome"], "timeout");
  EXPECT_EQ(v6.traces[1]["tries"], 2);
  auto v4 = run_fl_dns(lab, args({"@" + std::string(NS2), "lab.test", "SOA"}));
  ASSERT_EQ(v4.traces.size(), 1u) << v4.result.err;
  EXPECT_EQ(v4.traces[0]["outcome"], "answer");

  // A verdict per address: over IPv6 ns2's address is unreachable and the
  // zone partially lame; over IPv4 the same zone is healthy.
  auto zone6 = check_zone6(lab, "");
  const json* z6 = zone_of(zone6);
  ASSERT_NE(z6, nullptr) << zone6.result.out;
  EXPECT_EQ((*z6)["verdict"], "partially-lame") << z6->dump();
  ASSERT_NE(server(*z6, NS1_6), nullptr) << z6->dump();
  EXPECT_EQ((*server(*z6, NS1_6))["status"], "ok");
  ASSERT_NE(server(*z6, NS2_6), nullptr) << z6->dump();
  EXPECT_EQ((*server(*z6, NS2_6))["status"], "unreachable");
  auto zone4 = check_zone(lab, "");
  const json* z4 = zone_of(zone4);
  ASSERT_NE(z4, nullptr) << zone4.result.out;
  EXPECT_EQ((*z4)["verdict"], "healthy") << z4->dump();
}

}  // namespace
}  // namespace probe::lab::test
