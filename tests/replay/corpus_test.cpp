// SPDX-License-Identifier: BSD-2-Clause
// The broken-capture corpus (tests/corpus, made by tests/corpus/make): every
// file ends `fl-trace -r` with one clear line and exit 4, or - where the file
// is a valid capture whose bad packets are skipped and counted - with exit 0
// and at most that one line. Never a signal, a hang or a runaway allocation.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "process.h"

#if defined(__SANITIZE_ADDRESS__)
#define FL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FL_ASAN 1
#endif
#endif

namespace {

namespace fs = std::filesystem;
using testsupport::run;

struct CorpusEntry {
  std::string file;
  int exit_code = 0;
  std::string message;  // a substring of the one stderr line; empty: stderr empty
};

std::vector<CorpusEntry> corpus_manifest() {
  std::ifstream in(std::string(FL_CORPUS_DIR) + "/MANIFEST");
  std::vector<CorpusEntry> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    CorpusEntry e;
    fields >> e.file >> e.exit_code >> std::ws;
    std::getline(fields, e.message);
    if (e.message == "-") e.message.clear();
    out.push_back(e);
  }
  return out;
}

// fl-trace with its address space capped, so that an allocation sized by a
// length field fails the test instead of the machine. AddressSanitizer
// reserves terabytes of shadow address space: there the cap is left off and
// ASan's own allocator limit stands in.
testsupport::Outcome replay(const std::string& path) {
  std::vector<std::string> argv;
#ifndef FL_ASAN
  if (fs::exists("/usr/bin/prlimit")) argv = {"/usr/bin/prlimit", "--as=1073741824", "--"};
#endif
  argv.insert(argv.end(), {FL_TRACE_BIN, "-r", path, "-o", "json"});
  return run(argv, 30);
}

// gtest prints the file, not the struct's bytes, in test names and failures.
void PrintTo(const CorpusEntry& e, std::ostream* os) { *os << e.file; }

class CorpusReplay : public ::testing::TestWithParam<CorpusEntry> {};

TEST_P(CorpusReplay, EndsCleanlyWithTheExpectedExitCode) {
  const auto& e = GetParam();
  auto o = replay(std::string(FL_CORPUS_DIR) + "/" + e.file);
  ASSERT_LT(o.exit_code, 128) << "killed by signal " << o.exit_code - 128 << " (or timed out)\n" << o.err;
  EXPECT_EQ(o.exit_code, e.exit_code) << o.err;
  if (e.message.empty()) {
    EXPECT_EQ(o.err, "");
  } else {
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << "not one line:\n" << o.err;
    EXPECT_EQ(o.err.rfind("fl-trace: ", 0), 0u) << o.err;
    EXPECT_NE(o.err.find(e.message), std::string::npos) << o.err;
  }
  // What was printed (results before a damaged record) is whole JSON lines.
  std::istringstream lines(o.out);
  std::string line;
  while (std::getline(lines, line)) EXPECT_TRUE(nlohmann::json::accept(line)) << line;
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusReplay, ::testing::ValuesIn(corpus_manifest()),
                         [](const ::testing::TestParamInfo<CorpusEntry>& p) {
                           std::string name = fs::path(p.param.file).stem().string();
                           std::replace_if(name.begin(), name.end(),
                                           [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
                           return name;
                         });

TEST(CorpusManifest, ListsEveryFileTheMakeScriptWrote) {
  std::set<std::string> listed;
  for (const auto& e : corpus_manifest()) listed.insert(e.file);
  ASSERT_FALSE(listed.empty());
  for (const auto& f : fs::directory_iterator(FL_CORPUS_DIR)) {
    auto ext = f.path().extension();
    if (ext == ".pcap" || ext == ".pcapng") {
      EXPECT_TRUE(listed.count(f.path().filename().string())) << f.path() << " is not in MANIFEST";
    }
  }
}

}  // namespace
