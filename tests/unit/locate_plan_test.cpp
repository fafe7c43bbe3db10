// SPDX-License-Identifier: BSD-2-Clause
// Planning a campaign before anything is opened (probe/locate/plan.h), and
// the DNS trace's configuration (probe/engine/dns_trace.h).

#include "probe/locate/plan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "probe/engine/dns_trace.h"
#include "process.h"

namespace {

using probe::ErrorKind;
namespace locate = probe::locate;
namespace model = probe::model;

// AS64500 holds 198.18.128.0/22, AS64501 only an IPv6 block.
constexpr const char* kAsnCsv =
    "198.18.128.0,198.18.131.255,64500,Lab National\n"
    "2001:db8::,2001:db8::ffff,64501,Lab Six\n";

struct Fixture : ::testing::Test {
  void SetUp() override {
    testsupport::write_file(dir.file("asn.csv"), kAsnCsv);
    auto loaded = model::AsnDb::load(dir.file("asn.csv"));
    ASSERT_TRUE(loaded) << loaded.error().message;
    db.emplace(std::move(*loaded));
  }
  locate::CampaignRequest request() const {
    locate::CampaignRequest r;
    r.methods = {*locate::MethodSpec::parse("icmp")};
    return r;
  }
  testsupport::TempDir dir;
  std::optional<model::AsnDb> db;
};

using LocatePlan = Fixture;

TEST_F(LocatePlan, PrefixesFromTheCommandLineTheFileAndTheAsTable) {
  auto r = request();
  r.prefixes = {"198.18.136.0/24"};
  testsupport::write_file(dir.file("prefixes"), "# national\n198.18.140.0/24\n");
  r.prefix_file = dir.file("prefixes");
  r.asns = {64500};
  locate::CampaignPlan plan;
  auto ok = locate::national_prefixes(r, *db, plan);
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_EQ(plan.prefixes.size(), 3u);
  EXPECT_EQ(plan.prefixes[0].to_string(), "198.18.136.0/24");
  EXPECT_EQ(plan.prefixes[1].to_string(), "198.18.140.0/24");
  EXPECT_EQ(plan.prefixes[2].to_string(), "198.18.128.0/22");
  EXPECT_EQ(plan.asns, std::vector<std::uint32_t>{64500});
}

TEST_F(LocatePlan, PrefixErrorsSayWhatAndWhere) {
  struct Case {
    std::vector<std::string> prefixes;
    std::string file_text;
    std::vector<std::uint32_t> asns;
    ErrorKind kind;
    std::string message;
  };
  const std::string file = dir.file("prefixes");
  const std::vector<Case> cases = {
      {{"nonsense"}, "", {}, ErrorKind::usage, "bad prefix 'nonsense'"},
      {{"2001:db8::/32"}, "", {}, ErrorKind::usage, "IPv6 prefix 2001:db8::/32: IPv6 probing is not supported yet"},
      {{}, "198.18.0.0/33\n", {}, ErrorKind::input, file + ": bad prefix '198.18.0.0/33'"},
      {{}, "", {64501}, ErrorKind::usage, "the IP->AS table has no IPv4 prefixes for AS64501"},
  };
  for (const auto& c : cases) {
    auto r = request();
    r.prefixes = c.prefixes;
    r.asns = c.asns;
    if (!c.file_text.empty()) {
      testsupport::write_file(file, c.file_text);
      r.prefix_file = file;
    }
    locate::CampaignPlan plan;
    auto ok = locate::national_prefixes(r, *db, plan);
    ASSERT_FALSE(ok) << c.message;
    EXPECT_EQ(ok.error().kind, c.kind) << c.message;
    EXPECT_EQ(ok.error().message, c.message);
  }
}

// A typo of an address or of a length is refused, like fl-trace's, before
// anything is listed or opened; --yes takes the block or the space.
TEST_F(LocatePlan, HostBitsAndHugeSpacesAreRefusedUnlessConfirmed) {
  const std::string file = dir.file("prefixes");
  testsupport::write_file(file, "198.18.140.7/24\n");
  struct Case {
    std::vector<std::string> prefixes;
    std::string prefix_file;
    std::string message;
    ErrorKind kind = ErrorKind::usage;  // input: the file's content
  };
  const std::vector<Case> cases = {
      {{"198.18.200.1/24"}, "", "prefix 198.18.200.1/24 has host bits set: the block is 198.18.200.0/24 (give that, or --yes)"},
      {{}, file, file + ": prefix 198.18.140.7/24 has host bits set: the block is 198.18.140.0/24 (give that, or --yes)",
       ErrorKind::input},
      {{"10.0.0.0/8", "198.18.0.0/24"}, "",
       "the national prefixes hold 65537 /24 blocks, more than 65536 (a /8): a typo? fl-locate samples "
       "--max-targets 1024 targets from them; give --yes to go on"},
  };
  for (const auto& c : cases) {
    auto r = request();
    r.prefixes = c.prefixes;
    r.prefix_file = c.prefix_file;
    locate::CampaignPlan plan;
    auto refused = locate::national_prefixes(r, *db, plan);
    ASSERT_FALSE(refused) << c.message;
    EXPECT_EQ(refused.error().kind, c.kind);
    EXPECT_EQ(refused.error().message, c.message);
    r.yes = true;
    auto confirmed = locate::national_prefixes(r, *db, plan);
    ASSERT_TRUE(confirmed) << confirmed.error().message;
  }
  auto r = request();
  r.prefixes = {"10.0.0.0/8"};  // exactly the limit
  locate::CampaignPlan plan;
  auto ok = locate::national_prefixes(r, *db, plan);
  ASSERT_TRUE(ok) << ok.error().message;
  r.yes = true;
  r.prefixes = {"198.18.200.1/24"};
  ASSERT_TRUE(locate::national_prefixes(r, *db, plan));
  EXPECT_EQ(plan.prefixes.at(0).to_string(), "198.18.200.0/24");
}

TEST_F(LocatePlan, CampaignTakesTheRunKeyTargetsAndTiming) {
  auto r = request();
  r.prefixes = {"198.18.128.0/22"};
  r.per_block = 2;
  r.controls = {"192.0.2.99"};
  r.zone = "lab.test.";
  r.parents = {"192.0.2.53"};
  r.wait_us = 500000;
  locate::HitlistUse outside{7, 7};
  auto plan = locate::plan_campaign(r, *db, "asn.csv", {42, 41000}, outside);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(outside.outside, 0u);
  EXPECT_EQ(outside.stopped_at, 0u);
  EXPECT_EQ(plan->run_key, 42u);
  EXPECT_EQ(plan->sport, 41000);
  EXPECT_EQ(plan->targets.size(), 8u);  // 4 /24s, 2 each
  EXPECT_EQ(plan->targets.front().to_string(), "198.18.128.1");
  ASSERT_EQ(plan->controls.size(), 1u);
  EXPECT_EQ(plan->controls[0].to_string(), "192.0.2.99");
  EXPECT_EQ(plan->zone, "lab.test.");
  EXPECT_EQ(plan->wait_us, 500000);
  EXPECT_TRUE(std::filesystem::path(plan->asn_db).is_absolute()) << plan->asn_db;
  EXPECT_TRUE(plan->baseline.empty());
  // One key, one list of targets.
  auto again = locate::plan_campaign(r, *db, "asn.csv", {42, 41000}, outside);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->targets, plan->targets);
}

TEST_F(LocatePlan, HitlistOutsideThePrefixesIsCountedEvenWhenNothingIsLeft) {
  auto r = request();
  r.prefixes = {"198.18.128.0/22"};
  testsupport::write_file(dir.file("hitlist"), "192.0.2.1\n192.0.2.2\n");
  r.hitlist = dir.file("hitlist");
  locate::HitlistUse outside;
  auto plan = locate::plan_campaign(r, *db, "asn.csv", {1, 40000}, outside);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message, "no national target to probe");
  EXPECT_EQ(outside.outside, 2u);
}

// --max-targets bounds the reading too: the file is read to the line that
// filled the campaign, no further (a broken line past it is never seen), and
// what lay outside the prefixes before it is counted.
TEST_F(LocatePlan, HitlistIsReadOnlyUntilMaxTargetsAreTaken) {
  auto r = request();
  r.prefixes = {"198.18.128.0/22", "198.18.136.0/24"};
  r.max_targets = 5;
  testsupport::write_file(dir.file("hitlist"),
                          "# a hitlist\n192.0.2.1\n198.18.128.7\n0.0.0.0/0\n198.18.136.9\nnot-an-address\n");
  r.hitlist = dir.file("hitlist");
  locate::HitlistUse use;
  auto plan = locate::plan_campaign(r, *db, "asn.csv", {1, 40000}, use);
  ASSERT_TRUE(plan) << plan.error().message;
  std::vector<std::string> got;
  for (const auto& a : plan->targets) got.push_back(a.to_string());
  // 0.0.0.0/0 yields the national addresses in address order, 198.18.128.7 once.
  EXPECT_EQ(got, (std::vector<std::string>{"198.18.128.7", "198.18.128.0", "198.18.128.1", "198.18.128.2",
                                           "198.18.128.3"}));
  EXPECT_EQ(plan->target_prefix, (std::vector<int>{0, 0, 0, 0, 0}));
  EXPECT_EQ(use.stopped_at, 4u);
  EXPECT_EQ(use.outside, 1u + (std::uint64_t{198} << 24 | 18 << 16 | 128 << 8));  // 192.0.2.1, then 0.0.0.0 up to the /22

  // Room for all: read to the end, where the broken line is an input error naming it.
  r.max_targets = 2000;
  auto all = locate::plan_campaign(r, *db, "asn.csv", {1, 40000}, use);
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().kind, ErrorKind::input);
  EXPECT_EQ(all.error().message, dir.file("hitlist") + ":6: bad target 'not-an-address': not an address or CIDR block");
}

TEST_F(LocatePlan, BadControlIsAUsageError) {
  auto r = request();
  r.prefixes = {"198.18.128.0/22"};
  r.controls = {"nonsense"};
  locate::HitlistUse outside;
  auto plan = locate::plan_campaign(r, *db, "asn.csv", {1, 40000}, outside);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::usage);
  EXPECT_EQ(plan.error().message, "bad control address 'nonsense' (IPv4)");
}

TEST_F(LocatePlan, CaptureWithoutRunRecordIsNotACampaign) {
  const std::string path = dir.file("empty.pcapng");
  ASSERT_TRUE(probe::io::CaptureWriter::create(path, 1, "")->get()->flush());
  auto c = locate::open_campaign(path);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::input);
  EXPECT_EQ(c.error().message.rfind(path + ": ", 0), 0u) << c.error().message;
}

TEST_F(LocatePlan, UnreadableBaselineIsAnInputError) {
  auto b = locate::load_baseline(dir.file("gone.json"), locate::lookup_in(*db));
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().kind, ErrorKind::input);
  EXPECT_EQ(b.error().message, "cannot read " + dir.file("gone.json") + ": No such file or directory");
}

TEST(LocatePlanPaths, AbsolutePathIsNormalAndEmptyStaysEmpty) {
  EXPECT_EQ(locate::absolute_path(""), "");
  EXPECT_EQ(locate::absolute_path("/a/./b/../c"), "/a/c");
  EXPECT_TRUE(std::filesystem::path(locate::absolute_path("x.csv")).is_absolute());
}

TEST(DnsTrace, ConfigCarriesTheQueryAndTheRunsIdentity) {
  probe::engine::DnsConfig dns;
  dns.src = *model::Address::parse("198.18.0.1");
  dns.sport = 45000;
  dns.tries = 3;
  dns.wait_us = 700000;
  dns.pps = 50;
  dns.run_key = 99;
  model::DnsQuery q{*model::Address::parse("198.18.201.1"), "lab.test.", 28, false, false};
  auto t = probe::engine::dns_trace_config(dns, q, 12, 4);
  EXPECT_EQ(t.method, model::Method::dns);
  EXPECT_EQ(t.src, dns.src);
  EXPECT_EQ(t.sport, 45000);
  EXPECT_EQ(t.dport, 53);
  EXPECT_EQ(t.first_ttl, 1);
  EXPECT_EQ(t.max_ttl, 12);
  EXPECT_EQ(t.attempts, 3);
  EXPECT_EQ(t.wait_us, 700000);
  EXPECT_EQ(t.gaplimit, 4);
  EXPECT_EQ(t.pps, 50);
  EXPECT_EQ(t.run_key, 99u);
  EXPECT_EQ(t.dns_qname, "lab.test.");
  EXPECT_EQ(t.dns_qtype, 28);
  EXPECT_FALSE(t.dns_rd);
}

}  // namespace
