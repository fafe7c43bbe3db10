// SPDX-License-Identifier: BSD-2-Clause
#include "probe/model/permutation.h"

#include "probe/model/splitmix.h"

namespace probe::model {

namespace {
constexpr int kRounds = 4;  // Luby-Rackoff: four rounds make a strong pseudo-random permutation
}

Permutation::Permutation(std::uint64_t n, std::uint64_t key) : n_(n), key_(key) {
  int bits = 2;
  while (bits < 64 && (std::uint64_t{1} << bits) < n) bits += 2;
  half_ = bits / 2;
  mask_ = (std::uint64_t{1} << half_) - 1;
}

std::uint64_t Permutation::round(std::uint64_t half, int r) const {
  return splitmix64(key_ ^ splitmix64_at(half, static_cast<std::uint64_t>(r))) & mask_;
}

std::uint64_t Permutation::feistel(std::uint64_t x) const {
  std::uint64_t left = x >> half_, right = x & mask_;
  for (int r = 0; r < kRounds; ++r) {
    std::uint64_t next = left ^ round(right, r);
    left = right;
    right = next;
  }
  return (left << half_) | right;
}

// The rounds undone in reverse: each round's function saw the half that
// is now on the left.
std::uint64_t Permutation::feistel_inverse(std::uint64_t x) const {
  std::uint64_t left = x >> half_, right = x & mask_;
  for (int r = kRounds - 1; r >= 0; --r) {
    std::uint64_t prev = right ^ round(left, r);
    right = left;
    left = prev;
  }
  return (left << half_) | right;
}

std::uint64_t Permutation::at(std::uint64_t i) const {
  // A bijection of the whole domain restricted to 0..n-1 by walking its
  // cycle until it comes back below n: still a bijection of 0..n-1.
  std::uint64_t x = i;
  do x = feistel(x);
  while (x >= n_);
  return x;
}

std::uint64_t Permutation::index_of(std::uint64_t x) const {
  // The same cycle walked backward: the first element below n_ before x
  // is the one whose walk landed on x.
  std::uint64_t i = x;
  do i = feistel_inverse(i);
  while (i >= n_);
  return i;
}

}  // namespace probe::model
