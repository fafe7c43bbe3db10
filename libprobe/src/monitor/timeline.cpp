// SPDX-License-Identifier: BSD-2-Clause
#include "probe/monitor/timeline.h"

#include <set>

namespace probe::monitor {

std::optional<std::int64_t> Outage::end_us() const {
  if (!first_good) return std::nullopt;
  return first_good->start_us;
}

std::optional<std::int64_t> Outage::duration_us() const {
  auto end = end_us();
  if (!end) return std::nullopt;
  return *end - start_us();
}

RoundResult Timeline::observe(const RoundObservation& round) {
  RoundResult out;
  std::set<std::string> seen;
  // The vantage's outage first: while it lasts, nothing the round saw of
  // the country says anything about the country.
  Observation local{kLocalKey, Scope::local, round.controls_ok ? State::up : State::down, std::nullopt};
  observe_key(round, local, out);
  seen.insert(local.key);
  for (const auto& o : round.keys) {
    if (!seen.insert(o.key).second) continue;
    if (round.controls_ok) {
      observe_key(round, o, out);
    } else {
      Observation blind{o.key, o.scope, State::unknown, std::nullopt};
      observe_key(round, blind, out);
    }
  }
  for (const auto& [key, ks] : keys_)
    if (!seen.count(key)) {
      Observation missing{key, ks.scope, State::unknown, std::nullopt};
      observe_key(round, missing, out);
    }
  return out;
}

namespace {

bool same_finding(const Finding& a, const Finding& b) {
  return a.verdict == b.verdict && a.break_hop == b.break_hop;
}

}  // namespace

void Timeline::observe_key(const RoundObservation& round, const Observation& o, RoundResult& out) {
  auto [it, fresh] = keys_.try_emplace(o.key);
  KeyState& ks = it->second;
  if (fresh) ks.scope = o.scope;
  if (o.state == State::unknown) {
    // Unknown neither starts nor ends an outage, but an open one spans it.
    if (ks.outage) ++ks.outage->rounds;
    return;
  }
  // The first round that sees a key up is no change; one that sees it
  // failing is, so that the monitor names the verdict at once.
  const State prev = ks.state;
  if (o.state != prev && !(prev == State::unknown && o.state == State::up)) out.changed.push_back(o.key);
  ks.state = o.state;

  if (o.state == State::up) {
    if (ks.outage) {
      ks.outage->first_good = round.round;
      out.events.push_back({EventKind::end, *ks.outage});
      ks.outage.reset();
    }
    ks.last_good = round.round;
    return;
  }
  const bool opened = !ks.outage;
  if (opened) {
    Outage n;
    n.key = o.key;
    n.scope = ks.scope;
    n.worst = o.state;
    n.last_good = ks.last_good;
    n.first_bad = round.round;
    ks.outage = n;
  }
  Outage& cur = *ks.outage;
  cur.last_bad = round.round;
  ++cur.rounds;
  if (o.state == State::down) cur.worst = State::down;
  bool news = false;
  if (o.finding) {
    if (!cur.detected) {
      cur.detected = o.finding;
      news = true;
    } else if (!same_finding(cur.changes.empty() ? *cur.detected : cur.changes.back(), *o.finding)) {
      cur.changes.push_back(*o.finding);
      news = true;
    }
  }
  if (opened) out.events.push_back({EventKind::start, cur});
  else if (news) out.events.push_back({EventKind::verdict, cur});
}

std::vector<Interval> intervals_of(const std::vector<StateRow>& rows) {
  std::vector<Interval> out;
  std::map<std::string, std::size_t> open;  // key -> its current interval in out
  for (const auto& r : rows) {
    auto it = open.find(r.key);
    if (it != open.end() && out[it->second].state == r.state) {
      out[it->second].last = r.round;
      continue;
    }
    open[r.key] = out.size();
    out.push_back({r.key, r.state, r.round, r.round});
  }
  return out;
}

State state_of(model::PrefixStatus status) {
  switch (status) {
    case model::PrefixStatus::reachable: return State::up;
    case model::PrefixStatus::unreachable: return State::down;
    case model::PrefixStatus::partial: return State::partial;
    case model::PrefixStatus::inconclusive: break;
  }
  return State::unknown;
}

State country_state(const std::vector<State>& prefixes, model::Verdict verdict) {
  bool up = false, down = false;
  for (State p : prefixes) {
    up = up || p == State::up || p == State::partial;
    down = down || p == State::down || p == State::partial;
  }
  if (up && down) return State::partial;
  if (down) return State::down;
  if (!up) return State::unknown;
  return verdict == model::Verdict::dns ? State::partial : State::up;
}

const char* to_word(State s) {
  switch (s) {
    case State::up: return "up";
    case State::down: return "down";
    case State::partial: return "partial";
    case State::unknown: break;
  }
  return "unknown";
}

const char* to_word(Scope s) {
  switch (s) {
    case Scope::prefix: return "prefix";
    case Scope::country: return "country";
    case Scope::local: break;
  }
  return "local";
}

const char* to_word(RoundKind k) { return k == RoundKind::full ? "full" : "cheap"; }

const char* to_word(EventKind k) {
  switch (k) {
    case EventKind::start: return "start";
    case EventKind::verdict: return "verdict";
    case EventKind::end: break;
  }
  return "end";
}

std::optional<State> state_from_word(const std::string& w) {
  for (State s : {State::up, State::down, State::partial, State::unknown})
    if (w == to_word(s)) return s;
  return std::nullopt;
}

std::optional<Scope> scope_from_word(const std::string& w) {
  for (Scope s : {Scope::prefix, Scope::country, Scope::local})
    if (w == to_word(s)) return s;
  return std::nullopt;
}

}  // namespace probe::monitor
