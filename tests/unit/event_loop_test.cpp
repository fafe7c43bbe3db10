// SPDX-License-Identifier: BSD-2-Clause
// run_loop: the one event loop of the engines, over a scripted source and
// clients that record what the loop asked of them.

#include "probe/engine/event_loop.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using probe::engine::Frame;
using probe::engine::LoopClient;
using probe::engine::run_loop;
using probe::sched::TokenBucket;

// Frames at given times; the clock follows them like a file source's.
class Script final : public probe::io::PacketSource {
 public:
  explicit Script(std::vector<std::int64_t> ts) : ts_(std::move(ts)) {}
  std::optional<probe::io::RawPacket> next(std::int64_t deadline) override {
    if (at_ == ts_.size() || ts_[at_] > deadline) {
      if (deadline != probe::sched::kNever) clock_.advance_to(deadline);
      return std::nullopt;
    }
    clock_.advance_to(ts_[at_]);
    probe::io::RawPacket p;
    p.ts_us = ts_[at_++];
    p.data = byte_;
    p.caplen = p.len = 1;
    return p;
  }
  // As a live source does: ready descriptors end the wait (no capture here).
  std::optional<probe::io::RawPacket> next_or_wake(std::int64_t deadline, std::vector<pollfd>& wake) override {
    ++waits_on_fds_;
    if (::poll(wake.data(), wake.size(), 0) > 0) return std::nullopt;
    return next(deadline);
  }
  bool exhausted() const override { return at_ == ts_.size(); }
  void keep() override { kept_.push_back(ts_[at_ - 1]); }
  int waits_on_fds_ = 0;  // calls of next_or_wake
  int linktype() const override { return 101; }
  probe::sched::Clock& clock() override { return clock_; }
  probe::io::SourceStats stats() override { return {}; }
  std::vector<std::int64_t> kept_;  // the frames keep() was called for

 private:
  std::vector<std::int64_t> ts_;
  std::size_t at_ = 0;
  probe::sched::ManualClock clock_{1000};
  std::uint8_t byte_[1] = {0};
};

class Client final : public LoopClient {
 public:
  Client(std::string name, int probes, std::vector<std::string>& log) : name_(std::move(name)), left_(probes), log_(log) {}
  bool finished() const override { return left_ == 0 && (frames_wanted_ == 0 || frames_ >= frames_wanted_); }
  bool halt(int level) override {
    log_.push_back(name_ + " halt " + std::to_string(level));
    left_ = 0;
    return true;
  }
  bool send_one(TokenBucket& pace, std::int64_t now) override {
    if (left_ == 0 || !pace.try_take(now)) return false;
    --left_;
    log_.push_back(name_ + " send");
    return true;
  }
  std::int64_t deadline(TokenBucket& pace, std::int64_t now) override {
    return left_ > 0 ? pace.next_available_us(now) : probe::sched::kNever;
  }
  bool on_frame(Frame& f, std::size_t position) override {
    ++frames_;
    log_.push_back(name_ + " frame " + std::to_string(f.raw().ts_us) + " at " + std::to_string(position));
    return std::find(own_.begin(), own_.end(), f.raw().ts_us) != own_.end();
  }
  void on_exhausted() override { exhausted_ = true; }
  void after_event() override {}
  void on_end() override { log_.push_back(name_ + " end"); }

  int frames_wanted_ = 0;
  int frames_ = 0;
  std::vector<std::int64_t> own_;  // timestamps of the frames it calls its own
  bool exhausted_ = false;

 private:
  std::string name_;
  int left_;
  std::vector<std::string>& log_;
};

// A client that watches a descriptor (a daemon's socket): the loop waits on
// it with the source, and after_event() sees its revents.
class Watcher final : public LoopClient {
 public:
  explicit Watcher(int fd) : fd_(fd) {}
  bool finished() const override { return woke_; }
  bool halt(int) override { return true; }
  bool send_one(TokenBucket&, std::int64_t) override { return false; }
  std::int64_t deadline(TokenBucket&, std::int64_t) override { return probe::sched::kNever; }
  void watch(std::int64_t, std::vector<pollfd>& fds) override {
    watched_ = &fds;
    at_ = fds.size();
    fds.push_back({fd_, POLLIN, 0});
  }
  bool on_frame(Frame&, std::size_t) override { return false; }
  void on_exhausted() override {}
  void after_event() override {
    woke_ = watched_ && ((*watched_)[at_].revents & POLLIN);
    watched_ = nullptr;
  }
  bool woke_ = false;

 private:
  int fd_;
  std::vector<pollfd>* watched_ = nullptr;
  std::size_t at_ = 0;
};

TEST(RunLoop, AWatchedDescriptorWakesTheLoopAndItsClientSeesIt) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_EQ(::write(p[1], "x", 1), 1);
  Watcher w(p[0]);
  Script src({});
  TokenBucket pace(1000, 1);
  std::atomic<int> halt{0};
  run_loop({&w}, src, pace, halt);
  EXPECT_TRUE(w.woke_);
  EXPECT_EQ(src.waits_on_fds_, 1);
  ::close(p[0]);
  ::close(p[1]);
}

TEST(RunLoop, WithoutWatchersTheSourceIsNotAskedToPoll) {
  std::vector<std::string> log;
  Client a("a", 2, log);
  Script src({});
  TokenBucket pace(1000, 1);
  std::atomic<int> halt{0};
  run_loop({&a}, src, pace, halt);
  EXPECT_EQ(src.waits_on_fds_, 0);
}

TEST(RunLoop, ClientsTakeTurnsAtOneBucket) {
  std::vector<std::string> log;
  Client a("a", 3, log), b("b", 2, log);
  Script src({});
  TokenBucket pace(1000, 10);
  std::atomic<int> halt{0};
  run_loop({&a, &b}, src, pace, halt);
  EXPECT_EQ(log, (std::vector<std::string>{"a send", "b send", "a send", "b send", "a send", "a end", "b end"}));
}

TEST(RunLoop, TheBucketPacesProbesOnTheSourcesClock) {
  std::vector<std::string> log;
  Client a("a", 5, log);
  Script src({});
  TokenBucket pace(1000, 1);  // one per millisecond
  std::atomic<int> halt{0};
  run_loop({&a}, src, pace, halt);
  EXPECT_EQ(std::count(log.begin(), log.end(), "a send"), 5);
  EXPECT_GE(src.clock().now_us(), 1000 + 4000) << "five probes at 1,000 pps take four milliseconds";
}

TEST(RunLoop, EveryFrameGoesToEveryClientWithItsPosition) {
  std::vector<std::string> log;
  Client a("a", 0, log), b("b", 0, log);
  a.frames_wanted_ = b.frames_wanted_ = 2;
  Script src({2000, 3000});
  TokenBucket pace(1000, 1);
  std::atomic<int> halt{0};
  run_loop({&a, &b}, src, pace, halt);
  EXPECT_EQ(log, (std::vector<std::string>{"a frame 2000 at 0", "b frame 2000 at 1", "a frame 3000 at 0",
                                           "b frame 3000 at 1", "a end", "b end"}));
}

// The -w capture holds a frame when any engine calls it its own, once.
TEST(RunLoop, FramesAClientCallsItsOwnAreKeptOnce) {
  std::vector<std::string> log;
  Client a("a", 0, log), b("b", 0, log);
  a.frames_wanted_ = b.frames_wanted_ = 4;
  a.own_ = {2000, 4000};
  b.own_ = {4000, 5000};
  Script src({2000, 3000, 4000, 5000});
  TokenBucket pace(1000, 1);
  std::atomic<int> halt{0};
  run_loop({&a, &b}, src, pace, halt);
  EXPECT_EQ(src.kept_, (std::vector<std::int64_t>{2000, 4000, 5000}));
}

TEST(RunLoop, AnEndedFileIsToldToEveryClient) {
  std::vector<std::string> log;
  Client a("a", 0, log);
  a.frames_wanted_ = 5;  // more than the file holds: only halting ends it
  Script src({2000});
  TokenBucket pace(1000, 1);
  std::atomic<int> halt{0};
  struct Halter final : LoopClient {
    Client& watched;
    std::atomic<int>& h;
    Halter(Client& c, std::atomic<int>& x) : watched(c), h(x) {}
    bool finished() const override { return false; }
    bool halt(int) override { return true; }
    bool send_one(TokenBucket&, std::int64_t) override { return false; }
    std::int64_t deadline(TokenBucket&, std::int64_t) override { return probe::sched::kNever; }
    bool on_frame(Frame&, std::size_t) override { return false; }
    void on_exhausted() override {}
    void after_event() override {
      if (watched.exhausted_) h = 2;
    }
  } halter(a, halt);
  run_loop({&a, &halter}, src, pace, halt);
  EXPECT_TRUE(a.exhausted_);
  EXPECT_EQ(log, (std::vector<std::string>{"a frame 2000 at 0", "a halt 2", "a end"}));
}

}  // namespace
