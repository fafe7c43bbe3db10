// SPDX-License-Identifier: BSD-2-Clause
// expand_targets / read_target_file: what fl-trace will probe, within the
// caps on a target list; excerpt() for the bad lines it quotes.

#include "probe/model/targets.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "probe/excerpt.h"
#include "probe/io/privileges.h"
#include "process.h"

namespace {

using probe::ErrorKind;
using probe::model::expand_targets;

// As the tools read a user's list: opened with the invoker's rights.
probe::Result<std::vector<std::string>> read_target_file(const std::string& path) {
  auto file = probe::io::open_as_invoker(path);
  if (!file) return file.error();
  return probe::model::read_target_file(file->fd(), path);
}

std::vector<std::string> strings(const std::vector<probe::model::Address>& v) {
  std::vector<std::string> out;
  for (const auto& a : v) out.push_back(a.to_string());
  return out;
}

// fl-trace parses its specs once: checked_targets() hands the blocks on,
// expand_blocks() walks them as expand_targets() walks the specs.
TEST(CheckedTargets, GivesOneBlockPerSpecInTheOrderGiven) {
  auto r = probe::model::checked_targets({"198.18.4.0/30", "2001:db8::1", "198.18.4.1"}, probe::model::TargetLimits{});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].to_string(), "198.18.4.0/30");
  EXPECT_EQ((*r)[1].base.family(), probe::model::Family::v6);
  EXPECT_EQ((*r)[2].to_string(), "198.18.4.1/32");
}

TEST(CheckedTargets, RefusesWhatCheckTargetsRefusesWithTheSameMessage) {
  const std::vector<std::vector<std::string>> lists = {
      {"198.18.4.1", "nonsense/24"}, {"198.18.200.1/24", "nonsense"}, {"198.0.0.0/8"}};
  for (const auto& specs : lists) {
    auto e = probe::model::check_targets(specs, probe::model::TargetLimits{});
    auto r = probe::model::checked_targets(specs, probe::model::TargetLimits{});
    ASSERT_TRUE(e) << specs[0];
    ASSERT_FALSE(r) << specs[0];
    EXPECT_EQ(r.error().kind, ErrorKind::usage);
    EXPECT_EQ(r.error().message, e->message);
  }
  // --yes: host bits and counts pass, the blocks masked.
  auto r = probe::model::checked_targets({"198.18.200.1/24"}, probe::model::TargetLimits{65536, true});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->at(0).to_string(), "198.18.200.0/24");
}

TEST(ExpandBlocks, WalksAsExpandTargetsDoesOverTheSameSpecs) {
  const std::vector<std::vector<std::string>> lists = {
      {"198.18.4.2", "198.18.4.0/30", "198.18.4.2", "198.18.9.9"},  // repeats dropped
      {"198.18.0.0/22", "198.19.0.0/22"},                           // shuffled (> 1024)
      {"2001:db8::/120"},
      {}};
  for (const auto& specs : lists) {
    auto blocks = probe::model::checked_targets(specs, probe::model::TargetLimits{65536, true});
    ASSERT_TRUE(blocks);
    auto from_blocks = probe::model::expand_blocks(*blocks, 7);
    auto from_specs = expand_targets(specs, 7);
    ASSERT_TRUE(from_blocks);
    ASSERT_TRUE(from_specs);
    EXPECT_EQ(strings(*from_blocks), strings(*from_specs));
  }
}

TEST(ExpandBlocks, RefusesMoreThanTheMostTargets) {
  auto blocks = probe::model::checked_targets({"10.0.0.0/7"}, probe::model::TargetLimits{65536, true});
  ASSERT_TRUE(blocks);
  auto r = probe::model::expand_blocks(*blocks, 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, expand_targets({"10.0.0.0/7"}, 0).error().message);
}

TEST(ExpandTargets, CidrExpandsInOrder) {
  auto r = expand_targets({"198.18.4.0/30"}, 0);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(strings(*r),
            (std::vector<std::string>{"198.18.4.0", "198.18.4.1", "198.18.4.2", "198.18.4.3"}));
}

TEST(ExpandTargets, HostBitsAreMaskedAndCarryCrossesOctets) {
  auto r = expand_targets({"198.18.4.255/31", "10.0.0.254/30"}, 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(strings(*r), (std::vector<std::string>{"198.18.4.254", "198.18.4.255", "10.0.0.252",
                                                   "10.0.0.253", "10.0.0.254", "10.0.0.255"}));
  auto wide = expand_targets({"10.0.255.0/23"}, 0);
  ASSERT_TRUE(wide);
  ASSERT_EQ(wide->size(), 512u);
  EXPECT_EQ(wide->front().to_string(), "10.0.254.0");
  EXPECT_EQ((*wide)[256].to_string(), "10.0.255.0");
  EXPECT_EQ(wide->back().to_string(), "10.0.255.255");
}

TEST(ExpandTargets, RepeatsAreDroppedKeepingFirstPlace) {
  auto r = expand_targets({"198.18.4.2", "198.18.4.0/30", "198.18.4.2", "198.18.4.3/32", "198.18.9.9"}, 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(strings(*r), (std::vector<std::string>{"198.18.4.2", "198.18.4.0", "198.18.4.1",
                                                   "198.18.4.3", "198.18.9.9"}));
}

TEST(ExpandTargets, Ipv6AddressesAndBlocks) {
  auto r = expand_targets({"2001:db8::1", "2001:db8::/127"}, 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(strings(*r), (std::vector<std::string>{"2001:db8::1", "2001:db8::"}));
}

TEST(ExpandTargets, NothingGivesNothing) {
  auto r = expand_targets({}, 0);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(ExpandTargets, BadSpecIsAUsageErrorNamingIt) {
  for (const char* bad : {"example.com", "198.18.4", "198.18.4.0/33", "198.18.4.0/", "198.18.4.0/x",
                          "198.18.4.256", "", " 198.18.4.1", "2001:db8::/129"}) {
    auto r = expand_targets({"198.18.4.1", bad, "also-bad"}, 0);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::usage);
    EXPECT_NE(r.error().message.find("'" + std::string(bad) + "'"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(r.error().message.find("also-bad"), std::string::npos);  // the first one only
  }
}

TEST(ExpandTargets, TooManyTargetsIsAUsageError) {
  auto r = expand_targets({"10.0.0.0/7"}, 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::usage);
  EXPECT_NE(r.error().message.find("too many"), std::string::npos);
  EXPECT_FALSE(expand_targets({"2001:db8::/64"}, 0));
}

TEST(ReadTargetFile, CommentsAndBlanksAreSkipped) {
  testsupport::TempDir dir;
  const std::string path = dir.file("targets.txt");
  {
    std::ofstream out(path);
    out << "# lab targets\n"
           "198.18.4.1\n"
           "\n"
           "   \t\n"
           "  198.18.5.0/30   # a block\n"
           "2001:db8::1\r\n"
           "#198.18.6.1\n"
           "198.18.7.7";  // no final newline
  }
  auto r = read_target_file(path);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, (std::vector<std::string>{"198.18.4.1", "198.18.5.0/30", "2001:db8::1", "198.18.7.7"}));
}

TEST(ParseTargetText, TextReadsAsAFileDoes) {
  auto r = probe::model::parse_target_text("# lab\n198.18.4.1\n  198.18.5.0/30   # a block\n\n2001:db8::1\r\n198.18.7.7",
                                           "list");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, (std::vector<std::string>{"198.18.4.1", "198.18.5.0/30", "2001:db8::1", "198.18.7.7"}));
}

TEST(ReadTargetFile, EmptyFileGivesNoSpecs) {
  testsupport::TempDir dir;
  const std::string path = dir.file("empty.txt");
  std::ofstream(path).close();
  auto r = read_target_file(path);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(ReadTargetFile, MissingFileIsAnInputErrorNamingIt) {
  testsupport::TempDir dir;
  const std::string path = dir.file("absent.txt");
  auto r = read_target_file(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::input);
  EXPECT_NE(r.error().message.find(path), std::string::npos);
}

TEST(ReadTargetFile, LongLineIsRefusedNamingFileAndLine) {
  auto r = probe::model::parse_target_text("198.18.4.1\n" + std::string(2000, 'x') + "\n", "list.txt");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::input);
  EXPECT_EQ(r.error().message, "list.txt:2: line longer than 1024 bytes (not a target list?)");
}

TEST(ReadTargetFile, DevZeroFailsAtOnce) {
  auto r = read_target_file("/dev/zero");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "/dev/zero:1: line longer than 1024 bytes (not a target list?)");
}

TEST(ReadTargetFile, TooManyLinesIsRefused) {
  std::string text;
  for (std::size_t i = 0; i <= probe::model::kMaxSpecLines; ++i) text += "#\n";
  auto r = probe::model::parse_target_text(text, "list.txt");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "list.txt:1000001: more than 1000000 lines (the limit for a target list)");
  text.resize(text.size() - 2);
  EXPECT_TRUE(probe::model::parse_target_text(text, "list.txt"));
}

TEST(ReadTargetFile, SpecTooLongForAnAddressIsQuotedShortAndEscaped) {
  std::string line = "root:$6$salt\x1b[2J" + std::string(60, 'a');
  auto r = probe::model::parse_target_text("# x\n" + line + "\n", "list.txt");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "list.txt:2: '" + probe::excerpt(line) + "' is too long for an address or CIDR block");
  EXPECT_EQ(r.error().message.find('\x1b'), std::string::npos);
}

TEST(ExpandTargets, BadSpecIsQuotedEscaped) {
  auto r = expand_targets({"root:\x01\xff"}, 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "bad target 'root:\\x01\\xff': not an address or CIDR block");
}

TEST(ReadTargetFile, DirectoryIsRefused) {
  testsupport::TempDir dir;
  auto r = read_target_file(dir.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot read " + dir.path() + ": Is a directory");
}

struct ExcerptCase {
  std::string in;
  std::string out;
};

TEST(Excerpt, PrintableKeptOthersEscapedLongCut) {
  const std::vector<ExcerptCase> cases = {
      {"198.18.4.1", "198.18.4.1"},
      {"", ""},
      {"a\tb\nc", "a\\x09b\\x0ac"},
      {"\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"},
      {"caf\xc3\xa9", "caf\\xc3\\xa9"},
      {"back\\slash", "back\\x5cslash"},
      {"\x7f", "\\x7f"},
      {std::string(40, 'a'), std::string(40, 'a')},
      {std::string(41, 'a'), std::string(40, 'a') + "..."},
      {std::string(3, '\0'), "\\x00\\x00\\x00"},
  };
  for (const auto& c : cases) EXPECT_EQ(probe::excerpt(c.in), c.out) << c.in;
}

}  // namespace
