// SPDX-License-Identifier: BSD-2-Clause
#include <algorithm>
#include <queue>

#include "range_builder.h"

namespace probe::model::detail {

namespace {

using V6Key = std::array<std::uint64_t, 2>;

V6Key split(U128 v) { return {static_cast<std::uint64_t>(v >> 64), static_cast<std::uint64_t>(v)}; }
U128 join(const V6Key& k) { return (U128{k[0]} << 64) | k[1]; }

// Sweeps the ranges in address order; at every point the narrowest active
// range (then the earliest added) decides. Each step either starts a range or
// runs to the end of the winning one, so this is O(n log n) even for the
// nested prefixes of pfx2as. emit() gets disjoint pieces in address order.
template <typename Key, typename Emit>
void resolve(std::vector<RangeBuilder::Raw<Key>>& raw, Emit emit) {
  const Key kMax = static_cast<Key>(~Key{0});
  bool disjoint = true;
  for (std::size_t i = 1; i < raw.size() && disjoint; ++i) disjoint = raw[i].first > raw[i - 1].last;
  if (disjoint) {  // the ip-location-db CSVs: sorted and non-overlapping already
    for (const auto& r : raw) emit(r.first, r.last, r.value);
    return;
  }
  auto by_start = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.order < b.order;
  };
  if (!std::is_sorted(raw.begin(), raw.end(), by_start)) std::sort(raw.begin(), raw.end(), by_start);
  auto loses_to = [&raw](std::size_t a, std::size_t b) {  // heap order: top is the winner
    Key wa = raw[a].last - raw[a].first, wb = raw[b].last - raw[b].first;
    return wa != wb ? wa > wb : raw[a].order > raw[b].order;
  };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(loses_to)> active(loses_to);
  std::size_t next = 0;
  Key pos = 0;
  while (true) {
    if (active.empty()) {
      if (next == raw.size()) break;
      pos = raw[next].first;
    }
    while (next < raw.size() && raw[next].first <= pos) active.push(next++);
    while (!active.empty() && raw[active.top()].last < pos) active.pop();
    if (active.empty()) continue;
    const auto& win = raw[active.top()];
    Key end = win.last;
    if (next < raw.size() && raw[next].first - 1 < end) end = raw[next].first - 1;
    emit(pos, end, win.value);
    if (end == kMax) break;
    pos = end + 1;
  }
}

// Joins adjacent kept ranges, then cuts each run into CIDR blocks.
template <typename Stored, typename ToAddress>
void collect(const std::vector<Stored>& first, const std::vector<Stored>& last,
             const std::vector<std::uint32_t>& value, const std::function<bool(std::uint32_t)>& keep,
             ToAddress to_address, bool (*adjacent)(const Stored&, const Stored&), std::vector<Prefix>& out) {
  std::size_t i = 0;
  while (i < value.size()) {
    if (!keep(value[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j + 1 < value.size() && keep(value[j + 1]) && adjacent(last[j], first[j + 1])) ++j;
    auto blocks = range_to_prefixes(to_address(first[i]), to_address(last[j]));
    out.insert(out.end(), blocks.begin(), blocks.end());
    i = j + 1;
  }
}

}  // namespace

void RangeBuilder::add(const Address& first, const Address& last, std::uint32_t value) {
  if (first.is_v4()) {
    v4_.push_back({first.v4_host(), last.v4_host(), value, static_cast<std::uint32_t>(v4_.size())});
  } else {
    v6_.push_back({to_u128(first), to_u128(last), value, static_cast<std::uint32_t>(v6_.size())});
  }
}

RangeIndex RangeBuilder::build() {
  RangeIndex index;
  resolve(v4_, [&index](std::uint32_t lo, std::uint32_t hi, std::uint32_t v) {
    if (!index.v4_value.empty() && index.v4_value.back() == v && index.v4_last.back() + 1 == lo) {
      index.v4_last.back() = hi;
      return;
    }
    index.v4_first.push_back(lo);
    index.v4_last.push_back(hi);
    index.v4_value.push_back(v);
  });
  resolve(v6_, [&index](U128 lo, U128 hi, std::uint32_t v) {
    if (!index.v6_value.empty() && index.v6_value.back() == v && join(index.v6_last.back()) + 1 == lo) {
      index.v6_last.back() = split(hi);
      return;
    }
    index.v6_first.push_back(split(lo));
    index.v6_last.push_back(split(hi));
    index.v6_value.push_back(v);
  });
  v4_ = {};
  v6_ = {};
  for (auto* v : {&index.v4_first, &index.v4_last, &index.v4_value, &index.v6_value}) v->shrink_to_fit();
  index.v6_first.shrink_to_fit();
  index.v6_last.shrink_to_fit();
  return index;
}

std::optional<std::uint32_t> RangeIndex::find(const Address& a) const {
  if (a.is_v4()) {
    std::uint32_t key = a.v4_host();
    auto it = std::upper_bound(v4_first.begin(), v4_first.end(), key);
    if (it == v4_first.begin()) return std::nullopt;
    auto i = static_cast<std::size_t>(it - v4_first.begin()) - 1;
    if (v4_last[i] < key) return std::nullopt;
    return v4_value[i];
  }
  V6Key key = split(to_u128(a));
  auto it = std::upper_bound(v6_first.begin(), v6_first.end(), key);
  if (it == v6_first.begin()) return std::nullopt;
  auto i = static_cast<std::size_t>(it - v6_first.begin()) - 1;
  if (v6_last[i] < key) return std::nullopt;
  return v6_value[i];
}

std::vector<Prefix> RangeIndex::prefixes(const std::function<bool(std::uint32_t)>& keep) const {
  std::vector<Prefix> out;
  collect(
      v4_first, v4_last, v4_value, keep, [](std::uint32_t k) { return Address::v4(k); },
      +[](const std::uint32_t& a, const std::uint32_t& b) { return a + 1 == b; }, out);
  collect(
      v6_first, v6_last, v6_value, keep, [](const V6Key& k) { return from_u128(Family::v6, join(k)); },
      +[](const V6Key& a, const V6Key& b) { return join(a) + 1 == join(b); }, out);
  return out;
}

}  // namespace probe::model::detail
