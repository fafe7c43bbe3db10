// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// fl-locate's report in three shapes: a short text for a terminal, JSON for
/// scripts (fl-json(5)), and a Graphviz picture of the merged paths (reading
/// a report back as a baseline is record/baseline.h).

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "probe/error.h"
#include "probe/locate/analysis.h"

namespace probe::format {

nlohmann::ordered_json to_json(const locate::Report& report);

/// Largest report read_locate_report takes, in bytes: many times a default
/// campaign's (--max-targets 1024), while its parsed form (about 12 times
/// the text) still fits a small machine.
inline constexpr std::size_t kMaxLocateReportBytes = std::size_t{32} << 20;

/// A report as to_json wrote it, read back for a merge: the vantage, the
/// verdict and its reason, the prefixes with their breaks, DNS, the
/// controls' outcome and every target's path (not the frontier answers nor
/// the evidence counters). An input error, naming the field, for anything
/// else, or for text over kMaxLocateReportBytes. Reports from before
/// reports named their vantage read with an empty name.
Result<locate::Report> read_locate_report(std::string_view text);

/// The verdict in one line, then the break with AS names, the prefixes, DNS
/// and the controls.
void write_text(std::ostream& out, const locate::Report& report);

/// Graphviz: a title (verdict, confidence, `started_us` as UTC time, the
/// reason), the vantage point, every responsive hop (one cluster per AS, as
/// `lookup` names it; national hops filled, inside one national cluster with
/// the border hops on its edge, each labelled with the AS whose space it
/// answers from), the national prefixes and the controls; the break hop, its
/// outgoing edges and the first hop that no longer answers (baseline: filled
/// and dashed) in red; a legend.
void write_dot(std::ostream& out, const locate::Report& report, const model::Address& vantage,
               const locate::AsLookup& lookup, std::int64_t started_us);

}  // namespace probe::format
