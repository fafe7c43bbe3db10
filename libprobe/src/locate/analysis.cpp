// SPDX-License-Identifier: BSD-2-Clause
#include "probe/locate/analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "evidence.h"
#include "verdict_rules.h"

namespace probe::locate {

namespace {

using model::Address;
using model::Confidence;
using model::PrefixStatus;
using model::StopReason;
using model::Verdict;

// The TTL at which the target itself answered, if it did.
std::optional<std::uint8_t> completion_ttl(const model::Trace& t) {
  if (t.stop_reason != StopReason::completed || t.hops.empty()) return std::nullopt;
  return t.hops.back().ttl;
}

class Analyzer {
 public:
  Analyzer(const Campaign& c, const AsLookup& lookup, const std::optional<Baseline>& baseline)
      : c_(c), lookup_(lookup), baseline_(baseline) {
    asns_ = c.national_asns.empty() ? national_asns(c.prefixes, lookup) : c.national_asns;
    find_borders();
    find_distances();
  }

  Report run() {
    Report r;
    r.national_asns = asns_;
    r.baseline = baseline_.has_value();
    r.dns = c_.dns;
    r.probes = c_.probes;
    r.replies = c_.replies;
    r.frontier_probes = c_.frontier_probes;
    r.interrupted = r_interrupted_ = interrupted(c_, dns_answered(r));
    for (const auto& t : c_.targets) r.targets.push_back(target(t, r.reached_by_method));
    std::map<std::string, std::size_t> ignored;
    for (const auto& t : c_.controls) r.controls.push_back(target(t, ignored));
    r.control = control_report(r.controls);
    for (std::size_t i = 0; i < c_.prefixes.size(); ++i) r.prefixes.push_back(prefix(static_cast<int>(i), r.targets));
    decide(r);
    return r;
  }

 private:
  // National: inside a probed prefix, or of a national AS unless it carries
  // a control's traffic. A transit router may answer from an address of
  // national space (its end of an interconnect numbered by the country);
  // on the way to a destination outside the country it is the transit's.
  bool national(const Address& a, const std::optional<AsName>& as) const {
    for (const auto& p : c_.prefixes)
      if (p.contains(a)) return true;
    if (shared_.count(a)) return false;
    return as && std::find(asns_.begin(), asns_.end(), as->asn) != asns_.end();
  }
  bool national(const Address& a) const { return national(a, lookup_(a)); }

  // Borders are found, not assumed (after bdrmap and MAP-IT, IMC 2016): one
  // address's AS cannot tell a border that answers from its upstream's /30
  // from a transit router that holds an address of national space, or is
  // followed by a border numbered from national space. What a campaign has
  // besides addresses is which destinations each router carries: a router
  // on a path toward a control carries traffic elsewhere, so it is the
  // transit's, whatever follows it. A border is then a non-national hop
  // right before a national one (or before a national target's own answer),
  // on any path of this run or the baseline, that is on no control's path.
  // Its limits: a transit router that carries no control's traffic still
  // looks like a border when a border numbered from national space follows
  // it (name a control behind the transit); and with no national hop on any
  // path (no baseline, a dark or routeless border) no border is found: the
  // verdict says so with low confidence. "Carries only the country's
  // traffic" alone is not taken as a border: with one or two controls it
  // cannot tell the transit's last router from the country's first.
  void find_borders() {
    for (const auto& tt : c_.controls)
      for (const auto* t : all_traces(tt))
        for (const auto& h : responsive_path(*t)) shared_.insert(h.addr);
    auto scan = [this](const std::vector<PathHop>& hops) {
      for (std::size_t i = 0; i + 1 < hops.size(); ++i)
        if (hops[i + 1].ttl == hops[i].ttl + 1 && !national(hops[i].addr) && national(hops[i + 1].addr) &&
            !shared_.count(hops[i].addr))
          borders_.insert(hops[i].addr);
    };
    auto with_target = [](const model::Trace& t) {
      auto hops = responsive_path(t);
      if (auto ttl = completion_ttl(t)) hops.push_back({*ttl, t.dst});
      return hops;
    };
    for (const auto* list : {&c_.targets, &c_.controls})
      for (const auto& tt : *list) {
        for (const auto& t : tt.traces) scan(with_target(t));
        for (const auto& f : tt.frontier)
          if (!f.method.direct) scan(with_target(f.trace));
      }
    if (baseline_)
      for (const auto& p : baseline_->paths) {
        // Only a target that answered a traced probe has a known distance.
        // One reached by a TTL-64 probe alone is not one hop past its
        // path's last answer: behind rate-limited routers that path ends
        // early, and an early router would pass for the border.
        auto hops = p.hops;
        if (p.reached && p.reached_ttl) hops.push_back({*p.reached_ttl, p.target});
        scan(hops);
      }
  }

  // Every responsive hop's distance: the smallest TTL it answered at on any
  // traced path of this run (a looping router's, its first pass: evidence.h).
  // A router with an `unreachable` route answers for any TTL past it, and
  // rate limits silence the smallest ones on some paths; on others (a
  // prefix it still routes, another method) it answers at its distance.
  // Over the same paths, the addresses a looping router answers its
  // returned passes from (evidence.h: loop_aliases), which come round.
  void find_distances() {
    std::vector<std::vector<PathHop>> paths;
    for (const auto* list : {&c_.targets, &c_.controls})
      for (const auto& tt : *list) {
        for (std::size_t m = 0; m < tt.traces.size(); ++m)  // TTL 64 says nothing
          if (m >= c_.methods.size() || !c_.methods[m].direct) paths.push_back(responsive_path(tt.traces[m]));
        for (const auto& f : tt.frontier)
          if (!f.method.direct) paths.push_back(responsive_path(f.trace));
      }
    const Periods period = loop_periods(paths);
    distance_ = distances(paths, period);
    aliases_ = loop_aliases(paths, distance_, period);
  }

  HopReport hop(const PathHop& h) const {
    HopReport out;
    out.addr = h.addr;
    out.ttl = h.ttl;
    out.as = lookup_(h.addr);
    out.national = national(h.addr, out.as);
    out.border = !out.national && borders_.count(h.addr) > 0;
    return out;
  }

  TargetReport target(const TargetTraces& tt, std::map<std::string, std::size_t>& by_method) const {
    TargetReport out;
    out.addr = tt.addr;
    out.prefix = tt.prefix;
    const model::Trace* deepest = nullptr;
    std::vector<PathHop> deepest_path;
    bool interrupted = false;
    for (std::size_t m = 0; m < tt.traces.size(); ++m) {
      const auto& t = tt.traces[m];
      // Halted after sending, the trace did not finish; halted with
      // nothing sent, the target may be unprobed (below).
      if (t.stop_reason == StopReason::halted && probes_in(t) > 0) interrupted = true;
      const std::string label = m < c_.methods.size() ? c_.methods[m].label() : std::string(model::to_string(t.method));
      if (t.stop_reason == StopReason::completed) {
        out.reached_by.push_back(label);
        ++by_method[label];
      }
      if (t.stop_reason == StopReason::loop) out.loop = true;
      if (m < c_.methods.size() && c_.methods[m].direct) continue;  // a ping: no path
      auto path = until_loop(responsive_path(t), distance_, aliases_);
      // A completed trace is the path; otherwise the one that got deepest.
      bool better = !deepest ||
                    (t.stop_reason == StopReason::completed && deepest->stop_reason != StopReason::completed) ||
                    (deepest->stop_reason != StopReason::completed && !path.empty() &&
                     (deepest_path.empty() || path.back().ttl > deepest_path.back().ttl));
      if (better) {
        deepest = &t;
        deepest_path = std::move(path);
      }
    }
    out.reached = !out.reached_by.empty();
    out.unfinished = !out.reached && interrupted;
    out.unprobed = r_interrupted_ && !sent_toward(tt);
    out.path = deepest_path;
    if (deepest) out.reached_ttl = completion_ttl(*deepest);
    if (!out.reached && deepest && !deepest_path.empty()) {
      out.last_hop = hop(deepest_path.back());
      if (deepest->stop_reason == StopReason::unreachable) {
        const auto* r = deepest->hops.back().reply();
        if (r && r->addr == deepest_path.back().addr) out.last_hop->unreachable_code = r->icmp_code;
      }
    }
    if (!out.reached) refused(tt, out);
    frontier_evidence(tt, out, by_method);
    return out;
  }

  // The frontier phase asked again, paced, where the survey's answers ran
  // out (frontier.h): the target's own answer reaches it, a router that
  // answered deeper is its last hop, and an unreachable says where its
  // packets stop, as from a direct probe.
  void frontier_evidence(const TargetTraces& tt, TargetReport& out, std::map<std::string, std::size_t>& by_method) const {
    for (const auto& f : tt.frontier)
      for (const auto& h : f.trace.hops)
        for (const auto& p : h.probes) {
          FrontierAnswer a{f.method.label(), h.ttl, std::nullopt, std::nullopt};
          if (p.reply) a.addr = p.reply->addr;
          if (p.reply && p.reply->kind == model::ReplyKind::unreachable) a.unreachable_code = p.reply->icmp_code;
          out.frontier.push_back(std::move(a));
        }
    if (out.reached) return;
    for (const auto& f : tt.frontier)
      if (f.trace.stop_reason == StopReason::completed) {
        out.reached_by.push_back(f.method.label());
        ++by_method[f.method.label()];
        out.reached = true;
        out.unfinished = false;
        out.last_hop.reset();
      }
    if (out.reached) return;
    for (const auto& f : tt.frontier) {
      if (f.method.direct) continue;  // below, once the traced answers set the distances
      for (const auto& h : f.trace.hops) {
        const auto* r = h.reply();
        if (!r || r->addr == tt.addr) continue;
        const bool refuses = r->kind == model::ReplyKind::unreachable;
        if (out.last_hop && out.last_hop->ttl == h.ttl && out.last_hop->addr == r->addr) {
          if (refuses && !out.last_hop->unreachable_code) out.last_hop->unreachable_code = r->icmp_code;
          continue;
        }
        if (out.last_hop && h.ttl <= out.last_hop->ttl) continue;
        if (comes_round(out.path, r->addr, distance_, aliases_)) break;  // a loop: deeper TTLs go round
        while (!out.path.empty() && out.path.back().ttl >= h.ttl) out.path.pop_back();
        out.path.push_back(path_hop(h.ttl, *r));
        out.last_hop = hop({h.ttl, r->addr});
        if (refuses) out.last_hop->unreachable_code = r->icmp_code;
      }
    }
    for (const auto& f : tt.frontier)
      if (f.method.direct) refused_by(f.trace, tt.addr, out);
  }

  // A router that refused a probe of any method toward the target (a
  // destination unreachable from other than the target: a TTL-64 ping's, or
  // a traced probe's on a path that is not the deepest) is where that packet
  // stopped: deeper evidence than a traced path whose own unreachable a rate
  // limit swallowed. Its distance comes from the traced paths; unknown
  // there, one past the traced path's end.
  void refused(const TargetTraces& tt, TargetReport& out) const {
    for (const auto& t : tt.traces) refused_by(t, tt.addr, out);
  }
  void refused_by(const model::Trace& direct, const Address& target, TargetReport& out) const {
    for (const auto& h : direct.hops)
      for (const auto& p : h.probes) {
        if (!p.reply || p.reply->kind != model::ReplyKind::unreachable || p.reply->addr == target) continue;
        const Address& at = p.reply->addr;
        auto known = distance_.find(at);
        std::uint8_t ttl = known != distance_.end() ? known->second
                           : out.last_hop              ? static_cast<std::uint8_t>(out.last_hop->ttl + 1)
                                                       : std::uint8_t{1};
        if (out.last_hop && (out.last_hop->addr == at || ttl <= out.last_hop->ttl)) {
          if (out.last_hop->addr == at && !out.last_hop->unreachable_code)
            out.last_hop->unreachable_code = p.reply->icmp_code;
          continue;
        }
        out.last_hop = hop({ttl, at});
        out.last_hop->unreachable_code = p.reply->icmp_code;
      }
  }

  // The break of a group of failing targets: the last hop that
  // deepest_supported_end() picks (evidence.h), at its smallest distance;
  // a path is consistent with it when it ends there or earlier on a path
  // through it.
  BreakReport break_of(const std::vector<const TargetReport*>& failing) const {
    BreakReport b;
    b.failing = failing.size();
    const TargetReport* best = deepest_supported_end(failing);
    if (!best) return b;
    const Sibling frontier = sibling(*best);
    const HopReport* best_hop = &*best->last_hop;
    b.after = *best_hop;
    b.after->border = !b.after->national && borders_.count(best_hop->addr) > 0;
    // The hop's distance is the smallest TTL it answered at (find_distances).
    if (auto d = distance_.find(best_hop->addr); d != distance_.end() && d->second < b.after->ttl)
      b.after->ttl = d->second;
    // Keep an unreachable code if any path ending there carries one.
    for (const auto* t : failing)
      if (t->last_hop && t->last_hop->addr == best_hop->addr && t->last_hop->unreachable_code)
        b.after->unreachable_code = t->last_hop->unreachable_code;
    // Hops (ttl, addr) on the paths that go through the break hop.
    std::set<std::pair<std::uint8_t, Address>> through;
    for (const auto* t : failing)
      for (const auto& h : t->path)
        if (h.addr == best_hop->addr) {
          for (const auto& g : t->path) through.insert({g.ttl, g.addr});
          break;
        }
    for (const auto* t : failing) {
      if (!t->last_hop) continue;
      if (t->last_hop->addr == best_hop->addr || sibling(*t) == frontier ||
          (t->last_hop->ttl < best_hop->ttl && through.count({t->last_hop->ttl, t->last_hop->addr})))
        ++b.sharing;
    }
    b.before = before(*b.after, failing);
    return b;
  }

  // A prefix whose few paths all ended short of the run's break, on the way
  // to it (its errors were rate-limited away), breaks there too; so does one
  // whose paths got no answer at all: a small prefix inherits the evidence
  // of the failing group it shares the way with. On the way: a hop of a
  // path through the break, or, when the break is a router no trace saw
  // (its refusals were the zone check's), any hop short of its distance.
  void align_prefix_breaks(Report& r, const std::vector<const TargetReport*>& failing) const {
    if (!r.brk.after) return;
    const HopReport& at = *r.brk.after;
    std::set<std::pair<std::uint8_t, Address>> through;  // hops of the paths through the break
    for (const auto* t : failing)
      for (const auto& h : t->path)
        if (h.addr == at.addr) {
          for (const auto& g : t->path) through.insert({g.ttl, g.addr});
          break;
        }
    auto on_the_way = [&](const HopReport& h) {
      return h.addr == at.addr || (h.ttl < at.ttl && (through.empty() || through.count({h.ttl, h.addr})));
    };
    for (auto& p : r.prefixes) {
      if (p.status != PrefixStatus::unreachable || (p.brk.after && p.brk.after->addr == at.addr)) continue;
      std::size_t consistent = 0;
      for (const auto* t : failing)
        if (t->prefix >= 0 && &r.prefixes[static_cast<std::size_t>(t->prefix)] == &p && t->last_hop &&
            on_the_way(*t->last_hop))
          ++consistent;
      if (p.brk.after && (consistent == 0 || consistent < p.brk.sharing)) continue;
      p.brk.after = at;
      p.brk.sharing = consistent;
      std::vector<const TargetReport*> mine;
      for (const auto* t : failing)
        if (t->prefix >= 0 && &r.prefixes[static_cast<std::size_t>(t->prefix)] == &p) mine.push_back(t);
      p.brk.before = before(at, mine);
      p.verdict = side(at);
    }
  }

  // The first hop of a baseline path (same target, else same prefix) after
  // the break: what used to answer and no longer does.
  std::optional<HopReport> before(const HopReport& after, const std::vector<const TargetReport*>& failing) const {
    if (!baseline_) return std::nullopt;
    auto next_on = [&](const BaselinePath& p) -> std::optional<HopReport> {
      for (std::size_t i = 0; i < p.hops.size(); ++i)
        if (p.hops[i].addr == after.addr || p.hops[i].ttl > after.ttl) {
          std::size_t j = p.hops[i].addr == after.addr ? i + 1 : i;
          if (j < p.hops.size()) return hop(p.hops[j]);
          if (p.reached) return hop({p.reached_ttl.value_or(static_cast<std::uint8_t>(p.hops.back().ttl + 1)), p.target});
          return std::nullopt;
        }
      return std::nullopt;
    };
    for (const auto* t : failing)
      if (t->last_hop && t->last_hop->addr == after.addr)
        for (const auto& p : baseline_->paths)
          if (p.target == t->addr)
            if (auto h = next_on(p)) return h;
    for (const auto* t : failing) {
      if (t->prefix < 0) continue;
      const auto& pfx = c_.prefixes[static_cast<std::size_t>(t->prefix)];
      for (const auto& p : baseline_->paths)
        if (pfx.contains(p.target))
          if (auto h = next_on(p)) return h;
    }
    return std::nullopt;
  }

  PrefixReport prefix(int index, const std::vector<TargetReport>& targets) const {
    PrefixReport p;
    p.prefix = c_.prefixes[static_cast<std::size_t>(index)];
    std::vector<const TargetReport*> failing;
    std::size_t unfinished = 0;
    for (const auto& t : targets) {
      if (t.prefix != index) continue;
      ++p.targets;
      if (t.reached) ++p.reached;
      else if (t.unfinished || t.unprobed) ++unfinished;
      else failing.push_back(&t);
      p.unprobed += t.unprobed ? 1 : 0;
    }
    p.brk = break_of(failing);
    const std::size_t finished = p.targets - unfinished;
    if (finished == 0) {
      p.status = PrefixStatus::inconclusive;
      p.verdict = Verdict::inconclusive;
    } else if (p.reached == finished) {
      p.status = PrefixStatus::reachable;
      p.verdict = Verdict::reachable;
    } else if (p.reached > 0) {
      p.status = PrefixStatus::partial;
      p.verdict = Verdict::partial;
    } else {
      p.status = PrefixStatus::unreachable;
      p.verdict = p.brk.after ? side(*p.brk.after) : Verdict::inconclusive;
    }
    return p;
  }

  bool any_probe_sent() const {
    for (const auto* list : {&c_.targets, &c_.controls})
      for (const auto& tt : *list)
        for (const auto& t : tt.traces)
          if (probes_in(t) > 0) return true;
    return false;
  }

  // The facts once, then the first decision rule that holds for them
  // (verdict_rules.cpp) names the verdict. An interrupted run (Ctrl-C)
  // decides from the targets probed to the end and says what it left out;
  // silence it never waited for is no evidence.
  void decide(Report& r) const {
    Facts f{r, c_.no_route};
    f.total = r.targets.size();
    for (const auto& t : r.targets) {
      f.unfinished += t.unfinished ? 1 : 0;
      f.unprobed += t.unprobed ? 1 : 0;
      f.reached += t.reached ? 1 : 0;
    }
    f.probed = f.total - f.unfinished - f.unprobed;
    f.interrupted = r.interrupted;
    f.probe_sent = any_probe_sent();
    f.dns_answered = dns_answered(r);
    f.targets_answer = any_answer(r.targets);
    f.controls_answer = any_answer(r.controls);
    for (const auto& p : r.prefixes) {
      if (p.status == PrefixStatus::inconclusive) {  // nothing probed to the end there: no evidence either way
        ++f.unmeasured;
        continue;
      }
      if (p.status == PrefixStatus::reachable) ++f.good;
      else ++f.bad;
    }
    if (r.dns) f.dns = r.dns->verdict;
    for (const auto& [label, n] : r.reached_by_method)
      f.methods += fmt::format("{}{} {}", f.methods.empty() ? "" : ", ", label, n);
    std::vector<const TargetReport*> failing;
    for (const auto& t : r.targets)
      if (!t.reached && !t.unfinished && !t.unprobed) failing.push_back(&t);
    for (const auto* t : failing) {
      f.loops += t->loop ? 1 : 0;
      f.silent += t->last_hop ? 0 : 1;
    }
    f.brk = break_of(failing);
    const auto dns_refused = dns_refusals(c_);
    f.icmp_errors = dns_refused.size();
    if (f.reached == 0) f.brk_from_dns = refused_dns(f.brk, dns_refused, failing);
    f.border_known = !borders_.empty() || (f.brk.after && f.brk.after->national);
    r.rate_limited = rate_limited_routers(c_);
    f.rate_limited = r.rate_limited.size();
    local_break(f, dns_refused);

    const Rule& rule = first_rule(f);
    r.verdict = rule.verdict;
    r.confidence = rule.confidence(f);
    r.reason = rule.reason(f);
    if (rule.breaks != Breaks::none) r.brk = f.brk;
    if (rule.breaks == Breaks::all) align_prefix_breaks(r, failing);
    if (rule.breaks == Breaks::local && f.local) {
      r.brk.after = f.local;
      r.brk.before.reset();
      r.brk.sharing = 0;
      for (const auto* t : failing)
        if (t->last_hop && (t->last_hop->addr == f.local->addr || t->last_hop->ttl < f.local->ttl)) ++r.brk.sharing;
      // Every prefix that fails, fails there.
      for (auto& p : r.prefixes)
        if (p.status == PrefixStatus::unreachable) {
          p.verdict = Verdict::local;
          p.brk.after = f.local;
          p.brk.before.reset();
        }
    }
    // A break before the country may be the vantage point's own network
    // while no control was probed to the end.
    if (f.controls_unknown())
      for (auto& p : r.prefixes)
        if (p.verdict == Verdict::upstream) p.verdict = Verdict::inconclusive;
    if (f.rate_limited > 0 && f.probe_sent)
      r.reason += fmt::format("; {} {} rate-limited (answered, then went quiet on later probes at the same distance)",
                              f.rate_limited, f.rate_limited == 1 ? "router was" : "routers were");
    if (rule.notes_interruption && (f.unfinished > 0 || f.unprobed > 0 || r.control.unprobed > 0)) {
      r.reason += fmt::format("; the run was interrupted: {} of {} national targets unfinished", f.unfinished, f.total);
      if (f.unprobed > 0) r.reason += fmt::format(", {} never probed", f.unprobed);
      if (r.control.unprobed > 0)
        r.reason += fmt::format(", {} of {} controls never probed", r.control.unprobed, r.control.targets);
      if (r.confidence == Confidence::high) r.confidence = Confidence::medium;
    }
  }

  // A router's distance: the smallest TTL it answered at; never seen on a
  // traced path, one past the deepest end of the failing paths.
  std::uint8_t distance_of(const Address& a, const std::vector<const TargetReport*>& failing) const {
    if (auto d = distance_.find(a); d != distance_.end()) return d->second;
    std::uint8_t deepest = 0;
    for (const auto* t : failing)
      if (t->last_hop) deepest = std::max(deepest, t->last_hop->ttl);
    return static_cast<std::uint8_t>(deepest + 1);
  }

  // The zone check ran first and its queries took the burst of the breaking
  // router's error bucket: when nothing national was reached, a router that
  // refused a query to a national address is where packets to the country
  // stop, at its distance or deeper than the traced paths got. Returns
  // whether it moved the break.
  bool refused_dns(BreakReport& b, const std::vector<Refusal>& refusals,
                   const std::vector<const TargetReport*>& failing) const {
    std::optional<HopReport> best;
    for (const auto& x : refusals) {
      if (!national(x.dst)) continue;
      HopReport h = hop({distance_of(x.from, failing), x.from});
      h.unreachable_code = x.code;
      if (!best || h.ttl > best->ttl) best = h;
    }
    if (!best) return false;
    if (b.after && b.after->addr == best->addr) {
      if (!b.after->unreachable_code) b.after->unreachable_code = best->unreachable_code;
      return false;
    }
    if (b.after && best->ttl <= b.after->ttl) return false;
    b.failing = failing.size();
    b.sharing = 0;
    for (const auto* t : failing)
      if (t->last_hop && (t->last_hop->addr == best->addr || t->last_hop->ttl < best->ttl)) ++b.sharing;
    b.after = best;
    b.before = before(*best, failing);
    return true;
  }

  // The last router of the vantage point's own network (the AS of the
  // source address; unknown, the first hop's) that answered anything: where
  // a local fault is. Whether it refused destinations outside the country
  // (a control, the parent) tells "no route out" from a national outage.
  void local_break(Facts& f, const std::vector<Refusal>& dns) const {
    std::optional<Address> src;
    for (const auto* list : {&c_.targets, &c_.controls})
      for (const auto& tt : *list)
        for (const auto& t : tt.traces)
          if (!src && !t.hops.empty()) src = t.src;
    const auto own = src ? lookup_(*src) : std::nullopt;
    auto ours = [&](const Address& a, std::uint8_t ttl) {
      if (!own) return ttl == 1;
      auto as = lookup_(a);
      return as && as->asn == own->asn;
    };
    std::set<Address> refused;  // refused a destination outside the country
    std::map<Address, std::uint8_t> code;
    std::map<Address, std::uint8_t> seen = {distance_.begin(), distance_.end()};
    for (const auto* list : {&f.r.targets, &f.r.controls})
      for (const auto& t : *list) {
        if (t.last_hop) seen.emplace(t.last_hop->addr, t.last_hop->ttl);
        if (t.last_hop && t.last_hop->unreachable_code) {
          code[t.last_hop->addr] = *t.last_hop->unreachable_code;
          if (t.prefix < 0) refused.insert(t.last_hop->addr);
        }
      }
    for (const auto& x : dns) {
      code.emplace(x.from, x.code);
      if (!national(x.dst)) refused.insert(x.from);
    }
    std::optional<HopReport> best;
    auto consider = [&](const Address& a, std::uint8_t ttl) {
      if (!ours(a, ttl) || (best && best->ttl >= ttl)) return;
      best = hop({ttl, a});
    };
    for (const auto& [a, ttl] : seen) consider(a, ttl);
    // A router of ours that only the zone check heard from lies past the
    // ones the traces saw.
    for (const auto& [a, c] : code)
      if (!seen.count(a)) consider(a, static_cast<std::uint8_t>(best ? best->ttl + 1 : 1));
    if (!best) return;
    if (auto c = code.find(best->addr); c != code.end()) best->unreachable_code = c->second;
    f.local = best;
    f.local_refuses_other = refused.count(best->addr) > 0;
  }

  const Campaign& c_;
  const AsLookup& lookup_;
  const std::optional<Baseline>& baseline_;
  std::vector<std::uint32_t> asns_;
  std::unordered_set<Address> borders_;
  std::unordered_set<Address> shared_;     // on a control's path: carries traffic elsewhere
  Distances distance_;
  Aliases aliases_;  // a looping router's return-pass address -> its first pass's (evidence.h)
  bool r_interrupted_ = false;  // a trace was halted (evidence.h)
};

}  // namespace

Report analyze(const Campaign& campaign, const AsLookup& lookup, const std::optional<Baseline>& baseline) {
  return Analyzer(campaign, lookup, baseline).run();
}

}  // namespace probe::locate
