// SPDX-License-Identifier: BSD-2-Clause
// Replay of recorded lab captures: `fl-trace -r` (or `fl-dns -r` for the
// dns-* captures, `fl-locate -r` for the locate-* ones) must print exactly
// what the live run printed, and what captures/MANIFEST says a correct
// reading concludes.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "probe/io/capture_writer.h"
#include "probe/io/packet_source.h"
#include "probe/model/words.h"
#include "probe/record/record.h"
#include "probe/sched/clock.h"
#include "process.h"

namespace {

namespace fs = std::filesystem;
using testsupport::run;

// The tool that wrote (and replays) a capture, by the capture's name.
enum class Tool { trace, dns, locate };

struct Entry {
  std::string file;
  Tool tool = Tool::trace;
  std::map<std::string, int> expect;  // fl-trace, fl-dns: conclusion -> count (see conclusion())
  std::string verdict;                // fl-locate: the report's verdict
  std::string break_after;            // fl-locate: break.after's address, "" for none
  std::string how;                    // scenario and arguments of the live run
};

// gtest prints a parameter in failure messages and test lists: its file.
void PrintTo(const Entry& e, std::ostream* os) { *os << e.file; }

Tool tool_of(const std::string& file) {
  if (file.compare(0, 4, "dns-") == 0) return Tool::dns;
  if (file.compare(0, 7, "locate-") == 0) return Tool::locate;
  return Tool::trace;
}

bool is_dns(const Entry& e) { return e.tool == Tool::dns; }
// An fl-trace --report capture: one report per target, not traces.
bool is_report(const Entry& e) { return e.expect.count("report-completed") || e.file.find("-report") != std::string::npos; }

std::string tool_for(const Entry& e) {
  switch (e.tool) {
    case Tool::dns: return FL_DNS_BIN;
    case Tool::locate: return FL_LOCATE_BIN;
    case Tool::trace: break;
  }
  return FL_TRACE_BIN;
}

// What one JSON line concludes: a trace's stop reason, a DNS exchange's
// outcome, a zone's verdict as "zone-VERDICT", an fl-trace --report's last
// round's stop reason as "report-REASON".
std::string conclusion(const nlohmann::json& j) {
  std::string type = j.value("type", "trace");
  if (type == "dns") return j.at("outcome").get<std::string>();
  if (type == "zone") return "zone-" + j.at("verdict").get<std::string>();
  if (type == "report") return "report-" + j.at("last_stop_reason").get<std::string>();
  return j.at("stop_reason").get<std::string>();
}

// One line per capture, tab-separated: file, then for fl-trace and fl-dns
// captures "conclusion:count,..." and how it was made; for fl-locate
// captures the verdict, break.after's address ("-": none) and how.
std::vector<Entry> manifest() {
  std::ifstream in(std::string(FL_CAPTURES_DIR) + "/MANIFEST");
  std::vector<Entry> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream stream(line);
    std::vector<std::string> fields;
    for (std::string f; std::getline(stream, f, '\t');) fields.push_back(f);
    fields.resize(std::max<std::size_t>(fields.size(), 5));
    Entry e;
    e.file = fields[0];
    e.tool = tool_of(e.file);
    if (e.tool == Tool::locate) {
      e.verdict = fields[1];
      e.break_after = fields[2] == "-" ? "" : fields[2];
      e.how = fields[3];
      out.push_back(e);
      continue;
    }
    e.how = fields[2];
    std::istringstream items(fields[1]);
    std::string item;
    while (std::getline(items, item, ',')) {
      auto colon = item.find(':');
      if (colon != std::string::npos) e.expect[item.substr(0, colon)] = std::stoi(item.substr(colon + 1));
    }
    out.push_back(e);
  }
  return out;
}

// The entries of one tool, or (no argument) those that print JSON Lines.
std::vector<Entry> entries_of(std::optional<Tool> only = std::nullopt) {
  std::vector<Entry> out;
  for (auto& e : manifest())
    if (only ? e.tool == *only : e.tool != Tool::locate) out.push_back(std::move(e));
  return out;
}

std::string entry_name(const ::testing::TestParamInfo<Entry>& param_info) {
  std::string n = fs::path(param_info.param.file).stem().string();
  for (auto& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
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
  std::string header = is_report(GetParam()) ? "Start: " : "traceroute to ";
  if (is_dns(GetParam()) && GetParam().file.find("-trace-") == std::string::npos) header = zone ? "zone " : "; <<>> fl-dns";
  if (zone) blocks = 1;
  std::size_t headers = 0;
  for (std::size_t p = o.out.find(header); p != std::string::npos; p = o.out.find(header, p + 1))
    ++headers;
  EXPECT_EQ(static_cast<int>(headers), blocks);
}

INSTANTIATE_TEST_SUITE_P(Captures, CaptureReplay, ::testing::ValuesIn(entries_of()), entry_name);

// ---- fl-locate ----------------------------------------------------------------

// The value of `--option VALUE` in the MANIFEST's arguments, "" if absent.
std::string argument(const std::string& how, const std::string& option) {
  std::istringstream words(how);
  for (std::string w; words >> w;)
    if (w == option && (words >> w)) return w;
  return "";
}

// Replays a locate-* capture with nothing but -r: the capture's annotation
// carries the ASes and the baseline the live run used.
std::vector<std::string> locate_replay(const Entry& e, const std::string& output = "json") {
  return {FL_LOCATE_BIN, "-r", std::string(FL_CAPTURES_DIR) + "/" + e.file, "-o", output};
}

class LocateReplay : public ::testing::TestWithParam<Entry> {};

TEST_P(LocateReplay, JsonEqualsTheLiveRun) {
  auto o = run(locate_replay(GetParam()));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "");  // nothing re-annotated, no recorded path read
  EXPECT_EQ(o.out, testsupport::read_file(golden_of(std::string(FL_CAPTURES_DIR) + "/" + GetParam().file)));
}

TEST_P(LocateReplay, VerdictAndBreakAsTheManifestSays) {
  const Entry& e = GetParam();
  auto o = run(locate_replay(e));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j.at("verdict"), e.verdict);
  const auto& after = j.at("break").at("after");
  if (e.break_after.empty()) {
    EXPECT_TRUE(after.is_null()) << after;
  } else {
    ASSERT_TRUE(after.is_object()) << j.at("break");
    EXPECT_EQ(after.at("addr"), e.break_after);
  }
  // Every non-healthy capture was read against the healthy one.
  EXPECT_EQ(j.at("evidence").at("baseline").get<bool>(), !argument(e.how, "--baseline").empty());
}

TEST_P(LocateReplay, TextOutputLeadsWithTheVerdict) {
  const Entry& e = GetParam();
  auto o = run(locate_replay(e, "text"));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out.compare(0, 9 + e.verdict.size(), "verdict: " + e.verdict), 0) << o.out;
  if (!e.break_after.empty()) {
    EXPECT_NE(o.out.find("break after"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find(e.break_after), std::string::npos) << o.out;
  }
}

INSTANTIATE_TEST_SUITE_P(Captures, LocateReplay, ::testing::ValuesIn(entries_of(Tool::locate)), entry_name);

TEST(LocateReplayBaseline, CaptureAndItsJsonAreTheSameBaseline) {
  // fl-locate takes a baseline as a JSON report or as the capture behind it;
  // given on replay, it and --asn-db replace what the capture recorded, and
  // say so, one line each.
  Entry e;
  for (const auto& x : entries_of(Tool::locate))
    if (x.file == "locate-core-dark.pcapng") e = x;
  ASSERT_FALSE(e.file.empty());
  const std::string asn_db = std::string(FL_SOURCE_DIR) + "/" + argument(e.how, "--asn-db");
  const std::string baseline = std::string(FL_CAPTURES_DIR) + "/locate-country.pcapng";
  auto argv = locate_replay(e);
  argv.insert(argv.end(), {"--asn-db", asn_db, "--baseline", baseline});
  auto o = run(argv);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, testsupport::read_file(std::string(FL_CAPTURES_DIR) + "/locate-core-dark.json"));
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 2) << o.err;
  EXPECT_NE(o.err.find("re-annotating with --asn-db " + asn_db), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("comparing with --baseline " + baseline), std::string::npos) << o.err;
}

// Where each node of a dot file is drawn: the clusters around it, outermost
// first, by the names after "subgraph".
std::map<std::string, std::vector<std::string>> dot_placement(const std::string& dot) {
  std::map<std::string, std::vector<std::string>> at;
  std::vector<std::string> open;
  std::istringstream lines(dot);
  for (std::string l; std::getline(lines, l);) {
    const auto s = l.find_first_not_of(' ');
    if (s == std::string::npos) continue;
    l = l.substr(s);
    if (l.rfind("subgraph ", 0) == 0) open.push_back(l.substr(9, l.find(' ', 9) - 9));
    else if (l == "}" && !open.empty()) open.pop_back();
    else if (l[0] == '"' && l.find("\" [") != std::string::npos && l.find(" -> ") == std::string::npos)
      at[l.substr(1, l.find('"', 1) - 1)] = open;
  }
  return at;
}

std::string dot_node_line(const std::string& dot, const std::string& name) {
  std::istringstream lines(dot);
  for (std::string l; std::getline(lines, l);)
    if (l.find("\"" + name + "\" [") != std::string::npos) return l;
  return "";
}

// The picture tells the story of the dark core: the title says the verdict,
// the border hop b (numbered from the transit's space) sits on the edge of
// the national cluster, not inside the transit's box, and says whose space
// it answers from; the baseline's first silent hop stays filled and dashed.
TEST(LocateReplayDot, DarkCorePictureShowsVerdictBorderBaselineAndLegend) {
  Entry e;
  for (const auto& x : entries_of(Tool::locate))
    if (x.file == "locate-core-dark.pcapng") e = x;
  ASSERT_FALSE(e.file.empty());
  testsupport::TempDir tmp;
  auto argv = locate_replay(e);
  argv.insert(argv.end(), {"--dot", tmp.file("paths.dot")});
  auto o = run(argv);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto report = nlohmann::json::parse(o.out);
  const std::string dot = testsupport::read_file(tmp.file("paths.dot"));
  ASSERT_EQ(dot.rfind("digraph faultline {", 0), 0u) << dot;

  const std::string title = "label=\"" + report.at("verdict").get<std::string>() + " (" +
                            report.at("confidence").get<std::string>() + " confidence), 20";
  EXPECT_NE(dot.find(title), std::string::npos) << "no title " << title << " in\n" << dot;
  EXPECT_NE(dot.find(" UTC\\n"), std::string::npos) << dot;
  EXPECT_NE(dot.find("subgraph cluster_legend {"), std::string::npos) << dot;

  const auto& after = report.at("break").at("after");
  ASSERT_TRUE(after.at("border").get<bool>()) << after;
  const std::string border = after.at("addr");
  const auto placed = dot_placement(dot);
  ASSERT_TRUE(placed.count(border)) << dot;
  EXPECT_EQ(placed.at(border), std::vector<std::string>{"cluster_national"}) << dot;
  EXPECT_NE(dot_node_line(dot, border).find("answers from\\nAS" + std::to_string(after.at("asn").get<int>())),
            std::string::npos)
      << dot_node_line(dot, border);

  const auto& before = report.at("break").at("before");
  ASSERT_TRUE(before.is_object()) << report.at("break");
  EXPECT_NE(dot_node_line(dot, before.at("addr")).find("style=\"filled,dashed\""), std::string::npos)
      << dot_node_line(dot, before.at("addr"));
  if (run({"/bin/sh", "-c", "command -v dot"}).exit_code == 0) {
    auto svg = run({"/bin/sh", "-c", "dot -Tsvg -o /dev/null " + tmp.file("paths.dot")});
    EXPECT_EQ(svg.exit_code, 0) << svg.err;
  }
}

TEST(LocateReplayErrors, OtherToolsCapturesAreRefused) {
  auto t = run({FL_LOCATE_BIN, "-r", std::string(FL_CAPTURES_DIR) + "/trace-icmp-chain.pcapng"});
  EXPECT_EQ(t.exit_code, 4);
  EXPECT_NE(t.err.find("not fl-locate"), std::string::npos) << t.err;
  auto d = run({FL_DNS_BIN, "-r", std::string(FL_CAPTURES_DIR) + "/locate-country.pcapng"});
  EXPECT_EQ(d.exit_code, 4) << d.err;
}

TEST(LocateReplayErrors, ProbingOptionWithReplayIsAUsageError) {
  auto o = run({FL_LOCATE_BIN, "-r", std::string(FL_CAPTURES_DIR) + "/locate-country.pcapng", "--control", "192.0.2.99"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_TRUE(o.out.empty());
}

TEST(Manifest, ListsEveryCaptureWithItsGolden) {
  auto entries = manifest();
  ASSERT_FALSE(entries.empty());
  std::set<std::string> listed;
  for (const auto& e : entries) {
    if (e.tool == Tool::locate) {
      EXPECT_TRUE(probe::model::from_word<probe::model::Verdict>(e.verdict)) << e.file << ": " << e.verdict;
      EXPECT_FALSE(e.how.empty()) << e.file;
    }
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

// A pcap of no packets whose link type (NFLOG) no tool parses: every tool's
// -r refuses it in the same words and with the same exit status, fl-dns
// (which once skipped the check) included.
TEST(ReplayErrors, EveryToolRefusesAnUnknownLinkTypeAlike) {
  testsupport::TempDir dir;
  const std::string header("\xd4\xc3\xb2\xa1\x02\x00\x04\x00"   // magic, version 2.4
                           "\x00\x00\x00\x00\x00\x00\x00\x00"   // thiszone, sigfigs
                           "\xff\xff\x00\x00\xef\x00\x00\x00",  // snaplen 65535, link type 239
                           24);
  const std::string cap = dir.file("nflog.pcap");
  testsupport::write_file(cap, header);
  for (const char* tool : {FL_TRACE_BIN, FL_DNS_BIN, FL_LOCATE_BIN}) {
    auto o = run({tool, "-r", cap});
    const std::string name = fs::path(tool).filename().string();
    EXPECT_EQ(o.exit_code, 4) << name << ": " << o.err;
    EXPECT_EQ(o.err, name + ": " + cap + ": link type 239 (NFLOG) is not supported\n");
    EXPECT_TRUE(o.out.empty()) << name;
  }
}

TEST(ReplayErrors, TruncatedCaptureKeepsWhatCameBeforeAndSaysSo) {
  auto entries = entries_of(Tool::trace);
  ASSERT_FALSE(entries.empty());
  std::string whole = testsupport::read_file(std::string(FL_CAPTURES_DIR) + "/" + entries.front().file);
  testsupport::TempDir dir;
  testsupport::write_file(dir.file("cut.pcapng"), whole.substr(0, whole.size() - 10));
  auto o = run({FL_TRACE_BIN, "-r", dir.file("cut.pcapng"), "-o", "json"});
  EXPECT_EQ(o.exit_code, 6);
  EXPECT_NE(o.err.find("capture cut at byte"), std::string::npos) << o.err;
  EXPECT_FALSE(o.out.empty());  // every trace is still reported
}

// The offsets at which each whole block of a pcapng file ends.
std::vector<std::size_t> block_ends(const std::string& bytes) {
  std::vector<std::size_t> ends;
  for (std::size_t at = 0; at + 8 <= bytes.size();) {
    std::uint32_t len;
    std::memcpy(&len, bytes.data() + at + 4, 4);
    if (len < 12 || at + len > bytes.size()) break;
    at += len;
    ends.push_back(at);
  }
  return ends;
}

// A campaign capture as another machine has it: the files its run record
// names (AS table, baseline) do not exist there; notes and frames as they are.
void write_elsewhere(const std::string& from, const std::string& to) {
  auto c = probe::io::open_capture(from);
  ASSERT_TRUE(c && c->notes.section) << from;
  const std::string tag = probe::record::kRunRecordTag;
  auto record = nlohmann::json::parse(c->notes.section->substr(tag.size()));
  record["asn_db"] = "/nonexistent/asn.csv";
  record["baseline"] = "/nonexistent/baseline.json";
  auto w = probe::io::CaptureWriter::create(to, c->source->linktype(), tag + record.dump());
  ASSERT_TRUE(w) << w.error().message;
  for (const auto& note : c->notes.opening) ASSERT_TRUE((*w)->write_comment(note, 1));
  while (auto p = c->source->next(probe::sched::kNever)) ASSERT_TRUE((*w)->write(*p));
  if (c->notes.closing) {
    ASSERT_TRUE((*w)->write_comment(*c->notes.closing, 2));
  }
  ASSERT_TRUE((*w)->flush());
}

// A capture cut by kill -9 (mid-block, mid-header): every whole block
// replays, stderr says where it stopped, and the exit is 6 - neither
// success (0) nor unreadable (4). Cut at a block boundary it is whole.
// A campaign capture so cut has lost its closing annotation, yet replays
// alone, on a machine without the files it was recorded with: its opening
// annotation carries the baseline and the plan's ASes.
TEST(ReplayErrors, CaptureCutAnywhereReplaysItsWholeBlocksWithExit6) {
  std::vector<std::vector<std::string>> replays = {
      {FL_TRACE_BIN, "-r", std::string(FL_CAPTURES_DIR) + "/trace-icmp-chain.pcapng", "-o", "json"}};
  testsupport::TempDir elsewhere;
  for (const auto& e : entries_of(Tool::locate))
    if (e.file == "locate-core-dark.pcapng") {
      auto argv = locate_replay(e);
      write_elsewhere(argv[2], elsewhere.file(e.file));
      ASSERT_FALSE(::testing::Test::HasFatalFailure());
      argv[2] = elsewhere.file(e.file);
      replays.push_back(argv);
    }
  ASSERT_EQ(replays.size(), 2u);
  for (auto argv : replays) {
    const std::string capture = argv[2];
    std::string whole = testsupport::read_file(capture);
    auto ends = block_ends(whole);
    ASSERT_GE(ends.size(), 4u) << capture;
    testsupport::TempDir dir;
    const std::string cut = dir.file("cut.pcapng");
    argv[2] = cut;
    const std::size_t n = ends.size();
    for (std::size_t k : {n / 2, n - 2}) {
      for (std::size_t extra : {std::size_t{4}, std::size_t{20}}) {  // mid-header, mid-block
        testsupport::write_file(cut, whole.substr(0, ends[k] + extra));
        auto o = run(argv);
        testsupport::write_file(cut, whole.substr(0, ends[k]));
        auto at_boundary = run(argv);
        EXPECT_EQ(o.exit_code, 6) << capture << " cut at " << ends[k] + extra << ": " << o.err;
        const std::string said = cut + ": capture cut at byte " + std::to_string(ends[k]) + " (block " +
                                 std::to_string(k + 2) + "): replayed what came before";
        EXPECT_NE(o.err.find(said), std::string::npos) << o.err;
        // What was replayed is what the whole blocks before the cut give.
        EXPECT_EQ(o.out, at_boundary.out) << capture << " cut at " << ends[k] + extra;
        EXPECT_FALSE(o.out.empty()) << capture;
        EXPECT_NE(at_boundary.exit_code, 6) << at_boundary.err;
        if (argv[0] == FL_LOCATE_BIN) {
          EXPECT_NE(o.out.find("\"baseline\":true"), std::string::npos) << o.out.substr(0, 400);
          EXPECT_NE(o.out.find("\"national_asns\":[64520]"), std::string::npos) << o.out.substr(0, 400);
          // Short of its last frame only, it reads as the whole did: the
          // border's AS came from the baseline's hops.
          if (k == n - 2) {
            const auto got = nlohmann::json::parse(o.out);
            const auto whole_report = nlohmann::json::parse(testsupport::read_file(std::string(FL_CAPTURES_DIR) + "/locate-core-dark.json"));
            EXPECT_EQ(got["verdict"], whole_report["verdict"]) << got["reason"];
            EXPECT_EQ(got["break"]["after"], whole_report["break"]["after"]);
          }
        }
      }
    }
  }
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
  auto entries = entries_of(Tool::trace);
  ASSERT_FALSE(entries.empty());
  auto o = run({FL_TRACE_BIN, "-r", std::string(FL_CAPTURES_DIR) + "/" + entries.front().file, "-P", "udp"});
  EXPECT_EQ(o.exit_code, 2);
}

TEST(ReplayOutput, OutputFileIsWrittenWhole) {
  auto entries = entries_of(Tool::trace);
  ASSERT_FALSE(entries.empty());
  std::string cap = std::string(FL_CAPTURES_DIR) + "/" + entries.front().file;
  testsupport::TempDir dir;
  auto o = run({FL_TRACE_BIN, "-r", cap, "-o", "json", "-O", dir.file("out.json")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(o.out.empty());
  EXPECT_EQ(testsupport::read_file(dir.file("out.json")), testsupport::read_file(golden_of(cap)));
  EXPECT_FALSE(fs::exists(dir.file("out.json.part")));
}

// -o csv, -A and -e shape what a replay prints, never what it finds: each
// gives the same bytes on every replay, CSV has a row per hop of the JSON,
// and -A names the lab's ASes from the table given.
TEST(ReplayHabits, CsvAsnsAndMplsFormsAreTheSameOnEveryReplay) {
  const std::string asn_db = std::string(FL_SOURCE_DIR) + "/tests/lab/country-asn.csv";
  for (const auto& e : entries_of(Tool::trace)) {
    if (is_report(e)) continue;  // ReplayHabits.ReportIsTextOrJsonWithMtrsAs
    SCOPED_TRACE(e.file);
    const std::string cap = std::string(FL_CAPTURES_DIR) + "/" + e.file;
    for (const std::vector<std::string>& flags : std::vector<std::vector<std::string>>{
             {"-o", "csv"}, {"-A", "--asn-db", asn_db}, {"-e", "-n"}}) {
      std::vector<std::string> args = {FL_TRACE_BIN, "-r", cap};
      args.insert(args.end(), flags.begin(), flags.end());
      auto first = run(args);
      auto again = run(args);
      ASSERT_EQ(first.exit_code, 0) << first.err;
      EXPECT_EQ(first.out, again.out) << flags.front();
    }
    auto csv = run({FL_TRACE_BIN, "-r", cap, "-o", "csv"});
    auto json = run({FL_TRACE_BIN, "-r", cap, "-o", "json"});
    std::size_t hops = 0;
    std::istringstream lines(json.out);
    for (std::string line; std::getline(lines, line);) hops += nlohmann::json::parse(line)["hops"].size();
    EXPECT_EQ(static_cast<std::size_t>(std::count(csv.out.begin(), csv.out.end(), '\n')), hops + 1);  // + header
    EXPECT_EQ(csv.out.rfind("target,ttl,addr,rtt1_ms", 0), 0u);
    // The lab's first router, where a capture heard it, is the access ISP's.
    auto plain = run({FL_TRACE_BIN, "-r", cap});
    auto text = run({FL_TRACE_BIN, "-r", cap, "-A", "--asn-db", asn_db});
    if (plain.out.find(" 198.18.0.2  ") != std::string::npos) {
      EXPECT_NE(text.out.find(" 198.18.0.2 [AS64500]  "), std::string::npos) << text.out;
    }
  }
}

// A --report capture replays to its report only: -o csv (a row per hop of
// each trace) is refused, and -A puts each hop's AS in front, as mtr -z.
TEST(ReplayHabits, ReportIsTextOrJsonWithMtrsAs) {
  const std::string asn_db = std::string(FL_SOURCE_DIR) + "/tests/lab/country-asn.csv";
  std::size_t reports = 0;
  for (const auto& e : entries_of(Tool::trace)) {
    if (!is_report(e)) continue;
    SCOPED_TRACE(e.file);
    ++reports;
    const std::string cap = std::string(FL_CAPTURES_DIR) + "/" + e.file;
    auto csv = run({FL_TRACE_BIN, "-r", cap, "-o", "csv"});
    EXPECT_EQ(csv.exit_code, 2);
    EXPECT_NE(csv.err.find("holds a --report run: -o text or json"), std::string::npos) << csv.err;
    auto text = run({FL_TRACE_BIN, "-r", cap, "-A", "--asn-db", asn_db});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("  1.|-- AS64500 198.18.0.2 "), std::string::npos) << text.out;
  }
  EXPECT_GT(reports, 0u);
}

// A replay never looks names up (it must not depend on a resolver, nor send
// anything): its text is the same with -n and without.
TEST(ReplayHabits, ReplaysShowAddressesOnly) {
  for (const auto& e : entries_of(Tool::trace)) {
    SCOPED_TRACE(e.file);
    const std::string cap = std::string(FL_CAPTURES_DIR) + "/" + e.file;
    auto plain = run({FL_TRACE_BIN, "-r", cap});
    auto numeric = run({FL_TRACE_BIN, "-r", cap, "-n"});
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_EQ(plain.out, numeric.out);
    for (const char* named : {" (1", " (2"})  // "name (addr)": every address here starts so
      EXPECT_EQ(plain.out.find(named), std::string::npos) << plain.out.substr(0, 400);
  }
}

}  // namespace

namespace {

// A capture as fl-locate wrote them before annotations: the section
// header's run record (its paths replaced by `asn_db` and `baseline`) and
// the frames, without the closing annotation.
void write_unannotated(const std::string& from, const std::string& to, const std::string& asn_db,
                       const std::string& baseline) {
  auto comment = probe::io::read_section_comment(from);
  ASSERT_TRUE(comment && *comment);
  const std::string tag = probe::record::kRunRecordTag;
  auto record = nlohmann::json::parse((*comment)->substr(tag.size()));
  record["asn_db"] = asn_db;
  record["baseline"] = baseline;
  auto src = probe::io::open_file(from);
  ASSERT_TRUE(src) << src.error().message;
  auto w = probe::io::CaptureWriter::create(to, (*src)->linktype(), tag + record.dump());
  ASSERT_TRUE(w) << w.error().message;
  while (auto p = (*src)->next(probe::sched::kNever)) ASSERT_TRUE((*w)->write(*p));
  ASSERT_TRUE((*w)->flush());
}

TEST(LocateReplayUnannotated, ReadsTheRecordedPathsAndSaysWhichIsMissing) {
  const std::string golden = testsupport::read_file(std::string(FL_CAPTURES_DIR) + "/locate-core-dark.json");
  const std::string asn_db = std::string(FL_SOURCE_DIR) + "/tests/lab/country-asn.csv";
  const std::string baseline = std::string(FL_CAPTURES_DIR) + "/locate-country.json";
  testsupport::TempDir dir;
  const std::string old = dir.file("old.pcapng");
  write_unannotated(std::string(FL_CAPTURES_DIR) + "/locate-core-dark.pcapng", old, asn_db, baseline);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  auto capture = probe::io::open_capture(old);
  ASSERT_TRUE(capture) << capture.error().message;
  ASSERT_FALSE(capture->notes.closing);

  // The recorded paths exist: read as before, silently.
  auto o = run({FL_LOCATE_BIN, "-r", old, "-o", "json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(o.out, golden);

  // They are gone: exit 4, naming the file and the option that helps.
  const std::string gone = dir.file("gone.pcapng");
  write_unannotated(old, gone, dir.file("elsewhere/asn.csv"), dir.file("elsewhere/base.json"));
  o = run({FL_LOCATE_BIN, "-r", gone, "-o", "json"});
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_EQ(o.out, "");
  EXPECT_NE(o.err.find(gone + " carries no AS annotation"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(dir.file("elsewhere/asn.csv") + " cannot be read: give --asn-db FILE"), std::string::npos)
      << o.err;
  o = run({FL_LOCATE_BIN, "-r", gone, "--asn-db", asn_db, "-o", "json"});
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_NE(o.err.find(dir.file("elsewhere/base.json") + " cannot be read: give --baseline FILE"), std::string::npos)
      << o.err;
  o = run({FL_LOCATE_BIN, "-r", gone, "--asn-db", asn_db, "--baseline", baseline, "-o", "json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(o.out, golden);
}

TEST(LocateReplayAnnotated, AnAnnotationOfAnotherRunIsRefused) {
  // The annotation of locate-country closing locate-core-dark's packets.
  const std::string from = std::string(FL_CAPTURES_DIR) + "/locate-core-dark.pcapng";
  auto other = probe::io::open_capture(std::string(FL_CAPTURES_DIR) + "/locate-country.pcapng");
  ASSERT_TRUE(other && other->notes.closing);
  testsupport::TempDir dir;
  const std::string mixed = dir.file("mixed.pcapng");
  {
    auto comment = probe::io::read_section_comment(from);
    ASSERT_TRUE(comment && *comment);
    auto src = probe::io::open_file(from);
    ASSERT_TRUE(src);
    auto w = probe::io::CaptureWriter::create(mixed, (*src)->linktype(), **comment);
    ASSERT_TRUE(w);
    while (auto p = (*src)->next(probe::sched::kNever)) ASSERT_TRUE((*w)->write(*p));
    ASSERT_TRUE((*w)->write_comment(*other->notes.closing, 1));
  }
  auto o = run({FL_LOCATE_BIN, "-r", mixed, "-o", "json"});
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_NE(o.err.find(mixed + ": annotation of another run"), std::string::npos) << o.err;
}

// -O naming a directory is refused before anything is read or made: no
// DIR.part, the directory untouched.
TEST(ReplayOutput, OutputFileThatIsADirectoryIsRefusedAtOnce) {
  std::string cap = std::string(FL_CAPTURES_DIR) + "/" + entries_of(Tool::trace).front().file;
  testsupport::TempDir dir;
  const std::string out = dir.file("out");
  ASSERT_TRUE(fs::create_directory(out));
  for (const char* user : {"nobody", "root"}) {
    auto o = run({FL_TRACE_BIN, "-r", cap, "--user", user, "-O", out});
    EXPECT_EQ(o.exit_code, 5) << o.err;
    EXPECT_NE(o.err.find("cannot write " + out + ": Is a directory"), std::string::npos) << o.err;
    EXPECT_FALSE(fs::exists(out + ".part"));
    EXPECT_TRUE(fs::is_empty(out));
  }
}

}  // namespace
