#pragma once
/// The run record: what a capture must carry so that `-r FILE` alone replays
/// the run (tool, options, targets, run key). Stored as the pcapng section
/// header comment, prefixed by kRunRecordTag.

#include <string>
#include <vector>

#include "probe/engine/trace_engine.h"
#include "probe/error.h"

namespace probe::format {

inline constexpr const char* kRunRecordTag = "faultline-run ";

struct RunRecord {
  std::string tool;                      ///< "fl-trace"
  std::string interface;                 ///< where the live run captured
  engine::TraceConfig config;
  std::vector<std::string> targets;      ///< the target specs as given
};

std::string to_comment(const RunRecord& record);
/// Parses a section comment; an input error if it is not a faultline run record.
Result<RunRecord> parse_run_record(const std::string& comment);

}  // namespace probe::format
