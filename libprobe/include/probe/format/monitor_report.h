// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// fl-monitor's outputs besides its event lines: the metrics file
/// (Prometheus text format, for node_exporter's textfile collector) and
/// the timeline `fl-monitor report` prints (text, JSON, SVG).

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "probe/locate/analysis.h"
#include "probe/monitor/store.h"
#include "probe/monitor/timeline.h"

namespace probe::format {

/// What one round's metrics say.
struct RoundMetrics {
  std::string country;              ///< the watched thing's label (the country's key)
  const locate::Report* report = nullptr;  ///< the round's
  monitor::RoundKind kind = monitor::RoundKind::cheap;
  std::int64_t duration_us = 0;     ///< the round's, start to commit
  std::int64_t now_us = 0;          ///< for the seconds in outage
  const std::map<std::string, monitor::KeyState>* keys = nullptr;  ///< the timeline after the round
};

/// The metrics file's whole text.
std::string to_prometheus(const RoundMetrics& m);

/// The timeline between two times: rounds, state intervals and outages.
struct TimelineReport {
  std::string db;
  std::vector<monitor::RoundRow> rounds;
  std::vector<monitor::Interval> intervals;
  std::vector<monitor::Outage> outages;
};

void write_text(std::ostream& out, const TimelineReport& t);
nlohmann::json to_json(const TimelineReport& t);
/// One row per key over time, coloured by state, outages outlined.
void write_svg(std::ostream& out, const TimelineReport& t);

}  // namespace probe::format
