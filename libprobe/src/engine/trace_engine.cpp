// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/trace_engine.h"

#include <algorithm>
#include <cassert>

#include "probe/packet/dns.h"
#include "probe/packet/probe_builder.h"
#include "trace_engine_impl.h"

namespace probe::engine {

using model::StopReason;

std::unique_ptr<model::Trace> TraceEngine::Impl::make_trace(std::uint32_t i, std::size_t hops) const {
  auto t = std::make_unique<model::Trace>();
  t->method = cfg.method;
  t->src = cfg.src;
  t->dst = targets->at(i);
  match::Flow f = plan.trace_flow(i);
  t->sport = f.sport;
  t->dport = f.dport;
  t->hops.reserve(hops);  // one allocation, not one per doubling
  return t;
}

void TraceEngine::Impl::begin(std::uint32_t i) {
  Slot& s = slot(i);
  s.trace = make_trace(i, typical_hops);
  s.cursor = Cursor{cfg.first_ttl, 1, 0};
  s.start_open = policy->open_start();
  s.state = State::ready;
  ++active;
  ++begun;
}

void TraceEngine::Impl::send(std::uint32_t i) {
  Slot& s = slot(i);
  if (s.start_open && s.probes == 0) s.cursor.ttl = s.cursor.start = policy->start_ttl(s.trace->dst);
  std::size_t idx = s.probes++;
  const std::uint16_t token = plan.token(i, idx);
  if (s.cursor.attempt == 1) s.trace->hops.push_back(model::Hop{s.cursor.ttl, {}});
  model::ProbeRecord rec;
  rec.ttl = s.cursor.ttl;
  rec.attempt = s.cursor.attempt;
  rec.token = token;
  s.trace->hops.back().probes.push_back(rec);
  s.state = State::awaiting_tx;
  s.decided_us = clock.now_us();
  ++stats.probes_sent;
  // Replay needs the packet only for the DNS ID it carries: the rest is
  // made only when a packet is (a replayed campaign decides a million
  // probes).
  if (!sink.paced() && cfg.method != model::Method::dns) return;
  match::Flow flow = plan.flow(i, idx);
  packet::ProbeSpec spec;
  spec.method = cfg.method;
  spec.src = cfg.src;
  spec.dst = s.trace->dst;
  spec.ttl = s.cursor.ttl;
  spec.sport = flow.sport;
  spec.dport = flow.dport;
  spec.token = token;
  spec.tcp_tag = plan.tcp_tag();
  spec.ipid = plan.ipid();
  if (cfg.method == model::Method::dns) {
    packet::DnsQuerySpec q;
    q.qname = cfg.dns_qname;
    q.qtype = cfg.dns_qtype;
    q.rd = cfg.dns_rd;
    spec.dns_message = packet::build_dns_query(q);
  }
  auto bytes = packet::build_probe(spec);
  if (cfg.method == model::Method::dns) {
    const std::size_t at = packet::udp_payload_offset(s.trace->dst.family());
    s.dns_ids.push_back(static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]));
  }
  if (!sink.send(bytes, s.trace->dst)) ++stats.send_errors;
  if (sink.paced())
    timers.push(s.decided_us + kTxFallbackUs, TimerKey{i, static_cast<std::uint32_t>(idx), true});
}

void TraceEngine::Impl::mark_sent(std::uint32_t i, std::int64_t tx_us) {
  Slot& s = slot(i);
  current(s).tx_us = tx_us;
  if (s.trace->start_us == 0) s.trace->start_us = tx_us;
  s.state = State::awaiting_reply;
  timers.push(tx_us + cfg.wait_us + kTimeoutGraceUs,
              TimerKey{i, static_cast<std::uint32_t>(s.probes - 1), false});
}

void TraceEngine::Impl::apply(std::uint32_t i, const Step& step) {
  Slot& s = slot(i);
  if (step.stop != StopReason::none) {
    finish(i, step.stop);
    return;
  }
  s.cursor = step.next;
  s.state = State::ready;
  ready.push_back(i);
}

void TraceEngine::Impl::finish(std::uint32_t i, StopReason reason) {
  Slot& s = slot(i);
  if (s.state == State::done) return;
  assert(s.trace && "a trace never started ends as the engine closes");
  if (reason == StopReason::halted && s.state == State::awaiting_tx) {
    // A probe decided but never seen leaving was never sent, as far as
    // the capture knows: drop it so live and replay agree.
    s.trace->hops.back().probes.pop_back();
    if (s.trace->hops.back().probes.empty()) s.trace->hops.pop_back();
  }
  if (s.state != State::idle) --active;
  s.state = State::done;
  s.trace->stop_reason = reason;
  policy->on_finish(i, *s.trace);
  ++stats.traces_done;
  emit_ready();
}

void TraceEngine::Impl::emit_ready(bool last) {
  while (next_emit < total) {
    auto i = static_cast<std::uint32_t>(next_emit);
    Slot* held_slot = held(i);
    if (!held_slot || !held_slot->trace) {
      // Never started: once nothing starts any more, it ended with no hops.
      if (!closed) return;
      auto t = make_trace(i, 0);
      t->stop_reason = StopReason::halted;
      observer.take_trace(std::move(t));
      if (held_slot) window.pop_front();
      ++next_emit;
      continue;
    }
    Slot& s = *held_slot;
    if (s.state != State::done) return;
    std::int64_t at = policy->print_after(i);
    if (!last && clock.now_us() < at) {
      if (emit_timer_us != at) {
        emit_timer_us = at;
        timers.push(emit_timer_us, TimerKey{0, TimerKey::kEmitTimer, false});
      }
      return;
    }
    if (!policy->complete(i, *s.trace, s.cursor)) return;  // the trace it met is still walking back
    typical_hops = std::max<std::size_t>(s.trace->hops.size(), 4);
    observer.take_trace(std::move(s.trace));
    policy->forget(i);
    window.pop_front();
    ++next_emit;
  }
}

void TraceEngine::Impl::on_timer(const TimerKey& k) {
  if (k.probe == TimerKey::kEmitTimer) {
    emit_timer_us = 0;
    emit_ready();
    return;
  }
  Slot* held_slot = held(k.slot);
  if (!held_slot) return;  // printed since
  Slot& s = *held_slot;
  if (k.probe + 1 != s.probes) return;  // a later probe superseded it
  if (k.tx_fallback) {
    if (s.state == State::awaiting_tx) mark_sent(k.slot, s.decided_us);
    return;
  }
  if (s.state != State::awaiting_reply) return;
  apply(k.slot, policy->after_silence(k.slot, *s.trace, s.cursor, current(s).tx_us));
}

// The window's end stays put as printed traces leave its front.
void TraceEngine::Impl::halt_all(bool now) {
  const std::size_t end = next_emit + window.size();
  for (std::size_t i = next_emit; i < end; ++i) {
    Slot* s = held(static_cast<std::uint32_t>(i));
    if (!s || s->state == State::done || s->state == State::idle) continue;
    if (now || s->state == State::ready) finish(static_cast<std::uint32_t>(i), StopReason::halted);
  }
  close();
}

void TraceEngine::Impl::close() {
  policy->close();
  ready.clear();
  if (!closed) {
    closed = true;
    stats.traces_done += total - begun;
    for (Slot& s : window)
      if (s.state == State::idle) s.state = State::done;
  }
  emit_ready();
}

bool TraceEngine::Impl::halt(int h) {
  halt_all(h >= 2);
  return h >= 2 || finished();
}

bool TraceEngine::Impl::send_one(sched::TokenBucket& pace, std::int64_t now) {
  if (ready.empty() && !can_start()) return false;
  if (sink.paced() && !pace.try_take(now)) return false;
  if (ready.empty()) {
    std::uint32_t i = policy->take_start();
    begin(i);
    ready.push_back(i);
  }
  std::uint32_t i = ready.front();
  ready.pop_front();
  send(i);
  return true;
}

std::int64_t TraceEngine::Impl::deadline(sched::TokenBucket& pace, std::int64_t now) {
  std::int64_t d = timers.next_deadline();
  if (!ready.empty() || can_start()) d = std::min(d, sink.paced() ? pace.next_available_us(now) : now);
  return d;
}

void TraceEngine::Impl::on_exhausted() {
  const std::size_t end = next_emit + window.size();
  for (std::size_t i = next_emit; i < end; ++i) {
    Slot* s = held(static_cast<std::uint32_t>(i));
    if (s && (s->state == State::ready || s->state == State::awaiting_tx)) finish(static_cast<std::uint32_t>(i), StopReason::halted);
  }
  close();
}

void TraceEngine::Impl::after_event() {
  TimerKey k{};
  std::int64_t when = 0;
  while (timers.pop_expired(clock.now_us(), k, when)) on_timer(k);
  progress();
}

void TraceEngine::Impl::progress() {
  if (clock.now_us() < next_progress_us) return;
  next_progress_us = clock.now_us() + 250000;
  stats.inferred_hops = policy->inferred_hops();
  stats.source = source.stats();
  observer.on_progress(stats);
}

void TraceEngine::Impl::on_end() {
  emit_ready(true);
  stats.inferred_hops = policy->inferred_hops();
  stats.source = source.stats();
}

TraceEngine::TraceEngine(TraceConfig config, std::vector<model::Address> targets,
                         io::PacketSource& source, io::PacketSink& sink, TraceObserver& observer)
    : TraceEngine(config, target_list(std::move(targets)), source, sink, observer) {}

TraceEngine::TraceEngine(TraceConfig config, std::shared_ptr<const TargetList> targets, io::PacketSource& source,
                         io::PacketSink& sink, TraceObserver& observer)
    : impl_(std::make_unique<Impl>(config, std::move(targets), source, sink, observer)) {}

TraceEngine::~TraceEngine() = default;

TraceStats TraceEngine::run(const std::atomic<int>& halt) {
  run_together({this}, impl_->source, impl_->cfg.pps, halt);
  return impl_->stats;
}

const TraceStats& TraceEngine::stats() const { return impl_->stats; }

std::size_t TraceEngine::most_traces_held() const { return impl_->most_held; }

const match::Identity& TraceEngine::identity() const { return impl_->identity; }

LoopClient& TraceEngine::loop() { return *impl_; }

void run_together(const std::vector<TraceEngine*>& engines, io::PacketSource& source, double pps,
                  const std::atomic<int>& halt) {
  // A burst of 10 ms worth of probes keeps the long-run rate exact while
  // the loop wakes at millisecond granularity.
  sched::TokenBucket pace(pps, pps / 100.0);
  std::vector<match::Identity> ids;
  std::vector<LoopClient*> clients;
  for (auto* e : engines) {
    ids.push_back(e->identity());
    clients.push_back(&e->loop());
  }
  // File sources parse and classify on their read-ahead thread too.
  auto stage = std::make_shared<ClassifyStage>(std::move(ids));
  bool ahead = source.set_read_ahead(stage);
  run_loop(clients, source, pace, halt, ahead ? stage.get() : nullptr);
}

}  // namespace probe::engine
