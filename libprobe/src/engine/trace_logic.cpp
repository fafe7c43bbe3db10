// SPDX-License-Identifier: BSD-2-Clause
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
    if (hop.ttl + 1 >= ttl) continue;  // doubletree hops are not in TTL order
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

Step after_query(const model::Trace& trace, const Cursor& c, const Limits& limits) {
  if (c.attempt < limits.queries)
    return Step{StopReason::none, Cursor{c.ttl, static_cast<std::uint8_t>(c.attempt + 1), c.gap}};
  const model::Hop& hop = trace.hops.back();
  bool answered = false, unreachable = false, looped = false;
  for (const auto& p : hop.probes) {
    if (!p.reply) continue;
    if (reached_destination(*p.reply, trace.dst)) return Step{StopReason::completed, c};
    answered = true;
    unreachable = unreachable || p.reply->kind == ReplyKind::unreachable;
    looped = looped || loops(trace, c.ttl, p.reply->addr);
  }
  if (unreachable) return Step{StopReason::unreachable, c};
  if (looped) return Step{StopReason::loop, c};
  if (answered) return next_ttl(c, limits, 0);
  int gap = c.gap + 1;
  if (gap >= limits.gaplimit) return Step{StopReason::gaplimit, c};
  return next_ttl(c, limits, gap);
}

std::optional<std::uint8_t> hops_from_reply_ttl(std::uint8_t reply_ttl) {
  if (reply_ttl == 0) return std::nullopt;
  for (int initial : {32, 64, 128, 255})
    if (reply_ttl <= initial) return static_cast<std::uint8_t>(initial - reply_ttl + 1);
  return std::nullopt;
}

namespace {

// The backward phase probes `ttl` next, or the trace ends below first TTL.
Step backward_at(Cursor c, int ttl, const Limits& limits) {
  if (ttl < limits.first_ttl || ttl < 1) return Step{c.verdict, c};
  c.phase = Phase::backward;
  c.ttl = static_cast<std::uint8_t>(ttl);
  c.attempt = 1;
  c.gap = 0;
  return Step{StopReason::none, c};
}

Step end_forward(Cursor c, StopReason why, const Limits& limits) {
  c.verdict = why;
  return backward_at(c, c.start - 1, limits);
}

Step forward_next(Cursor c, const Limits& limits, int gap) {
  // A TTL that already reached the destination needs no second look.
  if (c.reached != 0 && c.ttl + 1 >= c.reached) return end_forward(c, StopReason::completed, limits);
  if (c.ttl >= limits.max_ttl) return end_forward(c, StopReason::hoplimit, limits);
  c.ttl = static_cast<std::uint8_t>(c.ttl + 1);
  c.attempt = 1;
  c.gap = gap;
  return Step{StopReason::none, c};
}

}  // namespace

Step dt_after_reply(const model::Trace& trace, const Cursor& c, const model::Reply& r, const Limits& limits,
                    bool known) {
  Cursor n = c;
  n.first = false;
  bool reached = reached_destination(r, trace.dst);
  if (reached && (n.reached == 0 || c.ttl < n.reached)) n.reached = c.ttl;
  if (c.phase == Phase::backward) {
    if (!reached && known) {
      Step s{c.verdict, n};
      s.met = true;
      return s;
    }
    return backward_at(n, c.ttl - 1, limits);
  }
  if (reached) {
    auto d = hops_from_reply_ttl(r.reply_ttl);
    if (c.first && d && *d < c.ttl && *d >= limits.first_ttl) {
      n.start = n.ttl = *d;  // the destination is nearer: start again there
      n.attempt = 1;
      n.gap = 0;
      return Step{StopReason::none, n};
    }
    return end_forward(n, StopReason::completed, limits);
  }
  if (r.kind == ReplyKind::unreachable) return end_forward(n, StopReason::unreachable, limits);
  if (loops(trace, c.ttl, r.addr)) return end_forward(n, StopReason::loop, limits);
  return forward_next(n, limits, 0);
}

Step dt_after_silence(const Cursor& c, const Limits& limits, bool sibling_known) {
  if (c.attempt < limits.attempts) {
    Cursor n = c;
    n.attempt = static_cast<std::uint8_t>(c.attempt + 1);
    return Step{StopReason::none, n};
  }
  Cursor n = c;
  n.first = false;
  if (c.phase == Phase::backward) {
    if (sibling_known) {
      Step s{c.verdict, n};
      s.met = true;
      return s;
    }
    return backward_at(n, c.ttl - 1, limits);
  }
  int gap = c.gap + 1;
  if (gap >= limits.gaplimit)
    return end_forward(n, n.reached != 0 ? StopReason::completed : StopReason::gaplimit, limits);
  return forward_next(n, limits, gap);
}

}  // namespace probe::engine
