// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The trace run record: what a capture must carry so that `-r FILE` alone
/// replays a traceroute run (tool, options, targets, run key). Written by
/// fl-trace and by fl-dns --trace; see record.h for the framing.

#include <cstdint>
#include <string>
#include <vector>

#include "probe/engine/trace_engine.h"
#include "probe/error.h"
#include "probe/record/record.h"

namespace probe::record {

struct RunRecord {
  std::string tool;                      ///< "fl-trace" (or "fl-dns" for --trace)
  std::string interface;                 ///< where the live run captured
  engine::TraceConfig config;
  std::vector<std::string> targets;      ///< the target specs as given
  /// fl-trace --report: rounds over the targets (0: a plain run), each its
  /// own engine::TraceConfig::cycle, started `report_interval_us` after the last.
  std::uint32_t report_cycles = 0;
  std::int64_t report_interval_us = 0;
};

/// The most rounds a report runs, and the longest pause between them.
constexpr std::uint32_t kMaxReportCycles = 10000;
constexpr std::int64_t kMaxReportIntervalUs = 3600LL * 1000000;

std::string to_comment(const RunRecord& record);
/// Parses a section comment; an input error, naming the field, if it is not
/// a valid traceroute run record.
Result<RunRecord> parse_run_record(const std::string& comment);

}  // namespace probe::record
