// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The pure function at the heart of matching: a captured packet -> which
/// probe it is, or which probe it answers. Decided by quoted headers only.

#include <cstdint>
#include <optional>

#include "probe/match/flow_plan.h"
#include "probe/model/trace.h"
#include "probe/packet/datagram.h"

namespace probe::match {

/// What a packet says about our probes.
struct Evidence {
  enum class Kind : std::uint8_t { probe, reply };
  Kind kind = Kind::probe;
  model::Address target;       ///< destination of the probe concerned
  Flow flow;                   ///< flow fields as carried or quoted
  bool flow_dport_known = true;  ///< false where the reply does not carry it (ICMP echo reply)
  std::uint16_t token = 0;     ///< probe id
  std::uint8_t probe_ttl = 0;  ///< for kind probe: the TTL it was sent with
  model::Reply reply;          ///< for kind reply (rx_us left to the caller)
  /// Method dns, a DNS response: its ID; the engine maps it to a probe (token is 0).
  std::optional<std::uint16_t> dns_id;
};

/// Our run as seen on the wire.
struct Identity {
  model::Method method = model::Method::icmp;
  model::Address src;          ///< our source address
  std::uint16_t tcp_tag = 0;
};

/// Classifies one parsed packet. nullopt for anything that is neither a probe
/// of `id`'s method from `id.src` nor a reply quoting or answering one.
std::optional<Evidence> classify(const packet::Datagram& d, const Identity& id);

}  // namespace probe::match
