// SPDX-License-Identifier: BSD-2-Clause
#include "probe/model/trace_report.h"

#include <algorithm>
#include <cmath>

namespace probe::model {

double ReportHop::loss_pct() const {
  return sent ? 100.0 * static_cast<double>(sent - received) / static_cast<double>(sent) : 0.0;
}

double ReportHop::mean_us() const { return received ? sum_us / received : 0.0; }

double ReportHop::stdev_us() const {
  if (received < 2) return 0.0;
  double n = received;
  // Rounding can take the variance of equal RTTs a hair below zero.
  double var = std::max(0.0, (sum_sq_us - sum_us * sum_us / n) / (n - 1));
  return std::sqrt(var);
}

void TraceReport::add(const Trace& t) {
  if (cycles == 0) {
    method = t.method;
    src = t.src;
    dst = t.dst;
    start_us = t.start_us;
  }
  ++cycles;
  last_stop = t.stop_reason;
  for (const auto& h : t.hops) {
    auto at = std::lower_bound(hops.begin(), hops.end(), h.ttl,
                               [](const ReportHop& r, std::uint8_t ttl) { return r.ttl < ttl; });
    if (at == hops.end() || at->ttl != h.ttl) {
      at = hops.insert(at, ReportHop{});
      at->ttl = h.ttl;
    }
    ReportHop& r = *at;
    for (const auto& p : h.probes) {
      ++r.sent;
      if (!p.reply) continue;
      const std::int64_t rtt = p.rtt_us();
      r.best_us = r.received ? std::min(r.best_us, rtt) : rtt;
      r.worst_us = r.received ? std::max(r.worst_us, rtt) : rtt;
      r.last_us = rtt;
      ++r.received;
      r.sum_us += static_cast<double>(rtt);
      r.sum_sq_us += static_cast<double>(rtt) * static_cast<double>(rtt);
      auto seen = std::find_if(r.addrs.begin(), r.addrs.end(), [&](const auto& a) { return a.first == p.reply->addr; });
      if (seen == r.addrs.end()) r.addrs.emplace_back(p.reply->addr, 1);
      else ++seen->second;
    }
  }
}

}  // namespace probe::model
