// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/start_order.h"

#include <algorithm>
#include <random>

#include "probe/engine/stop_set.h"

namespace probe::engine {

namespace {
constexpr std::size_t kShuffled = 1024;  // traces shuffled together
}

StartOrder::StartOrder(const TargetList& targets, bool pilots, std::uint64_t seed)
    : targets_(targets), pilots_(pilots), size_(targets.size()), seed_(seed), rng_(seed) {}

StartOrder::Block& StartOrder::block(std::uint32_t i) { return blocks_[block_of(targets_.at(i))]; }

// Chunks are made in order from one generator: the same order as
// shuffling every chunk of the whole list up front.
std::uint32_t StartOrder::upcoming() {
  if (!pilots_) return static_cast<std::uint32_t>(next_);
  if (next_ >= chunk_start_ + chunk_.size()) {
    chunk_start_ = next_ - next_ % kShuffled;
    chunk_.resize(std::min(kShuffled, size_ - chunk_start_));
    for (std::size_t k = 0; k < chunk_.size(); ++k) chunk_[k] = static_cast<std::uint32_t>(chunk_start_ + k);
    std::shuffle(chunk_.begin(), chunk_.end(), rng_);
  }
  return chunk_[next_ - chunk_start_];
}

std::vector<std::uint32_t> StartOrder::order() const {
  std::vector<std::uint32_t> out(size_);
  for (std::uint32_t i = 0; i < size_; ++i) out[i] = i;
  if (!pilots_) return out;
  std::mt19937_64 rng(seed_);
  for (std::size_t at = 0; at < out.size(); at += kShuffled)
    std::shuffle(out.begin() + static_cast<long>(at), out.begin() + static_cast<long>(std::min(out.size(), at + kShuffled)),
                 rng);
  return out;
}

bool StartOrder::can_start() {
  if (!released_.empty()) return true;
  while (next_ < size_) {
    std::uint32_t i = upcoming();
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
  std::uint32_t i = upcoming();
  ++next_;
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
  next_ = size_;
  released_.clear();
}

}  // namespace probe::engine
