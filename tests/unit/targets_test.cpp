// expand_targets / read_target_file: what fl-trace will probe.

#include "probe/model/targets.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "process.h"

namespace {

using probe::ErrorKind;
using probe::model::expand_targets;
using probe::model::read_target_file;

std::vector<std::string> strings(const std::vector<probe::model::Address>& v) {
  std::vector<std::string> out;
  for (const auto& a : v) out.push_back(a.to_string());
  return out;
}

TEST(ExpandTargets, CidrExpandsInOrder) {
  auto r = expand_targets({"198.18.4.0/30"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(strings(*r),
            (std::vector<std::string>{"198.18.4.0", "198.18.4.1", "198.18.4.2", "198.18.4.3"}));
}

TEST(ExpandTargets, HostBitsAreMaskedAndCarryCrossesOctets) {
  auto r = expand_targets({"198.18.4.255/31", "10.0.0.254/30"});
  ASSERT_TRUE(r);
  EXPECT_EQ(strings(*r), (std::vector<std::string>{"198.18.4.254", "198.18.4.255", "10.0.0.252",
                                                   "10.0.0.253", "10.0.0.254", "10.0.0.255"}));
  auto wide = expand_targets({"10.0.255.0/23"});
  ASSERT_TRUE(wide);
  ASSERT_EQ(wide->size(), 512u);
  EXPECT_EQ(wide->front().to_string(), "10.0.254.0");
  EXPECT_EQ((*wide)[256].to_string(), "10.0.255.0");
  EXPECT_EQ(wide->back().to_string(), "10.0.255.255");
}

TEST(ExpandTargets, RepeatsAreDroppedKeepingFirstPlace) {
  auto r = expand_targets({"198.18.4.2", "198.18.4.0/30", "198.18.4.2", "198.18.4.3/32", "198.18.9.9"});
  ASSERT_TRUE(r);
  EXPECT_EQ(strings(*r), (std::vector<std::string>{"198.18.4.2", "198.18.4.0", "198.18.4.1",
                                                   "198.18.4.3", "198.18.9.9"}));
}

TEST(ExpandTargets, Ipv6AddressesAndBlocks) {
  auto r = expand_targets({"2001:db8::1", "2001:db8::/127"});
  ASSERT_TRUE(r);
  EXPECT_EQ(strings(*r), (std::vector<std::string>{"2001:db8::1", "2001:db8::"}));
}

TEST(ExpandTargets, NothingGivesNothing) {
  auto r = expand_targets({});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(ExpandTargets, BadSpecIsAUsageErrorNamingIt) {
  for (const char* bad : {"example.com", "198.18.4", "198.18.4.0/33", "198.18.4.0/", "198.18.4.0/x",
                          "198.18.4.256", "", " 198.18.4.1", "2001:db8::/129"}) {
    auto r = expand_targets({"198.18.4.1", bad, "also-bad"});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::usage);
    EXPECT_NE(r.error().message.find("'" + std::string(bad) + "'"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(r.error().message.find("also-bad"), std::string::npos);  // the first one only
  }
}

TEST(ExpandTargets, TooManyTargetsIsAUsageError) {
  auto r = expand_targets({"10.0.0.0/7"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::usage);
  EXPECT_NE(r.error().message.find("too many"), std::string::npos);
  EXPECT_FALSE(expand_targets({"2001:db8::/64"}));
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

TEST(ReadTargets, AStreamReadsAsAFileDoes) {
  std::istringstream in("# lab\n198.18.4.1\n  198.18.5.0/30   # a block\n\n2001:db8::1\r\n198.18.7.7");
  auto r = probe::model::read_targets(in, "list");
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

}  // namespace
