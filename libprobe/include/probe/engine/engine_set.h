// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// A changing set of engines as one LoopClient: a long-lived prober
/// (fl-probed) admits engines between events and retires them as they
/// finish, all on one source, one sink and one token bucket. Members take
/// turns at the bucket one probe each, as run_loop's fixed clients do, so
/// that the budget is shared evenly among the engines that have a probe due.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "probe/engine/event_loop.h"

namespace probe::engine {

class EngineSet final : public LoopClient {
 public:
  /// Called once for each member that finished (after its on_end()), from
  /// after_event(): the owner may destroy it then.
  using Retired = std::function<void(LoopClient&)>;
  explicit EngineSet(Retired retired) : retired_(std::move(retired)) {}

  /// A member's own -w: called with every frame the member calls its own.
  using Keep = std::function<void(const io::RawPacket&)>;
  /// Adds a member; it takes the next turn at the bucket.
  void admit(LoopClient& member, Keep keep = {});
  /// Ends a member now (halt level 2): it is retired after the next event.
  void cancel(LoopClient& member);
  /// Members not yet retired.
  std::size_t size() const { return members_.size(); }
  /// From now on, finished() once the last member is retired (else the set
  /// is never finished: more may come).
  void close() { closed_ = true; }

  bool finished() const override { return closed_ && members_.empty(); }
  bool halt(int level) override;
  bool send_one(sched::TokenBucket& pace, std::int64_t now_us) override;
  std::int64_t deadline(sched::TokenBucket& pace, std::int64_t now_us) override;
  void watch(std::int64_t now_us, std::vector<pollfd>& fds) override;
  bool on_frame(Frame& frame, std::size_t position) override;
  void on_exhausted() override;
  void after_event() override;
  void on_end() override;

 private:
  void retire_finished();
  Retired retired_;
  struct Member {
    LoopClient* client;
    Keep keep;
  };
  std::vector<Member> members_;       // in turn order
  std::size_t turn_ = 0;              // whose turn at the bucket is next
  bool closed_ = false;
};

}  // namespace probe::engine
