// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// The set-up the build_probe tests of both families share: one Paris flow
// per method, and reading back what the builder wrote.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "packet_helpers.h"
#include "probe/packet/checksum.h"
#include "probe/packet/probe_builder.h"

namespace testing_probes {

inline constexpr std::uint16_t kSport = 51000;
inline constexpr std::uint16_t kIcmpChecksum = 0x5a5a;  ///< ICMP: the checksum the flow holds
inline constexpr std::uint16_t kUdpPort = 33434;
inline constexpr std::uint16_t kTcpPort = 80;
inline constexpr std::uint16_t kTcpTag = 0x6999;

/// The flow of method `m` from `src` to `dst` (either family): source port
/// kSport, the method's destination port (for ICMP, the checksum), run tag
/// kTcpTag. Token, TTL and IP ID left to the test.
inline probe::packet::ProbeSpec flow_spec(probe::model::Method m, const char* src, const char* dst) {
  using probe::model::Method;
  probe::packet::ProbeSpec s;
  s.method = m;
  s.src = testing_packets::addr(src);
  s.dst = testing_packets::addr(dst);
  s.sport = kSport;
  s.dport = m == Method::icmp ? kIcmpChecksum : (m == Method::udp ? kUdpPort : kTcpPort);
  s.tcp_tag = kTcpTag;
  return s;
}

inline std::uint16_t be16(const std::vector<std::uint8_t>& p, std::size_t at) {
  return static_cast<std::uint16_t>((p[at] << 8) | p[at + 1]);
}

/// One's complement sum of the pseudo header (RFC 768 / RFC 8200 8.1) and
/// the upper-layer packet after the IPv4 or IPv6 header (no options or
/// extension headers), with the protocol the header names: 0xffff when the
/// transport checksum is right.
inline std::uint16_t transport_sum(const std::vector<std::uint8_t>& p) {
  const bool v4 = (p[0] >> 4) == 4;
  const std::size_t header = v4 ? std::size_t{p[0] & 0x0fu} * 4 : 40;
  const std::uint8_t proto = v4 ? p[9] : p[6];
  const auto len = static_cast<std::uint32_t>(p.size() - header);
  std::uint32_t s = v4 ? probe::packet::sum_words(p.data() + 12, 8) : probe::packet::sum_words(p.data() + 8, 32);
  s += proto + len;
  s = probe::packet::sum_words(p.data() + header, len, s);
  return probe::packet::fold(s);
}

}  // namespace testing_probes
