// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", 2014): the one mixer behind every key, ID and port that
/// faultline derives from a run key, so that live runs and their replays
/// derive the same values.

#include <cstdint>

namespace probe::model {

/// The generator's increment (2^64 / the golden ratio, odd).
inline constexpr std::uint64_t kSplitmixGamma = 0x9E3779B97F4A7C15ULL;

/// One step: advances the state `x` by the increment and mixes it.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += kSplitmixGamma;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// The n-th output (from 0) of the generator seeded with `seed`.
constexpr std::uint64_t splitmix64_at(std::uint64_t seed, std::uint64_t n) {
  return splitmix64(seed + kSplitmixGamma * n);
}

}  // namespace probe::model
