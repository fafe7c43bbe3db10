#pragma once
/// Deadlines in order. Entries are never removed early: the owner checks on
/// expiry whether the entry still matters (lazy cancellation).

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "probe/sched/clock.h"

namespace probe::sched {

template <typename Key>
class TimeoutQueue {
 public:
  void push(std::int64_t deadline_us, Key key) { heap_.push(Entry{deadline_us, seq_++, key}); }
  /// The earliest deadline, or kNever.
  std::int64_t next_deadline() const { return heap_.empty() ? kNever : heap_.top().deadline; }
  bool empty() const { return heap_.empty(); }
  /// Removes and returns the earliest entry if its deadline is <= now_us.
  bool pop_expired(std::int64_t now_us, Key& key, std::int64_t& deadline_us) {
    if (heap_.empty() || heap_.top().deadline > now_us) return false;
    key = heap_.top().key;
    deadline_us = heap_.top().deadline;
    heap_.pop();
    return true;
  }

 private:
  struct Entry {
    std::int64_t deadline;
    std::uint64_t seq;  // FIFO among equal deadlines: deterministic order
    Key key;
    bool operator>(const Entry& o) const {
      return deadline != o.deadline ? deadline > o.deadline : seq > o.seq;
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
  std::uint64_t seq_ = 0;
};

}  // namespace probe::sched
