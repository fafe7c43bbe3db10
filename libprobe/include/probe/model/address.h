// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Family-neutral IP addresses and prefixes (plain values, no I/O).

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace probe::model {

enum class Family : std::uint8_t { v4, v6 };

/// "IPv4" or "IPv6", as messages name a family.
std::string_view to_string(Family f);

/// An IPv4 or IPv6 address. IPv4 uses the first 4 bytes of bytes_.
class Address {
 public:
  Address() = default;
  static Address v4(std::uint32_t host_order);
  static Address from_bytes(Family family, const std::uint8_t* bytes) {
    Address a;
    a.family_ = family;
    std::memcpy(a.bytes_.data(), bytes, family == Family::v4 ? 4 : 16);
    return a;
  }
  /// Parses dotted quad or RFC 4291 text; nullopt on anything else.
  static std::optional<Address> parse(std::string_view text);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::v4; }
  /// 4 for IPv4, 16 for IPv6.
  std::size_t size() const { return family_ == Family::v4 ? 4 : 16; }
  const std::uint8_t* data() const { return bytes_.data(); }
  /// IPv4 value in host byte order; 0 for IPv6.
  std::uint32_t v4_host() const;
  bool is_unspecified() const;
  std::string to_string() const;

  friend bool operator==(const Address& a, const Address& b) {
    // Two words, not memcmp: this runs for every frame and table probe.
    std::uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.bytes_.data(), 8);
    std::memcpy(&a1, a.bytes_.data() + 8, 8);
    std::memcpy(&b0, b.bytes_.data(), 8);
    std::memcpy(&b1, b.bytes_.data() + 8, 8);
    return a.family_ == b.family_ && ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  friend bool operator!=(const Address& a, const Address& b) { return !(a == b); }
  friend bool operator<(const Address& a, const Address& b) {
    if (a.family_ != b.family_) return a.family_ < b.family_;
    return a.bytes_ < b.bytes_;
  }
  std::size_t hash() const {
    // FNV-1a over the significant bytes: cheap and good enough for maps of targets.
    std::size_t h = 1469598103934665603ULL ^ static_cast<std::size_t>(family_);
    for (std::size_t i = 0; i < size(); ++i) {
      h ^= bytes_[i];
      h *= 1099511628211ULL;
    }
    return h;
  }

 private:
  Family family_ = Family::v4;
  std::array<std::uint8_t, 16> bytes_{};
};

/// A CIDR block; base is masked to the prefix length.
struct Prefix {
  Address base;
  int length = 32;  ///< bits

  /// "A.B.C.D/N", "A.B.C.D" (a /32) or the IPv6 forms; nullopt if malformed.
  static std::optional<Prefix> parse(std::string_view text);
  /// Number of addresses, saturated at 2^32.
  std::uint64_t count() const;
  /// The address `offset` places past base; offset < count().
  Address nth(std::uint64_t offset) const;
  bool contains(const Address& a) const;
  std::string to_string() const;
};

/// The fewest CIDR blocks that cover exactly the inclusive range first..last,
/// in address order. Empty if the families differ or last < first.
std::vector<Prefix> range_to_prefixes(const Address& first, const Address& last);

}  // namespace probe::model

template <>
struct std::hash<probe::model::Address> {
  std::size_t operator()(const probe::model::Address& a) const noexcept { return a.hash(); }
};
