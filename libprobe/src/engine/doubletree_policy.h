// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Doubletree as a TracePolicy: traces start near the destination distance
// their /24 (or the run) has shown, walk forward to the end, then back
// until they meet a hop another trace revealed (StopSet); the hops below
// are listed as inferred when the trace is printed.

#include <unordered_map>

#include "probe/engine/start_order.h"
#include "probe/engine/stop_set.h"
#include "probe/engine/trace_policy.h"

namespace probe::engine {

class DoubletreePolicy final : public TracePolicy {
 public:
  DoubletreePolicy(const TraceConfig& config, const TargetList& targets);

  bool can_start() override;
  std::uint32_t take_start() override;
  void close() override { order_.close(); }
  bool open_start() const override { return true; }
  std::uint8_t start_ttl(const model::Address& dst) const override;
  Step after_reply(std::uint32_t i, const model::Trace& trace, const Cursor& cursor,
                   const model::Reply& reply) override;
  Step after_silence(std::uint32_t i, model::Trace& trace, const Cursor& cursor, std::int64_t tx_us) override;
  void on_finish(std::uint32_t i, model::Trace& trace) override;
  std::int64_t print_after(std::uint32_t i) const override;
  bool complete(std::uint32_t i, model::Trace& trace, const Cursor& cursor) override;
  void forget(std::uint32_t i) override;
  bool ends_before_printing() const override { return true; }
  std::uint64_t inferred_hops() const override { return inferred_; }

 private:
  struct Trace {
    std::int32_t met = -1;  // the known hop the backward phase stopped at
    HopNodes seen;          // (ttl, node) of every hop it saw
    std::int64_t settle_us = 0;  // its inference uses what the capture showed up to then
  };
  void fill_gaps(model::Trace& trace, std::int64_t cutoff_us, std::uint8_t reached);
  void open_gate(const model::Address& dst, std::uint8_t distance);

  // The run's first trace goes alone; the others start once it learned a
  // distance, met silence or ended (what it learned then is `reference_`).
  enum class Gate : std::uint8_t { first, waiting, open };

  Limits limits_;
  std::int64_t wait_us_;
  StartOrder order_;
  StopSet stop_;
  Distances distances_;
  std::unordered_map<std::uint32_t, Trace> traces_;  // from a trace's start until it is printed
  Gate gate_ = Gate::first;
  std::uint32_t first_ = 0;
  std::uint8_t reference_ = 0;  // where a /24's first trace starts (0: first TTL)
  std::unordered_map<std::uint64_t, std::uint8_t> dark_start_;  // block -> start, fixed as its pilot ended dark
  std::uint64_t inferred_ = 0;
};

}  // namespace probe::engine
