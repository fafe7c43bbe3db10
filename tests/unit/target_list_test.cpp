// SPDX-License-Identifier: BSD-2-Clause
// engine::target_list: the targets a trace engine walks are, index for
// index, the list model::expand_blocks() makes, whether they are computed
// (disjoint blocks) or held (overlapping ones, repeats dropped).

#include "probe/engine/target_list.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using probe::engine::TargetList;
using probe::model::Address;

void expect_as_expanded(const std::vector<std::string>& specs, std::uint64_t key) {
  auto listed = probe::model::expand_targets(specs, key);
  auto walked = probe::engine::target_list(specs, key);
  ASSERT_TRUE(listed && walked);
  const TargetList& t = **walked;
  ASSERT_EQ(t.size(), listed->size()) << specs.front();
  for (std::uint32_t i = 0; i < t.size(); ++i) {
    ASSERT_EQ(t.at(i), (*listed)[i]) << specs.front() << " " << i;
    ASSERT_EQ(t.find((*listed)[i]), i) << (*listed)[i].to_string();
  }
  EXPECT_EQ(t.find(*Address::parse("203.0.113.99")), TargetList::kNone);
}

TEST(TargetList, IsTheExpandedListIndexForIndex) {
  expect_as_expanded({"198.18.0.0/20"}, 5);                                       // one block, walked
  expect_as_expanded({"198.18.0.0/22", "198.19.0.0/23", "198.18.200.9"}, 6);     // disjoint, walked
  expect_as_expanded({"198.18.0.0/22", "198.18.1.0/24", "198.18.0.7"}, 7);       // overlapping: repeats dropped
  expect_as_expanded({"198.18.4.1", "198.18.4.0/30"}, 8);                        // small, in order
}

TEST(TargetList, AHeldListKeepsRepeatsAndFindsTheFirst) {
  auto t = probe::engine::target_list(
      std::vector<Address>{*Address::parse("198.18.0.1"), *Address::parse("198.18.0.2"), *Address::parse("198.18.0.1")});
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ(t->at(2), *Address::parse("198.18.0.1"));
  EXPECT_EQ(t->find(*Address::parse("198.18.0.1")), 0u);
}

TEST(TargetList, ABadSpecIsAUsageError) {
  auto t = probe::engine::target_list(std::vector<std::string>{"198.18.0.0/22", "nonsense"}, 1);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("nonsense"), std::string::npos);
}

}  // namespace
