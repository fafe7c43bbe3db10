// SPDX-License-Identifier: BSD-2-Clause
// fl-locate's annotation: the ASes and the baseline a live campaign used,
// which close its capture so that a replay needs neither file.

#include "probe/record/campaign_annotation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using namespace probe;
using record::parse_campaign_annotation;

model::Address addr(const char* s) { return *model::Address::parse(s); }

record::CampaignAnnotation sample() {
  record::CampaignAnnotation a;
  a.run_key = 0xfedcba9876543210ULL;
  const model::AsInfo transit{64510, "Lab Transit"};
  a.hosts = {{addr("192.0.2.99"), std::nullopt},
             {addr("198.18.0.10"), transit},
             {addr("198.18.0.14"), transit},
             {addr("198.18.0.18"), model::AsInfo{64520, "Lab \"National\" Network"}},
             {addr("2001:db8::1"), model::AsInfo{4294967295U, ""}}};
  locate::Baseline b;
  b.source = "/elsewhere/locate-country.json";
  b.paths = {{addr("198.18.128.1"), true, {{1, addr("198.18.0.2")}, {4, addr("198.18.0.14")}}, 6},
             {addr("198.18.136.1"), false, {}, std::nullopt}};
  a.baseline = b;
  return a;
}

// The comment with its JSON changed by `edit`.
template <typename Edit>
std::string edited(const record::CampaignAnnotation& a, Edit edit) {
  const std::string tag = record::kAnnotationTag;
  auto j = nlohmann::json::parse(record::to_comment(a).substr(tag.size()));
  edit(j);
  return tag + j.dump();
}

TEST(CampaignAnnotation, RoundTripsAndAnswersLookups) {
  const auto a = sample();
  const std::string comment = record::to_comment(a);
  EXPECT_EQ(comment.rfind(record::kAnnotationTag, 0), 0u);
  auto back = parse_campaign_annotation(comment);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->run_key, a.run_key);
  ASSERT_EQ(back->hosts.size(), a.hosts.size());
  // Each AS once in the record, whatever the number of hosts in it.
  EXPECT_EQ(nlohmann::json::parse(comment.substr(std::string(record::kAnnotationTag).size())).at("ases").size(), 3u);
  auto lookup = record::lookup_in(*back);
  auto t = lookup(addr("198.18.0.14"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->asn, 64510u);
  EXPECT_EQ(t->name, "Lab Transit");
  EXPECT_EQ(lookup(addr("198.18.0.18"))->name, "Lab \"National\" Network");
  EXPECT_EQ(lookup(addr("2001:db8::1"))->asn, 4294967295U);
  EXPECT_FALSE(lookup(addr("192.0.2.99")));  // looked up, no AS
  EXPECT_FALSE(lookup(addr("198.18.0.6")));   // never looked up
  ASSERT_TRUE(back->baseline);
  EXPECT_EQ(back->baseline->source, a.baseline->source);
  ASSERT_EQ(back->baseline->paths.size(), 2u);
  const auto& p = back->baseline->paths[0];
  EXPECT_EQ(p.target, addr("198.18.128.1"));
  EXPECT_TRUE(p.reached);
  EXPECT_EQ(p.reached_ttl, std::optional<std::uint8_t>(6));
  ASSERT_EQ(p.hops.size(), 2u);
  EXPECT_EQ(p.hops[1].ttl, 4);
  EXPECT_EQ(p.hops[1].addr, addr("198.18.0.14"));
  EXPECT_FALSE(back->baseline->paths[1].reached_ttl);
  EXPECT_EQ(record::baseline_digest(*back->baseline), record::baseline_digest(*a.baseline));
  EXPECT_EQ(record::to_comment(*back), comment);
}

TEST(CampaignAnnotation, WithoutABaseline) {
  auto a = sample();
  a.baseline.reset();
  auto back = parse_campaign_annotation(record::to_comment(a));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_FALSE(back->baseline);
}

TEST(CampaignAnnotation, DigestIsStableAndCoversThePaths) {
  const auto a = sample();
  const std::string d = record::baseline_digest(*a.baseline);
  EXPECT_EQ(d.rfind("fnv1a64:", 0), 0u);
  EXPECT_EQ(d.size(), 8u + 16u);
  auto b = *a.baseline;
  b.source = "another/name.json";  // where it came from is not its content
  EXPECT_EQ(record::baseline_digest(b), d);
  b.paths[1].reached = true;
  EXPECT_NE(record::baseline_digest(b), d);
}

TEST(CampaignAnnotation, RefusesWhatItCannotHaveWritten) {
  const auto a = sample();
  struct Case {
    const char* field;
    std::function<void(nlohmann::json&)> edit;
  };
  const Case cases[] = {
      {"fl-trace", [](nlohmann::json& j) { j["tool"] = "fl-trace"; }},
      {"run_key", [](nlohmann::json& j) { j["run_key"] = 5; }},
      {"hosts", [](nlohmann::json& j) { std::swap(j["hosts"][1], j["hosts"][2]); }},
      {"hosts", [](nlohmann::json& j) { j["hosts"][2] = j["hosts"][1]; }},
      {"hosts[0]", [](nlohmann::json& j) { j["hosts"][0] = "not an address"; }},
      {"host_as", [](nlohmann::json& j) { j["host_as"].erase(0); }},
      {"host_as[1]", [](nlohmann::json& j) { j["host_as"][1] = 3; }},
      {"host_as[1]", [](nlohmann::json& j) { j["host_as"][1] = -2; }},
      {"ases[0].asn", [](nlohmann::json& j) { j["ases"][0]["asn"] = 4294967296LL; }},
      {"ases[0].name", [](nlohmann::json& j) { j["ases"][0]["name"] = 7; }},
      {"baseline", [](nlohmann::json& j) { j["baseline"] = "x"; }},
      {"baseline.digest", [](nlohmann::json& j) { j["baseline"]["paths"][1]["reached"] = true; }},
      {"baseline.digest", [](nlohmann::json& j) { j["baseline"]["digest"] = "fnv1a64:0000000000000000"; }},
      {"baseline.paths[0].hop_addrs", [](nlohmann::json& j) { j["baseline"]["paths"][0]["hop_addrs"].erase(0); }},
      {"baseline.paths[0].hop_ttls[0]", [](nlohmann::json& j) { j["baseline"]["paths"][0]["hop_ttls"][0] = 0; }},
      {"baseline.paths[0].reached_ttl", [](nlohmann::json& j) { j["baseline"]["paths"][0]["reached_ttl"] = 2.5; }},
  };
  for (const auto& c : cases) {
    auto r = parse_campaign_annotation(edited(a, c.edit));
    ASSERT_FALSE(r) << c.field;
    EXPECT_EQ(r.error().kind, ErrorKind::input) << c.field;
    EXPECT_NE(r.error().message.find(c.field), std::string::npos) << c.field << ": " << r.error().message;
  }
  EXPECT_FALSE(parse_campaign_annotation(record::to_comment(a).substr(1)));  // no tag
  EXPECT_FALSE(parse_campaign_annotation(std::string(record::kAnnotationTag) + "[1]"));
}

}  // namespace

namespace {

TEST(CampaignAnnotation, AddressesOfACampaignAreAllItSawOrNamed) {
  using probe::model::Address;
  locate::Campaign c;
  c.prefixes = {*model::Prefix::parse("198.18.128.0/22")};
  locate::TargetTraces t;
  t.addr = addr("198.18.128.1");
  model::Trace trace;
  model::ProbeRecord answered;
  answered.reply = model::Reply{};
  answered.reply->addr = addr("198.18.0.2");
  model::Hop hop1(1, {answered});
  model::Hop hop2(2);
  hop2.inferred_addr = addr("198.18.0.6");
  trace.hops = {hop1, hop2};
  t.traces = {trace};
  model::Trace frontier;
  answered.reply->addr = addr("198.18.0.14");
  frontier.hops = {model::Hop(4, {answered})};
  t.frontier = {{*locate::MethodSpec::parse("icmp"), frontier}};
  c.targets = {t};
  locate::TargetTraces control;
  control.addr = addr("192.0.2.99");
  c.controls = {control};
  model::ZoneReport zone;
  zone.parents = {addr("192.0.2.53")};
  model::ZoneServer server;
  server.addr = addr("198.18.140.1");
  zone.servers = {server};
  c.dns = zone;
  model::DnsExchange x;
  x.query.server = addr("198.18.140.2");
  x.icmp = model::IcmpError{addr("198.18.0.10"), 3, 1};
  c.dns_exchanges = {x};

  auto got = record::addresses_of(c);
  std::sort(got.begin(), got.end());
  std::vector<Address> want = {addr("192.0.2.53"),  addr("192.0.2.99"),   addr("198.18.0.2"),
                               addr("198.18.0.6"),  addr("198.18.0.10"),  addr("198.18.0.14"),
                               addr("198.18.128.0"), addr("198.18.128.1"), addr("198.18.140.1"),
                               addr("198.18.140.2")};
  EXPECT_EQ(got, want);
}

}  // namespace
