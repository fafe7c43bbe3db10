// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The frontier phase of a campaign: after the survey, ask again, paced,
/// where the failing targets' answers ran out. Routers ration their ICMP
/// errors (Linux: a burst of about 6, then 1 per second per destination),
/// and the survey drains every bucket on its way: the decisive answer (the
/// breaking router's unreachable or time-exceeded) is the one most often
/// rate-limited away. The phase probes few targets, one question per
/// frontier (the routers past one last hop) every refill, until the answer
/// is decisive or the budget is spent.
///
/// Pure planning here (groups, what each round asks, what an answer
/// decides), fed with traces; run_campaign (campaign.h) runs the rounds. Every decision derives from the survey's traces and the
/// capture timestamps of the probes, so a replay decides the same.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "probe/locate/analysis.h"
#include "probe/model/trace.h"

namespace probe::locate {

/// The TTL of direct probes: far past any path.
inline constexpr std::uint8_t kDirectTtl = 64;
/// Rounds start this far apart (µs): Linux refills its ICMP bucket by one
/// token per 1000 ms toward each destination (`icmp_ratelimit`), so a
/// router asked once a round finds a token each time; the 100 ms above
/// absorb the time a round's probes take to leave and the kernel's jiffy
/// rounding. Cisco's 500 ms refills twice meanwhile.
inline constexpr std::int64_t kFrontierPaceUs = 1100000;
/// The routers past one frontier (the same last hop at the same TTL) are
/// asked every this many rounds, whichever group or rep asks, and the first
/// round waits as long after the survey's last probe. An `unreachable`
/// route's ICMP error is charged twice on Linux: ip_error's limiter (a
/// burst of 5 s, 1 s per error) and icmp_ratelimit take from the same
/// per-destination tokens, so the breaking router of such an outage sends
/// one every 2 s at most, and an ask that finds less than that costs a
/// token and gets nothing.
inline constexpr std::size_t kFrontierKeyRounds = 2;
/// Default --budget (µs), counted from the survey's last probe. The survey
/// of 16 /24 prefixes (3 targets each, 8 methods) takes 15 to 20 s at
/// 200 pps; 10 s more keeps the campaign within 30 s. With -W 1 that is
/// 7 rounds (from 2.2 s on): a frontier's whole cycle of 4 questions, and
/// walking deeper meanwhile costs a round per hop.
inline constexpr std::int64_t kDefaultFrontierBudgetUs = 10000000;
/// Representatives per group: the second from another prefix when there is one.
inline constexpr std::size_t kFrontierReps = 2;
/// How far past the survey's last answer the phase follows a path.
inline constexpr int kFrontierSteps = 4;

/// What one frontier probe asks.
enum class Ask : std::uint8_t {
  last,    ///< the last responsive hop's TTL (its router answers for it)
  silent,  ///< the first silent TTL
  beyond,  ///< one past it (an `unreachable` route answers for every TTL past the router)
  direct,  ///< TTL 64 (kDirectTtl)
};

/// One probe of a round: toward Campaign::targets[target] (or, when
/// `control`, Campaign::controls[target]), with the flow of
/// Campaign::methods[method] (TTL 64 when ask is direct).
struct FrontierProbe {
  std::size_t target = 0;
  std::size_t method = 0;
  std::uint8_t ttl = 0;
  Ask ask = Ask::silent;
  bool control = false;
};

/// How many rounds a control's silent TTL is asked at most.
inline constexpr int kControlAsks = 2;

/// A TTL at which a control's path went silent in the survey while national
/// paths got an answer there: asked again, paced, to learn whether that
/// router carries the control's traffic too (then it is the transit's, not
/// the country's border: analysis.cpp, find_borders). The survey traces the
/// controls with everything else, so their routers' buckets are often empty.
struct ControlAsk {
  std::size_t control = 0;  ///< index into Campaign::controls
  std::size_t method = 0;   ///< a traced method that reached the control
  std::uint8_t ttl = 0;
  int left = kControlAsks;
  std::optional<model::Address> before;  ///< the national paths' hop one TTL nearer: its frontier key
};

/// Where a rep's answers end: the last hop's address (none) and TTL. The
/// routers past it are one rate limit, whoever asks.
using FrontierKey = std::pair<std::optional<model::Address>, std::uint8_t>;

/// A target the phase asks for its group.
struct FrontierRep {
  std::size_t target = 0;     ///< index into Campaign::targets
  std::size_t method = 0;     ///< the traced method that got deepest (first of equals)
  bool traced = true;         ///< false: the campaign has no traced method, only direct probes
  std::uint8_t last_ttl = 0;  ///< deepest TTL a router answered at (0: none)
  std::optional<model::Address> last_addr;  ///< the router that answered there
  std::size_t step = 0;       ///< position in the ask cycle at the current frontier
  int advanced = 0;           ///< times the frontier moved deeper
  bool asked_last = false;    ///< the last hop was asked once
  bool done = false;          ///< the cycle ran out in silence (or the path got too deep)
  /// No router answered it in the survey: its frontier starts at the
  /// deepest hop of the other national paths instead (their routers are
  /// likely its routers up to there); a cycle there that stays silent goes
  /// back to its own start.
  bool borrowed = false;
};

/// Failing targets with the same last responsive hop (or none).
struct FrontierGroup {
  std::optional<model::Address> last_hop;
  std::vector<std::size_t> targets;  ///< indices into Campaign::targets, in order
  std::vector<FrontierRep> reps;
  std::size_t turn = 0;              ///< which rep asks next
  bool decided = false;              ///< the target answered, or a router refused it
};

/// The phase's plan: the groups, and when each frontier may be asked again.
struct FrontierState {
  std::vector<FrontierGroup> groups;
  std::map<FrontierKey, std::size_t> ready;  ///< first round a frontier may be asked in
  std::vector<ControlAsk> controls;          ///< only when some target fails
  std::size_t round = 0;                     ///< the next round
};

/// The failing national targets of a survey (not reached by any method,
/// not interrupted, not in a loop), grouped by the last responsive hop of
/// their deepest traced path, groups in the order of their first target;
/// each with its representatives (the first target, then the first from
/// another prefix, else from another /24, else the next). A group where a
/// router already refused a target is decided. With failing targets and
/// `ask_controls`, the controls' silent TTLs where national paths got an
/// answer (ControlAsk).
FrontierState frontier_start(const Campaign& survey, bool ask_controls = false);

/// What the next round asks: for each undecided group whose frontier may be
/// asked (kFrontierKeyRounds), one question about the routers past its last
/// hop (the cycle: silent, direct, beyond, silent), from its reps in turn,
/// and, the first time a rep asks, also its last hop's TTL (another
/// router's bucket). Groups take turns at being first.
std::vector<FrontierProbe> frontier_round(FrontierState& state);

/// Takes the result of one probe of the round (a trace of that one probe,
/// as the engine returned it). Decisive: the target answered, or a router
/// sent destination unreachable: the group is decided. A router's time
/// exceeded at the first silent TTL or past it moves the rep's frontier
/// there (at most kFrontierSteps times).
void frontier_take(FrontierState& state, const FrontierProbe& probe, const model::Trace& result);

/// True while some group has a question left.
bool frontier_open(const FrontierState& state);

/// Adds a frontier probe's result to the target's frontier traces (one per
/// method spec: hops in TTL order, the stop reason of the deepest answer).
void add_frontier_result(TargetTraces& tt, const MethodSpec& spec, const model::Trace& result);


}  // namespace probe::locate
