// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// fl-trace's command line, parsed into values; no side effects.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probe/engine/trace_engine.h"
#include "probe/error.h"
#include "probe/model/targets.h"
#include "shared_options.h"

namespace fltrace {

using OutputFormat = flcommon::OutputFormat;

struct Options : flcommon::CommonOptions {
  probe::engine::TraceConfig config;     // src, run_key and sport filled later when not given
  bool sport_given = false;
  std::vector<std::string> targets;      // specs from the command line
  std::string target_file;               // -T
  probe::model::TargetLimits limits;     // --max-targets, --yes
  bool numeric = false;                  // -n: no reverse DNS
  bool show_asn = false;                 // -A
  std::string asn_db;                    // --asn-db: -A's table (default: the shipped one)
  bool traceroute_mpls = false;          // -e
  std::uint32_t report_cycles = 0;       // --report: rounds (--report-cycles); 0: no report
  std::int64_t report_interval_us = 0;   // --report-interval
  std::string via;                       // --via: fl-probed's control socket ("" = probe directly)
  std::optional<probe::model::Family> family;  // -4 / -6: the targets must be of this family
};

// The --help text.
std::string usage();

// Parses argv. A usage error says what is wrong in one line.
probe::Result<Options> parse_options(int argc, const char* const* argv);

}  // namespace fltrace
