// SPDX-License-Identifier: BSD-2-Clause
// The caps on what a user's file can make the tools hold: gzip tables
// (size, ratio), JSON baselines (size; read as a stream, same values as a
// whole-document parse), and open_as_invoker's refusals.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <string>

#include "probe/record/baseline.h"
#include "probe/io/capture_writer.h"
#include "probe/io/privileges.h"
#include "probe/locate/plan.h"
#include "probe/model/asn_db.h"
#include "process.h"

namespace {

using probe::ErrorKind;

void write_gz_lines(const std::string& path, const std::string& line, std::size_t count) {
  gzFile f = gzopen(path.c_str(), "wb9");
  ASSERT_NE(f, nullptr);
  std::string block;
  for (int i = 0; i < 4096; ++i) block += line;
  for (std::size_t i = 0; i < count / 4096; ++i)
    ASSERT_EQ(gzwrite(f, block.data(), static_cast<unsigned>(block.size())), static_cast<int>(block.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

TEST(TableLimits, GzipBombIsRefusedEarly) {
  testsupport::TempDir dir;
  // 64 MiB of one repeated row: about 64 KiB once compressed (1000:1).
  write_gz_lines(dir.file("bomb.gz"), "1.0.0.0,1.0.0.255,13335,Cloudflare\n", std::size_t{2} << 20);
  auto db = probe::model::AsnDb::load(dir.file("bomb.gz"));
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().kind, ErrorKind::input);
  EXPECT_NE(db.error().message.find(dir.file("bomb.gz") + ":"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find("decompresses to more than 200 times its size"), std::string::npos)
      << db.error().message;
  auto country = probe::model::CountryDb::load(dir.file("bomb.gz"));
  ASSERT_FALSE(country);
}

TEST(TableLimits, OrdinaryCompressionIsRead) {
  testsupport::TempDir dir;
  // Distinct rows compress like a real table: well under the ratio.
  gzFile f = gzopen(dir.file("t.gz").c_str(), "wb9");
  ASSERT_NE(f, nullptr);
  for (unsigned i = 0; i < 300000; ++i) {
    unsigned a = i * 2654435761u;
    std::string row = std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
                      std::to_string((a >> 8) & 255) + ".0," + std::to_string(a >> 24) + "." +
                      std::to_string((a >> 16) & 255) + "." + std::to_string((a >> 8) & 255) + ".255," +
                      std::to_string(i % 60000 + 1) + ",Org " + std::to_string(i) + "\n";
    gzwrite(f, row.data(), static_cast<unsigned>(row.size()));
  }
  ASSERT_EQ(gzclose(f), Z_OK);
  auto db = probe::model::AsnDb::load(dir.file("t.gz"));
  ASSERT_TRUE(db) << db.error().message;
}

TEST(TableLimits, LoadFromDescriptorNamesThePath) {
  testsupport::TempDir dir;
  testsupport::write_file(dir.file("t.csv"), "1.0.0.0,1.0.0.255,13335,Cloudflare\n");
  auto file = probe::io::open_as_invoker(dir.file("t.csv"));
  ASSERT_TRUE(file) << file.error().message;
  auto db = probe::model::AsnDb::load(file->fd(), dir.file("t.csv"));
  ASSERT_TRUE(db) << db.error().message;
  auto again = probe::io::load_as_invoker<probe::model::AsnDb>(dir.file("absent.csv"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, "cannot read " + dir.file("absent.csv") + ": No such file or directory");
}

constexpr const char* kReport = R"({
  "verdict": "national-shutdown", "confidence": "high",
  "prefixes": [{"prefix": "198.18.0.0/24", "targets": 2, "reached": 0}],
  "control": {"targets": 1, "reached": 1, "ok": true, "addrs": ["192.0.2.9"]},
  "controls": [{"addr": "192.0.2.9", "prefix": -1, "reached": true, "by": "icmp", "loop": false,
                "last_hop": null, "path": [{"ttl": 1, "addr": "10.0.0.1"}], "reached_ttl": 2}],
  "targets": [
    {"addr": "198.18.0.1", "prefix": 0, "reached": false, "by": null, "loop": false,
     "last_hop": {"addr": "10.0.0.2", "ttl": 2, "as": {"asn": 64500, "name": "x"}},
     "path": [{"ttl": 1, "addr": "10.0.0.1"}, {"ttl": 2, "addr": "10.0.0.2", "as": [1, {"a": 2}]}],
     "reached_ttl": null},
    {"addr": "198.18.0.2", "reached": true, "path": [], "reached_ttl": 7.0}
  ]
})";

TEST(BaselineJson, StreamingParseKeepsTargetsThenControls) {
  auto b = probe::record::parse_baseline_json(kReport);
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->paths.size(), 3u);
  EXPECT_EQ(b->paths[0].target.to_string(), "198.18.0.1");
  EXPECT_FALSE(b->paths[0].reached);
  EXPECT_FALSE(b->paths[0].reached_ttl);
  ASSERT_EQ(b->paths[0].hops.size(), 2u);
  EXPECT_EQ(b->paths[0].hops[1].ttl, 2);
  EXPECT_EQ(b->paths[0].hops[1].addr.to_string(), "10.0.0.2");
  EXPECT_EQ(b->paths[1].target.to_string(), "198.18.0.2");
  EXPECT_TRUE(b->paths[1].reached);
  EXPECT_EQ(b->paths[1].reached_ttl, 7);
  EXPECT_TRUE(b->paths[1].hops.empty());
  EXPECT_EQ(b->paths[2].target.to_string(), "192.0.2.9");
  EXPECT_EQ(b->paths[2].reached_ttl, 2);
}

struct BadBaseline {
  std::string text;
  std::string message;
};

TEST(BaselineJson, NotAReportIsAnInputError) {
  const std::vector<BadBaseline> cases = {
      {"[]", "not an fl-locate JSON report (no verdict and targets)"},
      {R"({"targets": []})", "not an fl-locate JSON report (no verdict and targets)"},
      {R"({"verdict": 1, "targets": [{"reached": true, "path": []}]})", "key 'addr' not found"},
      {R"({"verdict": 1, "targets": [{"addr": "x", "reached": true, "path": []}]})", "bad target address"},
      {R"({"verdict": 1, "targets": [{"addr": "1.2.3.4", "reached": 1, "path": []}]})", "not a boolean"},
      {R"({"verdict": 1, "targets": [{"addr": "1.2.3.4", "reached": true, "path": [{"ttl": 0, "addr": "1.1.1.1"}]}]})",
       "bad hop in a path"},
      {R"({"verdict": 1, "targets": [{"addr": "1.2.3.4", "reached": true, "path": [], "reached_ttl": 300}]})",
       "bad reached_ttl"},
      {R"({"verdict": 1, "targets": 5})", "'targets' is not a list"},
      {R"({"verdict": 1, "targets": [)", "parse error"},
  };
  for (const auto& c : cases) {
    auto b = probe::record::parse_baseline_json(c.text);
    ASSERT_FALSE(b) << c.text;
    EXPECT_EQ(b.error().kind, ErrorKind::input);
    EXPECT_EQ(b.error().message.rfind("not an fl-locate JSON report", 0), 0u) << b.error().message;
    EXPECT_NE(b.error().message.find(c.message), std::string::npos) << c.text << " -> " << b.error().message;
  }
}

TEST(BaselineJson, OversizeFileIsRefusedUnread) {
  testsupport::TempDir dir;
  const std::string path = dir.file("big.json");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(probe::locate::kMaxBaselineBytes + 1)), 0);  // sparse
  ::close(fd);
  auto db = probe::model::AsnDb::load(std::string(FL_DATA_DIR) + "/asn.csv.gz");
  ASSERT_TRUE(db) << db.error().message;
  auto b = probe::locate::load_baseline(path, probe::locate::lookup_in(*db));
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().kind, ErrorKind::input);
  EXPECT_EQ(b.error().message, path + ": larger than 64 MiB (the limit for a JSON baseline)");
}

// A capture baseline is replayed whole: past its cap it is refused before a
// packet is read (here a sparse file with a real run record up front).
TEST(BaselineCapture, OversizeCaptureIsRefusedUnreplayed) {
  testsupport::TempDir dir;
  const std::string path = dir.file("big.pcapng");
  {
    auto w = probe::io::CaptureWriter::create(path, 1, "faultline-run {\"tool\":\"fl-locate\"}");
    ASSERT_TRUE(w) << w.error().message;
  }
  ASSERT_EQ(truncate(path.c_str(), static_cast<off_t>(probe::locate::kMaxBaselineCaptureBytes + 1)), 0);
  auto db = probe::model::AsnDb::load(std::string(FL_DATA_DIR) + "/asn.csv.gz");
  ASSERT_TRUE(db) << db.error().message;
  auto b = probe::locate::load_baseline(path, probe::locate::lookup_in(*db));
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().kind, ErrorKind::input);
  EXPECT_EQ(b.error().message, path + ": larger than 1024 MiB (the limit for a capture baseline)");
}

TEST(OpenAsInvoker, ReadFileAsInvokerCapsTheSize) {
  testsupport::TempDir dir;
  testsupport::write_file(dir.file("q"), std::string(3000, 'q'));
  auto small = probe::io::read_file_as_invoker(dir.file("q"), 1 << 20, "a test");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->size(), 3000u);
  auto big = probe::io::read_file_as_invoker(dir.file("q"), 1000, "a test");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().message, dir.file("q") + ": larger than 0 MiB (the limit for a test)");
}

}  // namespace
