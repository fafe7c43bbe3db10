// SPDX-License-Identifier: BSD-2-Clause
// fl-dns's run record: what lets `fl-dns -r FILE` alone replay a query or
// zone run.

#include "probe/record/dns_record.h"

#include <gtest/gtest.h>

#include <string>

#include "record_test_util.h"

namespace {

using namespace probe;
using record::parse_dns_run_record;

model::Address addr(const char* s) { return *model::Address::parse(s); }

record::DnsRunRecord sample() {
  record::DnsRunRecord r;
  r.mode = model::DnsMode::zone;
  r.interface = "e0-r1";
  r.config.src = addr("198.18.0.1");
  r.config.sport = 40000;
  r.config.run_key = 18446744073709551615ULL;
  r.config.tries = 3;
  r.config.dnssec_ok = true;
  r.zone = "lab.test.";
  r.parents = {addr("198.18.200.53")};
  r.queries = {{addr("198.18.201.1"), "www.lab.test.", 28, false, true}};
  return r;
}

TEST(DnsRunRecord, RoundTrips) {
  const auto r = sample();
  auto back = parse_dns_run_record(record::to_comment(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->mode, model::DnsMode::zone);
  EXPECT_EQ(back->interface, "e0-r1");
  EXPECT_EQ(back->config.src, r.config.src);
  EXPECT_EQ(back->config.sport, r.config.sport);
  EXPECT_EQ(back->config.run_key, r.config.run_key);
  EXPECT_EQ(back->config.tries, 3);
  EXPECT_EQ(back->config.pps, r.config.pps);
  EXPECT_EQ(back->config.edns_size, r.config.edns_size);
  EXPECT_TRUE(back->config.dnssec_ok);
  EXPECT_EQ(back->zone, "lab.test.");
  EXPECT_EQ(back->parents, r.parents);
  ASSERT_EQ(back->queries.size(), 1u);
  EXPECT_EQ(back->queries[0].server, r.queries[0].server);
  EXPECT_EQ(back->queries[0].qname, "www.lab.test.");
  EXPECT_EQ(back->queries[0].qtype, 28);
  EXPECT_TRUE(back->queries[0].tcp);
  EXPECT_FALSE(back->queries[0].rd);
}

// A query run to IPv6 servers: from an IPv6 source, replayed as it ran.
TEST(DnsRunRecord, Ipv6QueryRunRoundTrips) {
  auto r = sample();
  r.mode = model::DnsMode::query;
  r.config.src = addr("2001:db8::1");
  r.queries = {{addr("2001:db8:201::1"), "www.lab.test.", 28, true, false}};
  auto back = parse_dns_run_record(record::to_comment(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->config.src, r.config.src);
  ASSERT_EQ(back->queries.size(), 1u);
  EXPECT_EQ(back->queries[0].server, r.queries[0].server);
}

// A zone check over IPv6 (IPv6 parents, AAAA glue) replays as it ran; its
// parents must be of its source's family, as its queries' servers must.
TEST(DnsRunRecord, Ipv6ZoneCheckRoundTripsAndItsParentsShareItsFamily) {
  auto r = sample();
  r.config.src = addr("2001:db8::1");
  r.parents = {addr("2001:db8:200::53")};
  r.queries.clear();
  auto back = parse_dns_run_record(record::to_comment(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->mode, model::DnsMode::zone);
  EXPECT_EQ(back->parents, r.parents);
  r.parents.push_back(addr("198.18.200.53"));
  recordtest::expect_refused(parse_dns_run_record, record::to_comment(r), "parents");
  r.parents = {addr("2001:db8:200::53")};
  r.queries = {{addr("198.18.201.1"), "www.lab.test.", 28, false, true}};
  recordtest::expect_refused(parse_dns_run_record, record::to_comment(r), "queries[0].server");
}

TEST(DnsRunRecord, KindSaysWhoWroteIt) {
  auto kind = record::run_record_kind(record::to_comment(sample()));
  ASSERT_TRUE(kind);
  EXPECT_EQ(kind->first, "fl-dns");
  EXPECT_FALSE(kind->second);
  EXPECT_FALSE(record::run_record_kind("garbage"));
  EXPECT_FALSE(record::run_record_kind(std::string(record::kRunRecordTag) + "{\"version\":1}"));
}

TEST(DnsRunRecord, OtherRecordsAndGarbageAreRefused) {
  EXPECT_FALSE(parse_dns_run_record("faultline-run {\"version\":1,\"tool\":\"fl-trace\"}"));
  EXPECT_FALSE(parse_dns_run_record("garbage"));
  EXPECT_FALSE(parse_dns_run_record(std::string(record::kRunRecordTag) + "[1,2]"));
  EXPECT_FALSE(parse_dns_run_record(std::string(record::kRunRecordTag) + "{"));
}

// Before the shared reader, "tries": 2.5 replayed as 2 and a uint16 took
// 65536 as 0: every field is now refused by name instead.
TEST(DnsRunRecord, BadFieldsAreNamed) {
  const std::string good = record::to_comment(sample());
  const recordtest::BadField bad[] = {
      {"tries", 2.5},
      {"tries", 0},
      {"tries", 256},
      {"sport", 1.9},
      {"sport", -1},
      {"sport", 0},
      {"sport", 4294967296ULL},
      {"wait_us", 1.5},
      {"wait_us", -1},
      {"pps", -1},
      {"pps", 0},
      {"pps", 1e300},
      {"concurrency", 0},
      {"edns_size", 65536},
      {"edns", "true"},
      {"dnssec_ok", nullptr},
      {"mode", "axfr"},
      {"src", "nowhere"},
      {"run_key", "-1"},
      {"zone", 1},
      {"version", 4294967297ULL},
      {"version", 1.5},
  };
  for (const auto& b : bad)
    recordtest::expect_refused(parse_dns_run_record, recordtest::with(good, b.field, b.value), b.field);

  const recordtest::BadField bad_query[] = {
      {"qtype", 2.5}, {"qtype", 65536}, {"qtype", -1}, {"server", "x"}, {"server", "2001:db8::53"}, {"qname", "a..b"}, {"rd", 1}, {"tcp", "no"},
  };
  for (const auto& b : bad_query) {
    auto c = recordtest::edited(good, [&](nlohmann::json& j) { j["queries"][0][b.field] = b.value; });
    recordtest::expect_refused(parse_dns_run_record, c, "queries[0]." + b.field);
  }
  recordtest::expect_refused(parse_dns_run_record, recordtest::with(good, "queries", nlohmann::json::array({1})),
                             "queries[0]");
  recordtest::expect_refused(parse_dns_run_record, recordtest::with(good, "parents", nlohmann::json::array({7})),
                             "parents[0]");
}

}  // namespace
