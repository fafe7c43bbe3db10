// SPDX-License-Identifier: BSD-2-Clause
// SmallVector, the hop's probe list: one element in place, more on the heap.

#include "probe/model/small_vector.h"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <vector>

#include "probe/model/trace.h"

namespace {

using probe::model::SmallVector;

// A growing std::vector<Hop> moves its hops only if that cannot throw;
// otherwise it copies every probe list.
static_assert(std::is_nothrow_move_constructible_v<probe::model::Hop>);

std::vector<std::string> items(const SmallVector<std::string>& v) { return {v.begin(), v.end()}; }

TEST(SmallVector, GrowsPastTheInlineElementAndShrinksBack) {
  SmallVector<std::string> v;
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.begin(), v.end());
  v.push_back("a");
  EXPECT_EQ(items(v), (std::vector<std::string>{"a"}));
  EXPECT_EQ(&v.front(), &v.back());
  v.push_back("b");
  v.push_back("c");
  EXPECT_EQ(items(v), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(v[1], "b");
  v.back() = "z";
  v.pop_back();
  v.pop_back();
  EXPECT_EQ(items(v), (std::vector<std::string>{"a"}));
  v.pop_back();
  EXPECT_TRUE(v.empty());
  v.push_back("again");
  EXPECT_EQ(items(v), (std::vector<std::string>{"again"}));
  v.clear();
  EXPECT_EQ(v.size(), 0u);
}

TEST(SmallVector, CopiesAndMovesKeepTheElements) {
  for (std::size_t n : {0u, 1u, 2u, 5u}) {
    std::vector<std::string> want;
    for (std::size_t i = 0; i < n; ++i) want.push_back(std::string(40, static_cast<char>('a' + i)));
    SmallVector<std::string> v(want);
    EXPECT_EQ(items(v), want) << n;
    SmallVector<std::string> copy = v;
    EXPECT_EQ(items(copy), want) << n;
    SmallVector<std::string> moved = std::move(v);
    EXPECT_EQ(items(moved), want) << n;
    copy = moved;
    EXPECT_EQ(items(copy), want) << n;
    moved.push_back("more");
    EXPECT_EQ(items(copy), want) << n;
    EXPECT_EQ(moved.size(), n + 1) << n;
  }
}

}  // namespace
