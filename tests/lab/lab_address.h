// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Addresses of a lab description: parsing, the networks a lab may use, and
// the numbering of links (IPv4 /30s, IPv6 /64s). Internal to lab.cpp.

#include <cstdint>
#include <string>
#include <vector>

namespace probe::lab::detail {

bool parse_v4(const std::string& text, std::uint32_t* out);
std::string format_v4(std::uint32_t a);
/// True when `text` (without a length) is an IPv6 address.
bool is_v6_address(const std::string& text);
/// True when `w` is an IPv4 prefix or address (length <= 32).
bool is_v4_prefix(const std::string& w);
/// True when `w` is an IPv6 prefix or address (length <= 128).
bool is_v6_prefix(const std::string& w);
/// Throws LabError when a word that parses as an address or prefix lies
/// outside 198.18.0.0/15, the RFC 5737 TEST-NETs, 2001:db8::/32 and
/// 2001:2::/48.
void check_addresses(const std::vector<std::string>& words, int line_no);
/// Address `host` (1: end A, 2: end B) of link `index` (0-based) of a
/// dual-stack lab, in 2001:db8:0:<index in hex>::/64, in canonical form
/// (link 0's end A is 2001:db8::1).
std::string link_addr6(int index, int host);

}  // namespace probe::lab::detail
