// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// fl-locate's command line, parsed into values; no side effects.

#include <cstdint>
#include <string>
#include <vector>

#include "probe/error.h"
#include "probe/locate/plan.h"
#include "shared_options.h"

namespace fllocate {

using OutputFormat = flcommon::OutputFormat;

// What to probe and how (the library's request), and where it runs and writes.
struct Options : flcommon::CommonOptions, probe::locate::CampaignRequest {
  bool no_dns = false;
  std::string asn_db;                     // --asn-db ("" = the shipped snapshot)
  std::string dot_file;                   // --dot
};

// Well-known anycast services outside any one country: if none of them
// answers either, the fault is at the vantage point.
inline const std::vector<std::string> kDefaultControls = {"1.1.1.1", "8.8.8.8", "9.9.9.9"};
// IPv4 addresses of the thirteen root servers (a to m).
inline const std::vector<std::string>& kRootServers = flcommon::root_servers();

std::string usage();
probe::Result<Options> parse_options(int argc, const char* const* argv);

}  // namespace fllocate
