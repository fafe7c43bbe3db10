// SPDX-License-Identifier: BSD-2-Clause
#include "probe/locate/frontier.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <tuple>

#include "probe/engine/trace_logic.h"

namespace probe::locate {

namespace {

using model::ReplyKind;
using model::StopReason;

// The questions at one frontier, in order. The first silent TTL first: it
// names the next router, or is that router's unreachable. The direct probe
// next: an `unreachable` route refuses it wherever the router sits. One
// beyond: a router that never sends time-exceeded may still refuse. The
// first silent TTL again: once more for a probe lost on the way.
constexpr std::array<Ask, 4> kTracedCycle = {Ask::silent, Ask::direct, Ask::beyond, Ask::silent};
constexpr std::array<Ask, 2> kDirectCycle = {Ask::direct, Ask::direct};

std::size_t cycle_size(const FrontierRep& r) { return r.traced ? kTracedCycle.size() : kDirectCycle.size(); }

bool direct_method(const Campaign& c, std::size_t m) { return m < c.methods.size() && c.methods[m].direct; }

std::uint32_t block_of(const model::Address& a) { return a.is_v4() ? a.v4_host() >> 8 : 0; }

// The deepest responsive hop of a target's traced paths, and its method.
struct Deepest {
  std::optional<PathHop> hop;
  std::optional<std::size_t> method;  // nullopt: no traced method
};

Deepest deepest_of(const Campaign& c, const TargetTraces& tt) {
  Deepest d;
  for (std::size_t m = 0; m < tt.traces.size(); ++m) {
    if (direct_method(c, m)) continue;
    if (!d.method) d.method = m;
    auto path = responsive_path(tt.traces[m]);
    if (!path.empty() && (!d.hop || path.back().ttl > d.hop->ttl)) {
      d.hop = path.back();
      d.method = m;
    }
  }
  return d;
}

// Why a target is no failing one: some method reached it, a trace of it was
// interrupted (evidence of nothing) or went round in a loop (evidence enough).
bool settled(const TargetTraces& tt) {
  for (const auto& t : tt.traces) {
    if (t.stop_reason == StopReason::completed || t.stop_reason == StopReason::loop) return true;
    if (t.stop_reason == StopReason::halted && !t.hops.empty()) return true;
  }
  return false;
}

// A router refused it already: the survey has the decisive answer.
bool refused(const TargetTraces& tt) {
  for (const auto& t : tt.traces)
    for (const auto& h : t.hops)
      for (const auto& p : h.probes)
        if (p.reply && p.reply->kind == ReplyKind::unreachable && p.reply->addr != tt.addr) return true;
  return false;
}

FrontierRep rep_of(const Campaign& c, std::size_t target) {
  FrontierRep r;
  r.target = target;
  Deepest d = deepest_of(c, c.targets[target]);
  r.traced = d.method.has_value();
  r.method = d.method.value_or(0);
  if (d.hop) {
    r.last_ttl = d.hop->ttl;
    r.last_addr = d.hop->addr;
  }
  return r;
}

// The deepest hop any national target's traced path reached in the survey:
// where a target that no router answered starts asking.
std::optional<PathHop> deepest_national(const Campaign& c) {
  std::optional<PathHop> best;
  for (const auto& tt : c.targets) {
    Deepest d = deepest_of(c, tt);
    if (d.hop && (!best || d.hop->ttl > best->ttl)) best = d.hop;
  }
  return best;
}

void pick_reps(const Campaign& c, FrontierGroup& g) {
  std::vector<std::size_t> picks = {g.targets.front()};
  auto differs = [&](auto key) {
    for (auto t : g.targets)
      if (key(t) != key(picks.front())) return std::optional<std::size_t>(t);
    return std::optional<std::size_t>();
  };
  auto other = differs([&](std::size_t t) { return c.targets[t].prefix; });
  if (!other) other = differs([&](std::size_t t) { return block_of(c.targets[t].addr); });
  if (!other && g.targets.size() > 1) other = g.targets[1];
  if (other) picks.push_back(*other);
  for (auto t : picks)
    if (g.reps.size() < kFrontierReps) g.reps.push_back(rep_of(c, t));
}

FrontierRep* rep_for(std::vector<FrontierGroup>& groups, std::size_t target, FrontierGroup*& group) {
  for (auto& g : groups)
    for (auto& r : g.reps)
      if (r.target == target) {
        group = &g;
        return &r;
      }
  return nullptr;
}

FrontierKey key_of(const FrontierRep& r) { return {r.last_addr, r.last_ttl}; }

// The rep of `g` that asks this round: the next in turn whose frontier is
// neither resting nor asked already this round.
FrontierRep* next_rep(FrontierGroup& g, const FrontierState& st, const std::set<FrontierKey>& asked) {
  for (std::size_t k = 0; k < g.reps.size(); ++k) {
    auto& r = g.reps[(g.turn + k) % g.reps.size()];
    if (r.done) continue;
    const auto key = key_of(r);
    auto ready = st.ready.find(key);
    if (asked.count(key) || (ready != st.ready.end() && ready->second > st.round)) continue;
    g.turn = (g.turn + k + 1) % g.reps.size();
    return &r;
  }
  return nullptr;
}

// The controls' silent TTLs worth asking again: the control answered (its
// path is a path out of the country), no traced method of it got an
// answer at that TTL nearer than the control, and some national target's
// traced path did. The control's distance is where a traced method reached
// it, else what its answers' TTL tells; the method, the first traced one
// that reached it, else the first traced one.
std::vector<ControlAsk> control_asks(const Campaign& c) {
  std::map<std::uint8_t, std::optional<model::Address>> national;  // TTL -> hop one TTL nearer
  for (const auto& tt : c.targets)
    for (std::size_t m = 0; m < tt.traces.size(); ++m) {
      if (direct_method(c, m)) continue;
      auto path = responsive_path(tt.traces[m]);
      for (std::size_t i = 0; i < path.size(); ++i) {
        auto& before = national[path[i].ttl];
        if (!before && i > 0 && path[i - 1].ttl + 1 == path[i].ttl) before = path[i - 1].addr;
      }
    }
  std::vector<ControlAsk> out;
  for (std::size_t j = 0; j < c.controls.size(); ++j) {
    const auto& tt = c.controls[j];
    std::optional<std::size_t> method, reached_by;
    std::uint8_t reached = 0;
    std::set<std::uint8_t> answered;
    for (std::size_t m = 0; m < tt.traces.size(); ++m) {
      const auto& t = tt.traces[m];
      if (!direct_method(c, m)) {
        for (const auto& h : responsive_path(t)) answered.insert(h.ttl);
        if (!method) method = m;
        if (t.stop_reason == StopReason::completed && !t.hops.empty() && !reached_by) {
          reached_by = m;
          reached = t.hops.back().ttl;
        }
      }
      if (reached_by) continue;
      for (const auto& h : t.hops)
        for (const auto& p : h.probes)
          if (p.reply && p.reply->addr == tt.addr)
            if (auto d = engine::hops_from_reply_ttl(p.reply->reply_ttl); d && (!reached || *d < reached)) reached = *d;
    }
    if (reached_by) method = reached_by;
    if (!method || !reached) continue;
    // Its answers' TTL counts the hops back, which may be fewer than
    // those out (a router that returns over a bypass): up to there too.
    const std::uint8_t last = reached_by ? static_cast<std::uint8_t>(reached - 1) : reached;
    for (std::uint8_t ttl = 1; ttl <= last; ++ttl) {
      auto n = national.find(ttl);
      if (n != national.end() && !answered.count(ttl)) out.push_back({j, *method, ttl, kControlAsks, n->second});
    }
  }
  return out;
}

}  // namespace

FrontierState frontier_start(const Campaign& survey, bool ask_controls) {
  FrontierState st;
  auto& groups = st.groups;
  for (std::size_t i = 0; i < survey.targets.size(); ++i) {
    const TargetTraces& tt = survey.targets[i];
    if (settled(tt)) continue;
    Deepest d = deepest_of(survey, tt);
    std::optional<model::Address> key;
    if (d.hop) key = d.hop->addr;
    auto g = std::find_if(groups.begin(), groups.end(), [&](const FrontierGroup& x) { return x.last_hop == key; });
    if (g == groups.end()) {
      groups.push_back(FrontierGroup{key, {}, {}, 0, false});
      g = groups.end() - 1;
    }
    g->targets.push_back(i);
    if (refused(tt)) g->decided = true;
  }
  for (auto& g : groups) pick_reps(survey, g);
  if (ask_controls && !groups.empty()) st.controls = control_asks(survey);
  // A target no router answered (its routers' budget went to the others'
  // probes) asks where the others' paths got to. Ask::last there names its
  // own router at that distance: one past a break the others do not share
  // (a core leaf that drops), the same router where they do.
  if (auto deep = deepest_national(survey))
    for (auto& g : groups)
      for (auto& r : g.reps)
        if (r.traced && r.last_ttl == 0 && deep->ttl + 2 < kDirectTtl) {
          r.last_ttl = deep->ttl;
          r.last_addr = deep->addr;
          r.borrowed = true;
        }
  return st;
}

std::vector<FrontierProbe> frontier_round(FrontierState& st) {
  std::vector<FrontierProbe> probes;
  std::set<FrontierKey> asked;
  const std::size_t n = st.groups.size();
  // Groups that share a frontier take turns at it: the first to ask
  // changes once per frontier period.
  const std::size_t first = st.round / kFrontierKeyRounds;
  for (std::size_t k = 0; k < n; ++k) {
    auto& g = st.groups[(first + k) % n];
    if (g.decided) continue;
    FrontierRep* r = next_rep(g, st, asked);
    if (!r) continue;
    // Past TTL 62 the next two TTLs would meet the direct probe's.
    if (r->traced && r->last_ttl + 2 >= kDirectTtl) {
      r->done = true;
      continue;
    }
    if (r->traced && r->last_ttl > 0 && !r->asked_last) {
      probes.push_back({r->target, r->method, r->last_ttl, Ask::last});
      r->asked_last = true;
    }
    const Ask ask = r->traced ? kTracedCycle[r->step] : kDirectCycle[r->step];
    const auto ttl = static_cast<std::uint8_t>(ask == Ask::direct   ? kDirectTtl
                                               : ask == Ask::beyond ? r->last_ttl + 2
                                                                    : r->last_ttl + 1);
    probes.push_back({r->target, r->method, ttl, ask});
    asked.insert(key_of(*r));
    st.ready[key_of(*r)] = st.round + kFrontierKeyRounds;
    if (++r->step == cycle_size(*r)) {
      if (r->borrowed) {
        // Silent past the borrowed start: its path may part from the
        // others' before it. Start again from its own (no) answers.
        FrontierRep fresh;
        fresh.target = r->target;
        fresh.method = r->method;
        fresh.traced = r->traced;
        *r = fresh;
      } else {
        r->done = true;  // unless its answer moves the frontier
      }
    }
  }
  // A control's silent TTL, when its router's frontier rests: the
  // routers there answer one probe a refill, whoever asks.
  for (auto& a : st.controls) {
    const FrontierKey key{a.before, static_cast<std::uint8_t>(a.ttl - 1)};
    auto ready = st.ready.find(key);
    if (a.left <= 0 || asked.count(key) || (ready != st.ready.end() && ready->second > st.round)) continue;
    probes.push_back({a.control, a.method, a.ttl, Ask::last, true});
    --a.left;
    asked.insert(key);
    st.ready[key] = st.round + kFrontierKeyRounds;
  }
  ++st.round;
  return probes;
}

void frontier_take(FrontierState& st, const FrontierProbe& probe, const model::Trace& result) {
  if (probe.control) {
    for (auto& a : st.controls)
      if (a.control == probe.target && a.ttl == probe.ttl)
        for (const auto& h : result.hops)
          if (h.reply()) a.left = 0;  // answered: its router is known
    return;
  }
  FrontierGroup* g = nullptr;
  FrontierRep* r = rep_for(st.groups, probe.target, g);
  if (!r) return;
  const model::Reply* reply = nullptr;
  for (const auto& h : result.hops)
    for (const auto& p : h.probes)
      if (p.reply && !reply) reply = &*p.reply;
  if (!reply) return;
  if (engine::reached_destination(*reply, result.dst) || reply->kind == ReplyKind::unreachable) {
    g->decided = true;
    return;
  }
  if (reply->kind != ReplyKind::time_exceeded || probe.ask == Ask::direct) return;
  if (r->borrowed && probe.ttl == r->last_ttl) {
    // Its own router at the borrowed distance: the frontier is its own now.
    r->last_addr = reply->addr;
    r->borrowed = false;
    return;
  }
  if (probe.ttl <= r->last_ttl) return;
  // A router answered past the last hop: the frontier is there now.
  if (r->advanced >= kFrontierSteps) {
    r->done = true;
    return;
  }
  ++r->advanced;
  r->borrowed = false;
  r->last_ttl = probe.ttl;
  r->last_addr = reply->addr;
  r->step = 0;
  r->done = false;
}

bool frontier_open(const FrontierState& st) {
  for (const auto& a : st.controls)
    if (a.left > 0) return true;
  for (const auto& g : st.groups)
    if (!g.decided)
      for (const auto& r : g.reps)
        if (!r.done) return true;
  return false;
}

void add_frontier_result(TargetTraces& tt, const MethodSpec& spec, const model::Trace& result) {
  auto same = [&](const FrontierTrace& f) {
    return f.method.method == spec.method && f.method.dport == spec.dport && f.method.direct == spec.direct;
  };
  auto at = std::find_if(tt.frontier.begin(), tt.frontier.end(), same);
  if (at == tt.frontier.end()) {
    FrontierTrace f{spec, {}};
    f.trace.method = result.method;
    f.trace.src = result.src;
    f.trace.dst = result.dst;
    f.trace.sport = result.sport;
    f.trace.dport = result.dport;
    f.trace.stop_reason = StopReason::gaplimit;
    tt.frontier.push_back(std::move(f));
    at = tt.frontier.end() - 1;
  }
  model::Trace& t = at->trace;
  for (const auto& h : result.hops) {
    auto pos = std::lower_bound(t.hops.begin(), t.hops.end(), h.ttl,
                                [](const model::Hop& x, std::uint8_t ttl) { return x.ttl < ttl; });
    if (pos == t.hops.end() || pos->ttl != h.ttl) pos = t.hops.insert(pos, model::Hop{h.ttl, {}});
    for (const auto& p : h.probes) pos->probes.push_back(p);
    for (const auto& p : h.probes)
      if (p.tx_us != 0 && (t.start_us == 0 || p.tx_us < t.start_us)) t.start_us = p.tx_us;
  }
  // How it ended: the target answered, else how its deepest answer did.
  t.stop_reason = StopReason::gaplimit;
  for (const auto& h : t.hops)
    for (const auto& p : h.probes) {
      if (!p.reply) continue;
      if (engine::reached_destination(*p.reply, t.dst)) {
        t.stop_reason = StopReason::completed;
        return;
      }
      t.stop_reason = p.reply->kind == ReplyKind::unreachable ? StopReason::unreachable : StopReason::hoplimit;
    }
}

}  // namespace probe::locate
