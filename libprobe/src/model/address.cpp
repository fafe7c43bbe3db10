// SPDX-License-Identifier: BSD-2-Clause
#include "probe/model/address.h"

#include <arpa/inet.h>

#include <cstring>

#include "u128.h"

namespace probe::model {

std::string_view to_string(Family f) { return f == Family::v4 ? "IPv4" : "IPv6"; }

Address Address::v4(std::uint32_t host_order) {
  Address a;
  a.family_ = Family::v4;
  a.bytes_[0] = static_cast<std::uint8_t>(host_order >> 24);
  a.bytes_[1] = static_cast<std::uint8_t>(host_order >> 16);
  a.bytes_[2] = static_cast<std::uint8_t>(host_order >> 8);
  a.bytes_[3] = static_cast<std::uint8_t>(host_order);
  return a;
}

std::optional<Address> Address::parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN + 1];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  Address a;
  if (inet_pton(AF_INET, buf, a.bytes_.data()) == 1) {
    a.family_ = Family::v4;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes_.data()) == 1) {
    a.family_ = Family::v6;
    return a;
  }
  return std::nullopt;
}

std::uint32_t Address::v4_host() const {
  if (!is_v4()) return 0;
  return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
         (std::uint32_t{bytes_[2]} << 8) | std::uint32_t{bytes_[3]};
}

bool Address::is_unspecified() const {
  for (std::size_t i = 0; i < size(); ++i)
    if (bytes_[i] != 0) return false;
  return true;
}

std::string Address::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return buf;
}

namespace {

Address masked(const Address& a, int length) {
  std::uint8_t b[16] = {};
  std::memcpy(b, a.data(), a.size());
  for (int i = 0; i < static_cast<int>(a.size()); ++i) {
    int keep = length - i * 8;
    if (keep >= 8) continue;
    b[i] = keep <= 0 ? std::uint8_t{0} : static_cast<std::uint8_t>(b[i] & (0xff << (8 - keep)));
  }
  return Address::from_bytes(a.family(), b);
}

}  // namespace

std::optional<Prefix> Prefix::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = Address::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  int max = static_cast<int>(addr->size() * 8);
  int length = max;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    length = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      length = length * 10 + (c - '0');
    }
    if (length > max) return std::nullopt;
  }
  return Prefix{masked(*addr, length), length};
}

std::uint64_t Prefix::count() const {
  int host_bits = static_cast<int>(base.size() * 8) - length;
  if (host_bits >= 32) return std::uint64_t{1} << 32;
  return std::uint64_t{1} << host_bits;
}

Address Prefix::nth(std::uint64_t offset) const {
  if (base.is_v4()) return Address::v4(base.v4_host() + static_cast<std::uint32_t>(offset));
  std::uint8_t b[16];
  std::memcpy(b, base.data(), 16);
  // Add the offset to the low bytes, carrying upward.
  for (int k = 15; k >= 0 && offset != 0; --k) {
    std::uint64_t sum = b[k] + (offset & 0xff);
    b[k] = static_cast<std::uint8_t>(sum);
    offset = (offset >> 8) + (sum >> 8);
  }
  return Address::from_bytes(Family::v6, b);
}

bool Prefix::contains(const Address& a) const {
  return a.family() == base.family() && masked(a, length) == base;
}

std::string Prefix::to_string() const { return base.to_string() + "/" + std::to_string(length); }

std::vector<Prefix> range_to_prefixes(const Address& first, const Address& last) {
  using detail::U128;
  std::vector<Prefix> out;
  if (first.family() != last.family() || last < first) return out;
  const int bits = static_cast<int>(first.size() * 8);
  U128 lo = detail::to_u128(first);
  const U128 hi = detail::to_u128(last);
  while (true) {
    // Grow the block at lo (2^k addresses) while lo stays aligned and it ends by hi.
    int k = 0;
    while (k < bits && ((lo >> k) & 1) == 0) {
      U128 wider = k + 1 == 128 ? detail::kU128Max : (U128{1} << (k + 1)) - 1;
      if (hi - lo < wider) break;
      ++k;
    }
    out.push_back(Prefix{detail::from_u128(first.family(), lo), bits - k});
    U128 end = lo + (k == 128 ? detail::kU128Max : (U128{1} << k) - 1);
    if (end == hi) break;
    lo = end + 1;
  }
  return out;
}

}  // namespace probe::model
