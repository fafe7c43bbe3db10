#include "probe/engine/trace_engine.h"

#include <algorithm>
#include <deque>
#include <optional>

#include "probe/engine/trace_policy.h"
#include "probe/match/classify.h"
#include "probe/packet/dns.h"
#include "probe/packet/probe_builder.h"
#include "probe/sched/timeout_queue.h"
#include "target_index.h"

namespace probe::engine {

namespace {

using model::StopReason;

enum class State : std::uint8_t { idle, ready, awaiting_tx, awaiting_reply, done };

struct Slot {
  std::unique_ptr<model::Trace> trace;  // from its start until it is printed
  State state = State::idle;
  Cursor cursor;
  std::size_t probes = 0;       // probes decided so far; the current one is probes - 1
  std::int64_t decided_us = 0;  // when the current probe was handed to the sink
  std::vector<std::uint16_t> dns_ids;  // method dns: the DNS ID each probe carried
  bool start_open = false;  // the first probe's TTL: the policy's, in replay the capture's
};

struct TimerKey {
  std::uint32_t slot;
  std::uint32_t probe;  // kEmitTimer: time to print finished traces
  bool tx_fallback;
};

constexpr std::uint32_t kEmitTimer = UINT32_MAX;

}  // namespace

// The probes in flight and their timing; every decision is the policy's.
struct TraceEngine::Impl final : LoopClient {
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
        plan(c.method, c.run_key, c.sport, c.dport, c.classic),
        identity{c.method, c.src, plan.tcp_tag()},
        source(src),
        sink(snk),
        observer(obs),
        clock(src.clock()),
        targets(std::move(t)),
        index(targets),
        policy(make_trace_policy(c, targets)),
        slots(targets.size()) {
    stats.traces_total = targets.size();
  }

  model::ProbeRecord& current(Slot& s) { return s.trace->hops.back().probes.back(); }

  // A trace's result object exists from its start to its printing only:
  // slots of a 65,536-target run stay small.
  void make_trace(std::uint32_t i) {
    auto t = std::make_unique<model::Trace>();
    t->method = cfg.method;
    t->src = cfg.src;
    t->dst = targets[i];
    match::Flow f = plan.trace_flow(i);
    t->sport = f.sport;
    t->dport = f.dport;
    t->hops.reserve(typical_hops);  // one allocation, not one per doubling
    slots[i].trace = std::move(t);
  }

  void begin(std::uint32_t i) {
    Slot& s = slots[i];
    make_trace(i);
    s.cursor = Cursor{cfg.first_ttl, 1, 0};
    s.start_open = policy->open_start();
    s.state = State::ready;
    ++active;
  }

  // Live: a new trace starts only when no started one has a probe ready,
  // and while fewer than `concurrency` are going. Probes of running traces
  // go first: a trace finishes in as few round trips as the rate allows,
  // what it learns (doubletree: distances, the stop set) serves the traces
  // after it, and traces in flight stay as few as the rate needs. Replay
  // starts a trace when the capture shows its first probe (on_datagram).
  bool can_start() { return sink.paced() && active < cfg.concurrency && policy->can_start(); }

  void send(std::uint32_t i) {
    Slot& s = slots[i];
    if (s.start_open && s.probes == 0) s.cursor.ttl = s.cursor.start = policy->start_ttl(s.trace->dst);
    std::size_t idx = s.probes++;
    match::Flow flow = plan.flow(i, idx);
    packet::ProbeSpec spec;
    spec.method = cfg.method;
    spec.src = cfg.src;
    spec.dst = s.trace->dst;
    spec.ttl = s.cursor.ttl;
    spec.sport = flow.sport;
    spec.dport = flow.dport;
    spec.token = plan.token(i, idx);
    spec.tcp_tag = plan.tcp_tag();
    spec.ipid = plan.ipid();
    if (cfg.method == model::Method::dns) {
      packet::DnsQuerySpec q;
      q.qname = cfg.dns_qname;
      q.qtype = cfg.dns_qtype;
      q.rd = cfg.dns_rd;
      spec.dns_message = packet::build_dns_query(q);
    }
    if (s.cursor.attempt == 1) s.trace->hops.push_back(model::Hop{s.cursor.ttl, {}});
    model::ProbeRecord rec;
    rec.ttl = s.cursor.ttl;
    rec.attempt = s.cursor.attempt;
    rec.token = spec.token;
    s.trace->hops.back().probes.push_back(rec);
    s.state = State::awaiting_tx;
    s.decided_us = clock.now_us();
    ++stats.probes_sent;
    // Replay needs the packet only for the DNS ID it carries.
    if (!sink.paced() && cfg.method != model::Method::dns) return;
    auto bytes = packet::build_probe(spec);
    if (cfg.method == model::Method::dns) {
      // The steered ID sits right after the IPv4 and UDP headers.
      s.dns_ids.push_back(static_cast<std::uint16_t>((bytes[28] << 8) | bytes[29]));
    }
    if (!sink.send(bytes, s.trace->dst)) ++stats.send_errors;
    if (sink.paced())
      timers.push(s.decided_us + kTxFallbackUs, TimerKey{i, static_cast<std::uint32_t>(idx), true});
  }

  void mark_sent(std::uint32_t i, std::int64_t tx_us) {
    Slot& s = slots[i];
    current(s).tx_us = tx_us;
    if (s.trace->start_us == 0) s.trace->start_us = tx_us;
    s.state = State::awaiting_reply;
    timers.push(tx_us + cfg.wait_us + kTimeoutGraceUs,
                TimerKey{i, static_cast<std::uint32_t>(s.probes - 1), false});
  }

  void apply(std::uint32_t i, const Step& step) {
    Slot& s = slots[i];
    if (step.stop != StopReason::none) {
      finish(i, step.stop);
      return;
    }
    s.cursor = step.next;
    s.state = State::ready;
    ready.push_back(i);
  }

  void finish(std::uint32_t i, StopReason reason) {
    Slot& s = slots[i];
    if (s.state == State::done) return;
    if (!s.trace) make_trace(i);  // never started: ends with no hops
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

  // Prints finished traces in target order, each once the policy has
  // completed it and the capture clock passed its print time (or the run
  // ended: `last`).
  void emit_ready(bool last = false) {
    while (next_emit < slots.size() && slots[next_emit].state == State::done) {
      auto i = static_cast<std::uint32_t>(next_emit);
      Slot& s = slots[i];
      std::int64_t at = policy->print_after(i);
      if (!last && clock.now_us() < at) {
        if (emit_timer_us != at) {
          emit_timer_us = at;
          timers.push(emit_timer_us, TimerKey{0, kEmitTimer, false});
        }
        return;
      }
      if (!policy->complete(i, *s.trace, s.cursor)) return;  // the trace it met is still walking back
      typical_hops = std::max<std::size_t>(s.trace->hops.size(), 4);
      observer.take_trace(std::move(s.trace));
      // Emitted: free the rest (`= {}` would keep the capacity).
      policy->forget(i);
      std::vector<std::uint16_t>().swap(s.dns_ids);
      ++next_emit;
    }
  }

  void on_reply(std::uint32_t i, const match::Evidence& ev, std::int64_t ts_us);
  void on_evidence(std::int64_t ts_us, const match::Evidence& ev);

  // Replay of a doubletree run: the first probe went out with whatever TTL
  // the distances learned live gave; the capture says which.
  void take_start(Slot& s, std::uint8_t ttl) {
    if (ttl < cfg.first_ttl || ttl > cfg.max_ttl || s.probes != 1) return;
    s.cursor.ttl = s.cursor.start = ttl;
    s.trace->hops.back().ttl = ttl;
    current(s).ttl = ttl;
  }

  void on_timer(const TimerKey& k) {
    if (k.probe == kEmitTimer) {
      emit_timer_us = 0;
      emit_ready();
      return;
    }
    Slot& s = slots[k.slot];
    if (k.probe + 1 != s.probes) return;  // a later probe superseded it
    if (k.tx_fallback) {
      if (s.state == State::awaiting_tx) mark_sent(k.slot, s.decided_us);
      return;
    }
    if (s.state != State::awaiting_reply) return;
    apply(k.slot, policy->after_silence(k.slot, *s.trace, s.cursor, current(s).tx_us));
  }

  void halt_all(bool now) {
    for (std::uint32_t i = 0; i < slots.size(); ++i) {
      State st = slots[i].state;
      if (st == State::done) continue;
      if (now || st == State::idle || st == State::ready) finish(i, StopReason::halted);
    }
    policy->close();
    ready.clear();
  }

  // --- LoopClient ------------------------------------------------------------

  // Every trace ended (for some policies traces may still wait to be
  // printed: on_end prints them).
  bool finished() const override {
    return policy->ends_before_printing() ? stats.traces_done == slots.size() : next_emit == slots.size();
  }

  bool halt(int h) override {
    halt_all(h >= 2);
    return h >= 2 || finished();
  }

  // Sends one ready probe if the bucket allows (replay: no pacing).
  bool send_one(sched::TokenBucket& pace, std::int64_t now) override {
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

  std::int64_t deadline(sched::TokenBucket& pace, std::int64_t now) override {
    std::int64_t d = timers.next_deadline();
    if (!ready.empty() || can_start()) d = std::min(d, sink.paced() ? pace.next_available_us(now) : now);
    return d;
  }

  void on_frame(Frame& f, std::size_t position) override;

  // Replay: whatever the capture does not show being sent never was.
  void on_exhausted() override {
    for (std::uint32_t i = 0; i < slots.size(); ++i)
      if (slots[i].state == State::ready || slots[i].state == State::awaiting_tx || slots[i].state == State::idle)
        finish(i, StopReason::halted);
    ready.clear();
    policy->close();
  }

  void after_event() override {
    TimerKey k{};
    std::int64_t when = 0;
    while (timers.pop_expired(clock.now_us(), k, when)) on_timer(k);
    progress();
  }

  void progress() {
    stats.inferred_hops = policy->inferred_hops();
    if (clock.now_us() < next_progress_us) return;
    next_progress_us = clock.now_us() + 250000;
    stats.source = source.stats();
    observer.on_progress(stats);
  }

  void on_end() override {
    emit_ready(true);
    stats.inferred_hops = policy->inferred_hops();
    stats.source = source.stats();
  }
};

// A frame from the source: our probe leaving, a reply, or nothing of ours.
// Parsed once for all engines; classified here unless the source's
// read-ahead thread did it already.
void TraceEngine::Impl::on_frame(Frame& f, std::size_t position) {
  ++stats.packets;
  const io::ParsedFrame& p = f.parsed();
  if (!p.ip) return;
  if (!p.ok) {
    ++stats.malformed;
    return;
  }
  // Read in place (no copy per frame): the source's evidence, or ours.
  const std::optional<match::Evidence>* pre = f.evidence(position);
  std::optional<match::Evidence> own;
  if (!pre) own = match::classify(p.datagram, identity);
  const std::optional<match::Evidence>& ev = pre ? *pre : own;
  if (ev) on_evidence(f.raw().ts_us, *ev);
}

void TraceEngine::Impl::on_evidence(std::int64_t ts_us, const match::Evidence& ev) {
  std::uint16_t token = ev.token;  // method dns: from the DNS ID below
  std::uint32_t i = index.find(ev.target);
  if (i == TargetIndex::kNone) {
    ++stats.foreign;
    return;
  }
  Slot& s = slots[i];
  if (s.state == State::idle && !sink.paced() && ev.kind == match::Evidence::Kind::probe) {
    begin(i);
    send(i);
  }
  if (ev.dns_id) {
    auto at = std::find(s.dns_ids.begin(), s.dns_ids.end(), *ev.dns_id);
    if (at == s.dns_ids.end()) {
      ++stats.foreign;
      return;
    }
    token = plan.token(i, static_cast<std::size_t>(at - s.dns_ids.begin()));
  }
  std::size_t idx = plan.probe_index(i, token);
  match::Flow want = plan.flow(i, idx);
  bool flow_ok = ev.flow.sport == want.sport && (!ev.flow_dport_known || ev.flow.dport == want.dport);
  if (idx >= s.probes || !flow_ok) {
    ++stats.foreign;
    return;
  }
  bool is_current = idx + 1 == s.probes;
  if (ev.kind == match::Evidence::Kind::probe) {
    if (is_current && s.state == State::awaiting_tx && s.start_open && !sink.paced()) take_start(s, ev.probe_ttl);
    if (is_current && s.state == State::awaiting_tx && ev.probe_ttl == current(s).ttl) {
      ++stats.probes_seen;
      s.start_open = false;
      mark_sent(i, ts_us);
    }
    return;
  }
  if (!is_current || (s.state != State::awaiting_reply && s.state != State::awaiting_tx)) {
    ++stats.late;
    return;
  }
  on_reply(i, ev, ts_us);
}

void TraceEngine::Impl::on_reply(std::uint32_t i, const match::Evidence& ev, std::int64_t ts_us) {
  Slot& s = slots[i];
  if (s.state == State::awaiting_tx) mark_sent(i, s.decided_us);  // the capture missed the probe
  s.start_open = false;
  model::ProbeRecord& rec = current(s);
  if (ts_us - rec.tx_us > cfg.wait_us) {
    ++stats.late;
    return;
  }
  ++stats.replies;
  rec.reply = ev.reply;
  rec.reply->rx_us = ts_us;
  apply(i, policy->after_reply(i, *s.trace, s.cursor, *rec.reply));
}

TraceEngine::TraceEngine(TraceConfig config, std::vector<model::Address> targets,
                         io::PacketSource& source, io::PacketSink& sink, TraceObserver& observer)
    : impl_(std::make_unique<Impl>(config, std::move(targets), source, sink, observer)) {}

TraceEngine::~TraceEngine() = default;

TraceStats TraceEngine::run(const std::atomic<int>& halt) {
  run_together({this}, impl_->source, impl_->cfg.pps, halt);
  return impl_->stats;
}

const TraceStats& TraceEngine::stats() const { return impl_->stats; }

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
  // File sources classify on their read-ahead thread too.
  bool classified = source.classify_for(ids);
  run_loop(clients, source, pace, halt, classified ? engines.size() : 0);
}

}  // namespace probe::engine
