#include "probe/engine/trace_engine.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "probe/match/classify.h"
#include "probe/packet/datagram.h"
#include "probe/packet/dns.h"
#include "probe/packet/probe_builder.h"
#include "probe/sched/timeout_queue.h"
#include "probe/sched/token_bucket.h"

namespace probe::engine {

namespace {

using model::StopReason;

enum class State : std::uint8_t { idle, ready, awaiting_tx, awaiting_reply, done };

struct Slot {
  model::Trace trace;
  State state = State::idle;
  Cursor cursor;
  std::size_t probes = 0;       // probes decided so far; the current one is probes - 1
  std::int64_t decided_us = 0;  // when the current probe was handed to the sink
  std::vector<std::uint16_t> dns_ids;  // method dns: the DNS ID each probe carried
};

struct TimerKey {
  std::uint32_t slot;
  std::uint32_t probe;
  bool tx_fallback;
};

}  // namespace

struct TraceEngine::Impl {
  TraceConfig cfg;
  Limits limits;
  match::FlowPlan plan;
  match::Identity identity;
  io::PacketSource& source;
  io::PacketSink& sink;
  TraceObserver& observer;
  sched::Clock& clock;
  sched::TimeoutQueue<TimerKey> timers;
  std::vector<Slot> slots;
  std::unordered_map<model::Address, std::uint32_t> by_target;
  std::deque<std::uint32_t> ready;
  std::size_t next_idle = 0;
  std::size_t active = 0;
  std::size_t next_emit = 0;
  TraceStats stats;
  std::int64_t next_progress_us = 0;

  Impl(TraceConfig c, std::vector<model::Address> targets, io::PacketSource& src,
       io::PacketSink& snk, TraceObserver& obs)
      : cfg(c),
        limits{c.max_ttl, c.attempts, c.gaplimit},
        plan(c.method, c.run_key, c.sport, c.dport, c.classic),
        identity{c.method, c.src, plan.tcp_tag()},
        source(src),
        sink(snk),
        observer(obs),
        clock(src.clock()) {
    slots.resize(targets.size());
    for (std::uint32_t i = 0; i < targets.size(); ++i) {
      model::Trace& t = slots[i].trace;
      t.method = c.method;
      t.src = c.src;
      t.dst = targets[i];
      match::Flow f = plan.trace_flow(i);
      t.sport = f.sport;
      t.dport = f.dport;
      by_target.emplace(targets[i], i);
    }
    stats.traces_total = targets.size();
  }

  model::ProbeRecord& current(Slot& s) { return s.trace.hops.back().probes.back(); }

  void start_more() {
    // Replay sends nothing, so every trace can start at once.
    std::size_t window = sink.paced() ? cfg.concurrency : slots.size();
    while (active < window && next_idle < slots.size()) {
      Slot& s = slots[next_idle];
      s.cursor = Cursor{cfg.first_ttl, 1, 0};
      s.state = State::ready;
      ready.push_back(static_cast<std::uint32_t>(next_idle));
      ++next_idle;
      ++active;
    }
  }

  void send(std::uint32_t i) {
    Slot& s = slots[i];
    std::size_t idx = s.probes++;
    match::Flow flow = plan.flow(i, idx);
    packet::ProbeSpec spec;
    spec.method = cfg.method;
    spec.src = cfg.src;
    spec.dst = s.trace.dst;
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
    if (s.cursor.attempt == 1) s.trace.hops.push_back(model::Hop{s.cursor.ttl, {}});
    model::ProbeRecord rec;
    rec.ttl = s.cursor.ttl;
    rec.attempt = s.cursor.attempt;
    rec.token = spec.token;
    s.trace.hops.back().probes.push_back(rec);
    s.state = State::awaiting_tx;
    s.decided_us = clock.now_us();
    auto bytes = packet::build_probe(spec);
    if (cfg.method == model::Method::dns) {
      // The steered ID sits right after the IPv4 and UDP headers.
      s.dns_ids.push_back(static_cast<std::uint16_t>((bytes[28] << 8) | bytes[29]));
    }
    if (!sink.send(bytes, s.trace.dst)) ++stats.send_errors;
    ++stats.probes_sent;
    if (sink.paced())
      timers.push(s.decided_us + kTxFallbackUs, TimerKey{i, static_cast<std::uint32_t>(idx), true});
  }

  void mark_sent(std::uint32_t i, std::int64_t tx_us) {
    Slot& s = slots[i];
    current(s).tx_us = tx_us;
    if (s.trace.start_us == 0) s.trace.start_us = tx_us;
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
    if (reason == StopReason::halted && (s.state == State::awaiting_tx || s.state == State::ready)) {
      // A probe decided but never seen leaving was never sent, as far as
      // the capture knows: drop it so live and replay agree.
      if (s.state == State::awaiting_tx) {
        s.trace.hops.back().probes.pop_back();
        if (s.trace.hops.back().probes.empty()) s.trace.hops.pop_back();
      }
    }
    if (s.state != State::idle) --active;
    s.state = State::done;
    s.trace.stop_reason = reason;
    ++stats.traces_done;
    emit_ready();
  }

  void emit_ready() {
    while (next_emit < slots.size() && slots[next_emit].state == State::done) {
      observer.on_trace(slots[next_emit].trace);
      slots[next_emit].trace.hops = {};  // emitted: keep memory flat
      ++next_emit;
    }
  }

  // A frame from the source: our probe leaving, a reply, or nothing of ours.
  void on_packet(const io::RawPacket& p) {
    ++stats.packets;
    auto off = packet::ip_offset(p.linktype, p.data, p.caplen);
    if (!off) return;
    auto d = packet::parse_ip(p.data + *off, p.caplen - *off);
    if (!d) {
      ++stats.malformed;
      return;
    }
    auto ev = match::classify(*d, identity);
    if (!ev) return;
    auto it = by_target.find(ev->target);
    if (it == by_target.end()) {
      ++stats.foreign;
      return;
    }
    std::uint32_t i = it->second;
    Slot& s = slots[i];
    if (ev->dns_id) {
      auto at = std::find(s.dns_ids.begin(), s.dns_ids.end(), *ev->dns_id);
      if (at == s.dns_ids.end()) {
        ++stats.foreign;
        return;
      }
      ev->token = plan.token(i, static_cast<std::size_t>(at - s.dns_ids.begin()));
    }
    std::size_t idx = plan.probe_index(i, ev->token);
    match::Flow want = plan.flow(i, idx);
    bool flow_ok = ev->flow.sport == want.sport && (!ev->flow_dport_known || ev->flow.dport == want.dport);
    if (idx >= s.probes || !flow_ok) {
      ++stats.foreign;
      return;
    }
    bool is_current = idx + 1 == s.probes;
    if (ev->kind == match::Evidence::Kind::probe) {
      if (is_current && s.state == State::awaiting_tx && ev->probe_ttl == current(s).ttl) {
        ++stats.probes_seen;
        mark_sent(i, p.ts_us);
      }
      return;
    }
    if (!is_current || (s.state != State::awaiting_reply && s.state != State::awaiting_tx)) {
      ++stats.late;
      return;
    }
    if (s.state == State::awaiting_tx) mark_sent(i, s.decided_us);  // the capture missed the probe
    model::ProbeRecord& rec = current(s);
    if (p.ts_us - rec.tx_us > cfg.wait_us) {
      ++stats.late;
      return;
    }
    ++stats.replies;
    rec.reply = ev->reply;
    rec.reply->rx_us = p.ts_us;
    apply(i, after_reply(s.trace, s.cursor, *rec.reply, limits));
  }

  void on_timer(const TimerKey& k) {
    Slot& s = slots[k.slot];
    if (k.probe + 1 != s.probes) return;  // a later probe superseded it
    if (k.tx_fallback) {
      if (s.state == State::awaiting_tx) mark_sent(k.slot, s.decided_us);
      return;
    }
    if (s.state != State::awaiting_reply) return;
    apply(k.slot, after_silence(s.cursor, limits));
  }

  void fire_timers() {
    TimerKey k{};
    std::int64_t when = 0;
    while (timers.pop_expired(clock.now_us(), k, when)) on_timer(k);
  }

  void halt_all(bool now) {
    for (std::uint32_t i = 0; i < slots.size(); ++i) {
      State st = slots[i].state;
      if (st == State::done) continue;
      if (now || st == State::idle || st == State::ready) finish(i, StopReason::halted);
    }
    next_idle = slots.size();
    ready.clear();
  }

  bool finished() const { return next_emit == slots.size(); }

  /// Reacts to the halt level; true once nothing is left to wait for.
  bool check_halt(int h) {
    if (h >= 2) {
      halt_all(true);
      return true;
    }
    if (h == 1) {
      halt_all(false);
      return finished();
    }
    return false;
  }

  /// Sends one ready probe if the bucket allows (replay: no pacing).
  bool send_one(sched::TokenBucket& pace, std::int64_t now) {
    if (ready.empty() || (sink.paced() && !pace.try_take(now))) return false;
    std::uint32_t i = ready.front();
    ready.pop_front();
    send(i);
    return true;
  }

  std::int64_t deadline(sched::TokenBucket& pace, std::int64_t now) {
    std::int64_t d = timers.next_deadline();
    if (!ready.empty()) d = std::min(d, sink.paced() ? pace.next_available_us(now) : now);
    return d;
  }

  // Replay: whatever the capture does not show being sent never was.
  void on_exhausted() {
    for (std::uint32_t i = 0; i < slots.size(); ++i)
      if (slots[i].state == State::ready || slots[i].state == State::awaiting_tx || slots[i].state == State::idle)
        finish(i, StopReason::halted);
    ready.clear();
  }

  void after_event() {
    fire_timers();
    start_more();
  }

  void progress(bool force) {
    if (!force && clock.now_us() < next_progress_us) return;
    next_progress_us = clock.now_us() + 250000;
    stats.source = source.stats();
    observer.on_progress(stats);
  }
};

TraceEngine::TraceEngine(TraceConfig config, std::vector<model::Address> targets,
                         io::PacketSource& source, io::PacketSink& sink, TraceObserver& observer)
    : impl_(std::make_unique<Impl>(config, std::move(targets), source, sink, observer)) {}

TraceEngine::~TraceEngine() = default;

TraceStats TraceEngine::run(const std::atomic<int>& halt) {
  TraceEngine* self = this;
  run_together({self}, impl_->source, impl_->cfg.pps, halt);
  return impl_->stats;
}

const TraceStats& TraceEngine::stats() const { return impl_->stats; }

void run_together(const std::vector<TraceEngine*>& engines, io::PacketSource& source, double pps,
                  const std::atomic<int>& halt) {
  // A burst of 10 ms worth of probes keeps the long-run rate exact while
  // the loop wakes at millisecond granularity.
  sched::TokenBucket pace(pps, pps / 100.0);
  sched::Clock& clock = source.clock();
  auto all_finished = [&] {
    for (auto* e : engines)
      if (!e->impl_->finished()) return false;
    return true;
  };
  for (auto* e : engines) e->impl_->start_more();
  std::size_t turn = 0;
  while (!all_finished()) {
    int h = halt.load();
    if (h > 0) {
      bool quiet = true;
      for (auto* e : engines) quiet = e->impl_->check_halt(h) && quiet;
      if (quiet) break;
    }
    // Engines take turns at the bucket, one probe each, so methods interleave.
    std::int64_t now = clock.now_us();
    for (std::size_t idle = 0; idle < engines.size(); turn = (turn + 1) % engines.size()) {
      if (engines[turn]->impl_->send_one(pace, now)) idle = 0;
      else ++idle;
    }
    std::int64_t deadline = sched::kNever;
    for (auto* e : engines) deadline = std::min(deadline, e->impl_->deadline(pace, now));
    if (auto p = source.next(deadline)) {
      for (auto* e : engines) e->impl_->on_packet(*p);
    } else if (source.exhausted()) {
      for (auto* e : engines) e->impl_->on_exhausted();
    }
    for (auto* e : engines) {
      e->impl_->after_event();
      e->impl_->progress(false);
    }
  }
  for (auto* e : engines) e->impl_->stats.source = source.stats();
}


}  // namespace probe::engine
