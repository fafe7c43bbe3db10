// SPDX-License-Identifier: BSD-2-Clause
#include "verdict_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "probe/model/words.h"

namespace probe::locate {

using model::Confidence;
using model::Verdict;

Verdict side(const HopReport& h) { return h.national || h.border ? Verdict::internal : Verdict::upstream; }

namespace {

std::string describe(const HopReport& h) {
  std::string as = h.as ? fmt::format("AS{}{}{}", h.as->asn, h.as->name.empty() ? "" : " ", h.as->name)
                        : std::string("no AS");
  std::string where = h.national ? "inside the national network"
                      : h.border ? "the national border"
                                 : "before the national network";
  return fmt::format("{} ({}), {}", h.addr.to_string(), as, where);
}

template <Confidence C>
Confidence always(const Facts&) {
  return C;
}

std::string reason_at_break(const Facts& f) {
  const HopReport& after = *f.brk.after;
  std::string code =
      after.unreachable_code ? fmt::format(", which answers unreachable (code {})", *after.unreachable_code) : "";
  std::string reason = fmt::format("none of {} national targets answer by any method; {} of {} paths end at {}{}",
                                   f.probed, f.brk.sharing, f.brk.failing, describe(after), code);
  if (f.silent > 0) reason += fmt::format(" (or on the way to it; {} got no answer from any hop)", f.silent);
  if (f.brk_from_dns)
    reason += "; it refused the zone check's queries to the national nameservers, which ran first and took the "
              "burst of its error budget";
  if (f.loops > 0) reason += fmt::format("; {} of them loop there (a routing loop)", f.loops);
  // No path showed where the national network starts: the last transit hop
  // and a border answering from its upstream's address look alike.
  if (!f.border_known)
    reason += "; no path showed where the national network starts (no baseline), so this hop may be its border";
  return reason;
}

Confidence confidence_at_break(const Facts& f) {
  if (!f.border_known) return Confidence::low;
  return f.shared() && f.probed >= 3 ? Confidence::high : Confidence::medium;
}

// In order; the first that holds decides, the last always holds. The
// reasons' words for the zone's verdict are model::to_word's, the report's
// too, so that the JSON's "dns.verdict" and the sentence cannot disagree.
const Rule kRules[] = {
    // Nothing traced, yet the DNS check got answers.
    {[](const Facts& f) { return f.no_route.empty() && f.total > 0 && !f.probe_sent && f.dns_answered; },
     Verdict::inconclusive, always<Confidence::low>,
     [](const Facts&) {
       return std::string("no trace probe left this host (the run was interrupted before tracing, or every send was "
                          "refused), yet the DNS check got answers: the network itself works");
     },
     Breaks::none, false},
    // Interrupted before any target was probed to the end.
    {[](const Facts& f) { return f.no_route.empty() && f.total > 0 && f.unfinished + f.unprobed == f.total; },
     Verdict::inconclusive, always<Confidence::low>,
     [](const Facts& f) {
       return fmt::format("the run was interrupted before any of the {} national targets was probed to the end",
                          f.total);
     },
     Breaks::none, false},
    // Nothing could be sent at all.
    {[](const Facts& f) { return !f.no_route.empty(); }, Verdict::local, always<Confidence::high>,
     [](const Facts& f) { return "nothing could be sent from this host: " + f.no_route; }, Breaks::none, true},
    // No national target.
    {[](const Facts& f) { return f.total == 0; }, Verdict::inconclusive, always<Confidence::low>,
     [](const Facts&) { return std::string("no national target was probed"); }, Breaks::none, true},
    // Not even a first hop answered, not even with an ICMP error to the zone check.
    {[](const Facts& f) {
       return !f.targets_answer && !f.controls_answer && f.icmp_errors == 0 && !f.local && !f.controls_unknown();
     },
     Verdict::local,
     [](const Facts& f) { return f.r.controls.empty() ? Confidence::medium : Confidence::high; },
     [](const Facts& f) {
       return "no probe got any answer, not even from the first hop" +
              std::string(f.r.controls.empty() ? "" : " or a control target") +
              ": the vantage point's own network is down";
     },
     Breaks::none, true},
    // The vantage point's own network refuses the country and the world
    // alike. A control that gets through shows a way out: then a refusal of
    // the parent says only that the fault lies past the control's branch.
    {[](const Facts& f) {
       return f.reached == 0 && f.local && f.local->unreachable_code && f.local_refuses_other &&
              (f.r.controls.empty() || !f.r.control.ok) && !f.controls_unknown();
     },
     Verdict::local, [](const Facts& f) { return f.r.control.ok ? Confidence::medium : Confidence::high; },
     [](const Facts& f) {
       return fmt::format("nothing answers but {}, the last router of the vantage point's own network that answered, "
                          "and it answers unreachable (code {}) for destinations outside the country too: the "
                          "vantage point's own network has no route out",
                          describe(*f.local), *f.local->unreachable_code);
     },
     Breaks::local, true},
    // The controls fail as well.
    {[](const Facts& f) { return !f.r.control.ok && f.reached == 0; }, Verdict::local,
     [](const Facts& f) { return f.r.control.targets >= 2 ? Confidence::high : Confidence::medium; },
     [](const Facts& f) {
       std::string reason = fmt::format(
           "the control targets fail too (0 of {} reached): the fault is near the vantage point", f.r.control.targets);
       if (f.local) reason += "; the last router of its own network that answered is " + describe(*f.local);
       return reason;
     },
     Breaks::local, true},
    // Interrupted: what was probed to the end answers, but some prefixes
    // were not probed to the end; they may not.
    {[](const Facts& f) { return f.interrupted && f.bad == 0 && f.unmeasured > 0; }, Verdict::inconclusive,
     always<Confidence::low>,
     [](const Facts& f) {
       return fmt::format("the {} national targets probed to the end answer, but {} of {} prefixes were not probed to "
                          "the end",
                          f.probed, f.unmeasured, f.r.prefixes.size());
     },
     Breaks::none, true},
    // Every prefix answers, the zone does not.
    {[](const Facts& f) { return f.bad == 0 && f.dns_down(); }, Verdict::dns, always<Confidence::high>,
     [](const Facts& f) {
       return fmt::format("all {} national targets answer ({}), but the zone {} is {}", f.probed, f.methods,
                          f.r.dns->zone, model::to_word(*f.dns));
     },
     Breaks::all, true},
    // Every prefix answers.
    {[](const Facts& f) { return f.bad == 0; }, Verdict::reachable,
     [](const Facts& f) { return f.dns_degraded() ? Confidence::medium : Confidence::high; },
     [](const Facts& f) {
       std::string reason = fmt::format("all {} national targets answer ({})", f.probed, f.methods);
       if (f.dns_degraded()) reason += fmt::format("; the zone {} is {}", f.r.dns->zone, model::to_word(*f.dns));
       return reason;
     },
     Breaks::all, true},
    // Some answer, some do not.
    {[](const Facts& f) { return f.good > 0 || f.reached > 0; }, Verdict::partial,
     [](const Facts& f) { return f.brk.after && f.shared() ? Confidence::high : Confidence::medium; },
     [](const Facts& f) {
       std::string reason = fmt::format("{} of {} national prefixes answer fully, {} do not ({} of {} targets reached)",
                                        f.good, f.r.prefixes.size(), f.bad, f.reached, f.probed);
       if (f.brk.after) reason += "; the failing paths end at " + describe(*f.brk.after);
       return reason;
     },
     Breaks::all, true},
    // Interrupted: nothing national probed to the end answers, and either no
    // hop toward it did or the break is before the country while no control
    // was probed to the end (it may be the vantage point's own network).
    {[](const Facts& f) {
       return f.interrupted && (!f.brk.after || (side(*f.brk.after) == Verdict::upstream && f.controls_unknown()));
     },
     Verdict::inconclusive, always<Confidence::low>,
     [](const Facts& f) {
       if (!f.brk.after)
         return fmt::format("none of the {} national targets probed to the end answers, nor any hop toward them",
                            f.probed);
       return fmt::format("none of the {} national targets probed to the end answers; their paths end at {}, but no "
                          "control was probed to the end, so the fault may be the vantage point's own network",
                          f.probed, describe(*f.brk.after));
     },
     Breaks::run, true},
    // Nothing national answers, and no hop toward it.
    {[](const Facts& f) { return !f.brk.after; }, Verdict::inconclusive, always<Confidence::low>,
     [](const Facts&) {
       return std::string(
           "no hop answered toward the national prefixes, while the controls did: an egress filter here?");
     },
     Breaks::all, true},
    // Nothing national answers: the break is inside the country, or before it.
    {[](const Facts& f) { return side(*f.brk.after) == Verdict::internal; }, Verdict::internal, confidence_at_break,
     reason_at_break, Breaks::all, true},
    {[](const Facts&) { return true; }, Verdict::upstream, confidence_at_break, reason_at_break, Breaks::all, true},
};


}  // namespace

const Rule& first_rule(const Facts& f) {
  return *std::find_if(std::begin(kRules), std::end(kRules), [&f](const Rule& r) { return r.when(f); });
}

}  // namespace probe::locate
