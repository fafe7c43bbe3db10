// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Small helpers shared by the packet tests: turning fixture arrays into
// parsed datagrams, and reshaping real replies the way other routers would.

#include <cstdint>
#include <optional>
#include <vector>

#include "probe/model/address.h"
#include "probe/packet/datagram.h"

namespace testing_packets {

inline probe::model::Address addr(const char* text) { return *probe::model::Address::parse(text); }

template <std::size_t N>
std::vector<std::uint8_t> bytes(const std::uint8_t (&a)[N]) {
  return std::vector<std::uint8_t>(a, a + N);
}

/// Link layer off, then IP: what the engine does with every captured frame.
inline std::optional<probe::packet::Datagram> parse_frame(int linktype,
                                                          const std::vector<std::uint8_t>& f) {
  auto off = probe::packet::ip_offset(linktype, f.data(), f.size());
  if (!off) return std::nullopt;
  return probe::packet::parse_ip(f.data() + *off, f.size() - *off);
}

/// Sets the IPv4 total length of the header at `ip` to `total` bytes.
inline void set_total_length(std::vector<std::uint8_t>& f, std::size_t ip, std::size_t total) {
  f[ip + 2] = static_cast<std::uint8_t>(total >> 8);
  f[ip + 3] = static_cast<std::uint8_t>(total);
}

/// Cuts an Ethernet frame holding an ICMP error so that the quote keeps only
/// `transport_bytes` of its transport header, and fixes the outer IP total
/// length to match, as a router quoting that little would have sent it.
inline std::vector<std::uint8_t> cut_quote(std::vector<std::uint8_t> frame,
                                           std::size_t transport_bytes) {
  const std::size_t outer_ihl = std::size_t{frame[14] & 0x0fu} * 4;
  const std::size_t quote_ip = 14 + outer_ihl + 8;
  const std::size_t quote_ihl = std::size_t{frame[quote_ip] & 0x0fu} * 4;
  frame.resize(quote_ip + quote_ihl + transport_bytes);
  set_total_length(frame, 14, frame.size() - 14);
  return frame;
}

/// A real ICMP error (Ethernet frame) whose quote is replaced by `packet`,
/// e.g. a probe from build_probe: the IP packet, without link layer.
inline std::vector<std::uint8_t> requote(const std::vector<std::uint8_t>& error_frame,
                                         const std::vector<std::uint8_t>& packet) {
  const std::size_t outer_ihl = std::size_t{error_frame[14] & 0x0fu} * 4;
  std::vector<std::uint8_t> ip(error_frame.begin() + 14,
                               error_frame.begin() + static_cast<long>(14 + outer_ihl + 8));
  ip.insert(ip.end(), packet.begin(), packet.end());
  set_total_length(ip, 0, ip.size());
  return ip;
}

}  // namespace testing_packets
