// SPDX-License-Identifier: BSD-2-Clause
// TargetWalk and its Permutation: every address of the specs once, in the
// order given for small lists and in a keyed random order for large ones,
// with no memory that grows with the block (this binary counts every
// allocation, so it stands alone); check_targets: what a live run refuses
// before it expands anything.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "probe/model/permutation.h"
#include "probe/model/targets.h"

namespace {
std::atomic<std::size_t> g_allocations{0};
}

// GCC takes the replaced operators' malloc and free for a mismatch with
// the new and delete they replace.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using probe::model::Address;
using probe::model::check_targets;
using probe::model::Permutation;
using probe::model::TargetLimits;
using probe::model::TargetWalk;

TEST(Permutation, VisitsEveryPositionOnceForManySizes) {
  for (std::uint64_t n : {1ull, 2ull, 3ull, 5ull, 255ull, 256ull, 1000ull, 1025ull, 65536ull, 100003ull}) {
    Permutation p(n, 0x1234);
    std::vector<bool> seen(n);
    for (std::uint64_t i = 0; i < n; ++i) {
      std::uint64_t x = p.at(i);
      ASSERT_LT(x, n) << "n=" << n;
      ASSERT_FALSE(seen[x]) << "n=" << n << ": " << x << " twice";
      seen[x] = true;
    }
  }
}

TEST(Permutation, TheKeyChoosesTheOrderAndTheSameKeyRepeatsIt) {
  Permutation a(1000, 1), b(1000, 1), c(1000, 2);
  std::size_t same_as_other_key = 0, in_place = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(a.at(i), b.at(i));
    same_as_other_key += a.at(i) == c.at(i) ? 1 : 0;
    in_place += a.at(i) == i ? 1 : 0;
  }
  EXPECT_LT(same_as_other_key, 50u);
  EXPECT_LT(in_place, 50u);
}

// Walks `specs` and checks that it gives every address of `block` once,
// allocating nothing on the way.
void expect_every_address_once(const std::string& block, std::uint64_t key) {
  auto walk = TargetWalk::of({block}, key);
  ASSERT_TRUE(walk) << walk.error().message;
  auto prefix = *probe::model::Prefix::parse(block);
  const std::uint64_t n = prefix.count();
  ASSERT_EQ(walk->size(), n);
  std::vector<bool> seen(n);
  const std::size_t before = g_allocations.load();
  std::uint64_t given = 0;
  while (auto a = walk->next()) {
    ASSERT_TRUE(prefix.contains(*a)) << a->to_string() << " outside " << block;
    std::uint64_t offset = a->v4_host() - prefix.base.v4_host();
    ASSERT_FALSE(seen[offset]) << a->to_string() << " twice";
    seen[offset] = true;
    ++given;
  }
  EXPECT_EQ(g_allocations.load(), before) << block << ": the walk allocated";
  EXPECT_EQ(given, n) << block;
}

TEST(TargetWalk, GivesEveryAddressOnceWithoutAllocatingForSeveralSizes) {
  for (const char* block : {"198.18.4.1/32", "198.18.4.0/30", "198.18.4.0/24", "198.18.4.0/22", "198.18.0.0/15",
                            "10.0.0.0/12"})
    expect_every_address_once(block, 77);
}

TEST(TargetWalk, ASmallListKeepsItsOrder) {
  auto walk = TargetWalk::of({"198.18.9.9", "198.18.4.0/30", "198.18.4.1"}, 5);
  ASSERT_TRUE(walk);
  std::vector<std::string> got;
  while (auto a = walk->next()) got.push_back(a->to_string());
  EXPECT_EQ(got, (std::vector<std::string>{"198.18.9.9", "198.18.4.0", "198.18.4.1", "198.18.4.2", "198.18.4.3",
                                           "198.18.4.1"}));
}

TEST(TargetWalk, ALargeListIsSpreadOverItsBlocksTheSameWayForTheSameKey) {
  auto first = TargetWalk::of({"198.18.0.0/22", "198.19.0.0/22"}, 9);
  auto again = TargetWalk::of({"198.18.0.0/22", "198.19.0.0/22"}, 9);
  ASSERT_TRUE(first && again);
  std::size_t consecutive = 0, in_second_block = 0;
  auto prev = first->next();
  EXPECT_EQ(prev, again->next());
  for (int i = 0; i < 256; ++i) {
    auto a = first->next();
    EXPECT_EQ(a, again->next());
    consecutive += a->v4_host() == prev->v4_host() + 1 ? 1 : 0;
    in_second_block += a->v4_host() >= Address::parse("198.19.0.0")->v4_host() ? 1 : 0;
    prev = a;
  }
  EXPECT_LT(consecutive, 10u);
  EXPECT_GT(in_second_block, 64u);  // both blocks from the start, not one after the other
}

TEST(Permutation, IndexOfUndoesAt) {
  for (std::uint64_t n : {1ull, 3ull, 1025ull, 65536ull, 100003ull}) {
    Permutation p(n, 0x99);
    for (std::uint64_t i = 0; i < n; ++i) ASSERT_EQ(p.index_of(p.at(i)), i) << "n=" << n;
  }
}

// What the trace engine needs of a walk it does not list: the n-th address
// at once, and the n of an address a reply names.
TEST(TargetWalk, AtAndIndexOfAreTheWalkAndItsInverse) {
  for (const std::vector<std::string>& specs :
       {std::vector<std::string>{"198.18.8.0/22", "198.18.0.0/22", "198.18.12.7"},  // shuffled: over 1024
        std::vector<std::string>{"198.18.9.9", "198.18.4.0/30"},                  // in order
        std::vector<std::string>{"2001:db8::/118", "2001:db8:1::/120"}}) {
    auto walk = TargetWalk::of(specs, 21);
    auto again = TargetWalk::of(specs, 21);
    ASSERT_TRUE(walk && again);
    ASSERT_TRUE(walk->disjoint());
    for (std::uint64_t n = 0; n < walk->size(); ++n) {
      Address a = *again->next();
      ASSERT_EQ(walk->at(n), a) << specs.front() << " " << n;
      ASSERT_EQ(walk->index_of(a), n) << a.to_string();
    }
  }
  auto walk = TargetWalk::of({"198.18.8.0/22", "198.18.0.0/22"}, 21);
  EXPECT_FALSE(walk->index_of(*Address::parse("198.18.4.0"))) << "between the blocks";
  EXPECT_FALSE(walk->index_of(*Address::parse("198.17.255.255"))) << "below them";
  EXPECT_FALSE(walk->index_of(*Address::parse("2001:db8::1"))) << "another family";
}

TEST(TargetWalk, BlocksThatShareAnAddressAreNotDisjoint) {
  EXPECT_FALSE(TargetWalk::of({"198.18.8.0/22", "198.18.0.0/22", "198.18.9.9"}, 1)->disjoint());
  EXPECT_FALSE(TargetWalk::of({"198.18.0.0/24", "198.18.0.0/16"}, 1)->disjoint());
  EXPECT_FALSE(TargetWalk::of({"198.18.4.1", "198.18.4.1"}, 1)->disjoint());
  EXPECT_TRUE(TargetWalk::of({"198.18.0.0/24", "198.18.1.0/24", "2001:db8::/120"}, 1)->disjoint());
}

TEST(ExpandTargets, ALoneHugeBlockIsExpandedWithoutASetOfSeenAddresses) {
  auto r = probe::model::expand_targets({"198.18.0.0/15"}, 3);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 131072u);
}

TEST(ExpandTargets, StopsOnceHalted) {
  std::atomic<int> halt{1};
  auto r = probe::model::expand_targets({"198.18.0.0/15"}, 3, &halt);
  ASSERT_TRUE(r);
  EXPECT_LT(r->size(), 131072u);
}

TEST(CheckTargets, ABlockLargerThanMaxTargetsIsRefusedUnlessYes) {
  auto e = check_targets({"198.0.0.0/8"}, TargetLimits{});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, probe::ErrorKind::usage);
  EXPECT_NE(e->message.find("16777216 addresses, more than --max-targets 65536"), std::string::npos) << e->message;
  EXPECT_NE(e->message.find("--yes"), std::string::npos) << e->message;
  EXPECT_FALSE(check_targets({"198.0.0.0/8"}, TargetLimits{65536, true}));
}

TEST(CheckTargets, TheLimitCountsEverySpecTogether) {
  EXPECT_FALSE(check_targets({"198.18.0.0/17", "198.19.0.0/17"}, TargetLimits{}));  // 65,536 exactly
  auto e = check_targets({"198.18.0.0/17", "198.19.0.0/17", "192.0.2.1"}, TargetLimits{});
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("target 192.0.2.1 makes 65537 addresses"), std::string::npos) << e->message;
  EXPECT_TRUE(check_targets({"198.18.4.0/30"}, TargetLimits{3, false}));
}

TEST(CheckTargets, HostBitsSetAreRefusedUnlessYes) {
  auto e = check_targets({"198.18.200.1/24"}, TargetLimits{});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, probe::ErrorKind::usage);
  EXPECT_NE(e->message.find("198.18.200.1/24 has host bits set: the block is 198.18.200.0/24"), std::string::npos)
      << e->message;
  EXPECT_FALSE(check_targets({"198.18.200.1/24"}, TargetLimits{65536, true}));
  EXPECT_FALSE(check_targets({"198.18.200.1", "198.18.200.0/24", "2001:db8::/120"}, TargetLimits{}));
}

TEST(CheckTargets, ABadSpecIsNamedYesOrNot) {
  for (bool yes : {false, true}) {
    auto e = check_targets({"198.18.4.1", "nonsense/24"}, TargetLimits{65536, yes});
    ASSERT_TRUE(e);
    EXPECT_NE(e->message.find("'nonsense/24'"), std::string::npos) << e->message;
  }
}

}  // namespace
