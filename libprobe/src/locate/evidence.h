// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Evidence over a whole campaign that the analysis draws on besides each
// target's own path (ICMP errors from routers whichever probe drew them,
// the routers that rate-limited their answers), and small helpers over
// paths and reports. Private to analysis.cpp.

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
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

/// Each responsive router's distance: the smallest TTL it answered at.
using Distances = std::unordered_map<model::Address, std::uint8_t>;

/// The path hop a reply at `ttl` makes.
inline PathHop path_hop(std::uint8_t ttl, const model::Reply& r) { return {ttl, r.addr, r.reply_ttl}; }

/// Each looping router's period over the traced paths: the smallest gap
/// (at least 2) between two TTLs it answered at on one path. A router seen
/// once per path has none.
using Periods = std::unordered_map<model::Address, int>;
Periods loop_periods(const std::vector<std::vector<PathHop>>& paths);

/// Each router's distance over the traced paths of a run: the smallest TTL
/// it answered at, except in a loop. A router seen at two TTLs of one path
/// goes round a loop of period p (the smallest such gap, at least 2); its
/// first pass, p TTLs nearer, may have been rate-limited away (r1 _ r3 r2
/// r3 r2: r2 sits at 2, not 4). It is taken there when no router answered
/// at that TTL and another router of the loop answered in between (the
/// loop's routers pass at consecutive TTLs). `period` as loop_periods()
/// gives over the same paths.
Distances distances(const std::vector<std::vector<PathHop>>& paths, const Periods& period);

/// Addresses that are a nearer router's return pass through a loop, each
/// with that router's first-pass address. A router that answers from the
/// interface a probe came in by answers the first pass (from upstream) as
/// A and the returned one (from the turnaround B) as A': the path reads
/// "A B A' B A'", which by address alone is "A B C B C" with a deeper C.
/// The reply TTL tells them apart: A' is A, its replies arrive with A's
/// reply TTL, more than B's, where a deeper C's arrive with less than B's.
/// X is taken as Y's return pass when X loops with period p; Y answered a
/// whole number of periods nearer (the first distance of X - p, X - 2p, ...
/// that any router answered at), does not loop itself, and is the one
/// router there whose replies all arrive with X's one reply TTL; and every
/// router X alternates with on a path (at the next TTL, looping with the
/// same period: the turnaround) answers from between Y and X with a
/// smaller reply TTL than X. Reply TTLs are compared only within the run,
/// never against initial TTLs: reverse paths may be asymmetric. An unknown
/// reply TTL (0) or a router answering with two spoils the evidence: no
/// alias then. `distance` and `period` as distances() and loop_periods()
/// give over the same paths.
using Aliases = std::unordered_map<model::Address, model::Address>;
Aliases loop_aliases(const std::vector<std::vector<PathHop>>& paths, const Distances& distance,
                     const Periods& period);

/// Whether an answer from `a` past the end of `path` is the path coming
/// round again rather than going deeper: `a` is on it already, is a nearer
/// router's return pass (`aliases`), or answered nearer (at a smaller
/// distance) than a router on it. A loop that a trace did not flag (its
/// repeats fell on rate-limited TTLs) shows so.
bool comes_round(const std::vector<PathHop>& path, const model::Address& a, const Distances& distance,
                 const Aliases& aliases);

/// A path with each router once, up to the router that sends packets back
/// when it loops (r1 r2 r3 r2 r3 -> r1 r2 r3; r1 r2 _ r2 r3 -> r1 r2 r3;
/// r1 _ r3 r2, r2 nearer than r3 -> r1 r3; r1 r2 r1' r2 r1', r1' an alias
/// of r1 -> r1 r2). Paths that do not loop stay as they are.
std::vector<PathHop> until_loop(std::vector<PathHop> path, const Distances& distance, const Aliases& aliases);

/// The survey's traces of a target (or control) and the frontier phase's.
std::vector<const model::Trace*> all_traces(const TargetTraces& tt);

/// Probes a trace holds (those seen leaving).
std::size_t probes_in(const model::Trace& t);

/// The run was cut short by a signal: a trace (survey or frontier) halted
/// after sending, or halted before sending while other traces ran on or
/// the DNS check got answers. Traces that all halted before sending, with
/// no DNS answer, are what a replay of a run whose every send the kernel
/// refused gives: no interruption. A replay, whose capture ends where the
/// run stopped, finds the same.
bool interrupted(const Campaign& c, bool dns_answered);

/// The controls' summary: reached, unprobed, whether the vantage point's
/// network works (analysis.h: ControlReport).
ControlReport control_report(const std::vector<TargetReport>& controls);

/// Any probe toward it left (survey or frontier).
bool sent_toward(const TargetTraces& tt);

/// Whether any of them was reached or got an answer from a hop.
bool any_answer(const std::vector<TargetReport>& v);

/// A failing target's end as a sibling key: the TTL of its last hop and the
/// hop right before it on its path (none when that TTL was silent). Needs
/// last_hop.
using Sibling = std::pair<std::uint8_t, std::optional<model::Address>>;
Sibling sibling(const TargetReport& t);

/// Of failing targets, the one whose last hop is the break. Routers
/// rate-limit their ICMP errors, so a path may end short of where packets
/// really get to, never beyond: the deepest last hop that answered
/// unreachable, that at least two targets (or a fifth of them) end at, or
/// that two end at while nearly all others end on the way to it. None when
/// no target has a last hop.
const TargetReport* deepest_supported_end(const std::vector<const TargetReport*>& failing);

/// Whether a parent or a nameserver answered the zone check.
bool dns_answered(const Report& r);

}  // namespace probe::locate
