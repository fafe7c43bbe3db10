// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Building Paris traceroute probes as complete IP packets (libtins).

#include <cstddef>
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
  std::uint16_t ipid = 0;  ///< IPv4 only
  /// UDP / ICMP payload bytes (at least 2: they steer the checksum).
  std::uint16_t payload_len = 12;
  /// Method dns: the DNS message; its first two bytes (the ID) are steered.
  std::vector<std::uint8_t> dns_message;
};

/// The probe as it goes on the wire, IP or IPv6 header included (the
/// family of the addresses; hop limit = ttl, flow label = flow_label() of the
/// ports, traffic class 0, ipid unused). Throws std::invalid_argument for
/// mixed families or a zero token.
std::vector<std::uint8_t> build_probe(const ProbeSpec& spec);

/// Where the UDP payload of a UDP or DNS probe of `family` starts, bytes
/// from the start of the packet: past the 20-byte IPv4 or 40-byte IPv6
/// header (build_probe writes no options or extension headers) and the
/// 8-byte UDP header. A DNS probe's steered ID is its first two bytes.
inline constexpr std::size_t udp_payload_offset(model::Family family) {
  return (family == model::Family::v4 ? 20 : 40) + 8;
}

/// The IPv6 flow label (20 bits, never 0) of a flow: a function of the ports
/// (for ICMP, identifier and checksum), so that it is constant across the
/// TTLs of a Paris flow and differs between flows.
std::uint32_t flow_label(std::uint16_t sport, std::uint16_t dport);

/// The TCP sequence number carrying tag and token.
inline std::uint32_t tcp_sequence(std::uint16_t tag, std::uint16_t token) {
  return (std::uint32_t{tag} << 16) | token;
}

}  // namespace probe::packet
