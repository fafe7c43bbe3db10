// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/engine_set.h"

#include <algorithm>

namespace probe::engine {

// At the place whose turn is next: a request that comes while others have
// long lists starts at once, not after a round of them.
void EngineSet::admit(LoopClient& member, Keep keep) {
  members_.insert(members_.begin() + static_cast<std::ptrdiff_t>(turn_), Member{&member, std::move(keep)});
}

void EngineSet::cancel(LoopClient& member) {
  for (auto& m : members_)
    if (m.client == &member) member.halt(2);
}

bool EngineSet::halt(int level) {
  bool quiet = true;
  for (auto& m : members_) quiet = m.client->halt(level) && quiet;
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
    if (members_[i].client->send_one(pace, now_us)) {
      turn_ = (i + 1) % n;
      return true;
    }
  }
  return false;
}

std::int64_t EngineSet::deadline(sched::TokenBucket& pace, std::int64_t now_us) {
  std::int64_t d = sched::kNever;
  for (auto& m : members_) d = std::min(d, m.client->deadline(pace, now_us));
  return d;
}

// Every member's descriptors (a DNS engine's TCP sockets), in turn order.
void EngineSet::watch(std::int64_t now_us, std::vector<pollfd>& fds) {
  for (auto& m : members_) m.client->watch(now_us, fds);
}

bool EngineSet::on_frame(Frame& frame, std::size_t position) {
  bool own = false;
  for (auto& m : members_) {
    if (!m.client->on_frame(frame, position)) continue;
    own = true;
    if (m.keep) m.keep(frame.raw());
  }
  return own;
}

void EngineSet::on_exhausted() {
  for (auto& m : members_) m.client->on_exhausted();
}

void EngineSet::after_event() {
  for (auto& m : members_) m.client->after_event();
  retire_finished();
}

void EngineSet::on_end() {
  std::vector<Member> last;
  last.swap(members_);
  for (auto& m : last) m.client->on_end();
  for (auto& m : last) retired_(*m.client);
}

void EngineSet::retire_finished() {
  std::vector<LoopClient*> done;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].client->finished()) {
      done.push_back(members_[i].client);
      // The member whose turn it was is gone: the next one keeps its place.
      if (i < turn_) --turn_;
    } else {
      if (kept != i) members_[kept] = std::move(members_[i]);
      ++kept;
    }
  }
  members_.erase(members_.begin() + static_cast<std::ptrdiff_t>(kept), members_.end());
  if (turn_ >= members_.size()) turn_ = 0;
  // Retired last: the callback may destroy the member or admit others.
  for (auto* m : done) {
    m->on_end();
    retired_(*m);
  }
}

}  // namespace probe::engine
