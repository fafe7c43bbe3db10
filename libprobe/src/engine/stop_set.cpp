// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/stop_set.h"

#include <algorithm>

#include "probe/engine/trace_logic.h"

namespace probe::engine {

std::uint64_t block_of(const model::Address& a) {
  if (a.is_v4()) return a.v4_host() >> 8;
  std::uint64_t k = 1ULL << 48;
  for (int b = 0; b < 6; ++b) k |= static_cast<std::uint64_t>(a.data()[b]) << (8 * (5 - b));
  return k;
}

std::int32_t StopSet::add_node(std::uint32_t owner, std::uint8_t ttl, const model::Address* addr, HopNodes& seen) {
  Node n;
  n.owner = owner;
  n.ttl = ttl;
  n.silent = addr == nullptr;
  if (addr) n.addr = *addr;
  nodes_.push_back(n);
  auto id = static_cast<std::int32_t>(nodes_.size() - 1);
  seen.emplace_back(ttl, id);
  return id;
}

std::int32_t StopSet::add_silent(std::uint32_t owner, std::uint8_t ttl, HopNodes& seen) {
  return add_node(owner, ttl, nullptr, seen);
}

std::int32_t StopSet::reveal(std::uint32_t owner, const model::Address& dst, std::uint8_t reached, std::uint8_t ttl,
                             const model::Address& addr, std::int64_t rx_us, HopNodes& seen) {
  std::uint64_t block = block_of(dst);
  std::uint8_t& deepest = heard_[block];
  deepest = std::max(deepest, ttl);
  HopKey key{ttl, addr};
  auto it = known_.find(key);
  bool met = it != known_.end() && nodes_[it->second].owner != owner;
  std::int32_t id = 0;
  if (met) {
    id = it->second;
    seen.emplace_back(ttl, id);
  } else {
    id = add_node(owner, ttl, &addr, seen);
    if (it == known_.end()) known_.emplace(key, id);
  }
  HopKey skey{block << 16 | std::uint64_t{reached} << 8 | ttl, {}};
  Sibling& sib = siblings_[skey];
  if (sib.node < 0) {
    sib.node = id;
    sib.first_rx_us = rx_us;
  } else if (nodes_[sib.node].addr != addr && sib.ambiguous_rx_us == 0) {
    sib.ambiguous_rx_us = rx_us;
  }
  return met ? id : -1;
}

std::int32_t StopSet::sibling_at(const model::Address& dst, std::uint8_t reached, std::uint8_t ttl,
                                 std::int64_t cutoff) const {
  std::uint64_t block = block_of(dst);
  for (std::uint8_t d : {reached, std::uint8_t{0}}) {
    auto it = siblings_.find(HopKey{block << 16 | std::uint64_t{d} << 8 | ttl, {}});
    if (it != siblings_.end()) {
      const Sibling& sib = it->second;
      if (sib.first_rx_us <= cutoff && (sib.ambiguous_rx_us == 0 || sib.ambiguous_rx_us > cutoff)) return sib.node;
    }
    if (d == 0) break;
  }
  return -1;
}

void StopSet::settle(std::uint32_t owner, const HopNodes& seen) {
  for (auto [ttl, id] : seen) {
    Node& n = nodes_[static_cast<std::size_t>(id)];
    if (n.owner != owner || n.final) continue;
    for (auto [t2, id2] : seen)
      if (t2 + 1 == ttl) n.pred = id2;
    n.final = true;
  }
}

bool StopSet::chain_final(std::int32_t met) const {
  for (std::int32_t n = met;; n = node(n).pred) {
    if (!node(n).final) return false;
    if (node(n).pred < 0) return true;
  }
}

std::vector<model::Hop> StopSet::inherited(std::int32_t met, const model::Address& dst, std::uint8_t reached,
                                           std::int64_t cutoff) const {
  std::vector<model::Hop> hops;
  for (std::int32_t n = node(met).pred; n >= 0; n = node(n).pred) {
    const Node* from = &node(n);
    if (from->silent) {
      std::int32_t sib = sibling_at(dst, reached, from->ttl, cutoff);
      if (sib < 0) continue;
      from = &node(sib);
    }
    model::Hop h;
    h.ttl = from->ttl;
    h.inferred_addr = from->addr;
    hops.push_back(std::move(h));
  }
  return hops;
}

std::uint8_t StopSet::heard(const model::Address& dst) const {
  auto it = heard_.find(block_of(dst));
  return it == heard_.end() ? 0 : it->second;
}

std::uint8_t Distances::learn(const model::Address& dst, std::uint8_t ttl, std::uint8_t reply_ttl) {
  std::uint8_t d = ttl;
  if (auto guess = hops_from_reply_ttl(reply_ttl)) d = std::min(d, *guess);
  return by_block_.emplace(block_of(dst), d).first->second;
}

std::uint8_t Distances::of(const model::Address& dst) const {
  auto it = by_block_.find(block_of(dst));
  return it == by_block_.end() ? 0 : it->second;
}

}  // namespace probe::engine
