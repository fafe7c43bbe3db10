// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/start_order.h"

#include <algorithm>
#include <random>

#include "probe/engine/stop_set.h"

namespace probe::engine {

StartOrder::StartOrder(const std::vector<model::Address>& targets, bool pilots, std::uint64_t seed)
    : pilots_(pilots), order_(targets.size()) {
  for (std::uint32_t i = 0; i < order_.size(); ++i) order_[i] = i;
  if (!pilots) return;
  std::mt19937_64 rng(seed);
  for (std::size_t at = 0; at < order_.size(); at += 1024)
    std::shuffle(order_.begin() + static_cast<long>(at),
                 order_.begin() + static_cast<long>(std::min(order_.size(), at + 1024)), rng);
  block_.reserve(targets.size());
  for (const auto& t : targets) block_.push_back(block_of(t));
}

bool StartOrder::can_start() {
  if (!released_.empty()) return true;
  while (next_ < order_.size()) {
    std::uint32_t i = order_[next_];
    if (!pilots_) return true;
    Block& b = block(i);
    if (b.released || !b.pilot) return true;
    b.waiting.push_back(i);  // after its pilot
    ++next_;
  }
  return false;
}

std::uint32_t StartOrder::take() {
  if (!released_.empty()) {
    std::uint32_t i = released_.front();
    released_.pop_front();
    return i;
  }
  std::uint32_t i = order_[next_++];
  if (pilots_) {
    Block& b = block(i);
    if (!b.released) b.pilot = true;
  }
  return i;
}

bool StartOrder::release(std::uint32_t i) {
  if (!pilots_) return false;
  Block& b = block(i);
  if (b.released) return false;
  b.released = true;
  for (std::uint32_t w : b.waiting) released_.push_back(w);
  std::vector<std::uint32_t>().swap(b.waiting);
  return true;
}

void StartOrder::close() {
  next_ = order_.size();
  released_.clear();
}

}  // namespace probe::engine
