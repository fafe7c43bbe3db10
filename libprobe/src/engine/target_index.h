// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Target address -> trace index, open addressing over trace indices: one
// lookup per packet, so no chained buckets to chase. A repeated target is
// traced once per listing, but replies match its first listing.

#include <cstdint>
#include <vector>

#include "probe/model/address.h"

namespace probe::engine {

class TargetIndex {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  explicit TargetIndex(const std::vector<model::Address>& targets) : targets_(targets) {
    std::size_t cap = 16;
    bits_ = 4;
    while (cap < targets.size() * 2) {
      cap <<= 1;
      ++bits_;
    }
    table_.assign(cap, kNone);
    mask_ = cap - 1;
    for (std::uint32_t i = 0; i < targets.size(); ++i) add(i);
  }

  /// The first trace toward `a`, or kNone.
  std::uint32_t find(const model::Address& a) const {
    for (std::size_t h = hash(a) & mask_;; h = (h + 1) & mask_) {
      std::uint32_t i = table_[h];
      if (i == kNone || targets_[i] == a) return i;
    }
  }

 private:
  void add(std::uint32_t i) {
    const model::Address& a = targets_[i];
    for (std::size_t h = hash(a) & mask_;; h = (h + 1) & mask_) {
      if (table_[h] == kNone) {
        table_[h] = i;
        return;
      }
      if (targets_[table_[h]] == a) return;
    }
  }

  // Neighbouring IPv4 addresses get neighbouring buckets: the traces in
  // flight are a window of the target list (a country's prefixes, in
  // order), and their lookups then stay in a few cache lines. The bits
  // above the table's size are folded in, so that x.y.z.1 over many /24s
  // still spreads.
  std::size_t hash(const model::Address& a) const {
    if (!a.is_v4()) return a.hash();
    std::size_t x = a.v4_host();
    return x ^ (x >> bits_) ^ (x >> (2 * bits_));
  }

  const std::vector<model::Address>& targets_;  // the engine's, which outlives the index
  std::vector<std::uint32_t> table_;
  std::size_t mask_ = 0;
  int bits_ = 0;  // log2 of the table's size
};

}  // namespace probe::engine
