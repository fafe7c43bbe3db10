// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// How a trace engine decides, chosen once per run: a plain Paris
/// traceroute or Doubletree. The engine holds probes, their timing and the
/// results; the policy says which trace starts next and at which TTL, what
/// follows each answer and each silence, and what a finished trace lists
/// before it is printed. Decisions come from trace_logic.h; the policy adds
/// what a run has learned (stop_set.h, start_order.h).

#include <cstdint>
#include <memory>
#include <vector>

#include "probe/engine/target_list.h"
#include "probe/engine/trace_engine.h"
#include "probe/engine/trace_logic.h"
#include "probe/model/trace.h"

namespace probe::engine {

class TracePolicy {
 public:
  virtual ~TracePolicy() = default;

  /// Whether a trace may start now, as far as the policy is concerned.
  virtual bool can_start() = 0;
  /// The trace to start; only after can_start() said yes.
  virtual std::uint32_t take_start() = 0;
  /// No more starts (halting, or the capture ended).
  virtual void close() = 0;

  /// Whether a trace's first TTL is chosen as its first probe leaves
  /// (start_ttl), and in replay read from the capture instead.
  virtual bool open_start() const = 0;
  /// The first TTL for a trace toward `dst` (open_start() only).
  virtual std::uint8_t start_ttl(const model::Address& dst) const = 0;

  /// Trace i's current probe (at cursor.ttl) got `reply` (rx_us set).
  virtual Step after_reply(std::uint32_t i, const model::Trace& trace, const Cursor& cursor,
                           const model::Reply& reply) = 0;
  /// Trace i's current probe, sent at tx_us, went unanswered. The policy
  /// may give the trace's current hop an inferred address.
  virtual Step after_silence(std::uint32_t i, model::Trace& trace, const Cursor& cursor, std::int64_t tx_us) = 0;
  /// Trace i ended, for whatever reason.
  virtual void on_finish(std::uint32_t i, model::Trace& trace) = 0;

  /// The capture time (µs) before which finished trace i is not printed.
  virtual std::int64_t print_after(std::uint32_t i) const = 0;
  /// Completes finished trace i for printing (hops inferred from other
  /// traces); false while what it needs is not settled yet.
  virtual bool complete(std::uint32_t i, model::Trace& trace, const Cursor& cursor) = 0;
  /// Trace i was printed: drop what is kept for it.
  virtual void forget(std::uint32_t i) = 0;

  /// True: the run ends once every trace ended, and the traces still
  /// waiting are printed as it returns. False: once all are printed.
  virtual bool ends_before_printing() const = 0;
  /// Hops listed from other traces' probes so far.
  virtual std::uint64_t inferred_hops() const = 0;
};

/// The policy `config` asks for (TraceConfig::doubletree), over `targets`.
/// `targets` outlives the policy.
std::unique_ptr<TracePolicy> make_trace_policy(const TraceConfig& config, const TargetList& targets);

}  // namespace probe::engine
