// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// mtr's report: per hop, the loss and RTT figures of many rounds of
/// traces toward one destination (fl-trace --report).

#include <cstdint>
#include <vector>

#include "probe/model/trace.h"

namespace probe::model {

/// What every round's probes at one TTL saw.
struct ReportHop {
  std::uint8_t ttl = 0;
  /// Addresses that answered, in the order they first did, with how often.
  std::vector<std::pair<Address, std::uint32_t>> addrs;
  std::uint32_t sent = 0;      ///< probes sent at this TTL, all rounds
  std::uint32_t received = 0;  ///< of them answered
  std::int64_t last_us = 0;    ///< RTT of the latest answer (the last round's, if it had one)
  std::int64_t best_us = 0;
  std::int64_t worst_us = 0;
  double sum_us = 0;     ///< of the RTTs, for the mean
  double sum_sq_us = 0;  ///< of their squares, for the deviation

  /// Lost probes in percent of those sent.
  double loss_pct() const;
  /// Mean RTT; 0 without answers.
  double mean_us() const;
  /// Sample standard deviation of the RTTs (as mtr); 0 below two answers.
  double stdev_us() const;
};

/// The rounds toward one destination.
struct TraceReport {
  Method method = Method::icmp;
  Address src;
  Address dst;
  std::uint32_t cycles = 0;  ///< rounds whose trace was added
  std::int64_t start_us = 0;  ///< the first round's start
  StopReason last_stop = StopReason::none;  ///< how the last round's trace ended
  std::vector<ReportHop> hops;  ///< in TTL order: every TTL any round probed

  /// Adds one round's trace toward dst.
  void add(const Trace& trace);
};

}  // namespace probe::model
