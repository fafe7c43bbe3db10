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
  return now_us + static_cast<std::int64_t>(std::ceil((1.0 - tokens_) * 1e6 / rate_));
}

}  // namespace probe::sched
