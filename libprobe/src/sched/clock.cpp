// SPDX-License-Identifier: BSD-2-Clause
#include "probe/sched/clock.h"

#include <time.h>

namespace probe::sched {

std::int64_t SystemClock::now_us() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace probe::sched
