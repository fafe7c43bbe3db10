// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// A keyed pseudo-random permutation of 0..n-1, for walking an address
/// space the way ZMap and yarrp do (model/targets.h: TargetWalk): no list
/// of addresses, no set of those visited, the same few words of state for a
/// /30 and a /8. Same key, same order: a replay walks as the run did.

#include <cstdint>

namespace probe::model {

/// A bijection of 0..n-1 onto itself chosen by `key`: a four-round Feistel
/// network over the smallest even number of bits that holds n, walked
/// until it lands below n (cycle walking: under four steps on average, as
/// that domain is less than four times n).
class Permutation {
 public:
  Permutation(std::uint64_t n, std::uint64_t key);
  std::uint64_t size() const { return n_; }
  /// The i-th element of the permutation; i < size().
  std::uint64_t at(std::uint64_t i) const;
  /// The inverse: the i with at(i) == x; x < size().
  std::uint64_t index_of(std::uint64_t x) const;

 private:
  std::uint64_t feistel(std::uint64_t x) const;
  std::uint64_t feistel_inverse(std::uint64_t x) const;
  std::uint64_t round(std::uint64_t half, int r) const;

  std::uint64_t n_;
  std::uint64_t key_;
  int half_;              ///< bits in each half of the Feistel domain
  std::uint64_t mask_;    ///< the low half_ bits
};

}  // namespace probe::model
