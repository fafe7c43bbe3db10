// Replay of recorded lab captures: `fl-trace -r` (or `fl-dns -r` for the
// dns-* captures) must print exactly what the live run printed, and what
// captures/MANIFEST says a correct reading concludes.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "process.h"

namespace {

namespace fs = std::filesystem;
using testsupport::run;

struct Entry {
  std::string file;
  std::map<std::string, int> expect;  // conclusion -> count (see conclusion())
};

bool is_dns(const Entry& e) { return e.file.compare(0, 4, "dns-") == 0; }

// The tool that wrote (and replays) a capture.
std::string tool_for(const Entry& e) { return is_dns(e) ? FL_DNS_BIN : FL_TRACE_BIN; }

// What one JSON line concludes: a trace's stop reason, a DNS exchange's
// outcome, a zone's verdict as "zone-VERDICT".
std::string conclusion(const nlohmann::json& j) {
  std::string type = j.value("type", "trace");
  if (type == "dns") return j.at("outcome").get<std::string>();
  if (type == "zone") return "zone-" + j.at("verdict").get<std::string>();
  return j.at("stop_reason").get<std::string>();
}

std::vector<Entry> manifest() {
  std::ifstream in(std::string(FL_CAPTURES_DIR) + "/MANIFEST");
  std::vector<Entry> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Entry e;
    std::string expect;
    std::getline(fields, e.file, '\t');
    std::getline(fields, expect, '\t');
    std::istringstream items(expect);
    std::string item;
    while (std::getline(items, item, ',')) {
      auto colon = item.find(':');
      if (colon != std::string::npos) e.expect[item.substr(0, colon)] = std::stoi(item.substr(colon + 1));
    }
    out.push_back(e);
  }
  return out;
}

std::string golden_of(const std::string& capture) {
  return fs::path(capture).replace_extension(".json").string();
}

class CaptureReplay : public ::testing::TestWithParam<Entry> {};

TEST_P(CaptureReplay, JsonEqualsTheLiveRun) {
  std::string cap = std::string(FL_CAPTURES_DIR) + "/" + GetParam().file;
  auto o = run({tool_for(GetParam()), "-r", cap, "-o", "json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, testsupport::read_file(golden_of(cap)));
}

TEST_P(CaptureReplay, StopReasonsAsTheManifestSays) {
  std::string cap = std::string(FL_CAPTURES_DIR) + "/" + GetParam().file;
  auto o = run({tool_for(GetParam()), "-r", cap, "-o", "json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::map<std::string, int> got;
  std::istringstream lines(o.out);
  std::string line;
  while (std::getline(lines, line)) got[conclusion(nlohmann::json::parse(line))]++;
  EXPECT_EQ(got, GetParam().expect);
}

TEST_P(CaptureReplay, TextOutputHasOneBlockPerTrace) {
  std::string cap = std::string(FL_CAPTURES_DIR) + "/" + GetParam().file;
  auto o = run({tool_for(GetParam()), "-r", cap});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  // Text shows one block per trace, per exchange, or (zone checks) one zone summary.
  int blocks = 0;
  bool zone = false;
  for (const auto& [what, n] : GetParam().expect) {
    if (what.compare(0, 5, "zone-") == 0) zone = true;
    blocks += n;
  }
  std::string header = "traceroute to ";
  if (is_dns(GetParam()) && GetParam().file.find("-trace-") == std::string::npos) header = zone ? "zone " : "; <<>> fl-dns";
  if (zone) blocks = 1;
  std::size_t headers = 0;
  for (std::size_t p = o.out.find(header); p != std::string::npos; p = o.out.find(header, p + 1))
    ++headers;
  EXPECT_EQ(static_cast<int>(headers), blocks);
}

INSTANTIATE_TEST_SUITE_P(Captures, CaptureReplay, ::testing::ValuesIn(manifest()),
                         [](const ::testing::TestParamInfo<Entry>& param_info) {
                           std::string n = fs::path(param_info.param.file).stem().string();
                           for (auto& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(Manifest, ListsEveryCaptureWithItsGolden) {
  auto entries = manifest();
  ASSERT_FALSE(entries.empty());
  std::set<std::string> listed;
  for (const auto& e : entries) {
    listed.insert(e.file);
    EXPECT_TRUE(fs::exists(std::string(FL_CAPTURES_DIR) + "/" + e.file)) << e.file;
    EXPECT_TRUE(fs::exists(golden_of(std::string(FL_CAPTURES_DIR) + "/" + e.file))) << e.file;
  }
  for (const auto& f : fs::directory_iterator(FL_CAPTURES_DIR)) {
    if (f.path().extension() == ".pcapng") {
      EXPECT_TRUE(listed.count(f.path().filename().string())) << f.path();
    }
  }
}

// What a user sees when the file is not something we can replay.
TEST(ReplayErrors, MissingFileIsAnInputError) {
  auto o = run({FL_TRACE_BIN, "-r", "/nonexistent/run.pcap"});
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_NE(o.err.find("/nonexistent/run.pcap"), std::string::npos) << o.err;
}

TEST(ReplayErrors, NonPcapFileIsAnInputError) {
  testsupport::TempDir dir;
  testsupport::write_file(dir.file("notes.txt"), "this is not a capture\n");
  auto o = run({FL_TRACE_BIN, "-r", dir.file("notes.txt")});
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_NE(o.err.find("unknown file format"), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty());
}

TEST(ReplayErrors, ForeignCaptureWithoutTracerouteSaysSo) {
  auto o = run({FL_TRACE_BIN, "-r", std::string(FL_SHARED_DIR) + "/captures-public/zeek__icmp-destunreach-udp.pcap"});
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_TRUE(o.out.empty());
  EXPECT_NE(o.err.find("no traceroute found"), std::string::npos) << o.err;
}

TEST(ReplayErrors, UnknownLinkTypeIsNamed) {
  auto o = run({FL_TRACE_BIN, "-r", std::string(FL_SHARED_DIR) + "/captures-public/tcpdump__nflog.pcap"});
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_NE(o.err.find("link type 239 (NFLOG) is not supported"), std::string::npos) << o.err;
}

TEST(ReplayErrors, TruncatedCaptureKeepsWhatCameBeforeAndSaysSo) {
  auto entries = manifest();
  ASSERT_FALSE(entries.empty());
  std::string whole = testsupport::read_file(std::string(FL_CAPTURES_DIR) + "/" + entries.front().file);
  testsupport::TempDir dir;
  testsupport::write_file(dir.file("cut.pcapng"), whole.substr(0, whole.size() - 10));
  auto o = run({FL_TRACE_BIN, "-r", dir.file("cut.pcapng"), "-o", "json"});
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_NE(o.err.find("damaged record"), std::string::npos) << o.err;
  EXPECT_FALSE(o.out.empty());  // every trace is still reported
}

TEST(ReplayErrors, EachToolRefusesTheOthersCapture) {
  auto t = run({FL_TRACE_BIN, "-r", std::string(FL_CAPTURES_DIR) + "/dns-zone-healthy.pcapng"});
  EXPECT_EQ(t.exit_code, 4);
  EXPECT_NE(t.err.find("fl-dns"), std::string::npos) << t.err;
  auto d = run({FL_DNS_BIN, "-r", std::string(FL_CAPTURES_DIR) + "/trace-icmp-chain.pcapng"});
  EXPECT_EQ(d.exit_code, 4);
  EXPECT_NE(d.err.find("not fl-dns"), std::string::npos) << d.err;
}

TEST(ReplayErrors, DnsProbingOptionWithReplayIsAUsageError) {
  auto o = run({FL_DNS_BIN, "-r", std::string(FL_CAPTURES_DIR) + "/dns-zone-healthy.pcapng", "--tcp"});
  EXPECT_EQ(o.exit_code, 2);
}

TEST(ReplayErrors, ProbingOptionWithReplayIsAUsageError) {
  auto entries = manifest();
  ASSERT_FALSE(entries.empty());
  auto o = run({FL_TRACE_BIN, "-r", std::string(FL_CAPTURES_DIR) + "/" + entries.front().file, "-P", "udp"});
  EXPECT_EQ(o.exit_code, 2);
}

TEST(ReplayOutput, OutputFileIsWrittenWhole) {
  auto entries = manifest();
  ASSERT_FALSE(entries.empty());
  std::string cap = std::string(FL_CAPTURES_DIR) + "/" + entries.front().file;
  testsupport::TempDir dir;
  auto o = run({FL_TRACE_BIN, "-r", cap, "-o", "json", "-O", dir.file("out.json")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(o.out.empty());
  EXPECT_EQ(testsupport::read_file(dir.file("out.json")), testsupport::read_file(golden_of(cap)));
  EXPECT_FALSE(fs::exists(dir.file("out.json.part")));
}

}  // namespace
