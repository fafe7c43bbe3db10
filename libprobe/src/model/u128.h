// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Addresses as unsigned integers, for range arithmetic (private to libprobe).

#include <cstdint>

#include "probe/model/address.h"

namespace probe::model::detail {

// GCC and Clang both have it; __extension__ keeps -Wpedantic quiet.
__extension__ typedef unsigned __int128 U128;

inline constexpr U128 kU128Max = ~U128{0};

// Big-endian value of the address (an IPv4 address stays below 2^32).
inline U128 to_u128(const Address& a) {
  U128 v = 0;
  for (std::size_t i = 0; i < a.size(); ++i) v = (v << 8) | a.data()[i];
  return v;
}

inline Address from_u128(Family family, U128 v) {
  std::uint8_t b[16];
  std::size_t n = family == Family::v4 ? 4 : 16;
  for (std::size_t i = n; i-- > 0;) {
    b[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
  return Address::from_bytes(family, b);
}

}  // namespace probe::model::detail
