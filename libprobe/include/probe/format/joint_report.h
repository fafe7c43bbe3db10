// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The joint report of fl-locate --merge (locate/merge.h): text, and JSON (the
/// JOINT REPORT object of fl-json(5)).

#include <ostream>

#include <nlohmann/json.hpp>

#include "probe/locate/analysis.h"
#include "probe/locate/merge.h"

namespace probe::format {

nlohmann::ordered_json to_json(const locate::JointReport& joint);

/// The joint verdict in one line, then each vantage, then each prefix with
/// the vantages that reach it and those that fail (and where), then DNS.
void write_text(std::ostream& out, const locate::JointReport& joint);

}  // namespace probe::format
