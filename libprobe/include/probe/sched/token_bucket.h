// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// A token bucket: the global probes-per-second budget.

#include <cstdint>

#include "probe/sched/clock.h"

namespace probe::sched {

class TokenBucket {
 public:
  /// rate in tokens per second (> 0); burst = tokens the bucket holds at most (>= 1).
  TokenBucket(double rate_per_s, double burst);
  /// Takes one token if one is available at now_us.
  bool try_take(std::int64_t now_us);
  /// The earliest time at which a token will be available (now_us if one is);
  /// kNever when that lies more than 10^15 µs (31 years) ahead or past INT64_MAX.
  std::int64_t next_available_us(std::int64_t now_us);
  double rate() const { return rate_; }

 private:
  void refill(std::int64_t now_us);
  double rate_;
  double burst_;
  double tokens_;
  std::int64_t last_us_ = -1;
};

}  // namespace probe::sched
