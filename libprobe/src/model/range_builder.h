// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Collects possibly overlapping address ranges and turns them into a
// RangeIndex where every address keeps the value of its narrowest range.

#include <cstdint>
#include <vector>

#include "probe/model/address.h"
#include "probe/model/asn_db.h"
#include "u128.h"

namespace probe::model::detail {

class RangeBuilder {
 public:
  // first and last of the same family, first <= last (the caller checks).
  void add(const Address& first, const Address& last, std::uint32_t value);
  // Narrowest range wins where ranges overlap, the one added first among
  // equally wide ones; adjacent pieces with the same value are joined.
  RangeIndex build();

  template <typename Key>
  struct Raw {
    Key first;
    Key last;
    std::uint32_t value;
    std::uint32_t order;  // position in the input, for ties
  };

 private:
  std::vector<Raw<std::uint32_t>> v4_;
  std::vector<Raw<U128>> v6_;
};

}  // namespace probe::model::detail
