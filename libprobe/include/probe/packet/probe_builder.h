// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Building Paris traceroute probes as complete IP packets (libtins).

#include <cstdint>
#include <vector>

#include "probe/model/address.h"
#include "probe/model/trace.h"

namespace probe::packet {

/// Everything that goes into one probe packet.
struct ProbeSpec {
  model::Method method = model::Method::icmp;
  model::Address src;
  model::Address dst;
  std::uint8_t ttl = 1;
  /// UDP/TCP source port; ICMP echo identifier.
  std::uint16_t sport = 0;
  /// UDP/TCP destination port; for ICMP the checksum every probe of the flow carries.
  std::uint16_t dport = 0;
  /// Probe id: the ICMP sequence number, the UDP checksum, the low 16 bits of
  /// the TCP sequence number. Never 0 (a UDP checksum of 0 means "none").
  std::uint16_t token = 1;
  /// High 16 bits of the TCP sequence number: the run's tag.
  std::uint16_t tcp_tag = 0;
  std::uint16_t ipid = 0;
  /// UDP / ICMP payload bytes (at least 2: they steer the checksum).
  std::uint16_t payload_len = 12;
  /// Method dns: the DNS message; its first two bytes (the ID) are steered.
  std::vector<std::uint8_t> dns_message;
};

/// The probe as it goes on the wire, IP header included. Throws
/// std::invalid_argument for IPv6 (not yet supported) or a zero token.
std::vector<std::uint8_t> build_probe(const ProbeSpec& spec);

/// The TCP sequence number carrying tag and token.
inline std::uint32_t tcp_sequence(std::uint16_t tag, std::uint16_t token) {
  return (std::uint32_t{tag} << 16) | token;
}

}  // namespace probe::packet
