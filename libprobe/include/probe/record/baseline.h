// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// An earlier fl-locate report read back as a baseline: what a healthy run
/// saw, for `--baseline FILE.json`.

#include <string_view>

#include "probe/error.h"
#include "probe/locate/analysis.h"

namespace probe::record {

/// A baseline from fl-locate's JSON output; an input error if it is not one.
/// Parsed as a stream (SAX), keeping only what a baseline holds: memory is
/// about the baseline's, not a whole report's.
Result<locate::Baseline> parse_baseline_json(std::string_view text);

}  // namespace probe::record
