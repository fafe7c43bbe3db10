// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Deadlines in order. Entries are never removed early: the owner checks on
/// expiry whether the entry still matters (lazy cancellation).
///
/// Engines push mostly in deadline order (a fixed wait after each probe, in
/// capture order), so such entries go to a FIFO run and only the others to
/// a heap: pops cost O(1) instead of a walk down a heap of every probe in
/// flight. Entries leave in (deadline, push order) either way.

#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <vector>

#include "probe/sched/clock.h"

namespace probe::sched {

template <typename Key>
class TimeoutQueue {
 public:
  void push(std::int64_t deadline_us, Key key) {
    Entry e{deadline_us, seq_++, key};
    if (run_.empty() || run_.back().deadline <= deadline_us) run_.push_back(e);
    else heap_.push(e);
  }
  /// The earliest deadline, or kNever.
  std::int64_t next_deadline() const {
    const Entry* e = first();
    return e ? e->deadline : kNever;
  }
  bool empty() const { return heap_.empty() && run_.empty(); }
  /// Removes and returns the earliest entry if its deadline is <= now_us.
  bool pop_expired(std::int64_t now_us, Key& key, std::int64_t& deadline_us) {
    const Entry* e = first();
    if (!e || e->deadline > now_us) return false;
    key = e->key;
    deadline_us = e->deadline;
    if (e == &run_.front()) run_.pop_front();
    else heap_.pop();
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
  const Entry* first() const {
    if (run_.empty()) return heap_.empty() ? nullptr : &heap_.top();
    if (heap_.empty() || heap_.top() > run_.front()) return &run_.front();
    return &heap_.top();
  }
  std::deque<Entry> run_;  // deadlines never decrease
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
  std::uint64_t seq_ = 0;
};

}  // namespace probe::sched
