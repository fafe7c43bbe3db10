// SPDX-License-Identifier: BSD-2-Clause
#include "probe/packet/checksum.h"

namespace probe::packet {

std::uint32_t sum_words(const std::uint8_t* data, std::size_t len, std::uint32_t sum) {
  std::size_t i = 0;
  for (; i + 1 < len; i += 2) sum += (std::uint32_t{data[i]} << 8) | data[i + 1];
  if (i < len) sum += std::uint32_t{data[i]} << 8;
  return sum;
}

std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

std::uint16_t internet_checksum(const std::uint8_t* data, std::size_t len) {
  return static_cast<std::uint16_t>(~fold(sum_words(data, len)));
}

std::uint16_t ones_sub(std::uint16_t a, std::uint16_t b) {
  return fold(std::uint32_t{a} + static_cast<std::uint16_t>(~b));
}

}  // namespace probe::packet
