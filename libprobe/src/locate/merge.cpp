// SPDX-License-Identifier: BSD-2-Clause
#include "probe/locate/merge.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "probe/model/words.h"

namespace probe::locate {

namespace {

using model::Confidence;
using model::Verdict;

std::string name_of(const VantageReport& v) { return v.name.empty() ? "(unnamed)" : v.name; }

std::string as_words(const AsName& as) {
  return as.name.empty() ? fmt::format("AS{}", as.asn) : fmt::format("AS{} {}", as.asn, as.name);
}

// A hop short of the country: neither national nor its border (a border
// answers from its upstream's space, but the national network starts there).
bool upstream_hop(const std::optional<HopReport>& h) { return h && h->as && !h->national && !h->border; }

// The AS every one of `failing` ends in upstream of the border, or nullopt.
std::optional<AsName> shared_upstream(const std::vector<const VantagePrefix*>& failing) {
  std::optional<AsName> as;
  for (const auto* f : failing) {
    if (!upstream_hop(f->last_hop)) return std::nullopt;
    if (as && as->asn != f->last_hop->as->asn) return std::nullopt;
    as = f->last_hop->as;
  }
  return as;
}

// Judges one prefix from the vantages that probed it (see merge.h).
void judge(JointPrefix& p) {
  std::vector<const VantagePrefix*> failing, reaching;
  for (const auto& v : p.vantages) {
    if (v.targets == 0) continue;
    (v.reached ? reaching : failing).push_back(&v);
  }
  if (failing.empty()) {
    p.verdict = reaching.empty() ? Verdict::inconclusive : Verdict::reachable;
    return;
  }
  auto as = shared_upstream(failing);
  if (as) {
    // A reaching vantage whose paths end in X too would clear X: the
    // reports carry the failing paths' ends only, so X is named only when
    // no vantage reached the prefix through it as its last answering AS.
    p.verdict = Verdict::upstream;
    p.upstream = as;
    p.last_hop = failing.front()->last_hop;
    return;
  }
  if (!reaching.empty()) {
    p.verdict = Verdict::partial;
    return;
  }
  p.verdict = Verdict::internal;
  for (const auto* f : failing)
    if (f->last_hop) p.last_hop = f->last_hop;
}

// How many different ASes the failing vantages' last hops answer from
// (a border hop's AS is its upstream's: the carrier it was reached through).
std::size_t carriers(const JointPrefix& p) {
  std::set<std::uint32_t> asns;
  for (const auto& v : p.vantages)
    if (!v.reached && v.targets > 0 && v.last_hop && v.last_hop->as) asns.insert(v.last_hop->as->asn);
  return asns.size();
}

std::string prefix_reason(const JointPrefix& p) {
  std::vector<std::string> fail, reach;
  for (const auto& v : p.vantages)
    if (v.targets > 0) (v.reached ? reach : fail).push_back(v.vantage);
  switch (p.verdict) {
    case Verdict::upstream:
      return fmt::format("{}: the paths of {} end in {} (last hop {}){}", p.prefix.to_string(), fmt::join(fail, ", "),
                         as_words(*p.upstream), p.last_hop->addr.to_string(),
                         reach.empty() ? "" : fmt::format(", while {} reach it", fmt::join(reach, ", ")));
    case Verdict::internal:
      return fmt::format("{}: every vantage fails ({}), through {} upstream AS{}", p.prefix.to_string(),
                         fmt::join(fail, ", "), carriers(p), carriers(p) == 1 ? "" : "es");
    case Verdict::partial:
      return fmt::format("{}: {} reach it, {} fail", p.prefix.to_string(), fmt::join(reach, ", "),
                         fmt::join(fail, ", "));
    default:
      return fmt::format("{}: {}", p.prefix.to_string(), model::to_word(p.verdict));
  }
}

void merge_dns(JointReport& j, const std::vector<Report>& reports) {
  for (const auto& r : reports) {
    if (!r.dns) continue;
    if (j.zone.empty()) j.zone = r.dns->zone;
    if (r.dns->zone != j.zone) continue;
    for (const auto& s : r.dns->servers) {
      auto it = std::find_if(j.servers.begin(), j.servers.end(),
                             [&s](const JointServer& x) { return x.name == s.name && x.addr == s.addr; });
      if (it == j.servers.end()) it = j.servers.insert(j.servers.end(), JointServer{s.name, s.addr, {}});
      if (s.status != model::ServerStatus::unreachable && s.status != model::ServerStatus::unresolved)
        it->answered.push_back(name_of(r.vantage));
    }
  }
}

void judge_country(JointReport& j) {
  std::vector<std::string> local;
  for (const auto& v : j.vantages)
    if (v.local) local.push_back(name_of(v.vantage));
  const std::string local_note =
      local.empty() ? "" : fmt::format("; {} local (own network fails), left out", fmt::join(local, ", "));
  if (local.size() == j.vantages.size()) {
    j.verdict = Verdict::local;
    j.confidence = Confidence::high;
    j.reason = "every vantage's own network fails: nothing is known of the country";
    return;
  }
  std::set<Verdict> verdicts;
  std::size_t most_carriers = 0;
  std::vector<std::string> parts;
  for (const auto& p : j.prefixes) {
    if (p.verdict == Verdict::inconclusive) continue;
    verdicts.insert(p.verdict);
    if (p.verdict == Verdict::internal) most_carriers = std::max(most_carriers, carriers(p));
    if (p.verdict != Verdict::reachable) parts.push_back(prefix_reason(p));
  }
  if (verdicts.empty()) {
    j.reason = "no vantage probed any national prefix to the end" + local_note;
    return;
  }
  const std::size_t judged = j.vantages.size() - local.size();
  if (verdicts.size() > 1) {
    j.verdict = Verdict::partial;
    j.confidence = Confidence::medium;
    j.reason = fmt::format("the prefixes differ: {}{}", fmt::join(parts, "; "), local_note);
    return;
  }
  j.verdict = *verdicts.begin();
  if (j.verdict == Verdict::reachable) {
    std::vector<std::string> down;
    for (const auto& s : j.servers)
      if (s.answered.empty()) down.push_back(s.name);
    if (!j.servers.empty() && down.size() == j.servers.size()) {
      j.verdict = Verdict::dns;
      j.confidence = judged >= 2 ? Confidence::high : Confidence::medium;
      j.reason = fmt::format("every prefix answers {} vantage{}, but no server of {} answered any of them{}", judged,
                             judged == 1 ? "" : "s", j.zone, local_note);
      return;
    }
    j.confidence = Confidence::high;
    j.reason = fmt::format("every prefix answers from {} vantage{}{}{}", judged, judged == 1 ? "" : "s",
                           down.empty() ? "" : fmt::format("; servers answering no vantage: {}", fmt::join(down, ", ")),
                           local_note);
    return;
  }
  if (j.verdict == Verdict::internal)
    j.confidence = judged >= 2 && most_carriers >= 2 ? Confidence::high : Confidence::medium;
  else
    j.confidence = Confidence::medium;
  j.reason = fmt::format("{}{}", fmt::join(parts, "; "), local_note);
}

}  // namespace

std::optional<std::string> vantage_clash(const std::vector<Report>& reports) {
  std::set<std::string> seen;
  for (const auto& r : reports)
    if (!seen.insert(r.vantage.name).second) return r.vantage.name;
  return std::nullopt;
}

JointReport merge(const std::vector<Report>& reports) {
  JointReport j;
  for (const auto& r : reports) {
    const bool local = r.verdict == Verdict::local;
    j.vantages.push_back({r.vantage, r.verdict, local});
    if (local) continue;
    for (const auto& p : r.prefixes) {
      auto it = std::find_if(j.prefixes.begin(), j.prefixes.end(), [&p](const JointPrefix& x) {
        return x.prefix.base == p.prefix.base && x.prefix.length == p.prefix.length;
      });
      if (it == j.prefixes.end()) {
        JointPrefix fresh;
        fresh.prefix = p.prefix;
        it = j.prefixes.insert(j.prefixes.end(), std::move(fresh));
      }
      const std::size_t probed = p.targets - std::min(p.targets, p.unprobed);
      it->vantages.push_back({name_of(r.vantage), p.reached > 0, probed, p.reached,
                              p.reached > 0 ? std::nullopt : p.brk.after});
    }
  }
  for (auto& p : j.prefixes) judge(p);
  merge_dns(j, reports);
  if (reports.size() == 1) {
    j.verdict = reports.front().verdict;
    j.confidence = reports.front().confidence;
    j.reason = fmt::format("one vantage only ({}), its verdict: {}", name_of(reports.front().vantage),
                           reports.front().reason);
    return j;
  }
  judge_country(j);
  return j;
}

}  // namespace probe::locate
