// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Parsing raw IP packets into plain values. Pure functions over buffers:
/// nothing here throws, allocates per byte, or trusts a length field.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "probe/model/address.h"
#include "probe/model/trace.h"

namespace probe::packet {

inline constexpr std::uint8_t kProtoIcmp = 1;
inline constexpr std::uint8_t kProtoTcp = 6;
inline constexpr std::uint8_t kProtoUdp = 17;
inline constexpr std::uint8_t kProtoIcmp6 = 58;

/// TCP header flags (RFC 9293), as in Datagram::tcp_flags.
inline constexpr std::uint8_t kTcpSyn = 0x02;
inline constexpr std::uint8_t kTcpRst = 0x04;
inline constexpr std::uint8_t kTcpAck = 0x10;

/// The first bytes of a transport header, as far as they were present.
struct Transport {
  std::size_t length = 0;        ///< bytes of transport header available (quotes may hold 8)
  std::uint8_t icmp_type = 0;    ///< ICMP/ICMPv6
  std::uint8_t icmp_code = 0;
  std::uint16_t icmp_checksum = 0;
  std::uint16_t icmp_id = 0;     ///< echo request/reply
  std::uint16_t icmp_seq = 0;
  std::uint16_t sport = 0;       ///< UDP/TCP
  std::uint16_t dport = 0;
  std::uint16_t udp_checksum = 0;
  std::optional<std::uint16_t> udp_payload_head;  ///< first 2 payload bytes (a DNS ID), when present
  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;     ///< only when length >= 12
  std::uint8_t tcp_flags = 0;    ///< only when length >= 14
};

/// An IP header and the start of what it carries.
struct IpHeader {
  model::Address src;
  model::Address dst;
  std::uint8_t proto = 0;   ///< IPv4 protocol or IPv6 final next header
  std::uint8_t ttl = 0;     ///< TTL or hop limit
  std::uint16_t ipid = 0;   ///< 0 for IPv6
  Transport transport;
  /// Outer header only: where the transport header starts and where the
  /// packet ends (link padding stripped), as offsets into the parsed buffer.
  std::size_t transport_offset = 0;
  std::size_t end = 0;
};

/// A whole packet as captured: its header and, for ICMP errors, the quote.
struct Datagram {
  IpHeader ip;
  std::optional<IpHeader> quote;          ///< the offending packet an ICMP error carried
  std::vector<model::MplsLabel> mpls;     ///< RFC 4950 label stack, if extensions had one
  bool is_icmp_error() const { return quote.has_value(); }
};

/// Parses an IPv4 or IPv6 packet starting at data. nullopt if it is not one
/// (too short, bad version or header length). A truncated transport header is
/// not an error: Transport::length says how much was there.
std::optional<Datagram> parse_ip(const std::uint8_t* data, std::size_t len);
/// The same into `out`, reusing its storage (the per-frame path of the
/// engines); false if it is not IP, `out` then undefined.
bool parse_ip(const std::uint8_t* data, std::size_t len, Datagram& out);

/// Where the IP header starts behind a link-layer header of pcap link type
/// `linktype`; nullopt for non-IP frames or unknown link types.
std::optional<std::size_t> ip_offset(int linktype, const std::uint8_t* data, std::size_t len);
/// Whether ip_offset understands this pcap link type.
bool linktype_supported(int linktype);

/// A captured frame's IP layer, as ip_offset and parse_ip read it.
struct ParsedFrame {
  bool ip = false;  ///< the link layer carries IP
  bool ok = false;  ///< ... and it parsed (`datagram` is valid)
  Datagram datagram;
};

/// Fills `out` from a frame of pcap link type `linktype`, reusing its storage.
void parse_frame(int linktype, const std::uint8_t* data, std::size_t caplen, ParsedFrame& out);

/// RFC 4884/4950: the MPLS label stack in the extension structure of an ICMP
/// error whose ICMP header starts at icmp (len bytes to the end of packet).
std::vector<model::MplsLabel> parse_mpls_extension(const std::uint8_t* icmp, std::size_t len,
                                                   bool v6);
/// The same, appending to `labels`.
void parse_mpls_extension(const std::uint8_t* icmp, std::size_t len, bool v6,
                          std::vector<model::MplsLabel>& labels);

}  // namespace probe::packet
