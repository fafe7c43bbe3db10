// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// fl-trace --report: the per-hop summary as mtr --report prints it, and
/// the same figures as the fl-json(5) "report" object.

#include <nlohmann/json.hpp>
#include <ostream>

#include "probe/format/trace_text.h"
#include "probe/model/trace_report.h"

namespace probe::format {

/// The fl-json(5) "report" object.
nlohmann::ordered_json to_json(const model::TraceReport& report);

/// mtr --report's table: a Start line, a HOST header, a line per hop with
/// Loss%, Snt, Last, Avg, Best, Wrst and StDev (milliseconds), "???" for a
/// hop that never answered and a `|-- line for each further address.
/// `style`: names (name_of) and -A (asn_of, as mtr -z); the rest is unused.
void write_report_text(std::ostream& out, const model::TraceReport& report, const TextStyle& style);

}  // namespace probe::format
