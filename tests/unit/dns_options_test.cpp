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
}

TEST(DnsOptions, Trace) {
  auto r = parse({"--trace", "@198.18.200.53", "lab.test", "SOA", "-m", "8"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->mode, Mode::trace);
  EXPECT_EQ(r->max_ttl, 8);
  EXPECT_EQ(r->queries.at(0).qtype, 6);
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
      {{"@2001:db8::1", "x.test"}, "bad server address"},
      {{"www.lab.test"}, "no @SERVER"},
      {{"@198.18.0.1"}, "no NAME"},
      {{"@198.18.0.1", "x.test", "+frobnicate"}, "unknown option"},
      {{"@198.18.0.1", "x.test", "+bufsize=100"}, "bufsize"},
      {{"@198.18.0.1", "x.test", "-W", "0"}, "--wait"},
      {{"@198.18.0.1", "x.test", "-q", "0"}, "--tries"},
      {{"@198.18.0.1", "x.test", "-o", "xml"}, "output format"},
      {{"--check-zone", "a..b"}, "malformed zone"},
      {{"--check-zone", "lab.test", "--parent", "nope"}, "bad server address"},
      {{"--parent", "198.18.0.1", "@198.18.0.1", "x.test"}, "--check-zone"},
      {{"--trace", "@198.18.0.1", "@198.18.0.2", "x.test"}, "one @SERVER"},
      {{"-r", "x.pcap", "@198.18.0.1"}, "-r replays"},
      {{"-r", "x.pcap", "--tcp"}, "-r replays"},
  };
  for (const auto& c : cases) {
    auto r = parse(c.args);
    ASSERT_FALSE(r) << c.args.front();
    EXPECT_EQ(r.error().kind, probe::ErrorKind::usage);
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
  }
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
