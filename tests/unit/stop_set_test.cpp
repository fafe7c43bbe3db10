// SPDX-License-Identifier: BSD-2-Clause
// StopSet and Distances: Doubletree's memory, one decision at a time, with
// times given as plain numbers (capture µs).

#include "probe/engine/stop_set.h"

#include <gtest/gtest.h>

#include "packet_helpers.h"

namespace {

using probe::engine::block_of;
using probe::engine::Distances;
using probe::engine::HopNodes;
using probe::engine::StopSet;
using testing_packets::addr;

const auto kDst = addr("203.0.113.50");
const auto kSibling = addr("203.0.113.77");  // same /24
const auto kOther = addr("198.51.100.9");    // another /24

TEST(BlockOf, GroupsBySlash24) {
  EXPECT_EQ(block_of(kDst), block_of(kSibling));
  EXPECT_NE(block_of(kDst), block_of(kOther));
  EXPECT_NE(block_of(addr("2001:db8::1")), block_of(addr("2001:db8:1::1")));
  EXPECT_EQ(block_of(addr("2001:db8::1")), block_of(addr("2001:db8:0:ff::2")));
}

TEST(StopSet, AHopIsKnownToOtherTracesOnly) {
  StopSet s;
  HopNodes a, b;
  EXPECT_EQ(s.reveal(0, kDst, 0, 3, addr("10.0.0.3"), 100, a), -1);
  EXPECT_EQ(s.reveal(0, kDst, 0, 3, addr("10.0.0.3"), 110, a), -1) << "its own hop does not stop a trace";
  EXPECT_EQ(s.reveal(1, kOther, 0, 4, addr("10.0.0.3"), 120, b), -1) << "same address, other TTL: unknown";
  std::int32_t met = s.reveal(1, kOther, 0, 3, addr("10.0.0.3"), 130, b);
  ASSERT_GE(met, 0);
  EXPECT_EQ(s.node(met).owner, 0u);
  EXPECT_EQ(s.node(met).ttl, 3);
  EXPECT_EQ(b.back(), std::make_pair(std::uint8_t{3}, met));
}

TEST(StopSet, AMetTraceInheritsTheChainBelowOnceItsOwnerFinished) {
  StopSet s;
  HopNodes owner, meeter;
  // The owner walked back 3, 2, 1.
  s.reveal(0, kDst, 4, 3, addr("10.0.0.3"), 100, owner);
  s.reveal(0, kDst, 4, 2, addr("10.0.0.2"), 200, owner);
  s.reveal(0, kDst, 4, 1, addr("10.0.0.1"), 300, owner);
  std::int32_t met = s.reveal(1, kOther, 4, 3, addr("10.0.0.3"), 150, meeter);
  ASSERT_GE(met, 0);
  EXPECT_FALSE(s.chain_final(met)) << "the owner may still learn its predecessors";
  s.settle(0, owner);
  EXPECT_TRUE(s.chain_final(met));
  auto hops = s.inherited(met, kOther, 4, 1000);
  ASSERT_EQ(hops.size(), 2u);
  EXPECT_EQ(hops[0].ttl, 2);
  EXPECT_EQ(*hops[0].inferred_addr, addr("10.0.0.2"));
  EXPECT_EQ(hops[1].ttl, 1);
  EXPECT_EQ(*hops[1].inferred_addr, addr("10.0.0.1"));
}

TEST(StopSet, ASilentHopOfTheChainComesFromASiblingHeardInTime) {
  StopSet s;
  HopNodes owner, sibling, meeter;
  s.reveal(0, kDst, 4, 3, addr("10.0.0.3"), 100, owner);
  s.add_silent(0, 2, owner);  // rate-limited for the owner
  s.reveal(0, kDst, 4, 1, addr("10.0.0.1"), 300, owner);
  s.settle(0, owner);
  s.reveal(2, kSibling, 4, 2, addr("10.0.0.2"), 500, sibling);  // the owner's /24 heard it
  std::int32_t met = s.reveal(1, kDst, 4, 3, addr("10.0.0.3"), 150, meeter);
  ASSERT_GE(met, 0);
  auto late = s.inherited(met, kDst, 4, 400);
  ASSERT_EQ(late.size(), 1u) << "the sibling answered after the cutoff";
  EXPECT_EQ(late[0].ttl, 1);
  auto in_time = s.inherited(met, kDst, 4, 600);
  ASSERT_EQ(in_time.size(), 2u);
  EXPECT_EQ(*in_time[0].inferred_addr, addr("10.0.0.2"));
}

TEST(StopSet, SiblingsAreUniqueUntilASecondAddressShowsUp) {
  StopSet s;
  HopNodes a, b;
  s.reveal(0, kDst, 6, 4, addr("10.0.0.4"), 100, a);
  s.reveal(1, kSibling, 6, 4, addr("10.0.9.4"), 200, b);
  EXPECT_EQ(s.sibling_at(kDst, 6, 4, 50), -1) << "nothing heard yet";
  std::int32_t first = s.sibling_at(kDst, 6, 4, 150);
  ASSERT_GE(first, 0);
  EXPECT_EQ(s.node(first).addr, addr("10.0.0.4"));
  EXPECT_EQ(s.sibling_at(kDst, 6, 4, 250), -1) << "two addresses at one TTL: ambiguous";
  EXPECT_EQ(s.sibling_at(kOther, 6, 4, 150), -1) << "another /24 is no sibling";
  EXPECT_EQ(s.sibling_at(kDst, 5, 4, 150), -1) << "another distance is no sibling";
}

TEST(StopSet, HopsHeardBeforeReachingStandInForAnyDistance) {
  StopSet s;
  HopNodes a;
  s.reveal(0, kDst, 0, 2, addr("10.0.0.2"), 100, a);
  std::int32_t n = s.sibling_at(kSibling, 6, 2, 200);
  ASSERT_GE(n, 0);
  EXPECT_EQ(s.node(n).addr, addr("10.0.0.2"));
}

TEST(StopSet, HeardIsTheDeepestAnsweringTtlPerSlash24) {
  StopSet s;
  HopNodes a;
  EXPECT_EQ(s.heard(kDst), 0);
  s.reveal(0, kDst, 0, 2, addr("10.0.0.2"), 100, a);
  s.reveal(0, kDst, 0, 5, addr("10.0.0.5"), 200, a);
  s.reveal(0, kDst, 0, 3, addr("10.0.0.3"), 300, a);
  s.add_silent(0, 6, a);
  EXPECT_EQ(s.heard(kSibling), 5);
  EXPECT_EQ(s.heard(kOther), 0);
}

TEST(Distances, TheFirstDistanceLearnedForASlash24Stays) {
  Distances d;
  EXPECT_EQ(d.of(kDst), 0);
  // Reached at TTL 10, but the reply's TTL (64 - 5) says 6 hops.
  EXPECT_EQ(d.learn(kDst, 10, 59), 6);
  EXPECT_EQ(d.of(kSibling), 6);
  EXPECT_EQ(d.learn(kSibling, 5, 60), 6) << "a later sibling does not move it";
  EXPECT_EQ(d.of(kOther), 0);
  EXPECT_EQ(d.learn(kOther, 4, 0), 4) << "no reply TTL: the probe's";
}

}  // namespace
