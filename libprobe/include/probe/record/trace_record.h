// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The trace run record: what a capture must carry so that `-r FILE` alone
/// replays a traceroute run (tool, options, targets, run key). Written by
/// fl-trace and by fl-dns --trace; see record.h for the framing.

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
};

std::string to_comment(const RunRecord& record);
/// Parses a section comment; an input error, naming the field, if it is not
/// a valid traceroute run record.
Result<RunRecord> parse_run_record(const std::string& comment);

}  // namespace probe::record
