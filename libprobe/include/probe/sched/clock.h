// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Time sources. Engines read time only through a Clock so that replay and
/// tests drive time themselves.

#include <cstdint>

namespace probe::sched {

inline constexpr std::int64_t kNever = INT64_MAX;

class Clock {
 public:
  virtual ~Clock() = default;
  /// Microseconds since the Unix epoch (the time base of pcap timestamps).
  virtual std::int64_t now_us() const = 0;
};

/// The wall clock, comparable with live capture timestamps.
class SystemClock final : public Clock {
 public:
  std::int64_t now_us() const override;
};

/// A clock that only moves when told: replay follows capture timestamps with
/// it, tests step it by hand. It never goes backwards.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_us = 0) : now_(start_us) {}
  std::int64_t now_us() const override { return now_; }
  void advance_to(std::int64_t t_us) {
    if (t_us > now_) now_ = t_us;
  }

 private:
  std::int64_t now_;
};

}  // namespace probe::sched
