#include "probe/engine/trace_logic.h"

namespace probe::engine {

using model::ReplyKind;
using model::StopReason;

bool reached_destination(const model::Reply& r, const model::Address& dst) {
  switch (r.kind) {
    case ReplyKind::echo_reply:
    case ReplyKind::tcp_synack:
    case ReplyKind::tcp_rst:
    case ReplyKind::dns_response:
      return true;
    case ReplyKind::unreachable: {
      // Port unreachable from the destination itself: it got the probe.
      std::uint8_t port_unreachable = r.addr.is_v4() ? 3 : 4;
      return r.addr == dst && r.icmp_code == port_unreachable;
    }
    case ReplyKind::time_exceeded:
      return false;
  }
  return false;
}

namespace {

Step next_ttl(const Cursor& c, const Limits& limits, int gap) {
  if (c.ttl >= limits.max_ttl) return Step{StopReason::hoplimit, c};
  return Step{StopReason::none, Cursor{static_cast<std::uint8_t>(c.ttl + 1), 1, gap}};
}

// An address seen again further down, not just repeated by the next hop
// (some routers answer twice), means the probes go round in circles.
bool loops(const model::Trace& trace, std::uint8_t ttl, const model::Address& addr) {
  for (const auto& hop : trace.hops) {
    if (hop.ttl + 1 >= ttl) break;
    for (const auto& p : hop.probes)
      if (p.reply && p.reply->addr == addr) return true;
  }
  return false;
}

}  // namespace

Step after_reply(const model::Trace& trace, const Cursor& c, const model::Reply& r,
                 const Limits& limits) {
  if (reached_destination(r, trace.dst)) return Step{StopReason::completed, c};
  if (r.kind == ReplyKind::unreachable) return Step{StopReason::unreachable, c};
  if (loops(trace, c.ttl, r.addr)) return Step{StopReason::loop, c};
  return next_ttl(c, limits, 0);
}

Step after_silence(const Cursor& c, const Limits& limits) {
  if (c.attempt < limits.attempts)
    return Step{StopReason::none, Cursor{c.ttl, static_cast<std::uint8_t>(c.attempt + 1), c.gap}};
  int gap = c.gap + 1;
  if (gap >= limits.gaplimit) return Step{StopReason::gaplimit, c};
  return next_ttl(c, limits, gap);
}

}  // namespace probe::engine
