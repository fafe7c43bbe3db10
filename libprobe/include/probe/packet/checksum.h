// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// RFC 1071 one's complement arithmetic, used to steer Paris checksums.

#include <cstddef>
#include <cstdint>

namespace probe::packet {

/// Adds the 16-bit big-endian words of [data, data+len) to sum (odd tail padded).
std::uint32_t sum_words(const std::uint8_t* data, std::size_t len, std::uint32_t sum = 0);
/// Folds a 32-bit accumulator into 16 bits of one's complement sum.
std::uint16_t fold(std::uint32_t sum);
/// The Internet checksum of a buffer: ~fold(sum_words(...)).
std::uint16_t internet_checksum(const std::uint8_t* data, std::size_t len);
/// One's complement a - b.
std::uint16_t ones_sub(std::uint16_t a, std::uint16_t b);

}  // namespace probe::packet
