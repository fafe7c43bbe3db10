// SPDX-License-Identifier: BSD-2-Clause
// Rate and timeout logic on simulated time: no sleeps, no wall clock.

#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

#include "probe/sched/clock.h"
#include "probe/sched/timeout_queue.h"
#include "probe/sched/token_bucket.h"

namespace {

using probe::sched::kNever;
using probe::sched::ManualClock;
using probe::sched::TimeoutQueue;
using probe::sched::TokenBucket;

constexpr std::int64_t kT0 = 1'700'000'000'000'000;  // a realistic epoch time, µs

TEST(TokenBucket, StartsFullThenPacesAtTheRate) {
  TokenBucket b(100, 1);
  EXPECT_TRUE(b.try_take(kT0));
  EXPECT_FALSE(b.try_take(kT0));
  EXPECT_EQ(b.next_available_us(kT0), kT0 + 10000);
  EXPECT_FALSE(b.try_take(kT0 + 9999));
  EXPECT_TRUE(b.try_take(kT0 + 10000));
  EXPECT_FALSE(b.try_take(kT0 + 10000));
}

TEST(TokenBucket, BurstIsTheMostTakenAtOnce) {
  TokenBucket b(10, 5);
  int n = 0;
  while (b.try_take(kT0)) ++n;
  EXPECT_EQ(n, 5);
  // A long idle time fills the bucket only up to the burst.
  n = 0;
  while (b.try_take(kT0 + 3'600'000'000)) ++n;
  EXPECT_EQ(n, 5);
}

TEST(TokenBucket, RateHoldsOverSimulatedSeconds) {
  for (double rate : {1.0, 7.0, 100.0, 333.0, 2500.0}) {
    TokenBucket b(rate, 4);
    ManualClock clock(kT0);
    int taken = 0;
    // 10 s, plus half a token's spacing so that µs rounding at the last
    // token does not decide the count.
    const std::int64_t end = kT0 + 10'000'000 + static_cast<std::int64_t>(0.5e6 / rate);
    while (clock.now_us() <= end) {
      while (b.try_take(clock.now_us())) ++taken;
      clock.advance_to(b.next_available_us(clock.now_us()));
    }
    // The initial burst, then `rate` per second.
    EXPECT_EQ(taken, 4 + static_cast<int>(rate * 10)) << "rate " << rate;
  }
}

TEST(TokenBucket, NextAvailableIsExact) {
  TokenBucket b(3, 1);
  ASSERT_TRUE(b.try_take(kT0));
  const std::int64_t next = b.next_available_us(kT0);
  EXPECT_EQ(next, kT0 + 333334);  // ceil(1e6 / 3)
  EXPECT_FALSE(b.try_take(next - 1));
  EXPECT_TRUE(b.try_take(next));
  // A burst of 1 holds no credit beyond the token just taken.
  EXPECT_EQ(b.next_available_us(next), next + 333334);
}

// Whatever the rate, a token is there at the time next_available_us names:
// the engine sleeps until then and must not wake to an empty bucket.
TEST(TokenBucket, ATokenIsThereWhenPromised) {
  for (int r = 1; r <= 5000; r += 37) {
    const double rate = r * 1.1;
    TokenBucket b(rate, 1);
    std::int64_t t = kT0;
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(b.try_take(t)) << "rate " << rate << " take " << i;
      t = b.next_available_us(t);
    }
  }
}

TEST(TokenBucket, NextAvailableIsNowWhenATokenIsThere) {
  TokenBucket b(50, 2);
  EXPECT_EQ(b.next_available_us(kT0), kT0);
  EXPECT_EQ(b.rate(), 50);
}

// A replayed run record may carry any rate above 0: the wait for a token at
// 1e-300 per second does not fit in 64 bits (float-cast-overflow before).
TEST(TokenBucket, ARateTooLowForAnyWaitMeansNever) {
  TokenBucket tiny(1e-300, 1);
  ASSERT_TRUE(tiny.try_take(0));
  EXPECT_EQ(tiny.next_available_us(0), probe::sched::kNever);
  TokenBucket slow(1e-12, 1);  // a wait of 10^18 µs
  const std::int64_t late = 253402300800LL * 1000000;
  ASSERT_TRUE(slow.try_take(late));
  EXPECT_EQ(slow.next_available_us(late), probe::sched::kNever);
  TokenBucket slow_but_fine(1.0 / 1024, 1);  // one token in 1024 s
  ASSERT_TRUE(slow_but_fine.try_take(0));
  EXPECT_EQ(slow_but_fine.next_available_us(0), 1024000000LL);
}

TEST(TimeoutQueue, PopsInDeadlineOrder) {
  TimeoutQueue<int> q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.next_deadline(), kNever);
  q.push(300, 3);
  q.push(100, 1);
  q.push(200, 2);
  EXPECT_EQ(q.next_deadline(), 100);
  int key = 0;
  std::int64_t deadline = 0;
  EXPECT_FALSE(q.pop_expired(99, key, deadline));  // nothing due yet
  std::vector<int> order;
  while (q.pop_expired(1000, key, deadline)) order.push_back(key);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(q.empty());
}

TEST(TimeoutQueue, EqualDeadlinesComeOutFirstInFirstOut) {
  TimeoutQueue<std::string> q;
  const char* names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
  for (const char* n : names) q.push(500, n);
  q.push(400, "early");
  std::string key;
  std::int64_t deadline = 0;
  ASSERT_TRUE(q.pop_expired(500, key, deadline));
  EXPECT_EQ(key, "early");
  EXPECT_EQ(deadline, 400);
  for (const char* n : names) {
    ASSERT_TRUE(q.pop_expired(500, key, deadline));
    EXPECT_EQ(key, n);
    EXPECT_EQ(deadline, 500);
  }
  EXPECT_FALSE(q.pop_expired(kNever - 1, key, deadline));
}

// Mostly rising deadlines with some out of order, pops interleaved with
// pushes, as an engine does: the order must be exactly (deadline, push
// order), the same as a plain sort gives.
TEST(TimeoutQueue, MixedOrderPushesLeaveSortedAndStable) {
  TimeoutQueue<int> q;
  std::vector<std::pair<std::int64_t, int>> pushed;
  std::vector<std::pair<std::int64_t, int>> popped;
  std::uint64_t x = 88172645463325252ULL;  // xorshift: fixed, portable
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  std::int64_t now = 0;
  for (int i = 0; i < 5000; ++i) {
    std::int64_t d = now + 1000 + static_cast<std::int64_t>(next() % 4 == 0 ? next() % 2000 : 500);
    q.push(d, i);
    pushed.emplace_back(d, i);
    now += static_cast<std::int64_t>(next() % 5);
    int key = 0;
    std::int64_t deadline = 0;
    while (q.pop_expired(now, key, deadline)) popped.emplace_back(deadline, key);
  }
  int key = 0;
  std::int64_t deadline = 0;
  while (q.pop_expired(kNever - 1, key, deadline)) popped.emplace_back(deadline, key);
  EXPECT_TRUE(q.empty());
  ASSERT_EQ(popped.size(), pushed.size());
  // What was due at each moment came out in order; overall no entry left
  // before an earlier one that was already queued.
  std::vector<std::pair<std::int64_t, int>> sorted = popped;
  std::stable_sort(sorted.begin(), sorted.end());
  EXPECT_EQ(popped, sorted);
}

TEST(TimeoutQueue, ExactDeadlineIsExpired) {
  TimeoutQueue<int> q;
  q.push(kT0 + 2'000'000, 7);
  int key = 0;
  std::int64_t deadline = 0;
  EXPECT_FALSE(q.pop_expired(kT0 + 1'999'999, key, deadline));
  EXPECT_TRUE(q.pop_expired(kT0 + 2'000'000, key, deadline));
  EXPECT_EQ(key, 7);
}

TEST(ManualClock, NeverGoesBack) {
  ManualClock c(kT0);
  EXPECT_EQ(c.now_us(), kT0);
  c.advance_to(kT0 + 5);
  EXPECT_EQ(c.now_us(), kT0 + 5);
  c.advance_to(kT0 + 1);
  EXPECT_EQ(c.now_us(), kT0 + 5);
  c.advance_to(kT0 + 5);
  EXPECT_EQ(c.now_us(), kT0 + 5);
  EXPECT_EQ(ManualClock().now_us(), 0);
}

}  // namespace
