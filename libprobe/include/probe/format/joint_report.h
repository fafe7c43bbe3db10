// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The joint report of fl-locate --merge (locate/merge.h): text, JSON (the
/// JOINT REPORT object of fl-json(5)) and a Graphviz picture.

#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "probe/locate/analysis.h"
#include "probe/locate/merge.h"

namespace probe::format {

nlohmann::ordered_json to_json(const locate::JointReport& joint);

/// The joint verdict in one line, then each vantage, then each prefix with
/// the vantages that reach it and those that fail (and where), then DNS.
void write_text(std::ostream& out, const locate::JointReport& joint);

/// Graphviz: every vantage (a house, its colour) and its targets' paths, one
/// edge colour per vantage (a legend names them), the national prefixes as
/// boxes coloured by their joint verdict, the last hop of every failing
/// path in red. `reports` are the merged ones, in the merge's order.
void write_dot(std::ostream& out, const locate::JointReport& joint, const std::vector<locate::Report>& reports);

}  // namespace probe::format
