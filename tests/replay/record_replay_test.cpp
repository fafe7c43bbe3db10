// SPDX-License-Identifier: BSD-2-Clause
// A capture whose run record is damaged must not replay as another run: each
// tool refuses it with its "bad capture" exit status (4) and names the field.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "probe/io/capture_writer.h"
#include "probe/record/campaign_record.h"
#include "probe/record/dns_record.h"
#include "probe/record/trace_record.h"
#include "process.h"

namespace {

using testsupport::run;

struct Damage {
  const char* bin;
  const char* capture;  // in captures/: its record, damaged, heads a capture of its own
  const char* field;
  nlohmann::json value;
  const char* named;    // how the error names the field
};

void PrintTo(const Damage& d, std::ostream* os) { *os << d.capture << " " << d.field << "=" << d.value.dump(); }

// The record of `capture` with `field` set to `value`, as the section header
// of an otherwise empty capture (the record is read before any packet).
std::string damaged_capture(const testsupport::TempDir& dir, const Damage& d) {
  auto comment = probe::io::read_section_comment(std::string(FL_CAPTURES_DIR) + "/" + d.capture);
  EXPECT_TRUE(comment && *comment);
  const std::string tag = probe::record::kRunRecordTag;
  auto j = nlohmann::json::parse((**comment).substr(tag.size()));
  j[d.field] = d.value;
  const std::string path = dir.file("damaged.pcapng");
  auto w = probe::io::CaptureWriter::create(path, 1, tag + j.dump());
  EXPECT_TRUE(w && (*w)->flush());
  return path;
}

class DamagedRecord : public ::testing::TestWithParam<Damage> {};

TEST_P(DamagedRecord, IsRefusedAndNamed) {
  const Damage& d = GetParam();
  testsupport::TempDir dir;
  auto o = run({d.bin, "-r", damaged_capture(dir, d), "-o", "json"});
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
  EXPECT_NE(o.err.find(d.named), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("run record"), std::string::npos) << o.err;
}

// The same capture with its record untouched is not refused for its record:
// what the damage broke is the record, not the way the capture was rewritten.
TEST_P(DamagedRecord, UndamagedRecordReplays) {
  Damage d = GetParam();
  testsupport::TempDir dir;
  auto comment = probe::io::read_section_comment(std::string(FL_CAPTURES_DIR) + "/" + d.capture);
  ASSERT_TRUE(comment && *comment);
  const std::string tag = probe::record::kRunRecordTag;
  d.value = nlohmann::json::parse((**comment).substr(tag.size())).at(d.field);
  auto o = run({d.bin, "-r", damaged_capture(dir, d), "-o", "json"});
  EXPECT_EQ(o.err.find("run record"), std::string::npos) << o.err;
}

INSTANTIATE_TEST_SUITE_P(
    Tools, DamagedRecord,
    ::testing::Values(Damage{FL_TRACE_BIN, "trace-icmp-chain.pcapng", "max_ttl", 2.5, "max_ttl"},
                      Damage{FL_TRACE_BIN, "trace-udp-ecmp.pcapng", "sport", -1, "sport"},
                      Damage{FL_TRACE_BIN, "trace-icmp-chain.pcapng", "pps", 0, "pps"},
                      Damage{FL_DNS_BIN, "dns-zone-healthy.pcapng", "tries", 2.5, "tries"},
                      Damage{FL_DNS_BIN, "dns-query-big-tcp.pcapng", "wait_us", 1.5, "wait_us"},
                      Damage{FL_DNS_BIN, "dns-trace-healthy.pcapng", "dns_qtype", 65536, "dns_qtype"},
                      Damage{FL_LOCATE_BIN, "locate-country.pcapng", "asns", nlohmann::json::array({4294967297ULL}),
                             "asns[0]"},
                      Damage{FL_LOCATE_BIN, "locate-core-dark.pcapng", "attempts", 2.5, "attempts"}));

// Every recorded capture's record reads back and writes again byte for
// byte: the one reader takes what the writers wrote, and they still write it.
TEST(RecordedCaptures, RecordsReadAndWriteBackTheSame) {
  namespace fs = std::filesystem;
  int seen = 0;
  for (const auto& f : fs::directory_iterator(FL_CAPTURES_DIR)) {
    if (f.path().extension() != ".pcapng") continue;
    auto comment = probe::io::read_section_comment(f.path().string());
    ASSERT_TRUE(comment && *comment) << f.path();
    const std::string& c = **comment;
    auto kind = probe::record::run_record_kind(c);
    ASSERT_TRUE(kind) << f.path() << ": " << kind.error().message;
    std::string again;
    if (kind->first == "fl-locate") {
      auto r = probe::record::parse_campaign_record(c);
      ASSERT_TRUE(r) << f.path() << ": " << r.error().message;
      again = probe::record::to_comment(*r);
    } else if (kind->second) {
      auto r = probe::record::parse_run_record(c);
      ASSERT_TRUE(r) << f.path() << ": " << r.error().message;
      again = probe::record::to_comment(*r);
    } else {
      auto r = probe::record::parse_dns_run_record(c);
      ASSERT_TRUE(r) << f.path() << ": " << r.error().message;
      again = probe::record::to_comment(*r);
    }
    EXPECT_EQ(again, c) << f.path();
    ++seen;
  }
  EXPECT_GT(seen, 0);
}

}  // namespace
