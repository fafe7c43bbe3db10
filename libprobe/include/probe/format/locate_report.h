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
