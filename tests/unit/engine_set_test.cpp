// SPDX-License-Identifier: BSD-2-Clause
// EngineSet: the changing set of engines fl-probed runs on one loop. Members
// here are scripted: they send a given number of probes and log what the
// set asked of them.

#include "probe/engine/engine_set.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using probe::engine::EngineSet;
using probe::engine::LoopClient;
using probe::sched::TokenBucket;

class Member final : public LoopClient {
 public:
  Member(char name, int probes, std::string& log) : name_(name), left_(probes), log_(log) {}
  bool finished() const override { return left_ == 0; }
  bool halt(int level) override {
    log_ += std::string("halt") + name_ + std::to_string(level) + " ";
    if (level >= 2) left_ = 0;
    return left_ == 0;
  }
  bool send_one(TokenBucket& pace, std::int64_t now) override {
    if (left_ == 0 || !pace.try_take(now)) return false;
    --left_;
    log_ += name_;
    return true;
  }
  std::int64_t deadline(TokenBucket&, std::int64_t now) override { return left_ ? now + 10 : probe::sched::kNever; }
  bool on_frame(probe::engine::Frame&, std::size_t) override {
    ++frames_;
    return claims_;
  }
  void on_exhausted() override {}
  void after_event() override {}
  void on_end() override { log_ += std::string("end") + name_ + " "; }
  int frames_ = 0;
  bool claims_ = false;

 private:
  char name_;
  int left_;
  std::string& log_;
};

// A frame the members only count.
struct OneByteFrame {
  OneByteFrame() {
    raw.data = &byte;
    raw.caplen = raw.len = 1;
  }
  std::uint8_t byte = 0;
  probe::io::RawPacket raw;
  probe::packet::ParsedFrame scratch;
  probe::engine::Frame frame{raw, scratch, nullptr};
};

// Sends until nothing is due, as run_loop does with a set as its one client.
void send_all(EngineSet& set, TokenBucket& pace) {
  while (set.send_one(pace, 0)) {
  }
}

struct EngineSetTest : ::testing::Test {
  std::string log;
  std::vector<char> retired;
  EngineSet set{[this](LoopClient&) { retired.push_back('r'); }};
  TokenBucket pace{1, 1000};  // 1000 probes at time 0, none after
};

// The newest member takes the next turn, then each in turn, one probe each.
TEST_F(EngineSetTest, MembersTakeTurnsOneProbeEach) {
  Member a('a', 3, log), b('b', 1, log), c('c', 2, log);
  set.admit(a);
  set.admit(b);
  set.admit(c);
  send_all(set, pace);
  EXPECT_EQ(log, "cbacaa");
}

// A request that comes while another has a long list is not queued behind
// the list: it takes the very next turn, then every other one.
TEST_F(EngineSetTest, AMemberAdmittedLaterGetsTheNextTurn) {
  Member a('a', 10, log), b('b', 3, log);
  set.admit(a);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(set.send_one(pace, 0));
  set.admit(b);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(set.send_one(pace, 0));
  EXPECT_EQ(log, "aaababab" "a");
}

TEST_F(EngineSetTest, TheBudgetIsSharedNotMultiplied) {
  TokenBucket small{1, 4};
  Member a('a', 10, log), b('b', 10, log);
  set.admit(a);
  set.admit(b);
  send_all(set, small);
  EXPECT_EQ(log, "baba");
}

TEST_F(EngineSetTest, FinishedMembersAreRetiredOnceAfterTheirEnd) {
  Member a('a', 1, log), b('b', 2, log);
  set.admit(a);
  set.admit(b);
  send_all(set, pace);
  set.after_event();
  EXPECT_EQ(log, "bab" "endb enda ");
  EXPECT_EQ(retired.size(), 2u);
  EXPECT_EQ(set.size(), 0u);
  set.after_event();
  EXPECT_EQ(retired.size(), 2u);
}

TEST_F(EngineSetTest, TheSetIsFinishedOnlyOnceClosedAndEmpty) {
  EXPECT_FALSE(set.finished());  // open: more may come
  Member a('a', 1, log);
  set.admit(a);
  set.close();
  EXPECT_FALSE(set.finished());
  send_all(set, pace);
  set.after_event();
  EXPECT_TRUE(set.finished());
}

TEST_F(EngineSetTest, CancelEndsOneMemberAndTheOthersGoOn) {
  Member a('a', 5, log), b('b', 5, log);
  set.admit(a);
  set.admit(b);
  ASSERT_TRUE(set.send_one(pace, 0));
  set.cancel(a);
  set.after_event();
  EXPECT_EQ(retired.size(), 1u);
  log.clear();
  send_all(set, pace);
  EXPECT_EQ(log, "bbbb");
}

TEST_F(EngineSetTest, AFrameIsOwnWhenAnyMemberClaimsItAndEveryMemberSeesIt) {
  Member a('a', 1, log), b('b', 1, log);
  set.admit(a);
  set.admit(b);
  OneByteFrame one;
  probe::engine::Frame& f = one.frame;
  EXPECT_FALSE(set.on_frame(f, 0));
  b.claims_ = true;
  EXPECT_TRUE(set.on_frame(f, 0));
  EXPECT_EQ(a.frames_, 2);
  EXPECT_EQ(b.frames_, 2);
}

// A request's -w: the frames it calls its own, and only those.
TEST_F(EngineSetTest, AMembersKeepGetsTheFramesItClaims) {
  Member a('a', 1, log), b('b', 1, log);
  int kept_a = 0, kept_b = 0;
  set.admit(a, [&](const probe::io::RawPacket&) { ++kept_a; });
  set.admit(b, [&](const probe::io::RawPacket&) { ++kept_b; });
  OneByteFrame one;
  probe::engine::Frame& f = one.frame;
  a.claims_ = true;
  EXPECT_TRUE(set.on_frame(f, 0));
  EXPECT_TRUE(set.on_frame(f, 0));
  EXPECT_EQ(kept_a, 2);
  EXPECT_EQ(kept_b, 0);
}

TEST_F(EngineSetTest, HaltReachesEveryMemberAndRetiresThoseThatEnded) {
  Member a('a', 2, log), b('b', 2, log);
  set.admit(a);
  set.admit(b);
  EXPECT_FALSE(set.halt(1));  // both still have probes in this script
  EXPECT_TRUE(set.halt(2));
  EXPECT_EQ(log, "haltb1 halta1 haltb2 halta2 endb enda ");
  EXPECT_EQ(set.size(), 0u);
}

}  // namespace
