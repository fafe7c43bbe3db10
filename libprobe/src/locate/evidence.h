#pragma once
// Evidence over a whole campaign that the analysis draws on besides each
// target's own path (ICMP errors from routers whichever probe drew them,
// the routers that rate-limited their answers), and small helpers over
// paths and reports. Private to analysis.cpp.

#include <cstdint>
#include <vector>

#include "probe/locate/analysis.h"

namespace probe::locate {

/// A router's destination unreachable for a packet of ours that it did not
/// deliver: it has no way on toward `dst`.
struct Refusal {
  model::Address from;  ///< the router
  model::Address dst;   ///< where the refused packet was going
  std::uint8_t code = 0;
};

/// The refusals of the zone check's queries, in the order they were sent.
/// They run before any trace and use up the burst of a router's error
/// bucket: often they are the only ones from the router that breaks.
std::vector<Refusal> dns_refusals(const Campaign& c);

/// Routers that answered at some distance toward a target and stayed silent
/// on a later probe at that same distance toward the same target (another
/// attempt or another traced method): rate-limited, not broken. Sorted.
std::vector<model::Address> rate_limited_routers(const Campaign& c);

/// A path cut where it starts to repeat: the hops up to the router that
/// sends packets back (r1 r2 r3 r2 r3 -> r1 r2 r3).
std::vector<PathHop> until_loop(std::vector<PathHop> path);

/// Whether any of them was reached or got an answer from a hop.
bool any_answer(const std::vector<TargetReport>& v);

/// Whether a parent or a nameserver answered the zone check.
bool dns_answered(const Report& r);

}  // namespace probe::locate
