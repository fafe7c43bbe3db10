#pragma once
/// The per-trace decisions of a Paris traceroute, as pure functions: what to
/// do after a hop answered or stayed silent. The engine only applies them.

#include <cstdint>

#include "probe/model/trace.h"

namespace probe::engine {

/// Where a trace stands: the TTL and attempt of its current probe.
struct Cursor {
  std::uint8_t ttl = 1;
  std::uint8_t attempt = 1;
  int gap = 0;  ///< unanswered hops in a row before this one
};

/// The limits that end a trace.
struct Limits {
  std::uint8_t max_ttl = 30;
  std::uint8_t attempts = 2;
  int gaplimit = 5;
};

/// Either the next probe to send, or the reason to stop.
struct Step {
  model::StopReason stop = model::StopReason::none;  ///< none: send `next`
  Cursor next;
};

/// Whether a reply means the probe reached its destination.
bool reached_destination(const model::Reply& reply, const model::Address& dst);

/// After the current probe (at cursor.ttl) got `reply`. `trace` holds the
/// hops so far, the current one included (for loop detection).
Step after_reply(const model::Trace& trace, const Cursor& cursor, const model::Reply& reply,
                 const Limits& limits);

/// After the current probe got no reply within the wait.
Step after_silence(const Cursor& cursor, const Limits& limits);

}  // namespace probe::engine
