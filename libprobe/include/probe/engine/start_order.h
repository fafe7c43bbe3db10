// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The order a trace engine starts its traces in, and Doubletree's /24
/// pilots: the first trace toward a /24 goes alone, the others wait until
/// it learned the destination distance or ended, so that they do not all
/// start blind. Traces of other /24s start meanwhile. Pure: no I/O, no clock.

#include <cstdint>
#include <deque>
#include <random>
#include <unordered_map>
#include <vector>


#include "probe/engine/target_list.h"

namespace probe::engine {

class StartOrder {
 public:
  /// Traces (indices into `targets`) start in list order; with `pilots`,
  /// in an order shuffled (by `seed`) within blocks of 1024, so that
  /// results still leave roughly in target order and consecutive probes go
  /// to different /24s, and every /24 has a pilot. The order is made 1024
  /// at a time as traces start: nothing per target is held. `targets`
  /// outlives the order.
  StartOrder(const TargetList& targets, bool pilots, std::uint64_t seed);

  /// Whether a trace may start now. Traces that must wait for their pilot
  /// are set aside on the way.
  bool can_start();
  /// The trace to start now; only after can_start() said yes.
  std::uint32_t take();
  /// Trace i's pilot has what the other traces of its /24 need: they may
  /// start (before any new /24). True the first time for the block.
  bool release(std::uint32_t i);
  /// No more starts.
  void close();
  /// The traces in the order they are taken when none waits (for tests:
  /// made whole, from the start).
  std::vector<std::uint32_t> order() const;

 private:
  struct Block {
    bool pilot = false;     // a trace toward it has started
    bool released = false;  // its pilot learned the distance or ended
    std::vector<std::uint32_t> waiting;
  };
  Block& block(std::uint32_t i);
  // The next_-th trace of the order, shuffling the next 1024 when it gets there.
  std::uint32_t upcoming();

  const TargetList& targets_;
  bool pilots_;
  std::size_t size_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::vector<std::uint32_t> chunk_;  // with pilots: the order from chunk_start_ on
  std::size_t chunk_start_ = 0;
  std::unordered_map<std::uint64_t, Block> blocks_;  // by /24 (or IPv6 /48): grows with the /24s started
  std::deque<std::uint32_t> released_;  // traces whose pilot is done
  std::size_t next_ = 0;
};

}  // namespace probe::engine
