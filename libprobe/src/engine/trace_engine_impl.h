// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// The trace engine's state: the probes in flight, their timing and the
// traces until they are printed. Every decision is the policy's
// (trace_policy.h). Sending and timing: trace_engine.cpp; frames from the
// source: trace_frames.cpp.

#include <algorithm>
#include <deque>
#include <memory>
#include <vector>

#include "probe/engine/target_list.h"
#include "probe/engine/trace_engine.h"
#include "probe/engine/trace_policy.h"
#include "probe/sched/timeout_queue.h"

namespace probe::engine {

enum class TraceState : std::uint8_t { idle, ready, awaiting_tx, awaiting_reply, done };

struct TraceSlot {
  std::unique_ptr<model::Trace> trace;  // from its start until it is printed
  TraceState state = TraceState::idle;
  Cursor cursor;
  std::size_t probes = 0;       // probes decided so far; the current one is probes - 1
  std::int64_t decided_us = 0;  // when the current probe was handed to the sink
  std::vector<std::uint16_t> dns_ids;  // method dns: the DNS ID each probe carried
  bool start_open = false;  // the first probe's TTL: the policy's, in replay the capture's
};

struct TraceTimer {
  std::uint32_t slot;
  std::uint32_t probe;  // kEmitTimer: time to print finished traces
  bool tx_fallback;
  static constexpr std::uint32_t kEmitTimer = UINT32_MAX;
};

struct TraceEngine::Impl final : LoopClient {
  using State = TraceState;
  using Slot = TraceSlot;
  using TimerKey = TraceTimer;

  TraceConfig cfg;
  match::FlowPlan plan;
  match::Identity identity;
  io::PacketSource& source;
  io::PacketSink& sink;
  TraceObserver& observer;
  sched::Clock& clock;
  sched::TimeoutQueue<TimerKey> timers;
  std::shared_ptr<const TargetList> targets;
  std::uint32_t total;  // targets->size()
  std::unique_ptr<TracePolicy> policy;
  bool ends_before_printing;  // the policy's, asked once: finished() runs per event
  // The slots of traces next_emit, next_emit + 1, ...: printed traces leave
  // at the front. Traces start in about target order (StartOrder, or in
  // replay the capture's), so this holds the traces in flight and those
  // finished after the oldest one still going, never one per target.
  std::deque<Slot> window;
  std::size_t next_emit = 0;
  std::size_t begun = 0;  // traces started
  // No trace starts any more (halted, or the capture ended): those never
  // started count as ended, and are printed with no hops.
  bool closed = false;
  std::size_t most_held = 0;  // the window's largest size so far
  std::deque<std::uint32_t> ready;
  std::size_t active = 0;
  std::size_t typical_hops = 8;  // hops of the trace printed last
  std::int64_t emit_timer_us = 0;
  TraceStats stats;
  std::int64_t next_progress_us = 0;

  Impl(TraceConfig c, std::shared_ptr<const TargetList> t, io::PacketSource& src, io::PacketSink& snk,
       TraceObserver& obs)
      : cfg(c),
        plan(c.method, c.run_key, c.sport, c.dport, c.classic, c.cycle),
        identity{c.method, c.src, plan.tcp_tag()},
        source(src),
        sink(snk),
        observer(obs),
        clock(src.clock()),
        targets(std::move(t)),
        total(targets->size()),
        policy(make_trace_policy(c, *targets)),
        ends_before_printing(policy->ends_before_printing()),
        max_held(c.concurrency > SIZE_MAX / kReorder ? SIZE_MAX : std::max(kReorder * c.concurrency, kMinHeld)) {
    stats.traces_total = total;
  }

  model::ProbeRecord& current(Slot& s) { return s.trace->hops.back().probes.back(); }
  // Trace i's slot (i not printed yet), the window grown to hold it.
  Slot& slot(std::uint32_t i) {
    while (next_emit + window.size() <= i) window.emplace_back();
    most_held = std::max(most_held, window.size());
    return window[i - next_emit];
  }
  // Trace i's slot if the window holds it (the printed and those past it
  // are not there).
  Slot* held(std::uint32_t i) {
    return i >= next_emit && i < next_emit + window.size() ? &window[i - next_emit] : nullptr;
  }
  // Nothing starts any more.
  void close();

  // A trace's result object exists from its start to its printing only:
  // slots of a 65,536-target run stay small.
  std::unique_ptr<model::Trace> make_trace(std::uint32_t i, std::size_t hops) const;
  void begin(std::uint32_t i);
  // Live: a new trace starts only when no started one has a probe ready,
  // and while fewer than `concurrency` are going. Probes of running traces
  // go first: a trace finishes in as few round trips as the rate allows,
  // what it learns (doubletree: distances, the stop set) serves the traces
  // after it, and traces in flight stay as few as the rate needs. Replay
  // starts a trace when the capture shows its first probe (on_evidence).
  // The window is capped too: behind a slow trace (a dark target's gap
  // limit, doubletree's wait before printing) those finished after it wait
  // to be printed; past the cap, starts wait for the slow one instead.
  bool can_start() {
    return sink.paced() && active < cfg.concurrency && window.size() < max_held && policy->can_start();
  }
  // Doubletree at 20,000 pps holds about 30,000 finished traces for their
  // print delay: the floor leaves that rate unthrottled.
  static constexpr std::size_t kReorder = 16;
  static constexpr std::size_t kMinHeld = 65536;
  std::size_t max_held;  // max(kReorder * concurrency, kMinHeld)
  void send(std::uint32_t i);
  void mark_sent(std::uint32_t i, std::int64_t tx_us);
  void apply(std::uint32_t i, const Step& step);
  void finish(std::uint32_t i, model::StopReason reason);
  // Prints finished traces in target order, each once the policy has
  // completed it and the capture clock passed its print time (or the run
  // ended: `last`).
  void emit_ready(bool last = false);
  void on_timer(const TimerKey& k);
  void halt_all(bool now);
  void progress();

  // Frames (trace_frames.cpp): our probe leaving, a reply, or nothing of
  // ours (false: another run's, which the capture leaves out).
  bool on_evidence(std::int64_t ts_us, const match::Evidence& ev);
  void on_reply(std::uint32_t i, const match::Evidence& ev, std::int64_t ts_us);
  // Replay of a doubletree run: the first probe went out with whatever TTL
  // the distances learned live gave; the capture says which.
  void take_start(Slot& s, std::uint8_t ttl);

  // LoopClient. Every trace ended (for some policies traces may still wait
  // to be printed: on_end prints them).
  bool finished() const override {
    return ends_before_printing ? stats.traces_done == total : next_emit == total;
  }
  bool halt(int h) override;
  // Sends one ready probe if the bucket allows (replay: no pacing).
  bool send_one(sched::TokenBucket& pace, std::int64_t now) override;
  std::int64_t deadline(sched::TokenBucket& pace, std::int64_t now) override;
  bool on_frame(Frame& f, std::size_t position) override;
  // Replay: whatever the capture does not show being sent never was.
  void on_exhausted() override;
  void after_event() override;
  void on_end() override;
};

}  // namespace probe::engine
