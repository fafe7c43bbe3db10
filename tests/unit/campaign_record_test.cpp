// SPDX-License-Identifier: BSD-2-Clause
// fl-locate's run record: the campaign plan that lets `fl-locate -r FILE`
// alone replay a campaign.

#include "probe/record/campaign_record.h"

#include <gtest/gtest.h>

#include <string>

#include "record_test_util.h"

namespace {

using namespace probe;
using record::parse_campaign_record;

model::Address addr(const char* s) { return *model::Address::parse(s); }

locate::CampaignPlan sample() {
  locate::CampaignPlan p;
  p.interface = "e0-a1";
  p.src = addr("198.18.0.1");
  p.run_key = 0xfedcba9876543210ULL;
  p.sport = 40000;
  p.max_ttl = 24;
  p.attempts = 3;
  p.gaplimit = 4;
  p.wait_us = 500000;
  p.pps = 250.5;
  p.concurrency = 64;
  p.budget_us = 4500000;
  p.methods = {*locate::MethodSpec::parse("direct-icmp"), *locate::MethodSpec::parse("icmp"),
               *locate::MethodSpec::parse("tcp:80"), *locate::MethodSpec::parse("udp")};
  p.prefixes = {*model::Prefix::parse("198.18.128.0/22"), *model::Prefix::parse("198.18.136.0/24")};
  p.targets = {addr("198.18.128.1"), addr("198.18.129.1"), addr("198.18.136.1")};
  p.target_prefix = {0, 0, 1};
  p.controls = {addr("192.0.2.99")};
  p.asns = {64500, 4294967295U};
  p.country = "ZZ";
  p.zone = "lab.test.";
  p.parents = {addr("192.0.2.53")};
  p.asn_db = "/data/asn.csv";
  p.baseline = "/data/base.json";
  p.vantage = "ams-1";
  return p;
}

TEST(CampaignRecord, RoundTrips) {
  const auto p = sample();
  const std::string comment = record::to_comment(p);
  EXPECT_EQ(comment.rfind(record::kRunRecordTag, 0), 0u);
  auto back = parse_campaign_record(comment);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->interface, p.interface);
  EXPECT_EQ(back->src, p.src);
  EXPECT_EQ(back->run_key, p.run_key);
  EXPECT_EQ(back->sport, p.sport);
  EXPECT_EQ(back->max_ttl, p.max_ttl);
  EXPECT_EQ(back->attempts, p.attempts);
  EXPECT_EQ(back->gaplimit, p.gaplimit);
  EXPECT_EQ(back->wait_us, p.wait_us);
  EXPECT_EQ(back->pps, p.pps);
  EXPECT_EQ(back->concurrency, p.concurrency);
  EXPECT_EQ(back->budget_us, p.budget_us);
  ASSERT_EQ(back->methods.size(), p.methods.size());
  for (std::size_t i = 0; i < p.methods.size(); ++i) EXPECT_EQ(back->methods[i].label(), p.methods[i].label());
  ASSERT_EQ(back->prefixes.size(), p.prefixes.size());
  EXPECT_EQ(back->prefixes[1].base, p.prefixes[1].base);
  EXPECT_EQ(back->targets, p.targets);
  EXPECT_EQ(back->target_prefix, p.target_prefix);
  EXPECT_EQ(back->controls, p.controls);
  EXPECT_EQ(back->asns, p.asns);
  EXPECT_EQ(back->country, p.country);
  EXPECT_EQ(back->zone, p.zone);
  EXPECT_EQ(back->parents, p.parents);
  EXPECT_EQ(back->asn_db, p.asn_db);
  EXPECT_EQ(back->baseline, p.baseline);
  EXPECT_EQ(back->no_route, "");
  EXPECT_EQ(back->vantage, "ams-1");
  // Written again, byte for byte the same record.
  EXPECT_EQ(record::to_comment(*back), comment);
}

TEST(CampaignRecord, ARecordFromBeforeTheFrontierPhaseReplaysWithout) {
  auto back = parse_campaign_record(
      recordtest::edited(record::to_comment(sample()), [](nlohmann::json& j) { j.erase("budget_us"); }));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->budget_us, 0);
}

// Captures from before reports named their vantage replay unnamed, and
// write back without the field.
TEST(CampaignRecord, ARecordWithoutAVantageReplaysUnnamed) {
  auto p = sample();
  p.vantage.clear();
  const std::string comment = record::to_comment(p);
  EXPECT_EQ(comment.find("vantage"), std::string::npos) << comment;
  auto back = parse_campaign_record(comment);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->vantage, "");
}

TEST(CampaignRecord, OtherRecordsAndGarbageAreRefused) {
  auto other = parse_campaign_record("faultline-run {\"version\":1,\"tool\":\"fl-trace\"}");
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("not fl-locate"), std::string::npos) << other.error().message;
  EXPECT_FALSE(parse_campaign_record("garbage"));
  EXPECT_FALSE(parse_campaign_record(std::string(record::kRunRecordTag) + "null"));
}

// Before the shared reader, a target_prefix of 4294967296 read back as 0
// and an AS of 4294967297 as 1: every field is now refused by name instead.
TEST(CampaignRecord, BadFieldsAreNamed) {
  const std::string good = record::to_comment(sample());
  using nlohmann::json;
  const recordtest::BadField bad[] = {
      {"attempts", 2.5},
      {"attempts", 11},
      {"sport", -1},
      {"sport", 65535},
      {"sport", 4294967296ULL},
      {"max_ttl", 0},
      {"gaplimit", 1.5},
      {"wait_us", 1.5},
      {"pps", -1},
      {"pps", 0},
      {"concurrency", (1 << 20) + 1},
      {"budget_us", -1},
      {"budget_us", 0.5},
      {"interface", nullptr},
      {"src", "198.18.0.x"},
      {"run_key", ""},
      {"methods", json::array({"sctp"})},
      {"prefixes", json::array({"198.18.0.0/33"})},
      {"targets", json::array({"198.18.128.1", "x", "198.18.136.1"})},
      {"target_prefix", json::array({0, 0})},
      {"controls", "192.0.2.99"},
      {"zone", "Lab.Test"},
      {"parents", json::array({nullptr})},
      {"country", 1},
      {"no_route", false},
      {"vantage", ""},
      {"vantage", "ams\n1"},
      {"vantage", std::string(65, 'a')},
      {"vantage", 7},
      {"version", 4294967297ULL},
      {"version", 2},
  };
  for (const auto& b : bad)
    recordtest::expect_refused(parse_campaign_record, recordtest::with(good, b.field, b.value), b.field);

  const std::pair<recordtest::BadField, std::string> bad_elements[] = {
      {{"target_prefix", json::array({0, 4294967296ULL, 1})}, "target_prefix[1]"},
      {{"target_prefix", json::array({0, 0, 2})}, "target_prefix[2]"},
      {{"target_prefix", json::array({0, -1, 1})}, "target_prefix[1]"},
      {{"target_prefix", json::array({0, 0.5, 1})}, "target_prefix[1]"},
      {{"asns", json::array({4294967297ULL})}, "asns[0]"},
      {{"asns", json::array({64500, -1})}, "asns[1]"},
      {{"asns", json::array({2.5})}, "asns[0]"},
      {{"targets", json::array({"198.18.128.1", "x", "198.18.136.1"})}, "targets[1]"},
  };
  for (const auto& [b, named] : bad_elements)
    recordtest::expect_refused(parse_campaign_record, recordtest::with(good, b.field, b.value), named);
}

}  // namespace
