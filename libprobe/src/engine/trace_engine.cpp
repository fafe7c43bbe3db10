#include "probe/engine/trace_engine.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <random>
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
  std::unique_ptr<model::Trace> trace;  // from its start until it is printed
  State state = State::idle;
  Cursor cursor;
  std::size_t probes = 0;       // probes decided so far; the current one is probes - 1
  std::int64_t decided_us = 0;  // when the current probe was handed to the sink
  std::vector<std::uint16_t> dns_ids;  // method dns: the DNS ID each probe carried
  // Doubletree:
  bool start_open = false;  // the first probe's TTL: replay takes it from the capture
  std::int32_t met = -1;    // the known hop the backward phase stopped at
  std::vector<std::pair<std::uint8_t, std::int32_t>> hop_nodes;  // (ttl, node) of every hop it saw
  std::int64_t settle_us = 0;  // its inference uses what the capture showed up to then
};

// Doubletree's stop set holds one node per (TTL, address) revealed, and one
// per silent hop of a trace. A node's `pred` is the hop one TTL nearer on the
// trace that revealed it: the chain a trace meeting the node inherits.
struct Node {
  model::Address addr;
  std::uint32_t owner = 0;  // the trace that revealed it
  std::int32_t pred = -1;
  std::uint8_t ttl = 0;
  bool silent = false;
  bool final = false;  // pred is settled: the owner finished
};

struct HopKey {
  std::uint64_t block_or_ttl;  // (block << 16 | distance << 8 | ttl) or ttl
  model::Address addr;
  friend bool operator==(const HopKey& a, const HopKey& b) {
    return a.block_or_ttl == b.block_or_ttl && a.addr == b.addr;
  }
};

struct HopKeyHash {
  std::size_t operator()(const HopKey& k) const {
    return std::hash<model::Address>{}(k.addr) ^ (k.block_or_ttl * 0x9e3779b97f4a7c15ULL);
  }
};

// The /24 (IPv4) or /48 (IPv6) of an address, as a number.
std::uint64_t block_of(const model::Address& a) {
  if (a.is_v4()) return a.v4_host() >> 8;
  std::uint64_t k = 1ULL << 48;
  for (int b = 0; b < 6; ++b) k |= static_cast<std::uint64_t>(a.data()[b]) << (8 * (5 - b));
  return k;
}

// What the traces toward one block at one distance saw at one TTL: the
// first node, and when a second, different one made it ambiguous.
struct Sibling {
  std::int32_t node = -1;
  std::int64_t first_rx_us = 0;
  std::int64_t ambiguous_rx_us = 0;  // 0: never
};


struct TimerKey {
  std::uint32_t slot;
  std::uint32_t probe;  // kEmitTimer: time to print finished traces
  bool tx_fallback;
};

constexpr std::uint32_t kEmitTimer = UINT32_MAX;

/// Doubletree: a finished trace waits this long (capture time) after its
/// last wait before it is printed, so that a hop silenced by rate limits
/// can still be inferred from a sibling heard a little later.
constexpr std::int64_t kInferWindowUs = 2000000;

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
  std::vector<model::Address> targets;
  std::vector<Slot> slots;
  // Target -> slot, open addressing over slot indices (kNoSlot: empty): one
  // lookup per packet, so no chained buckets to chase.
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;
  std::vector<std::uint32_t> by_target;
  std::size_t by_target_mask = 0;
  int by_target_bits = 0;  // log2 of its size
  std::vector<std::uint32_t> order;  // the order traces start in
  struct Block {
    bool pilot = false;     // a trace toward it has started
    bool released = false;  // its pilot learned the distance or ended
    std::vector<std::uint32_t> waiting;
  };
  std::unordered_map<std::uint64_t, Block> blocks;  // doubletree, by /24
  std::deque<std::uint32_t> released;               // traces whose pilot is done
  std::deque<std::uint32_t> ready;
  // Doubletree state.
  std::vector<Node> nodes;
  std::unordered_map<HopKey, std::int32_t, HopKeyHash> known;      // (ttl, addr) -> node
  std::unordered_map<HopKey, Sibling, HopKeyHash> siblings;        // (block, distance, ttl) -> node
  std::unordered_map<std::uint64_t, std::uint8_t> distance;        // block -> hops to its destinations
  std::uint8_t last_distance = 0;
  std::unordered_map<std::uint64_t, std::uint8_t> heard;          // block -> deepest TTL a hop answered toward it
  std::size_t next_idle = 0;
  std::size_t active = 0;
  std::size_t next_emit = 0;
  std::size_t typical_hops = 8;  // hops of the trace printed last
  std::int64_t emit_timer_us = 0;
  TraceStats stats;
  std::int64_t next_progress_us = 0;

  Impl(TraceConfig c, std::vector<model::Address> t, io::PacketSource& src,
       io::PacketSink& snk, TraceObserver& obs)
      : cfg(c),
        limits{c.max_ttl, c.attempts, c.gaplimit, c.first_ttl},
        plan(c.method, c.run_key, c.sport, c.dport, c.classic),
        identity{c.method, c.src, plan.tcp_tag()},
        source(src),
        sink(snk),
        observer(obs),
        clock(src.clock()),
        targets(std::move(t)) {
    slots.resize(targets.size());
    std::size_t cap = 16;
    by_target_bits = 4;
    while (cap < targets.size() * 2) {
      cap <<= 1;
      ++by_target_bits;
    }
    by_target.assign(cap, kNoSlot);
    by_target_mask = cap - 1;
    for (std::uint32_t i = 0; i < targets.size(); ++i) index_target(i);
    stats.traces_total = targets.size();
    order.resize(targets.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    if (c.doubletree) {
      // Shuffled within blocks of 1024, so results still leave roughly in
      // target order and the traces waiting to be printed stay few.
      std::mt19937_64 rng(c.run_key);
      for (std::size_t at = 0; at < order.size(); at += 1024)
        std::shuffle(order.begin() + at, order.begin() + std::min(order.size(), at + 1024), rng);
    }
  }

  // The first slot of each target address (a repeated target is traced once
  // per listing, but replies match the first, as before).
  void index_target(std::uint32_t i) {
    const model::Address& a = targets[i];
    for (std::size_t h = target_hash(a) & by_target_mask;; h = (h + 1) & by_target_mask) {
      if (by_target[h] == kNoSlot) {
        by_target[h] = i;
        return;
      }
      if (targets[by_target[h]] == a) return;
    }
  }

  // Neighbouring IPv4 addresses get neighbouring buckets: the traces in
  // flight are a window of the target list (a country's prefixes, in
  // order), and their lookups then stay in a few cache lines. The bits
  // above the table's size are folded in, so that x.y.z.1 over many /24s
  // still spreads.
  std::size_t target_hash(const model::Address& a) const {
    if (!a.is_v4()) return a.hash();
    std::size_t x = a.v4_host();
    return x ^ (x >> by_target_bits) ^ (x >> (2 * by_target_bits));
  }

  std::uint32_t find_target(const model::Address& a) const {
    for (std::size_t h = target_hash(a) & by_target_mask;; h = (h + 1) & by_target_mask) {
      std::uint32_t i = by_target[h];
      if (i == kNoSlot || targets[i] == a) return i;
    }
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
    s.start_open = cfg.doubletree;
    s.state = State::ready;
    ++active;
  }

  // Live: a new trace starts only when no started one has a probe ready,
  // and while fewer than `concurrency` are going. Probes of running traces
  // go first: a trace finishes in as few round trips as the rate allows,
  // what it learns (doubletree: distances, the stop set) serves the traces
  // after it, and traces in flight stay as few as the rate needs. Replay
  // starts a trace when the capture shows its first probe (on_datagram).
  //
  // Doubletree: the first trace toward a /24 is its pilot; the others wait
  // until the pilot learned the distance or ended, so that they do not all
  // start blind when the rate outruns the round trip. Traces of other /24s
  // start meanwhile.
  bool can_start() {
    if (!sink.paced() || active >= cfg.concurrency) return false;
    if (!released.empty()) return true;
    while (next_idle < slots.size()) {
      std::uint32_t i = order[next_idle];
      Block& b = blocks[block_of(targets[i])];
      if (!cfg.doubletree || b.released || !b.pilot) return true;
      b.waiting.push_back(i);  // after its pilot
      ++next_idle;
    }
    return false;
  }

  // Only after can_start() said yes.
  void start_one() {
    std::uint32_t i = 0;
    if (!released.empty()) {
      i = released.front();
      released.pop_front();
    } else {
      i = order[next_idle++];
      if (cfg.doubletree) {
        Block& b = blocks[block_of(targets[i])];
        if (!b.released) b.pilot = true;
      }
    }
    begin(i);
    ready.push_back(i);
  }

  // The /24 of trace i has what its other traces need to start well.
  void release_block(std::uint32_t i) {
    Block& b = blocks[block_of(targets[i])];
    if (b.released) return;
    b.released = true;
    for (std::uint32_t w : b.waiting) released.push_back(w);
    std::vector<std::uint32_t>().swap(b.waiting);
  }

  // Doubletree, decided as the first probe leaves. Where a trace starts: its /24's destination distance; else, for a /24
  // whose destinations have not answered (an outage), one past the deepest
  // hop heard toward it; else the latest distance learned anywhere; else
  // the first TTL, a plain trace. Starting high toward a dark block would
  // walk back through silence, dearer than a plain trace.
  std::uint8_t start_ttl(const model::Address& dst) const {
    std::uint64_t block = block_of(dst);
    std::uint8_t d = cfg.first_ttl;
    if (auto it = distance.find(block); it != distance.end()) d = it->second;
    else if (auto dark = heard.find(block); dark != heard.end()) d = static_cast<std::uint8_t>(dark->second + 1);
    else if (last_distance != 0) d = last_distance;
    return std::clamp(d, cfg.first_ttl, cfg.max_ttl);
  }

  void send(std::uint32_t i) {
    Slot& s = slots[i];
    if (s.start_open && s.probes == 0) s.cursor.ttl = s.cursor.start = start_ttl(s.trace->dst);
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
    if (reason == StopReason::halted && (s.state == State::awaiting_tx || s.state == State::ready)) {
      // A probe decided but never seen leaving was never sent, as far as
      // the capture knows: drop it so live and replay agree.
      if (s.state == State::awaiting_tx) {
        s.trace->hops.back().probes.pop_back();
        if (s.trace->hops.back().probes.empty()) s.trace->hops.pop_back();
      }
    }
    if (s.state != State::idle) --active;
    s.state = State::done;
    s.trace->stop_reason = reason;
    if (cfg.doubletree) {
      settle(i);
      release_block(i);
    }
    ++stats.traces_done;
    emit_ready();
  }

  // Prints finished traces in target order. Doubletree traces wait until the
  // capture clock passed their settle time (or the run ended: `last`).
  void emit_ready(bool last = false) {
    while (next_emit < slots.size() && slots[next_emit].state == State::done) {
      Slot& s = slots[next_emit];
      if (cfg.doubletree && !last && clock.now_us() < s.settle_us + kTimeoutGraceUs) {
        if (emit_timer_us != s.settle_us + kTimeoutGraceUs) {
          emit_timer_us = s.settle_us + kTimeoutGraceUs;
          timers.push(emit_timer_us, TimerKey{0, kEmitTimer, false});
        }
        return;
      }
      if (!inherit(static_cast<std::uint32_t>(next_emit))) return;  // the trace it met is still walking back
      typical_hops = std::max<std::size_t>(s.trace->hops.size(), 4);
      observer.take_trace(std::move(s.trace));
      // Emitted: free the rest (`= {}` would keep the capacity).
      std::vector<std::pair<std::uint8_t, std::int32_t>>().swap(s.hop_nodes);
      std::vector<std::uint16_t>().swap(s.dns_ids);
      ++next_emit;
    }
  }

  // --- Doubletree: the stop set -------------------------------------------

  std::int32_t add_node(std::uint32_t owner, std::uint8_t ttl, const model::Address* addr) {
    Node n;
    n.owner = owner;
    n.ttl = ttl;
    n.silent = addr == nullptr;
    if (addr) n.addr = *addr;
    nodes.push_back(n);
    auto id = static_cast<std::int32_t>(nodes.size() - 1);
    slots[owner].hop_nodes.emplace_back(ttl, id);
    return id;
  }

  // A hop answered trace i at `ttl`: returns the node another trace made of
  // it before (the stop set says "known"), else records it as i's and -1.
  std::int32_t reveal(std::uint32_t i, std::uint8_t ttl, const model::Reply& r) {
    std::uint8_t& deepest = heard[block_of(targets[i])];
    deepest = std::max(deepest, ttl);
    HopKey key{ttl, r.addr};
    auto it = known.find(key);
    bool met = it != known.end() && nodes[it->second].owner != i;
    std::int32_t id = 0;
    if (met) {
      id = it->second;
      slots[i].hop_nodes.emplace_back(ttl, id);
    } else {
      id = add_node(i, ttl, &r.addr);
      if (it == known.end()) known.emplace(key, id);
    }
    // Siblings: what this TTL looks like toward the destination's /24 at
    // this distance (0: not reached, a dark block), for traces whose own
    // probe there goes unanswered.
    HopKey skey{block_of(targets[i]) << 16 | std::uint64_t{slots[i].cursor.reached} << 8 | ttl, {}};
    Sibling& sib = siblings[skey];
    if (sib.node < 0) {
      sib.node = id;
      sib.first_rx_us = r.rx_us;
    } else if (nodes[sib.node].addr != r.addr && sib.ambiguous_rx_us == 0) {
      sib.ambiguous_rx_us = r.rx_us;
    }
    return met ? id : -1;
  }

  // Trace i's probe at `ttl` (sent at tx_us) went unanswered in the backward
  // phase: the unique node its siblings revealed there by the end of the
  // wait, or -1. Timestamps, not arrival order, decide, so replay agrees.
  std::int32_t sibling(std::uint32_t i, std::uint8_t ttl, std::int64_t tx_us) const {
    std::int32_t n = sibling_at(i, ttl, tx_us + cfg.wait_us);
    return n >= 0 && nodes[n].owner == i ? -1 : n;
  }

  // The unique node the siblings of trace i (same /24, same distance) had
  // revealed at `ttl` by `cutoff`, or -1.
  // Hops heard before their trace reached the destination (distance 0) stand
  // in when none was heard at this distance.
  std::int32_t sibling_at(std::uint32_t i, std::uint8_t ttl, std::int64_t cutoff) const {
    std::uint8_t reached = slots[i].cursor.reached;
    for (std::uint8_t d : {reached, std::uint8_t{0}}) {
      auto it = siblings.find(HopKey{block_of(targets[i]) << 16 | std::uint64_t{d} << 8 | ttl, {}});
      if (it != siblings.end()) {
        const Sibling& sib = it->second;
        if (sib.first_rx_us <= cutoff && (sib.ambiguous_rx_us == 0 || sib.ambiguous_rx_us > cutoff)) return sib.node;
      }
      if (d == 0) break;
    }
    return -1;
  }

  // Trace i finished: each node it revealed now knows its predecessor.
  void settle(std::uint32_t i) {
    Slot& s = slots[i];
    std::int64_t last_tx = 0;
    for (const auto& h : s.trace->hops)
      for (const auto& p : h.probes) last_tx = std::max(last_tx, p.tx_us);
    s.settle_us = last_tx + cfg.wait_us + kInferWindowUs;
    for (auto [ttl, id] : s.hop_nodes) {
      Node& n = nodes[id];
      if (n.owner != i || n.final) continue;
      for (auto [t2, id2] : s.hop_nodes)
        if (t2 + 1 == ttl) n.pred = id2;
      n.final = true;
    }
    std::stable_sort(s.trace->hops.begin(), s.trace->hops.end(),
                     [](const model::Hop& a, const model::Hop& b) { return a.ttl < b.ttl; });
  }

  // Lists the hops below the node trace s met, as the traces that revealed
  // them saw them. False while one of those traces is still running.
  // A hop the revealing trace heard nothing from is taken from the siblings
  // (as for a silent hop of this trace), as the capture showed them by the
  // trace's settle time: printing waits for it, so all frames up to then
  // were read, live or replay.
  bool inherit(std::uint32_t i) {
    Slot& s = slots[i];
    if (!cfg.doubletree) return true;
    if (s.met >= 0) {
      for (std::int32_t n = s.met;; n = nodes[n].pred) {
        if (!nodes[n].final) return false;
        if (nodes[n].pred < 0) break;
      }
      inherit_chain(i);
    }
    fill_gaps(i);
    return true;
  }

  // A silent hop inside the trace's own path (below a hop that answered or
  // the destination) is taken from the siblings, as the capture showed them
  // by the settle time. Never past the deepest answer: a dark target's path
  // must not grow hops that only live neighbours showed.
  void fill_gaps(std::uint32_t i) {
    Slot& s = slots[i];
    std::uint8_t deepest = 0;
    for (const auto& h : s.trace->hops)
      if (h.reply() || h.inferred_addr) deepest = std::max(deepest, h.ttl);
    for (auto& h : s.trace->hops) {
      if (h.ttl >= deepest || h.reply() || h.inferred_addr) continue;
      std::int32_t sib = sibling_at(i, h.ttl, s.settle_us);
      if (sib < 0) continue;
      h.inferred_addr = nodes[sib].addr;
      ++stats.inferred_hops;
    }
  }

  void inherit_chain(std::uint32_t i) {
    Slot& s = slots[i];
    const std::int64_t cutoff = s.settle_us;
    for (std::int32_t n = nodes[s.met].pred; n >= 0; n = nodes[n].pred) {
      const Node* from = &nodes[n];
      if (from->silent) {
        std::int32_t sib = sibling_at(i, from->ttl, cutoff);
        if (sib < 0) continue;
        from = &nodes[sib];
      }
      model::Hop h;
      h.ttl = from->ttl;
      h.inferred_addr = from->addr;
      s.trace->hops.push_back(std::move(h));
      ++stats.inferred_hops;
    }
    std::stable_sort(s.trace->hops.begin(), s.trace->hops.end(),
                     [](const model::Hop& a, const model::Hop& b) { return a.ttl < b.ttl; });
    s.met = -1;
  }

  void learn_distance(const model::Address& dst, std::uint8_t ttl, const model::Reply& r) {
    std::uint8_t d = ttl;
    if (auto guess = hops_from_reply_ttl(r.reply_ttl)) d = std::min(d, *guess);
    distance[block_of(dst)] = d;
    last_distance = d;
  }

  void on_reply_doubletree(std::uint32_t i, const model::Reply& r) {
    Slot& s = slots[i];
    std::uint8_t ttl = s.cursor.ttl;
    bool reached = reached_destination(r, s.trace->dst);
    std::int32_t met = -1;
    if (reached) {
      learn_distance(s.trace->dst, ttl, r);
      release_block(i);
    }
    else met = reveal(i, ttl, r);
    Step step = dt_after_reply(*s.trace, s.cursor, r, limits, met >= 0);
    if (step.met) s.met = met;
    apply(i, step);
  }

  void on_silence_doubletree(std::uint32_t i) {
    Slot& s = slots[i];
    std::int32_t sib = -1;
    bool last_try = s.cursor.attempt >= limits.attempts;
    if (last_try && s.cursor.phase == Phase::backward) sib = sibling(i, s.cursor.ttl, current(s).tx_us);
    Step step = dt_after_silence(s.cursor, limits, sib >= 0);
    if (step.met) {
      s.met = sib;
      s.hop_nodes.emplace_back(s.cursor.ttl, sib);
      s.trace->hops.back().inferred_addr = nodes[sib].addr;
      ++stats.inferred_hops;
    } else if (last_try) {
      add_node(i, s.cursor.ttl, nullptr);
    }
    apply(i, step);
  }

  // A frame from the source: our probe leaving, a reply, or nothing of ours.
  // Parsed once for all engines: `ip` false when the frame holds no IP at
  // all, `d` null when its IP is malformed.
  // `pre`: what the source's read-ahead thread classified already (else null).
  void on_datagram(std::int64_t ts_us, bool ip, const packet::Datagram* d,
                   const std::optional<match::Evidence>* pre) {
    ++stats.packets;
    if (!ip) return;
    if (!d) {
      ++stats.malformed;
      return;
    }
    // Read in place (no copy per frame): the source's evidence, or ours.
    std::optional<match::Evidence> own;
    if (!pre) own = match::classify(*d, identity);
    const std::optional<match::Evidence>& ev = pre ? *pre : own;
    if (!ev) return;
    std::uint16_t token = ev->token;  // method dns: from the DNS ID below
    std::uint32_t i = find_target(ev->target);
    if (i == kNoSlot) {
      ++stats.foreign;
      return;
    }
    Slot& s = slots[i];
    if (s.state == State::idle && !sink.paced() && ev->kind == match::Evidence::Kind::probe) {
      begin(i);
      send(i);
    }
    if (ev->dns_id) {
      auto at = std::find(s.dns_ids.begin(), s.dns_ids.end(), *ev->dns_id);
      if (at == s.dns_ids.end()) {
        ++stats.foreign;
        return;
      }
      token = plan.token(i, static_cast<std::size_t>(at - s.dns_ids.begin()));
    }
    std::size_t idx = plan.probe_index(i, token);
    match::Flow want = plan.flow(i, idx);
    bool flow_ok = ev->flow.sport == want.sport && (!ev->flow_dport_known || ev->flow.dport == want.dport);
    if (idx >= s.probes || !flow_ok) {
      ++stats.foreign;
      return;
    }
    bool is_current = idx + 1 == s.probes;
    if (ev->kind == match::Evidence::Kind::probe) {
      if (is_current && s.state == State::awaiting_tx && s.start_open && !sink.paced())
        take_start(s, ev->probe_ttl);
      if (is_current && s.state == State::awaiting_tx && ev->probe_ttl == current(s).ttl) {
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
    if (s.state == State::awaiting_tx) mark_sent(i, s.decided_us);  // the capture missed the probe
    s.start_open = false;
    model::ProbeRecord& rec = current(s);
    if (ts_us - rec.tx_us > cfg.wait_us) {
      ++stats.late;
      return;
    }
    ++stats.replies;
    rec.reply = ev->reply;
    rec.reply->rx_us = ts_us;
    if (cfg.doubletree) on_reply_doubletree(i, *rec.reply);
    else apply(i, after_reply(*s.trace, s.cursor, *rec.reply, limits));
  }

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
    if (cfg.doubletree) on_silence_doubletree(k.slot);
    else apply(k.slot, after_silence(s.cursor, limits));
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
    released.clear();
  }

  // Every trace ended (doubletree traces may still wait to be printed:
  // run_together prints them as it returns).
  bool finished() const { return cfg.doubletree ? stats.traces_done == slots.size() : next_emit == slots.size(); }

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
    if (ready.empty() && !can_start()) return false;
    if (sink.paced() && !pace.try_take(now)) return false;
    if (ready.empty()) start_one();
    std::uint32_t i = ready.front();
    ready.pop_front();
    send(i);
    return true;
  }

  std::int64_t deadline(sched::TokenBucket& pace, std::int64_t now) {
    std::int64_t d = timers.next_deadline();
    if (!ready.empty() || can_start()) d = std::min(d, sink.paced() ? pace.next_available_us(now) : now);
    return d;
  }

  // Replay: whatever the capture does not show being sent never was.
  void on_exhausted() {
    for (std::uint32_t i = 0; i < slots.size(); ++i)
      if (slots[i].state == State::ready || slots[i].state == State::awaiting_tx || slots[i].state == State::idle)
        finish(i, StopReason::halted);
    ready.clear();
    released.clear();
  }

  void after_event() { fire_timers(); }

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
  std::size_t turn = 0;
  io::ParsedFrame mine;  // for frames the source did not parse; reused
  // File sources classify on their read-ahead thread too.
  std::vector<match::Identity> ids;
  for (auto* e : engines) ids.push_back(e->impl_->identity);
  bool classified = source.classify_for(ids);
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
      // Parsed once (here, or by the source), classified by each engine
      // against its own method.
      const io::ParsedFrame* f = p->parsed;
      if (!f) {
        io::parse_frame(p->linktype, p->data, p->caplen, mine);
        f = &mine;
      }
      bool pre = classified && f->evidence.size() == engines.size();
      for (std::size_t k = 0; k < engines.size(); ++k)
        engines[k]->impl_->on_datagram(p->ts_us, f->ip, f->ok ? &f->datagram : nullptr,
                                       pre ? &f->evidence[k] : nullptr);
    } else if (source.exhausted()) {
      for (auto* e : engines) e->impl_->on_exhausted();
    }
    for (auto* e : engines) {
      e->impl_->after_event();
      e->impl_->progress(false);
    }
  }
  for (auto* e : engines) {
    e->impl_->emit_ready(true);
    e->impl_->stats.source = source.stats();
  }
}


}  // namespace probe::engine
