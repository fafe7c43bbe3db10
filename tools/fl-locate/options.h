// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// fl-locate's command line, parsed into values; no side effects.

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>
#include <cstdint>
#include <optional>
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
  std::vector<std::string> merge;         // --merge: reports to merge ("-" = stdin), no campaign
  std::string vantage;                    // --vantage; live default the host name, replay "" = the capture's
};

// Well-known anycast services outside any one country: if none of them
// answers either, the fault is at the vantage point.
inline const std::vector<std::string> kDefaultControls = {"1.1.1.1", "8.8.8.8", "9.9.9.9"};
// IPv4 addresses of the thirteen root servers (a to m).
inline const std::vector<std::string>& kRootServers = flcommon::root_servers();

std::string usage();
probe::Result<Options> parse_options(int argc, const char* const* argv);

// The options of what to probe and how, for another tool that runs
// campaigns (fl-monitor): declared and read here once. `help` words the
// shared endpoint options (-i, -S); --user is the tool's to add.
boost::program_options::options_description describe_what();
boost::program_options::options_description describe_how(const flcommon::SharedHelp& help);
// What to probe and how, from what describe_what() and describe_how()
// declared (-i and -S excepted: flcommon::read_common).
std::optional<probe::Error> read_request(const boost::program_options::variables_map& vm, Options& o);

// --vantage NAME, this vantage point's name in its reports (fl-locate,
// fl-monitor): declared with the tool's help text, and read into
// o.vantage, checked (locate::vantage_name_problem). Without it a live run
// takes the host name and a replay keeps "" (the capture's name).
void add_vantage_option(boost::program_options::options_description& d, const char* help);
std::optional<probe::Error> read_vantage(const boost::program_options::variables_map& vm, Options& o, bool live);

}  // namespace fllocate
