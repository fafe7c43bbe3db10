// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The targets of a trace engine, by trace index: a list the caller gave,
/// or a walk of CIDR blocks computed one address at a time (model::TargetWalk),
/// so that a /12 costs the engine no memory per target.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "probe/error.h"
#include "probe/model/address.h"
#include "probe/model/targets.h"

namespace probe::engine {

class TargetList {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  virtual ~TargetList() = default;
  virtual std::uint32_t size() const = 0;
  /// The target of trace i; i < size().
  virtual model::Address at(std::uint32_t i) const = 0;
  /// The first trace toward `a`, or kNone.
  virtual std::uint32_t find(const model::Address& a) const = 0;
};

/// A list held as given (repeats kept: each is traced, replies match the first).
std::shared_ptr<const TargetList> target_list(std::vector<model::Address> targets);

/// The addresses of `blocks` in TargetWalk's order for `key`, repeats
/// dropped, exactly as model::expand_blocks() lists them: computed as
/// needed when no two blocks overlap, else expanded once (stopping early
/// once `halt` is set).
Result<std::shared_ptr<const TargetList>> target_list(std::vector<model::Prefix> blocks, std::uint64_t key,
                                                     const std::atomic<int>* halt = nullptr);
/// The same from target specs (a run record's).
Result<std::shared_ptr<const TargetList>> target_list(const std::vector<std::string>& specs, std::uint64_t key);

}  // namespace probe::engine
