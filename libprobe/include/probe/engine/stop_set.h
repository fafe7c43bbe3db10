// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Doubletree's memory over a run (Donnet et al., SIGMETRICS 2005), single
/// vantage point, as pure code: no I/O, no clock (times come in as
/// arguments, capture timestamps in µs).
///
/// The stop set holds one node per (TTL, address) revealed, and one per
/// silent hop of a trace. A node's `pred` is the hop one TTL nearer on the
/// trace that revealed it: the chain a trace meeting the node inherits.
/// Siblings: what the traces toward one /24 at one destination distance saw
/// at each TTL, for a trace whose own probe there went unanswered.

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "probe/model/address.h"
#include "probe/model/trace.h"

namespace probe::engine {

/// The /24 (IPv4) or /48 (IPv6) of an address, as a number.
std::uint64_t block_of(const model::Address& a);

/// The (TTL, node) of every hop one trace saw, in the order it saw them.
using HopNodes = std::vector<std::pair<std::uint8_t, std::int32_t>>;

class StopSet {
 public:
  struct Node {
    model::Address addr;
    std::uint32_t owner = 0;  ///< the trace that revealed it
    std::int32_t pred = -1;   ///< the owner's node one TTL nearer, once final
    std::uint8_t ttl = 0;
    bool silent = false;
    bool final = false;  ///< pred is settled: the owner finished
  };

  /// A hop `addr` answered trace `owner` (toward `dst`, which it reached at
  /// TTL `reached` so far, 0: not yet) at `ttl`, received at rx_us. Returns
  /// the node another trace made of it before (the stop set says "known"),
  /// else records it as the owner's and returns -1. Appends to `seen`.
  std::int32_t reveal(std::uint32_t owner, const model::Address& dst, std::uint8_t reached, std::uint8_t ttl,
                      const model::Address& addr, std::int64_t rx_us, HopNodes& seen);
  /// The owner's probes at `ttl` all went unanswered: a silent node.
  std::int32_t add_silent(std::uint32_t owner, std::uint8_t ttl, HopNodes& seen);
  /// The owner met node `id` at `ttl` without an answer (taken from a sibling).
  void meet(std::uint8_t ttl, std::int32_t id, HopNodes& seen) const { seen.emplace_back(ttl, id); }

  /// The unique node the siblings of a trace toward `dst` (same /24, same
  /// distance `reached`) had revealed at `ttl` by `cutoff_us`, or -1. Hops
  /// heard before their trace reached the destination (distance 0) stand in
  /// when none was heard at this distance. Timestamps, not arrival order,
  /// decide, so that replay agrees.
  std::int32_t sibling_at(const model::Address& dst, std::uint8_t reached, std::uint8_t ttl,
                          std::int64_t cutoff_us) const;
  /// The owner finished: each node it revealed now knows its predecessor.
  void settle(std::uint32_t owner, const HopNodes& seen);
  /// Whether every node on the chain below `met` is final (its owner finished).
  bool chain_final(std::int32_t met) const;
  /// The hops below `met`, as the traces that revealed them saw them, for a
  /// trace toward `dst` at distance `reached`: a hop the revealing trace
  /// heard nothing from is taken from the siblings by `cutoff_us`, else left out.
  std::vector<model::Hop> inherited(std::int32_t met, const model::Address& dst, std::uint8_t reached,
                                    std::int64_t cutoff_us) const;

  const Node& node(std::int32_t id) const { return nodes_[static_cast<std::size_t>(id)]; }
  /// The deepest TTL a hop answered at toward the /24 of `dst` (0: none).
  std::uint8_t heard(const model::Address& dst) const;

 private:
  struct HopKey {
    std::uint64_t block_or_ttl;  // (block << 16 | distance << 8 | ttl) or ttl
    model::Address addr;
    friend bool operator==(const HopKey& a, const HopKey& b) {
      return a.block_or_ttl == b.block_or_ttl && a.addr == b.addr;
    }
  };
  struct HopKeyHash {
    std::size_t operator()(const HopKey& k) const {
      return std::hash<model::Address>{}(k.addr) ^ (k.block_or_ttl * 0x9e3779b97f4a7c15ULL);
    }
  };
  // What the traces toward one block at one distance saw at one TTL: the
  // first node, and when a second, different one made it ambiguous.
  struct Sibling {
    std::int32_t node = -1;
    std::int64_t first_rx_us = 0;
    std::int64_t ambiguous_rx_us = 0;  // 0: never
  };
  std::int32_t add_node(std::uint32_t owner, std::uint8_t ttl, const model::Address* addr, HopNodes& seen);

  std::vector<Node> nodes_;
  std::unordered_map<HopKey, std::int32_t, HopKeyHash> known_;      // (ttl, addr) -> node
  std::unordered_map<HopKey, Sibling, HopKeyHash> siblings_;        // (block, distance, ttl) -> node
  std::unordered_map<std::uint64_t, std::uint8_t> heard_;           // block -> deepest TTL answered
};

/// The destination distances replies taught, by /24. A block's distance
/// is the one its first trace to reach a destination learned: traces that
/// start later use it whenever they start, so that what they cost does not
/// depend on how many started before a sibling learned more.
class Distances {
 public:
  /// A destination of `dst`'s /24 answered a probe at `ttl` with a reply
  /// that arrived with TTL `reply_ttl`. Returns the block's distance.
  std::uint8_t learn(const model::Address& dst, std::uint8_t ttl, std::uint8_t reply_ttl);
  /// The block's destination distance, or 0.
  std::uint8_t of(const model::Address& dst) const;

 private:
  std::unordered_map<std::uint64_t, std::uint8_t> by_block_;
};

}  // namespace probe::engine
