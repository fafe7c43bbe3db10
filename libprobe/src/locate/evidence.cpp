#include "evidence.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace probe::locate {

using model::Address;

std::vector<Refusal> dns_refusals(const Campaign& c) {
  std::vector<Refusal> out;
  for (const auto& e : c.dns_exchanges)
    if (e.icmp && e.icmp->type == 3 && e.icmp->addr != e.query.server)
      out.push_back({e.icmp->addr, e.query.server, e.icmp->code});
  return out;
}

namespace {

// The survey's traces of a target and the frontier phase's.
std::vector<const model::Trace*> all_traces(const TargetTraces& tt) {
  std::vector<const model::Trace*> out;
  for (const auto& t : tt.traces) out.push_back(&t);
  for (const auto& f : tt.frontier) out.push_back(&f.trace);
  return out;
}

}  // namespace

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

std::vector<PathHop> until_loop(std::vector<PathHop> path) {
  std::unordered_set<Address> seen;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (!seen.insert(path[i].addr).second) {
      path.resize(i);
      break;
    }
  }
  return path;
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

}  // namespace probe::locate
