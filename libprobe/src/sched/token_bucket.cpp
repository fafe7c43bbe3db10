// SPDX-License-Identifier: BSD-2-Clause
#include "probe/sched/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace probe::sched {

TokenBucket::TokenBucket(double rate_per_s, double burst)
    : rate_(rate_per_s > 0 ? rate_per_s : 1), burst_(std::max(1.0, burst)), tokens_(burst_) {}

void TokenBucket::refill(std::int64_t now_us) {
  if (last_us_ < 0 || now_us < last_us_) {
    last_us_ = now_us;
    return;
  }
  tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_us - last_us_) * rate_ / 1e6);
  last_us_ = now_us;
}

bool TokenBucket::try_take(std::int64_t now_us) {
  refill(now_us);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

std::int64_t TokenBucket::next_available_us(std::int64_t now_us) {
  refill(now_us);
  if (tokens_ >= 1.0) return now_us;
  // A rate above 0 can still be so low (a run record may say 1e-300) that
  // the wait does not fit in 64 bits: converting it would be undefined, and
  // a token 31 years away is never.
  constexpr double kMaxWaitUs = 1e15;
  const double wait = std::ceil((1.0 - tokens_) * 1e6 / rate_);
  if (!(wait < kMaxWaitUs)) return kNever;
  const auto wait_us = static_cast<std::int64_t>(wait);
  return now_us > kNever - wait_us ? kNever : now_us + wait_us;
}

}  // namespace probe::sched
