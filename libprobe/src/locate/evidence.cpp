// SPDX-License-Identifier: BSD-2-Clause
#include "evidence.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace probe::locate {

using model::Address;

// The public helpers of analysis.h over paths and reports.

std::vector<std::uint32_t> national_asns(const std::vector<model::Prefix>& prefixes, const AsLookup& lookup) {
  std::set<std::uint32_t> asns;
  for (const auto& p : prefixes)
    if (auto as = lookup(p.base); as && as->asn != 0) asns.insert(as->asn);
  return {asns.begin(), asns.end()};
}

std::vector<PathHop> responsive_path(const model::Trace& trace) {
  std::vector<PathHop> path;
  for (const auto& hop : trace.hops)
    if (const auto* r = hop.reply(); r && r->addr != trace.dst) path.push_back(path_hop(hop.ttl, *r));
  return path;
}

Baseline baseline_of(const Report& r) {
  Baseline b;
  for (const auto* list : {&r.targets, &r.controls})
    for (const auto& t : *list) b.paths.push_back({t.addr, t.reached, t.path, t.reached_ttl});
  return b;
}

std::vector<Refusal> dns_refusals(const Campaign& c) {
  std::vector<Refusal> out;
  for (const auto& e : c.dns_exchanges)
    if (e.icmp && e.icmp->type == 3 && e.icmp->addr != e.query.server)
      out.push_back({e.icmp->addr, e.query.server, e.icmp->code});
  return out;
}

std::vector<const model::Trace*> all_traces(const TargetTraces& tt) {
  std::vector<const model::Trace*> out;
  for (const auto& t : tt.traces) out.push_back(&t);
  for (const auto& f : tt.frontier) out.push_back(&f.trace);
  return out;
}

std::vector<Address> rate_limited_routers(const Campaign& c) {
  // The first time each router answered anything, anywhere in the run.
  std::unordered_map<Address, std::int64_t> first_rx;
  for (const auto* list : {&c.targets, &c.controls})
    for (const auto& tt : *list)
      for (const auto& tt_trace : all_traces(tt))
        for (const auto& hop : tt_trace->hops)
          for (const auto& p : hop.probes)
            if (p.reply && p.reply->addr != tt_trace->dst) {
              auto [it, added] = first_rx.emplace(p.reply->addr, p.reply->rx_us);
              if (!added) it->second = std::min(it->second, p.reply->rx_us);
            }
  std::set<Address> limited;
  for (const auto* list : {&c.targets, &c.controls})
    for (const auto& tt : *list) {
      // Who answered at each distance toward this target, over its traced
      // methods. One router there: a silent probe at that distance went to
      // it. Two (ECMP across methods' flows): who got it is unknown.
      // The frontier phase's traced probes count like the survey's.
      std::vector<const model::Trace*> traced;
      for (std::size_t m = 0; m < tt.traces.size(); ++m)
        if (m >= c.methods.size() || !c.methods[m].direct) traced.push_back(&tt.traces[m]);
      for (const auto& f : tt.frontier)
        if (!f.method.direct) traced.push_back(&f.trace);
      std::map<std::uint8_t, std::set<Address>> at;
      for (const auto* t : traced)
        for (const auto& hop : t->hops)
          for (const auto& p : hop.probes)
            if (p.reply && p.reply->addr != tt.addr) at[hop.ttl].insert(p.reply->addr);
      for (const auto* t : traced)
        for (const auto& hop : t->hops) {
          auto known = at.find(hop.ttl);
          if (known == at.end() || known->second.size() != 1) continue;
          const Address& router = *known->second.begin();
          for (const auto& p : hop.probes)
            if (!p.reply && first_rx.count(router) && first_rx[router] < p.tx_us) limited.insert(router);
        }
    }
  return {limited.begin(), limited.end()};
}

bool comes_round(const std::vector<PathHop>& path, const Address& a, const Distances& distance,
                 const Aliases& aliases) {
  if (aliases.count(a)) return true;
  auto near = distance.find(a);
  for (const auto& h : path) {
    if (h.addr == a) return true;
    auto d = distance.find(h.addr);
    if (near != distance.end() && d != distance.end() && near->second < d->second) return true;
  }
  return false;
}

std::vector<PathHop> until_loop(std::vector<PathHop> path, const Distances& distance, const Aliases& aliases) {
  // Each router once, where it first answered. The last one kept is the
  // loop's deepest router, the one that sends the packets back: with its
  // first answer rate-limited away (r1 r2 _ r2 r3) it still ends the path,
  // where cutting at the first repeat would end it one router early.
  // Past the first repeat the routers go round in order, so one first seen
  // there sits right after the router kept before it.
  std::vector<PathHop> out;
  bool looping = false;
  for (const auto& h : path) {
    if (comes_round(out, h.addr, distance, aliases)) {
      looping = true;
      continue;
    }
    PathHop kept = h;
    if (looping && !out.empty() && out.back().ttl + 1 < kept.ttl)
      kept.ttl = static_cast<std::uint8_t>(out.back().ttl + 1);
    out.push_back(kept);
  }
  return out;
}

Periods loop_periods(const std::vector<std::vector<PathHop>>& paths) {
  Periods out;
  for (const auto& path : paths) {
    std::unordered_map<Address, int> seen;  // the TTL it last answered at on this path
    for (const auto& h : path) {
      auto [s, first] = seen.emplace(h.addr, h.ttl);
      if (!first && h.ttl - s->second >= 2) {
        auto [p, none] = out.emplace(h.addr, h.ttl - s->second);
        if (!none) p->second = std::min(p->second, h.ttl - s->second);
      }
      s->second = h.ttl;
    }
  }
  return out;
}

Distances distances(const std::vector<std::vector<PathHop>>& paths, const Periods& period) {
  Distances out;
  for (const auto& path : paths)
    for (const auto& h : path) {
      auto [d, added] = out.emplace(h.addr, h.ttl);
      if (!added) d->second = std::min(d->second, h.ttl);
    }
  std::set<int> taken;
  for (const auto& [a, d] : out) taken.insert(d);
  const Distances raw = out;
  for (auto& [a, d] : out) {
    auto p = period.find(a);
    if (p == period.end() || d - p->second < 1 || taken.count(d - p->second)) continue;
    for (const auto& [b, q] : period)
      if (b != a && q == p->second && raw.at(b) > d - p->second && raw.at(b) < d) {
        d = static_cast<std::uint8_t>(d - p->second);
        break;
      }
  }
  return out;
}

Aliases loop_aliases(const std::vector<std::vector<PathHop>>& paths, const Distances& distance,
                     const Periods& period) {
  std::unordered_map<Address, std::set<std::uint8_t>> reply_ttls;
  std::unordered_map<Address, std::set<Address>> next_to;  // answered at the TTL before or after it
  for (const auto& path : paths)
    for (std::size_t i = 0; i < path.size(); ++i) {
      reply_ttls[path[i].addr].insert(path[i].reply_ttl);
      if (i + 1 < path.size() && path[i + 1].ttl == path[i].ttl + 1 && path[i + 1].addr != path[i].addr) {
        next_to[path[i].addr].insert(path[i + 1].addr);
        next_to[path[i + 1].addr].insert(path[i].addr);
      }
    }
  // A router's one reply TTL; 0 when unknown or not one.
  auto reply_ttl = [&](const Address& a) -> std::uint8_t {
    auto r = reply_ttls.find(a);
    return r != reply_ttls.end() && r->second.size() == 1 ? *r->second.begin() : std::uint8_t{0};
  };
  std::map<int, std::vector<Address>> at;  // distance -> the routers there
  for (const auto& [a, d] : distance) at[d].push_back(a);
  Aliases out;
  for (const auto& [x, p] : period) {
    const std::uint8_t r = reply_ttl(x);
    auto dx = distance.find(x);
    if (r == 0 || dx == distance.end()) continue;
    std::optional<Address> first_pass;
    int dy = dx->second - p;
    for (; dy >= 1; dy -= p) {
      auto here = at.find(dy);
      if (here == at.end()) continue;
      std::size_t same = 0;
      for (const auto& y : here->second)
        if (y != x && !period.count(y) && reply_ttl(y) == r) {
          first_pass = y;
          ++same;
        }
      if (same != 1) first_pass.reset();
      break;
    }
    if (!first_pass) continue;
    // The turnaround: farther than the first pass (a smaller reply TTL)
    // and between the two passes.
    std::size_t turnarounds = 0;
    bool consistent = true;
    for (const auto& b : next_to[x]) {
      auto pb = period.find(b);
      if (pb == period.end() || pb->second != p) continue;
      ++turnarounds;
      auto db = distance.find(b);
      const std::uint8_t rb = reply_ttl(b);
      if (rb == 0 || rb >= r || db == distance.end() || db->second <= dy || db->second >= dx->second)
        consistent = false;
    }
    if (turnarounds > 0 && consistent) out.emplace(x, *first_pass);
  }
  return out;
}

bool any_answer(const std::vector<TargetReport>& v) {
  for (const auto& t : v)
    if (t.reached || !t.path.empty()) return true;
  return false;
}

bool dns_answered(const Report& r) {
  if (!r.dns) return false;
  if (r.dns->parent_answered) return true;
  for (const auto& s : r.dns->servers)
    if (s.udp || s.tcp) return true;
  return false;
}

Sibling sibling(const TargetReport& t) {
  Sibling k{t.last_hop->ttl, std::nullopt};
  for (const auto& h : t.path)
    if (h.ttl + 1 == t.last_hop->ttl) k.second = h.addr;
  return k;
}

const TargetReport* deepest_supported_end(const std::vector<const TargetReport*>& failing) {
  std::unordered_map<Address, std::size_t> ends;
  std::unordered_set<Address> refused;  // answered unreachable: where packets stop, for sure
  for (const auto* t : failing)
    if (t->last_hop) {
      ++ends[t->last_hop->addr];
      if (t->last_hop->unreachable_code) refused.insert(t->last_hop->addr);
    }
  if (ends.empty()) return nullptr;
  // Behind ECMP, or a router that answers from the interface its reply
  // leaves by, the paths' ends at one distance right after one hop are
  // spread over two or three addresses: siblings, one router or routers
  // in parallel. Either way packets get that far, so the siblings pool
  // their support; the break names the one most paths end at.
  std::map<Sibling, std::size_t> pool;
  for (const auto* t : failing)
    if (t->last_hop) ++pool[sibling(*t)];
  const std::size_t need = std::min<std::size_t>(std::max<std::size_t>(2, (failing.size() + 4) / 5), failing.size());
  // Fewer than `need` deep paths are enough too when the others all end
  // on the way to them: the routers short of the break spent their budget
  // on the others' probes, the deep ones show where packets get to.
  std::size_t ending = 0;
  for (const auto* t : failing) ending += t->last_hop ? 1 : 0;
  std::map<Sibling, bool> leads;
  auto led_to = [&](const TargetReport* deep) {
    auto [it, added] = leads.emplace(sibling(*deep), false);
    if (!added) return it->second;
    std::set<std::pair<std::uint8_t, Address>> on_way;
    for (const auto* t : failing)
      if (t->last_hop && sibling(*t) == sibling(*deep))
        for (const auto& g : t->path) on_way.insert({g.ttl, g.addr});
    std::size_t consistent = 0;
    for (const auto* t : failing)
      if (t->last_hop && (sibling(*t) == sibling(*deep) || on_way.count({t->last_hop->ttl, t->last_hop->addr})))
        ++consistent;
    return it->second = consistent * 5 >= ending * 4;
  };
  auto enough_at = [&](const TargetReport* t) {
    const std::size_t n = pool[sibling(*t)];
    return n >= need || refused.count(t->last_hop->addr) > 0 || (n >= 2 && led_to(t));
  };
  const TargetReport* best = nullptr;
  std::size_t best_count = 0;
  for (const auto* t : failing) {
    if (!t->last_hop) continue;
    const HopReport& h = *t->last_hop;
    std::size_t n = ends[h.addr];
    bool enough = enough_at(t);
    bool best_enough = best && enough_at(best);
    const std::uint8_t best_ttl = best ? best->last_hop->ttl : 0;
    bool better = !best || (enough && !best_enough) ||
                  (enough == best_enough &&
                   (enough ? h.ttl > best_ttl || (sibling(*t) == sibling(*best) && n > best_count)
                           : n > best_count || (n == best_count && h.ttl > best_ttl)));
    if (better) {
      best = t;
      best_count = n;
    }
  }
  return best;
}

std::size_t probes_in(const model::Trace& t) {
  std::size_t n = 0;
  for (const auto& hop : t.hops) n += hop.probes.size();
  return n;
}

bool interrupted(const Campaign& c, bool dns_answered) {
  bool empty_halt = false, other = false;
  auto look = [&](const model::Trace& t) {
    if (t.stop_reason != model::StopReason::halted) other = true;
    else if (probes_in(t) > 0) return true;
    else empty_halt = true;
    return false;
  };
  for (const auto* list : {&c.targets, &c.controls})
    for (const auto& tt : *list) {
      for (const auto& t : tt.traces)
        if (look(t)) return true;
      for (const auto& f : tt.frontier)
        if (look(f.trace)) return true;
    }
  return empty_halt && (other || dns_answered);
}

ControlReport control_report(const std::vector<TargetReport>& controls) {
  ControlReport c;
  c.targets = controls.size();
  std::size_t finished = 0;
  for (const auto& t : controls) {
    c.reached += t.reached ? 1 : 0;
    c.unprobed += t.unprobed ? 1 : 0;
    finished += t.unfinished || t.unprobed ? 0 : 1;
  }
  c.ok = finished == 0 || c.reached > 0;
  c.unknown = c.targets > 0 && finished == 0 && c.reached == 0;
  return c;
}

bool sent_toward(const TargetTraces& tt) {
  for (const auto& t : tt.traces)
    if (probes_in(t) > 0) return true;
  for (const auto& f : tt.frontier)
    if (probes_in(f.trace) > 0) return true;
  return false;
}

}  // namespace probe::locate
