// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// The trace engine's state: the probes in flight, their timing and the
// traces until they are printed. Every decision is the policy's
// (trace_policy.h). Sending and timing: trace_engine.cpp; frames from the
// source: trace_frames.cpp.

#include <deque>
#include <memory>
#include <vector>

#include "probe/engine/trace_engine.h"
#include "probe/engine/trace_policy.h"
#include "probe/sched/timeout_queue.h"
#include "target_index.h"

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
  std::vector<model::Address> targets;
  TargetIndex index;
  std::unique_ptr<TracePolicy> policy;
  bool ends_before_printing;  // the policy's, asked once: finished() runs per event
  std::vector<Slot> slots;
  std::deque<std::uint32_t> ready;
  std::size_t active = 0;
  std::size_t next_emit = 0;
  std::size_t typical_hops = 8;  // hops of the trace printed last
  std::int64_t emit_timer_us = 0;
  TraceStats stats;
  std::int64_t next_progress_us = 0;

  Impl(TraceConfig c, std::vector<model::Address> t, io::PacketSource& src, io::PacketSink& snk,
       TraceObserver& obs)
      : cfg(c),
        plan(c.method, c.run_key, c.sport, c.dport, c.classic, c.cycle),
        identity{c.method, c.src, plan.tcp_tag()},
        source(src),
        sink(snk),
        observer(obs),
        clock(src.clock()),
        targets(std::move(t)),
        index(targets),
        policy(make_trace_policy(c, targets)),
        ends_before_printing(policy->ends_before_printing()),
        slots(targets.size()) {
    stats.traces_total = targets.size();
  }

  model::ProbeRecord& current(Slot& s) { return s.trace->hops.back().probes.back(); }

  // A trace's result object exists from its start to its printing only:
  // slots of a 65,536-target run stay small.
  void make_trace(std::uint32_t i);
  void begin(std::uint32_t i);
  // Live: a new trace starts only when no started one has a probe ready,
  // and while fewer than `concurrency` are going. Probes of running traces
  // go first: a trace finishes in as few round trips as the rate allows,
  // what it learns (doubletree: distances, the stop set) serves the traces
  // after it, and traces in flight stay as few as the rate needs. Replay
  // starts a trace when the capture shows its first probe (on_evidence).
  bool can_start() { return sink.paced() && active < cfg.concurrency && policy->can_start(); }
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
    return ends_before_printing ? stats.traces_done == slots.size() : next_emit == slots.size();
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
