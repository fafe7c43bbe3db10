// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// DNS messages: a bounded parser (a pure function over a buffer that never
/// throws and never trusts a length or a count), the query builder (libtins),
/// and the names of types and rcodes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/model/address.h"
#include "probe/model/dns.h"

namespace probe::packet {

inline constexpr std::uint16_t kDnsPort = 53;
inline constexpr std::uint16_t kDnsTypePtr = 12;
/// At most this many records per section; a larger count is hostile.
inline constexpr std::size_t kDnsMaxRecords = 512;

using model::DnsMessage;
using model::DnsQuestion;
using model::DnsRecord;

enum class DnsParseError : std::uint8_t {
  none,
  short_header,         ///< fewer than 12 bytes
  truncated,            ///< a name, record or RDATA runs past the end
  pointer_past_end,     ///< a compression pointer beyond the message
  pointer_loop,         ///< a compression pointer that does not point backwards
  bad_label,            ///< reserved label type (0x40, 0x80)
  name_too_long,        ///< more than 255 bytes
  too_many_records,     ///< a section count above kDnsMaxRecords
};

std::string_view to_string(DnsParseError e);

/// The parse: a message, or the first error and the offset where it was found.
struct DnsParse {
  std::optional<DnsMessage> message;
  DnsParseError error = DnsParseError::none;
  std::size_t offset = 0;
};

/// Parses one DNS message (UDP payload, or a TCP message without its length
/// prefix). Pure; never throws.
DnsParse parse_dns(const std::uint8_t* data, std::size_t len) noexcept;

/// The first 12 bytes' id, or nullopt when shorter than 2 bytes.
std::optional<std::uint16_t> dns_id(const std::uint8_t* data, std::size_t len);

/// "A", "AAAA", ..., "TYPE65534" (case-insensitive); nullopt if unknown.
std::optional<std::uint16_t> dns_type_from_name(std::string_view name);
/// The mnemonic of a type, or "TYPEnnn".
std::string dns_type_name(std::uint16_t type);
/// "NOERROR", "NXDOMAIN", ..., or "RCODEnn".
std::string dns_rcode_name(std::uint16_t rcode);

/// A name in presentation form made fully qualified and lowercase ("Lab.Test"
/// -> "lab.test."), or nullopt if malformed (empty label, label > 63, name >
/// 253 characters, characters outside letters, digits, '-', '_', '*').
std::optional<std::string> normalize_dns_name(std::string_view name);

/// The name a PTR query for `address` asks (dig -x): "4.3.2.1.in-addr.arpa."
/// for 1.2.3.4, the 32 nibbles under "ip6.arpa." for IPv6 (RFC 3596).
std::string reverse_dns_name(const model::Address& address);

/// One query message.
struct DnsQuerySpec {
  std::string qname;          ///< normalized name
  std::uint16_t qtype = 1;
  std::uint16_t id = 0;
  bool rd = true;             ///< recursion desired
  bool edns = true;           ///< add an OPT record
  std::uint16_t edns_size = 1232;  ///< advertised UDP buffer, bytes
  bool dnssec_ok = false;     ///< the DO bit
};

/// The DNS message (no transport framing), built with libtins' DNS PDU.
std::vector<std::uint8_t> build_dns_query(const DnsQuerySpec& spec);

/// A complete IPv4 or IPv6 packet (the addresses' family) carrying `payload`
/// over UDP, with our TTL (hop limit), ports and IP ID (IPv6: the ports'
/// flow_label()) and a correct checksum.
std::vector<std::uint8_t> build_udp_packet(const model::Address& src, const model::Address& dst,
                                           std::uint8_t ttl, std::uint16_t sport,
                                           std::uint16_t dport, std::uint16_t ipid,
                                           const std::vector<std::uint8_t>& payload);

}  // namespace probe::packet
