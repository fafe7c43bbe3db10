#pragma once
/// fl-locate's report in three shapes: a short text for a terminal, JSON for
/// scripts (fl-json(5)), and a Graphviz picture of the merged paths. Also
/// reading an earlier report back as a baseline.

#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "probe/error.h"
#include "probe/locate/analysis.h"

namespace probe::format {

nlohmann::ordered_json to_json(const locate::Report& report);

/// The verdict in one line, then the break with AS names, the prefixes, DNS
/// and the controls.
void write_text(std::ostream& out, const locate::Report& report);

/// Graphviz: the vantage point, every responsive hop (one cluster per AS, as
/// `lookup` names it; national hops filled), the national prefixes and the
/// controls; the break hop, its outgoing edges and the first hop that no
/// longer answers (baseline) in red.
void write_dot(std::ostream& out, const locate::Report& report, const model::Address& vantage,
               const locate::AsLookup& lookup);

/// A baseline from a report (paths of targets and controls).
locate::Baseline baseline_of(const locate::Report& report);
/// A baseline from fl-locate's JSON output; an input error if it is not one.
/// Parsed as a stream (SAX), keeping only what a baseline holds: memory is
/// about the baseline's, not a whole report's.
Result<locate::Baseline> parse_baseline_json(std::string_view text);

}  // namespace probe::format
