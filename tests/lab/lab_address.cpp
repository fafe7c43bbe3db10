// SPDX-License-Identifier: BSD-2-Clause
#include "lab_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <sstream>

#include "lab.h"

namespace probe::lab::detail {
namespace {

struct Net4 {
  std::uint32_t base = 0;
  int len = 0;
  bool contains(std::uint32_t a) const {
    const std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
    return (a & mask) == (base & mask);
  }
};

// The lab may only ever talk about these networks.
bool allowed_v4(std::uint32_t a) {
  static const Net4 allowed[] = {
      {0xC6120000u, 15},  // 198.18.0.0/15
      {0xC0000200u, 24},  // 192.0.2.0/24
      {0xC6336400u, 24},  // 198.51.100.0/24
      {0xCB007100u, 24},  // 203.0.113.0/24
  };
  return std::any_of(std::begin(allowed), std::end(allowed),
                     [a](const Net4& n) { return n.contains(a); });
}

// 2001:db8::/32 (RFC 3849, documentation) and 2001:2::/48 (RFC 5180,
// benchmarking): the only IPv6 space a lab may name.
bool allowed_v6(const in6_addr& a) {
  const std::uint8_t* b = a.s6_addr;
  const bool doc = b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8;
  const bool bench = b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x02 && b[4] == 0 && b[5] == 0;
  return doc || bench;
}

bool length_ok(const std::string& w, int max) {
  const auto slash = w.find('/');
  if (slash == std::string::npos) return true;
  const std::string len = w.substr(slash + 1);
  return !len.empty() && len.size() <= 3 &&
         std::all_of(len.begin(), len.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         std::stoi(len) <= max;
}

}  // namespace

bool parse_v4(const std::string& text, std::uint32_t* out) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1) return false;
  *out = ntohl(a.s_addr);
  return true;
}

std::string format_v4(std::uint32_t a) {
  in_addr x{};
  x.s_addr = htonl(a);
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &x, buf, sizeof buf);
  return buf;
}

bool is_v6_address(const std::string& text) {
  in6_addr a{};
  return inet_pton(AF_INET6, text.c_str(), &a) == 1;
}

bool is_v4_prefix(const std::string& w) {
  std::uint32_t a = 0;
  return parse_v4(w.substr(0, w.find('/')), &a) && length_ok(w, 32);
}

bool is_v6_prefix(const std::string& w) { return is_v6_address(w.substr(0, w.find('/'))) && length_ok(w, 128); }

void check_addresses(const std::vector<std::string>& words, int line_no) {
  for (std::string w : words) {
    w.erase(std::remove_if(w.begin(), w.end(), [](char c) { return c == '{' || c == '}' || c == ','; }),
            w.end());
    const std::string host = w.substr(0, w.find('/'));
    std::uint32_t a = 0;
    in6_addr a6{};
    const bool bad = (parse_v4(host, &a) && !allowed_v4(a)) ||
                     (inet_pton(AF_INET6, host.c_str(), &a6) == 1 && !allowed_v6(a6));
    if (bad)
      throw LabError("line " + std::to_string(line_no) + ": address " + w +
                     " is outside 198.18.0.0/15, the TEST-NETs, 2001:db8::/32 and 2001:2::/48");
  }
}

std::string link_addr6(int index, int host) {
  std::ostringstream s;
  s << "2001:db8:0:" << std::hex << index << "::" << host;
  in6_addr a{};
  inet_pton(AF_INET6, s.str().c_str(), &a);
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &a, buf, sizeof buf);  // as tools print it: 2001:db8::1 for link 0
  return buf;
}

}  // namespace probe::lab::detail
