// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/engine_set.h"

#include <algorithm>

namespace probe::engine {

// At the place whose turn is next: a request that comes while others have
// long lists starts at once, not after a round of them.
void EngineSet::admit(LoopClient& member) {
  members_.insert(members_.begin() + static_cast<std::ptrdiff_t>(turn_), &member);
}

void EngineSet::cancel(LoopClient& member) {
  if (std::find(members_.begin(), members_.end(), &member) != members_.end()) member.halt(2);
}

bool EngineSet::halt(int level) {
  bool quiet = true;
  for (auto* m : members_) quiet = m->halt(level) && quiet;
  retire_finished();
  return quiet;
}

// One probe from the first member, from turn_ on, that has one due: the
// next call starts after it, so that a member with a long list does not
// take the turns of one that just came.
bool EngineSet::send_one(sched::TokenBucket& pace, std::int64_t now_us) {
  const std::size_t n = members_.size();
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t i = (turn_ + k) % n;
    if (members_[i]->send_one(pace, now_us)) {
      turn_ = (i + 1) % n;
      return true;
    }
  }
  return false;
}

std::int64_t EngineSet::deadline(sched::TokenBucket& pace, std::int64_t now_us) {
  std::int64_t d = sched::kNever;
  for (auto* m : members_) d = std::min(d, m->deadline(pace, now_us));
  return d;
}

bool EngineSet::on_frame(Frame& frame, std::size_t position) {
  bool own = false;
  for (auto* m : members_) own = m->on_frame(frame, position) || own;
  return own;
}

void EngineSet::on_exhausted() {
  for (auto* m : members_) m->on_exhausted();
}

void EngineSet::after_event() {
  for (auto* m : members_) m->after_event();
  retire_finished();
}

void EngineSet::on_end() {
  for (auto* m : members_) m->on_end();
  std::vector<LoopClient*> last;
  last.swap(members_);
  for (auto* m : last) retired_(*m);
}

void EngineSet::retire_finished() {
  std::vector<LoopClient*> done;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (members_[i]->finished()) {
      done.push_back(members_[i]);
      // The member whose turn it was is gone: the next one keeps its place.
      if (i < turn_) --turn_;
    } else {
      members_[kept++] = members_[i];
    }
  }
  members_.resize(kept);
  if (turn_ >= members_.size()) turn_ = 0;
  // Retired last: the callback may destroy the member or admit others.
  for (auto* m : done) {
    m->on_end();
    retired_(*m);
  }
}

}  // namespace probe::engine
