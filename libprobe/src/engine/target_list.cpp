// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/target_list.h"

#include "target_index.h"

namespace probe::engine {

namespace {

class HeldTargets final : public TargetList {
 public:
  explicit HeldTargets(std::vector<model::Address> targets) : targets_(std::move(targets)), index_(targets_) {}
  std::uint32_t size() const override { return static_cast<std::uint32_t>(targets_.size()); }
  model::Address at(std::uint32_t i) const override { return targets_[i]; }
  std::uint32_t find(const model::Address& a) const override { return index_.find(a); }

 private:
  std::vector<model::Address> targets_;
  TargetIndex index_;  // over targets_, declared after it
};

// Disjoint blocks only: the walk then has no repeats, so its positions
// are the trace indices and its inverse finds a reply's trace.
class WalkedTargets final : public TargetList {
 public:
  explicit WalkedTargets(model::TargetWalk walk) : walk_(std::move(walk)) {}
  std::uint32_t size() const override { return static_cast<std::uint32_t>(walk_.size()); }
  model::Address at(std::uint32_t i) const override { return walk_.at(i); }
  std::uint32_t find(const model::Address& a) const override {
    auto n = walk_.index_of(a);
    return n ? static_cast<std::uint32_t>(*n) : kNone;
  }

 private:
  model::TargetWalk walk_;
};

}  // namespace

std::shared_ptr<const TargetList> target_list(std::vector<model::Address> targets) {
  return std::make_shared<HeldTargets>(std::move(targets));
}

Result<std::shared_ptr<const TargetList>> target_list(std::vector<model::Prefix> blocks, std::uint64_t key,
                                                     const std::atomic<int>* halt) {
  auto walk = model::TargetWalk::of_blocks(blocks, key);
  if (!walk) return walk.error();
  if (walk->disjoint()) return std::shared_ptr<const TargetList>(std::make_shared<WalkedTargets>(std::move(*walk)));
  auto listed = model::expand_blocks(std::move(blocks), key, halt);
  if (!listed) return listed.error();
  return target_list(std::move(*listed));
}

Result<std::shared_ptr<const TargetList>> target_list(const std::vector<std::string>& specs, std::uint64_t key) {
  // Parsed only: what a run recorded was accepted when it ran.
  auto blocks = model::checked_targets(specs, model::TargetLimits{model::kMaxTargets, true});
  if (!blocks) return blocks.error();
  return target_list(std::move(*blocks), key);
}

}  // namespace probe::engine
