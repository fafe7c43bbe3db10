// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// The verdict of fl-locate as a table of decision rules (verdict_rules.cpp)
// over facts the analysis works out once; private to analysis.cpp.

#include <cstdint>
#include <optional>
#include <string>

#include "probe/locate/analysis.h"

namespace probe::locate {

/// Where a break sits: inside the country (national hop or its border), or
/// before it: internal or upstream.
model::Verdict side(const HopReport& h);

// What the verdict is decided from, worked out once over the report.
struct Facts {
  Facts(const Report& report, const std::string& why_no_route) : r(report), no_route(why_no_route) {}
  const Report& r;
  const std::string& no_route;    // non-empty: nothing could be sent (why)
  std::size_t total = 0;          // national targets
  std::size_t unfinished = 0;     // of them, interrupted (analysis.h)
  std::size_t unprobed = 0;       // of them, never probed (analysis.h)
  std::size_t probed = 0;         // of them, probed to the end
  bool interrupted = false;       // a trace was halted: unfinished and unprobed targets are no evidence
  std::size_t unmeasured = 0;     // prefixes with no target probed to the end
  std::size_t reached = 0;
  bool probe_sent = false;        // any trace probe left this host
  bool dns_answered = false;      // a parent or a nameserver answered the zone check
  bool targets_answer = false;    // a national target or a hop toward one answered
  bool controls_answer = false;   // a control or a hop toward one answered
  std::size_t good = 0, bad = 0;  // prefixes all reached / not (inconclusive ones in neither)
  std::optional<model::ZoneVerdict> dns;  // the zone's verdict, when checked
  std::string methods;            // "icmp 3, udp 2": targets reached per method
  BreakReport brk;                // of the failing targets probed to the end
  std::size_t loops = 0;          // failing targets whose trace looped
  bool border_known = false;      // a path showed where the national network starts
  bool brk_from_dns = false;      // the break is a router that refused the zone check's national queries
  std::size_t rate_limited = 0;   // routers that answered, then went quiet at the same distance
  std::size_t icmp_errors = 0;    // ICMP errors the zone check's queries got from routers
  std::optional<HopReport> local; // the last router of the vantage point's own network that answered
  bool local_refuses_other = false;  // it refused a destination outside the country (control, parent)
  std::size_t silent = 0;         // failing targets no hop answered for (rate limits): no evidence either way
  // Four fifths of the paths that got any answer end at the break or on the way to it.
  bool shared() const { return brk.sharing > 0 && brk.sharing * 5 >= (brk.failing - silent) * 4; }
  bool dns_down() const {
    using model::ZoneVerdict;
    return dns == ZoneVerdict::lame || dns == ZoneVerdict::unreachable || dns == ZoneVerdict::no_delegation;
  }
  bool dns_degraded() const { return dns && *dns != model::ZoneVerdict::healthy; }
  // Interrupted before any control was probed to the end: whether the
  // vantage point's own network works is not known, so no fault is put
  // there, nor before the country.
  bool controls_unknown() const { return interrupted && r.control.unknown; }
};

// Which breaks a verdict reports: none, the run's, the run's and the
// prefixes' aligned with it, or the last router of the vantage point's own
// network that answered (a local fault).
enum class Breaks : std::uint8_t { none, run, all, local };

struct Rule {
  bool (*when)(const Facts&);
  model::Verdict verdict;
  model::Confidence (*confidence)(const Facts&);
  std::string (*reason)(const Facts&);
  Breaks breaks;
  bool notes_interruption;  // says how many targets an interrupted run left unfinished
};

/// The first rule that holds for `f` (one always does).
const Rule& first_rule(const Facts& f);

}  // namespace probe::locate
