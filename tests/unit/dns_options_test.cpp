// SPDX-License-Identifier: BSD-2-Clause
// fl-dns's command line, table-driven over fldns::parse_options.

#include <gtest/gtest.h>

#include <string>
#include <vector>

// Both tools have an options.h on the include path: name this one by path.
#include "../../tools/fl-dns/options.h"

namespace {

using fldns::Mode;
using fldns::parse_options;

probe::Result<fldns::Options> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "fl-dns");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_options(static_cast<int>(argv.size()), argv.data());
}

TEST(DnsOptions, DigLikeQuery) {
  auto r = parse({"@198.18.200.53", "www.lab.test", "AAAA", "+norec", "+dnssec", "+bufsize=4096"});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->queries.size(), 1u);
  const auto& q = r->queries[0];
  EXPECT_EQ(q.server.to_string(), "198.18.200.53");
  EXPECT_EQ(q.qname, "www.lab.test.");
  EXPECT_EQ(q.qtype, 28);
  EXPECT_FALSE(q.rd);
  EXPECT_FALSE(q.tcp);
  EXPECT_TRUE(r->config.dnssec_ok);
  EXPECT_EQ(r->config.edns_size, 4096);
  EXPECT_EQ(r->mode, Mode::query);
}

TEST(DnsOptions, ServersTimesNamesInOrder) {
  auto r = parse({"@198.18.0.1", "@198.18.0.2", "a.test", "NS", "b.test", "--tcp"});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->queries.size(), 4u);
  EXPECT_EQ(r->queries[0].qname, "a.test.");
  EXPECT_EQ(r->queries[0].qtype, 2);
  EXPECT_EQ(r->queries[1].qname, "b.test.");
  EXPECT_EQ(r->queries[1].qtype, 1);
  EXPECT_EQ(r->queries[2].server.to_string(), "198.18.0.2");
  EXPECT_TRUE(r->queries[3].tcp);
}

TEST(DnsOptions, Defaults) {
  auto r = parse({"@198.18.0.1", "lab.test"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->config.wait_us, 2000000);
  EXPECT_EQ(r->config.tries, 2);
  EXPECT_TRUE(r->config.edns);
  EXPECT_TRUE(r->config.tcp_fallback);
  EXPECT_EQ(r->config.edns_size, 1232);
  EXPECT_TRUE(r->queries[0].rd);
}

TEST(DnsOptions, CheckZoneDefaultsToTheRoots) {
  auto r = parse({"--check-zone", "KP"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->mode, Mode::zone);
  EXPECT_EQ(r->zone, "kp.");
  ASSERT_EQ(r->parents.size(), 13u);
  EXPECT_EQ(r->parents.front().to_string(), "198.41.0.4");
  EXPECT_EQ(r->parents.back().to_string(), "202.12.27.33");
  auto p = parse({"--check-zone", "lab.test", "--parent", "198.18.200.53", "--parent", "198.18.200.54"});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->parents.size(), 2u);
  // -6: the roots' IPv6 addresses, a to m.
  auto r6 = parse({"-6", "--check-zone", "KP"});
  ASSERT_TRUE(r6) << r6.error().message;
  ASSERT_EQ(r6->parents.size(), 13u);
  EXPECT_EQ(r6->parents.front().to_string(), "2001:503:ba3e::2:30");
  EXPECT_EQ(r6->parents.back().to_string(), "2001:dc3::35");
  auto p6 = parse({"--check-zone", "lab.test", "--parent", "2001:db8:200::53"});
  ASSERT_TRUE(p6) << p6.error().message;
  EXPECT_FALSE(p6->parents.front().is_v4());
}

TEST(DnsOptions, Trace) {
  auto r = parse({"--trace", "@198.18.200.53", "lab.test", "SOA", "-m", "8"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->mode, Mode::trace);
  EXPECT_EQ(r->max_ttl, 8);
  EXPECT_EQ(r->queries.at(0).qtype, 6);
}

// dig's habits: -x, -p, +short, and no @SERVER meaning resolv.conf's.
TEST(DnsOptions, ReverseNameIsAskedForPtr) {
  auto r = parse({"@198.18.0.1", "-x", "198.18.201.80", "-x", "2001:db8::1"});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->queries.size(), 2u);
  EXPECT_EQ(r->queries[0].qname, "80.201.18.198.in-addr.arpa.");
  EXPECT_EQ(r->queries[0].qtype, 12);
  EXPECT_EQ(r->queries[1].qname, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
}

TEST(DnsOptions, PortAndShort) {
  auto d = parse({"@198.18.0.1", "lab.test"});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->config.dport, 53);
  EXPECT_FALSE(d->short_answers);
  auto r = parse({"@198.18.0.1", "lab.test", "-p", "5353", "+short"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->config.dport, 5353);
  EXPECT_TRUE(r->short_answers);
  // Only the output's shape: allowed with a replay.
  auto replay = parse({"-r", "x.pcapng", "+short"});
  ASSERT_TRUE(replay) << replay.error().message;
  EXPECT_TRUE(replay->short_answers);
}

TEST(DnsOptions, NamesWithoutServerWaitForResolvConf) {
  auto r = parse({"www.lab.test", "AAAA", "--resolv-conf", "lab-resolv.conf"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->queries.empty());
  ASSERT_EQ(r->serverless.size(), 1u);
  EXPECT_EQ(r->serverless[0].qname, "www.lab.test.");
  EXPECT_EQ(r->serverless[0].qtype, 28);
  EXPECT_EQ(r->resolv_conf, "lab-resolv.conf");
  EXPECT_EQ(parse({"x.test"})->resolv_conf, "/etc/resolv.conf");
  auto t = parse({"--trace", "lab.test", "SOA"});
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->serverless.size(), 1u);
}

TEST(DnsOptions, FirstIpv4NameserverOfResolvConf) {
  auto a = fldns::first_nameserver(
      "# generated\nsearch lab.test\nnameserver fe80::1%eth0\nnameserver 2001:db8::53\n"
      "  nameserver   198.18.200.53  # the lab's\nnameserver 198.18.201.1\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->to_string(), "198.18.200.53");
  EXPECT_FALSE(fldns::first_nameserver("search lab.test\nnameserver 2001:db8::53\n"));
  EXPECT_FALSE(fldns::first_nameserver(""));
  // -6 asks the first IPv6 one; a scoped address is passed over.
  auto v6 = fldns::first_nameserver("nameserver fe80::1%eth0\nnameserver 198.18.200.53\nnameserver 2001:db8::53\n",
                                    probe::model::Family::v6);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->to_string(), "2001:db8::53");
}

TEST(DnsOptions, Ipv6ServersAndOneFamilyPerRun) {
  auto r = parse({"@2001:db8::53", "www.lab.test", "AAAA"});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->queries.size(), 1u);
  EXPECT_EQ(r->queries[0].server.to_string(), "2001:db8::53");
  EXPECT_EQ(r->queries[0].qtype, 28);
  EXPECT_TRUE(parse({"-6", "@2001:db8::53", "x.test"}));
  EXPECT_EQ(*parse({"-6", "x.test"})->family, probe::model::Family::v6);
}

struct Bad {
  std::vector<std::string> args;
  const char* says;
};

TEST(DnsOptions, UsageErrors) {
  const Bad cases[] = {
      {{"@198.18.0.1", "www.lab.test", "BOGUS"}, "unknown type"},
      {{"@198.18.0.1", "www..test"}, "malformed name"},
      {{"@1.2.3", "x.test"}, "bad server address"},
      {{"@2001:db8::1", "@198.18.0.1", "x.test"}, "a run speaks one family"},
      {{"-4", "@2001:db8::1", "x.test"}, "IPv6 server 2001:db8::1 with -4"},
      {{"-6", "@198.18.0.1", "x.test"}, "IPv4 server 198.18.0.1 with -6"},
      {{"-4", "-6", "@198.18.0.1", "x.test"}, "-4 and -6"},
      {{"--check-zone", "lab.test", "--parent", "2001:db8::1", "--parent", "198.18.0.1"}, "a run speaks one family"},
      {{"-4", "--check-zone", "lab.test", "--parent", "2001:db8::1"}, "IPv6 parent 2001:db8::1 with -4"},
      {{"@198.18.0.1", "x.test", "-p", "0"}, "--port"},
      {{"@198.18.0.1", "-x", "198.18.0"}, "-x: bad address"},
      {{"-r", "x.pcap", "-p", "5353"}, "-r replays"},
      {{"@198.18.0.1"}, "no NAME"},
      {{"@198.18.0.1", "x.test", "+frobnicate"}, "unknown option"},
      {{"@198.18.0.1", "x.test", "+bufsize=100"}, "bufsize"},
      {{"@198.18.0.1", "x.test", "-W", "0"}, "--wait"},
      {{"@198.18.0.1", "x.test", "-q", "0"}, "--tries"},
      {{"@198.18.0.1", "x.test", "-o", "xml"}, "output format"},
      {{"@198.18.0.1", "x.test", "-w", "2"}, "did you mean -W 2? -w writes a capture"},
      {{"--check-zone", "a..b"}, "malformed zone"},
      {{"--check-zone", "lab.test", "--parent", "nope"}, "bad server address"},
      {{"--parent", "198.18.0.1", "@198.18.0.1", "x.test"}, "--check-zone"},
      {{"--trace", "@198.18.0.1", "@198.18.0.2", "x.test"}, "one @SERVER"},
      {{"-r", "x.pcap", "@198.18.0.1"}, "-r replays"},
      {{"-r", "x.pcap", "--tcp"}, "-r replays"},
      // What fl-probed decides, or does not serve, cannot be asked of it.
      {{"--via", "s", "-S", "198.18.0.1", "@198.18.0.1", "x.test"}, "--source cannot be given with --via"},
      {{"--via", "s", "-i", "eth0", "@198.18.0.1", "x.test"}, "--interface cannot be given with --via"},
      {{"--via", "s", "--pps", "50", "@198.18.0.1", "x.test"}, "--pps cannot be given with --via"},
      {{"--via", "s", "-w", "x", "--capture-all", "@198.18.0.1", "x.test"}, "--capture-all cannot be given with --via"},
      {{"--via", "s", "--check-zone", "lab.test"}, "--check-zone cannot be given with --via"},
      {{"--via", "s", "--trace", "@198.18.0.1", "x.test"}, "--trace cannot be given with --via"},
  };
  for (const auto& c : cases) {
    auto r = parse(c.args);
    ASSERT_FALSE(r) << c.args.front();
    EXPECT_EQ(r.error().kind, probe::ErrorKind::usage);
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
  }
}

TEST(DnsOptions, ViaTakesTheQueriesAndTheirOptions) {
  auto o = parse({"--via", "/run/p.sock", "-w", "v.pcapng", "-s", "41000", "-W", "0.4", "@198.18.0.1", "+tcp",
                  "x.test", "SOA"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->via, "/run/p.sock");
  EXPECT_EQ(o->write_path, "v.pcapng");
  EXPECT_TRUE(o->sport_given);
  EXPECT_EQ(o->config.sport, 41000);
  EXPECT_EQ(o->config.wait_us, 400000);
  ASSERT_EQ(o->queries.size(), 1u);
  EXPECT_TRUE(o->queries[0].tcp);
  EXPECT_EQ(o->queries[0].qtype, 6);
}

TEST(DnsOptions, QueryFileLines) {
  auto r = fldns::parse_query_lines("# servers\n@198.18.0.1 lab.test SOA\n198.18.0.2 www.lab.test\n\n", true, false);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].qtype, 6);
  EXPECT_EQ((*r)[1].qtype, 1);
  EXPECT_FALSE(fldns::parse_query_lines("198.18.0.1\n", true, false));
  EXPECT_FALSE(fldns::parse_query_lines("198.18.0.1 x.test NOPE\n", true, false));
  auto bad = fldns::parse_query_lines("ok\n", true, false);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("line 1"), std::string::npos);
}

}  // namespace
