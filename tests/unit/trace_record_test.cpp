// SPDX-License-Identifier: BSD-2-Clause
// The trace run record stored in a capture: what lets `-r FILE` alone replay it.

#include "probe/record/trace_record.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "record_test_util.h"

namespace {

using probe::ErrorKind;
using probe::record::parse_run_record;
using probe::record::RunRecord;
using probe::record::to_comment;
using probe::model::Method;

RunRecord sample() {
  RunRecord r;
  r.tool = "fl-trace";
  r.interface = "veth-lab0";
  auto& c = r.config;
  c.method = Method::tcp;
  c.src = *probe::model::Address::parse("198.18.0.1");
  c.sport = 59656;
  c.dport = 443;
  c.first_ttl = 3;
  c.max_ttl = 24;
  c.attempts = 4;
  c.wait_us = 1500000;
  c.gaplimit = 7;
  c.pps = 250.5;
  c.concurrency = 1000;
  c.classic = true;
  c.run_key = 0x6999abcd12345678ULL;
  r.targets = {"198.18.200.0/29", "198.18.0.9", "2001:db8::1"};
  return r;
}

void expect_same(const RunRecord& a, const RunRecord& b) {
  EXPECT_EQ(a.tool, b.tool);
  EXPECT_EQ(a.interface, b.interface);
  EXPECT_EQ(a.config.method, b.config.method);
  EXPECT_EQ(a.config.src, b.config.src);
  EXPECT_EQ(a.config.sport, b.config.sport);
  EXPECT_EQ(a.config.dport, b.config.dport);
  EXPECT_EQ(a.config.first_ttl, b.config.first_ttl);
  EXPECT_EQ(a.config.max_ttl, b.config.max_ttl);
  EXPECT_EQ(a.config.attempts, b.config.attempts);
  EXPECT_EQ(a.config.wait_us, b.config.wait_us);
  EXPECT_EQ(a.config.gaplimit, b.config.gaplimit);
  EXPECT_EQ(a.config.pps, b.config.pps);
  EXPECT_EQ(a.config.concurrency, b.config.concurrency);
  EXPECT_EQ(a.config.classic, b.config.classic);
  EXPECT_EQ(a.config.run_key, b.config.run_key);
  EXPECT_EQ(a.targets, b.targets);
}

TEST(RunRecord, RoundTrip) {
  const RunRecord r = sample();
  const std::string comment = to_comment(r);
  EXPECT_EQ(comment.rfind(probe::record::kRunRecordTag, 0), 0u);
  EXPECT_EQ(comment.find('\n'), std::string::npos);
  auto back = parse_run_record(comment);
  ASSERT_TRUE(back) << back.error().message;
  expect_same(r, *back);
}

TEST(RunRecord, EveryMethodRoundTrips) {
  for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
    RunRecord r = sample();
    r.config.method = m;
    r.config.classic = false;
    auto back = parse_run_record(to_comment(r));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->config.method, m);
    EXPECT_FALSE(back->config.classic);
  }
}

// JSON numbers lose integers above 2^53 in many readers; the key must not.
// -q N is replayed as it was sent; a record without it (every plain run's,
// and the shipped captures') stops each hop at its first answer.
TEST(RunRecord, QueriesRoundTripAndAreWrittenOnlyWhenGiven) {
  RunRecord r = sample();
  EXPECT_EQ(to_comment(r).find("queries"), std::string::npos);
  auto plain = parse_run_record(to_comment(r));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->config.queries, 0);
  r.config.queries = 3;
  auto back = parse_run_record(to_comment(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->config.queries, 3);
  std::string bad = to_comment(r);
  bad.replace(bad.find("\"queries\":3"), 11, "\"queries\":0");
  EXPECT_FALSE(parse_run_record(bad));
}

// --report's rounds are replayed as they were run; plain records stay as they were.
TEST(RunRecord, ReportCyclesRoundTripAndAreWrittenOnlyWhenGiven) {
  RunRecord r = sample();
  EXPECT_EQ(to_comment(r).find("report"), std::string::npos);
  r.report_cycles = 3;
  r.report_interval_us = 500000;
  auto back = parse_run_record(to_comment(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->report_cycles, 3u);
  EXPECT_EQ(back->report_interval_us, 500000);
  std::string bad = to_comment(r);
  bad.replace(bad.find("\"report_cycles\":3"), 17, "\"report_cycles\":0");
  auto refused = parse_run_record(bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("report_cycles"), std::string::npos);
}

TEST(RunRecord, RunKeysBeyondTwoToThe53Survive) {
  for (std::uint64_t key : std::initializer_list<std::uint64_t>{(std::uint64_t{1} << 53) + 1, 0xffffffffffffffffULL,
                            0x8000000000000001ULL, std::uint64_t{0}}) {
    RunRecord r = sample();
    r.config.run_key = key;
    auto back = parse_run_record(to_comment(r));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->config.run_key, key);
  }
}

TEST(RunRecord, Ipv6SourceRoundTrips) {
  RunRecord r = sample();
  r.config.src = *probe::model::Address::parse("2001:db8::7");
  auto back = parse_run_record(to_comment(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->config.src, r.config.src);
}

TEST(RunRecord, GarbageIsAnInputError) {
  const std::string tag = probe::record::kRunRecordTag;
  std::string good = to_comment(sample());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  const std::string cases[] = {
      "",
      "faultline",
      "Captured by tcpdump",
      tag,
      tag + "{",
      tag + "{}",
      tag + "[1,2]",
      "x" + good,
      good.substr(0, good.size() - 1),
      replace("\"version\":1", "\"version\":2"),
      replace("\"method\":\"tcp\"", "\"method\":\"sctp\""),
      replace("\"src\":\"198.18.0.1\"", "\"src\":\"nowhere\""),
      replace("\"max_ttl\":24", "\"max_ttl\":\"24\""),
      replace("\"run_key\":\"", "\"run_key\":\"x"),
  };
  for (const auto& c : cases) {
    auto r = parse_run_record(c);
    ASSERT_FALSE(r) << c;
    EXPECT_EQ(r.error().kind, ErrorKind::input) << c;
    EXPECT_FALSE(r.error().message.empty());
  }
}

// A damaged record must not replay as another run: out-of-range numbers and
// a run key with junk in it are input errors, not narrowed or wrapped values.
TEST(RunRecord, OutOfRangeFieldsAreInputErrors) {
  const std::string good = to_comment(sample());
  const std::pair<std::string, std::string> edits[] = {
      {"\"max_ttl\":24", "\"max_ttl\":300"},
      {"\"first_ttl\":3", "\"first_ttl\":-1"},
      {"\"sport\":59656", "\"sport\":70000"},
      {"\"run_key\":\"7609301942681228920\"", "\"run_key\":\"12abc\""},
      {"\"run_key\":\"7609301942681228920\"", "\"run_key\":\"-1\""},
  };
  for (const auto& [from, to] : edits) {
    std::string s = good;
    auto at = s.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
    auto r = parse_run_record(s);
    EXPECT_FALSE(r) << to << " read back as max_ttl " << (r ? int{r->config.max_ttl} : 0)
                    << ", sport " << (r ? r->config.sport : 0) << ", run_key "
                    << (r ? r->config.run_key : 0);
  }
}

// Found by fuzz_run_record: "max_ttl":30e42 reached get<std::int64_t>() of a
// double out of range (undefined behaviour); a fraction was silently cut.
TEST(RunRecord, NonIntegralNumbersAreInputErrors) {
  const std::string good = to_comment(sample());
  const std::pair<std::string, std::string> edits[] = {
      {"\"max_ttl\":24", "\"max_ttl\":30e42"},
      {"\"max_ttl\":24", "\"max_ttl\":24.5"},
      {"\"wait_us\":", "\"wait_us\":-1e300,\"x\":"},
      {"\"version\":1", "\"version\":1e300"},
      {"\"version\":1", "\"version\":1.5"},
  };
  for (const auto& [from, to] : edits) {
    std::string s = good;
    auto at = s.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
    auto r = parse_run_record(s);
    ASSERT_FALSE(r) << to << " read back as max_ttl " << (r ? int{r->config.max_ttl} : 0);
    EXPECT_EQ(r.error().kind, ErrorKind::input);
  }
}

// A field of the wrong type, a fraction where an integer belongs or a value
// out of the field's range: an error that names the field, never a value
// narrowed or wrapped into another run.
TEST(RunRecord, BadFieldsAreNamed) {
  RunRecord dns = sample();
  dns.config.method = Method::dns;
  dns.config.dns_qname = "lab.test.";
  dns.config.dns_qtype = 6;
  const std::string good = to_comment(sample());
  const std::string good_dns = to_comment(dns);
  const recordtest::BadField bad[] = {
      {"sport", 1.9},
      {"sport", -1},
      {"sport", 65536},
      {"sport", "59656"},
      {"dport", 4294967296ULL},
      {"first_ttl", 0},
      {"max_ttl", 2.5},
      {"attempts", 256},
      {"wait_us", 1.5},
      {"wait_us", 0},
      {"gaplimit", 18446744073709551615ULL},
      {"concurrency", 0},
      {"concurrency", 9223372036854775808ULL},
      {"pps", -1},
      {"pps", 0},
      {"pps", "100"},
      {"classic", 1},
      {"doubletree", "yes"},
      {"tool", 7},
      {"src", 7},
      {"src", "nowhere"},
      {"method", "sctp"},
      {"targets", "198.18.0.9"},
      {"targets[1]", nlohmann::json::array({"198.18.0.9", 9})},
      {"run_key", 12345},
      {"run_key", "18446744073709551616"},
      {"version", 4294967297ULL},
      {"version", 2.5},
  };
  for (const auto& b : bad) {
    const std::string field = b.field.substr(0, b.field.find('['));
    recordtest::expect_refused(parse_run_record, recordtest::with(good, field, b.value), b.field);
  }
  for (const recordtest::BadField& b : std::initializer_list<recordtest::BadField>{
           {"dns_qtype", 2.5}, {"dns_qtype", 65536}, {"dns_qname", ""}, {"dns_rd", 0}})
    recordtest::expect_refused(parse_run_record, recordtest::with(good_dns, b.field, b.value), b.field);
  auto missing = recordtest::edited(good, [](nlohmann::json& j) { j.erase("wait_us"); });
  recordtest::expect_refused(parse_run_record, missing, "wait_us");
}

// What the writer never writes but a valid record may hold stays valid.
TEST(RunRecord, IntegralPpsAndEdgeValuesAreRead) {
  const std::string good = to_comment(sample());
  auto r = parse_run_record(recordtest::with(recordtest::with(good, "pps", 100), "concurrency", 9223372036854775807LL));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->config.pps, 100.0);
  EXPECT_EQ(r->config.concurrency, 9223372036854775807ULL);
  auto no_interface = recordtest::edited(good, [](nlohmann::json& j) { j.erase("interface"); });
  ASSERT_TRUE(parse_run_record(no_interface));
  EXPECT_EQ(parse_run_record(no_interface)->interface, "");
}

}  // namespace
