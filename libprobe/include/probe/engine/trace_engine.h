// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Many Paris traceroutes at once under one global probe rate, over any
/// PacketSource and PacketSink: live (capture + raw socket) and replay
/// (capture file + null sink) are the same code.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "probe/engine/event_loop.h"
#include "probe/engine/target_list.h"
#include "probe/engine/trace_logic.h"
#include "probe/error.h"
#include "probe/io/packet_sink.h"
#include "probe/io/packet_source.h"
#include "probe/match/flow_plan.h"
#include "probe/model/trace.h"

namespace probe::engine {

struct TraceConfig {
  model::Method method = model::Method::icmp;
  model::Address src;                ///< our source address
  std::uint16_t sport = 0;           ///< UDP/TCP source port (run-wide)
  std::uint16_t dport = 0;           ///< UDP/TCP destination port
  std::uint8_t first_ttl = 1;
  std::uint8_t max_ttl = 30;
  std::uint8_t attempts = 2;         ///< probes per hop at most
  std::uint8_t queries = 0;          ///< traceroute -q: probes every hop gets (0: attempts rule; not with doubletree)
  std::int64_t wait_us = 2000000;    ///< a reply later than this after its probe is late
  int gaplimit = 5;
  double pps = 100;                  ///< global probes per second (paced sinks only)
  std::size_t concurrency = 256;     ///< traces in flight (paced sinks only)
  bool classic = false;              ///< ports change per probe (comparison only)
  std::uint64_t run_key = 0;         ///< makes flows and probe ids this run's own
  std::string dns_qname;             ///< method dns: the question (normalized)
  std::uint16_t dns_qtype = 1;       ///< method dns
  bool dns_rd = true;                ///< method dns: recursion desired
  /// Doubletree stop sets (trace_logic.h: dt_after_reply): traces start near
  /// the destination and walk back until they meet a hop another trace
  /// revealed; the hops below it are listed as inferred. Traces start in an
  /// order shuffled within blocks of 1024 targets, so that consecutive
  /// probes go to different /24s.
  bool doubletree = false;
  /// fl-trace --report: the round these traces are (match::FlowPlan); 0 otherwise.
  std::uint32_t cycle = 0;
};

/// Counters over a run.
struct TraceStats {
  std::uint64_t packets = 0;        ///< frames the source delivered
  std::uint64_t malformed = 0;      ///< frames that were not parseable IP
  std::uint64_t probes_sent = 0;    ///< probes handed to the sink
  std::uint64_t send_errors = 0;    ///< sends the kernel refused
  std::uint64_t probes_seen = 0;    ///< our probes seen leaving in the capture
  std::uint64_t replies = 0;        ///< replies matched to a probe
  std::uint64_t late = 0;           ///< replies after the wait, or duplicates
  std::uint64_t foreign = 0;        ///< probe-like packets that are not this run's
  std::uint64_t inferred_hops = 0;  ///< doubletree: hops listed from another trace's probes
  std::uint64_t traces_done = 0;
  std::uint64_t traces_total = 0;
  io::SourceStats source;

  /// Adds the counters of another run over the same source (a --report
  /// round). `source` is the source's own running total: the later one
  /// replaces it instead of adding to it.
  TraceStats& operator+=(const TraceStats& o) {
    packets += o.packets;
    malformed += o.malformed;
    probes_sent += o.probes_sent;
    send_errors += o.send_errors;
    probes_seen += o.probes_seen;
    replies += o.replies;
    late += o.late;
    foreign += o.foreign;
    inferred_hops += o.inferred_hops;
    traces_done += o.traces_done;
    traces_total += o.traces_total;
    source = o.source;
    return *this;
  }
};

/// Receives finished traces (in target order) and progress.
class TraceObserver {
 public:
  virtual ~TraceObserver() = default;
  virtual void on_trace(const model::Trace& trace) = 0;
  /// The same, handing the trace over (the engine is done with it), so that
  /// an observer keeps or passes it on without a copy. Calls on_trace().
  virtual void take_trace(std::unique_ptr<model::Trace> trace) { on_trace(*trace); }
  virtual void on_progress(const TraceStats&) {}
};

class TraceEngine {
 public:
  TraceEngine(TraceConfig config, std::vector<model::Address> targets, io::PacketSource& source,
              io::PacketSink& sink, TraceObserver& observer);
  /// The same over targets computed as needed (target_list.h): the engine
  /// keeps state for the traces in flight and those waiting to be printed
  /// in target order, not for every target.
  TraceEngine(TraceConfig config, std::shared_ptr<const TargetList> targets, io::PacketSource& source,
              io::PacketSink& sink, TraceObserver& observer);
  ~TraceEngine();
  TraceEngine(const TraceEngine&) = delete;
  TraceEngine& operator=(const TraceEngine&) = delete;

  /// Runs every trace to its end. `halt` is read between events: 1 stops
  /// sending and waits for probes in flight; 2 or more ends now. Unfinished
  /// traces end "halted".
  TraceStats run(const std::atomic<int>& halt);
  /// Counters so far (final once run() or run_together() returned).
  const TraceStats& stats() const;
  /// The most traces the engine held state for at once: those in flight,
  /// and those finished but waiting for an earlier one to be printed
  /// (live, at most 16 per trace in flight or 65,536, whichever is more).
  /// Not the target count.
  std::size_t most_traces_held() const;

  /// The probe identity frames are classified against (run_together).
  const match::Identity& identity() const;
  /// The engine's side of the event loop (run_together drives several).
  LoopClient& loop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Runs several engines over one source (all built on it): every frame goes
/// to every engine in capture order, and one token bucket of `pps` paces all
/// their probes, the engines taking turns. Used for campaigns that trace
/// with several methods at once; each engine's results are exactly what it
/// would find alone on the same capture, so replay stays exact. `pps` is
/// the whole campaign's rate; the engines' own TraceConfig::pps is unused.
void run_together(const std::vector<TraceEngine*>& engines, io::PacketSource& source, double pps,
                  const std::atomic<int>& halt);

}  // namespace probe::engine
