// SPDX-License-Identifier: BSD-2-Clause
#include "doubletree_policy.h"

#include <algorithm>

#include "probe/engine/event_loop.h"

namespace probe::engine {

namespace {

// A finished trace waits this long (capture time) after its last wait
// before it is printed, so that a hop silenced by rate limits can still be
// inferred from a sibling heard a little later.
constexpr std::int64_t kInferWindowUs = 2000000;

void sort_hops(model::Trace& t) {
  std::stable_sort(t.hops.begin(), t.hops.end(),
                   [](const model::Hop& a, const model::Hop& b) { return a.ttl < b.ttl; });
}

}  // namespace

DoubletreePolicy::DoubletreePolicy(const TraceConfig& c, const TargetList& targets)
    : limits_{c.max_ttl, c.attempts, c.gaplimit, c.first_ttl}, wait_us_(c.wait_us), order_(targets, true, c.run_key) {}

// Rate independence: what a trace costs depends on what is known when it
// starts (its start TTL), so a start is held back while a probe in flight
// may still teach what it needs, instead of going out blind because the
// token bucket happened to have a token. Every /24 waits for its pilot
// (StartOrder); every pilot for the run's first trace.
bool DoubletreePolicy::can_start() { return gate_ != Gate::waiting && order_.can_start(); }

std::uint32_t DoubletreePolicy::take_start() {
  std::uint32_t i = order_.take();
  if (gate_ == Gate::first) {
    gate_ = Gate::waiting;
    first_ = i;
  }
  return i;
}

void DoubletreePolicy::open_gate(const model::Address& dst, std::uint8_t distance) {
  gate_ = Gate::open;
  std::uint8_t heard = stop_.heard(dst);
  reference_ = distance != 0 ? distance : heard != 0 ? static_cast<std::uint8_t>(heard + 1) : 0;
}

// Where a trace starts: its /24's destination distance; else, for a /24
// whose pilot ended without an answer from its destination (an outage),
// one past the deepest hop the pilot heard; else what the run's first
// trace learned; else the first TTL, a plain trace. Starting high toward a
// dark block would walk back through silence, dearer than a plain trace.
// Each is fixed before the traces that use it may start.
std::uint8_t DoubletreePolicy::start_ttl(const model::Address& dst) const {
  std::uint8_t d = limits_.first_ttl;
  if (std::uint8_t known = distances_.of(dst)) d = known;
  else if (auto dark = dark_start_.find(block_of(dst)); dark != dark_start_.end()) d = dark->second;
  else if (reference_ != 0) d = reference_;
  return std::clamp(d, limits_.first_ttl, limits_.max_ttl);
}

Step DoubletreePolicy::after_reply(std::uint32_t i, const model::Trace& trace, const Cursor& cursor,
                                   const model::Reply& r) {
  Trace& t = traces_[i];
  std::int32_t met = -1;
  if (reached_destination(r, trace.dst)) {
    std::uint8_t d = distances_.learn(trace.dst, cursor.ttl, r.reply_ttl);
    order_.release(i);
    if (gate_ == Gate::waiting && i == first_) open_gate(trace.dst, d);
  } else {
    met = stop_.reveal(i, trace.dst, cursor.reached, cursor.ttl, r.addr, r.rx_us, t.seen);
  }
  Step step = dt_after_reply(trace, cursor, r, limits_, met >= 0);
  if (step.met) t.met = met;
  return step;
}

Step DoubletreePolicy::after_silence(std::uint32_t i, model::Trace& trace, const Cursor& cursor,
                                     std::int64_t tx_us) {
  Trace& t = traces_[i];
  if (gate_ == Gate::waiting && i == first_) open_gate(trace.dst, 0);
  std::int32_t sib = -1;
  bool last_try = cursor.attempt >= limits_.attempts;
  if (last_try && cursor.phase == Phase::backward) {
    // The unique node its siblings revealed there by the end of the wait.
    sib = stop_.sibling_at(trace.dst, cursor.reached, cursor.ttl, tx_us + wait_us_);
    if (sib >= 0 && stop_.node(sib).owner == i) sib = -1;
  }
  Step step = dt_after_silence(cursor, limits_, sib >= 0);
  if (step.met) {
    t.met = sib;
    stop_.meet(cursor.ttl, sib, t.seen);
    trace.hops.back().inferred_addr = stop_.node(sib).addr;
    ++inferred_;
  } else if (last_try) {
    stop_.add_silent(i, cursor.ttl, t.seen);
  }
  return step;
}

void DoubletreePolicy::on_finish(std::uint32_t i, model::Trace& trace) {
  Trace& t = traces_[i];
  std::int64_t last_tx = 0;
  for (const auto& h : trace.hops)
    for (const auto& p : h.probes) last_tx = std::max(last_tx, p.tx_us);
  t.settle_us = last_tx + wait_us_ + kInferWindowUs;
  stop_.settle(i, t.seen);
  sort_hops(trace);
  if (order_.release(i) && distances_.of(trace.dst) == 0) {
    if (std::uint8_t heard = stop_.heard(trace.dst)) dark_start_[block_of(trace.dst)] = static_cast<std::uint8_t>(heard + 1);
  }
  if (gate_ == Gate::waiting && i == first_) open_gate(trace.dst, 0);
}

// Printing waits until the capture clock passed the settle time (plus the
// timers' grace), so that all frames up to it were read, live or replay.
std::int64_t DoubletreePolicy::print_after(std::uint32_t i) const {
  auto t = traces_.find(i);
  return (t == traces_.end() ? 0 : t->second.settle_us) + kTimeoutGraceUs;
}

// Lists the hops below the node the trace met, as the traces that revealed
// them saw them: false while one of those traces is still running.
bool DoubletreePolicy::complete(std::uint32_t i, model::Trace& trace, const Cursor& cursor) {
  Trace& t = traces_[i];
  if (t.met >= 0) {
    if (!stop_.chain_final(t.met)) return false;
    auto below = stop_.inherited(t.met, trace.dst, cursor.reached, t.settle_us);
    inferred_ += below.size();
    for (auto& h : below) trace.hops.push_back(std::move(h));
    sort_hops(trace);
    t.met = -1;
  }
  fill_gaps(trace, t.settle_us, cursor.reached);
  return true;
}

// A silent hop inside the trace's own path (below a hop that answered or
// the destination) is taken from the siblings, as the capture showed them
// by the settle time. Never past the deepest answer: a dark target's path
// must not grow hops that only live neighbours showed.
void DoubletreePolicy::fill_gaps(model::Trace& trace, std::int64_t cutoff_us, std::uint8_t reached) {
  std::uint8_t deepest = 0;
  for (const auto& h : trace.hops)
    if (h.reply() || h.inferred_addr) deepest = std::max(deepest, h.ttl);
  for (auto& h : trace.hops) {
    if (h.ttl >= deepest || h.reply() || h.inferred_addr) continue;
    std::int32_t sib = stop_.sibling_at(trace.dst, reached, h.ttl, cutoff_us);
    if (sib < 0) continue;
    h.inferred_addr = stop_.node(sib).addr;
    ++inferred_;
  }
}

void DoubletreePolicy::forget(std::uint32_t i) { traces_.erase(i); }

}  // namespace probe::engine
