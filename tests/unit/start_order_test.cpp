// SPDX-License-Identifier: BSD-2-Clause
// StartOrder: which trace starts next, and Doubletree's /24 pilots.

#include "probe/engine/start_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "packet_helpers.h"
#include "probe/engine/target_list.h"

namespace {

using probe::engine::StartOrder;
using probe::model::Address;
using testing_packets::addr;

std::vector<Address> block(const char* prefix, int n) {
  std::vector<Address> out;
  for (int i = 1; i <= n; ++i) out.push_back(addr((std::string(prefix) + std::to_string(i)).c_str()));
  return out;
}

std::vector<Address> concat(std::vector<Address> a, const std::vector<Address>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::uint32_t> drain(StartOrder& o) {
  std::vector<std::uint32_t> out;
  while (o.can_start()) out.push_back(o.take());
  return out;
}

TEST(StartOrder, WithoutPilotsTracesStartInTargetOrder) {
  auto targets = concat(block("192.0.2.", 3), block("198.51.100.", 2));
  auto list = probe::engine::target_list(targets);
  StartOrder o(*list, false, 7);
  EXPECT_EQ(drain(o), (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_FALSE(o.release(0)) << "no pilots, nothing to release";
}

TEST(StartOrder, EachSlash24WaitsForItsPilot) {
  auto targets = concat(block("192.0.2.", 4), block("198.51.100.", 4));
  auto list = probe::engine::target_list(targets);
  StartOrder o(*list, true, 7);
  auto pilots = drain(o);
  ASSERT_EQ(pilots.size(), 2u) << "one pilot per /24, the rest wait";
  EXPECT_NE(pilots[0] < 4, pilots[1] < 4);
  EXPECT_TRUE(o.release(pilots[1]));
  EXPECT_FALSE(o.release(pilots[1])) << "released once";
  auto second = drain(o);
  ASSERT_EQ(second.size(), 3u);
  for (auto i : second) EXPECT_EQ(i < 4, pilots[1] < 4) << "only the released /24's traces";
  EXPECT_TRUE(o.release(pilots[0]));
  EXPECT_EQ(drain(o).size(), 3u);
  EXPECT_FALSE(o.can_start());
}

TEST(StartOrder, ReleasedTracesGoBeforeNewSlash24s) {
  auto targets = concat(block("192.0.2.", 3), concat(block("198.51.100.", 3), block("203.0.113.", 3)));
  auto same = [](std::uint32_t a, std::uint32_t b) { return a / 3 == b / 3; };
  // A seed whose order puts a block mate of the first pilot second and
  // another /24's trace third.
  auto list = probe::engine::target_list(targets);
  for (std::uint64_t seed = 1; seed < 1000; ++seed) {
    StartOrder o(*list, true, seed);
    const auto& ord = o.order();
    if (!same(ord[0], ord[1]) || same(ord[0], ord[2])) continue;
    EXPECT_EQ(o.take(), ord[0]);
    ASSERT_TRUE(o.can_start());  // sets ord[1] aside, stops at the next /24's pilot
    EXPECT_TRUE(o.release(ord[0]));
    EXPECT_EQ(o.take(), ord[1]) << "the released mate goes before the new /24";
    EXPECT_EQ(o.take(), ord[2]);
    return;
  }
  FAIL() << "no seed gave the order this test needs";
}

TEST(StartOrder, PilotsShuffleWithinBlocksOf1024ByTheSeed) {
  std::vector<Address> targets;
  for (int b = 0; b < 8; ++b) {
    auto more = block(("198.18." + std::to_string(b) + ".").c_str(), 256);
    targets.insert(targets.end(), more.begin(), more.end());
  }
  auto list = probe::engine::target_list(targets);
  StartOrder a(*list, true, 42), b(*list, true, 42), c(*list, true, 43);
  const auto order = a.order();
  EXPECT_EQ(order, b.order());
  EXPECT_NE(order, c.order());
  std::vector<std::uint32_t> head(order.begin(), order.begin() + 1024);
  std::sort(head.begin(), head.end());
  std::vector<std::uint32_t> want(1024);
  std::iota(want.begin(), want.end(), 0u);
  EXPECT_EQ(head, want) << "the first 1024 targets start before the next 1024";
}

TEST(StartOrder, CloseEndsStarts) {
  auto targets = block("192.0.2.", 4);
  auto list = probe::engine::target_list(targets);
  StartOrder o(*list, true, 7);
  std::uint32_t pilot = o.take();
  o.release(pilot);
  o.close();
  EXPECT_FALSE(o.can_start());
}

// The order is shuffled 1024 at a time as traces start: taking them one
// by one gives what shuffling the whole list up front gives.
TEST(StartOrder, TracesTakenOneByOneFollowTheWholeOrder) {
  std::vector<Address> targets;  // one per IPv6 /48: no trace waits for a pilot
  for (int n = 0; n < 2500; ++n) targets.push_back(addr(("2001:db8:" + std::to_string(n) + "::1").c_str()));
  auto list = probe::engine::target_list(targets);
  StartOrder o(*list, true, 11);
  EXPECT_EQ(drain(o), o.order());
}

}  // namespace
