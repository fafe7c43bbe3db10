// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The per-trace decisions of a Paris traceroute, as pure functions: what to
/// do after a hop answered or stayed silent. The engine only applies them.

#include <cstdint>
#include <optional>

#include "probe/model/trace.h"

namespace probe::engine {

/// Doubletree traces first go forward from a start TTL near the
/// destination, then backward from below it.
enum class Phase : std::uint8_t { forward, backward };

/// Where a trace stands: the TTL and attempt of its current probe.
struct Cursor {
  std::uint8_t ttl = 1;
  std::uint8_t attempt = 1;
  int gap = 0;  ///< unanswered hops in a row before this one
  // Doubletree only (dt_after_reply / dt_after_silence):
  Phase phase = Phase::forward;
  std::uint8_t start = 0;    ///< the TTL the forward phase began at
  std::uint8_t reached = 0;  ///< the smallest TTL that reached the destination so far (0: none)
  bool first = true;         ///< the start probe: a reply from the destination may move the start
  model::StopReason verdict = model::StopReason::none;  ///< how the forward phase ended
};

/// The limits that end a trace.
struct Limits {
  std::uint8_t max_ttl = 30;
  std::uint8_t attempts = 2;
  int gaplimit = 5;
  std::uint8_t first_ttl = 1;  ///< doubletree: backward probing ends here
  /// traceroute -q: probes every hop gets, answered or not (after_query);
  /// 0: a hop stops at its first answer, after at most `attempts`.
  std::uint8_t queries = 0;
};


/// Either the next probe to send, or the reason to stop.
struct Step {
  model::StopReason stop = model::StopReason::none;  ///< none: send `next`
  Cursor next;
  /// Doubletree: the backward phase stopped at a hop another trace already
  /// revealed; the hops below it are that trace's.
  bool met = false;
};

/// Whether a reply means the probe reached its destination.
bool reached_destination(const model::Reply& reply, const model::Address& dst);

/// After the current probe (at cursor.ttl) got `reply`. `trace` holds the
/// hops so far, the current one included (for loop detection).
Step after_reply(const model::Trace& trace, const Cursor& cursor, const model::Reply& reply,
                 const Limits& limits);

/// After the current probe got no reply within the wait.
Step after_silence(const Cursor& cursor, const Limits& limits);

/// With limits.queries: after the current probe was answered or timed out.
/// Until the hop has had its `queries` probes, the next goes to the same
/// TTL; then the hop's replies together decide, as after_reply and
/// after_silence do for one (the destination among them completes the
/// trace, an unreachable ends it, a silent hop counts toward the gap limit).
/// `trace` holds the hops so far, the current one last.
Step after_query(const model::Trace& trace, const Cursor& cursor, const Limits& limits);

/// The hop count a reply travelled, guessed from its TTL as received: the
/// sender's initial TTL is taken to be the next of 32, 64, 128 and 255
/// (Linux and most routers 64, Windows 128, many routers 255). nullopt for 0.
std::optional<std::uint8_t> hops_from_reply_ttl(std::uint8_t reply_ttl);

/// Doubletree (Donnet et al., SIGMETRICS 2005), single vantage point. A
/// trace's first probe goes near the destination's distance; if the
/// destination answers it, the reply's TTL moves the start to the distance
/// it implies. The forward phase then climbs like a Paris traceroute until
/// the destination, an unreachable, a loop, the gap limit or max TTL; the
/// backward phase walks down from start - 1 to first TTL and stops at the
/// first hop (TTL, address) another trace already revealed (`known`): the
/// stop set. Silent hops do not end the backward phase. The trace's stop
/// reason is how the forward phase ended.
Step dt_after_reply(const model::Trace& trace, const Cursor& cursor, const model::Reply& reply,
                    const Limits& limits, bool known);

/// Doubletree, after silence. `sibling_known`: in the backward phase, a hop
/// at this TTL toward the same /24 and destination distance is already
/// known and unique, so a silent (rate-limited) hop is taken to be it.
Step dt_after_silence(const Cursor& cursor, const Limits& limits, bool sibling_known);

}  // namespace probe::engine
