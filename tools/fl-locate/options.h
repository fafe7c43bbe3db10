#pragma once
// fl-locate's command line, parsed into values; no side effects.

#include <cstdint>
#include <string>
#include <vector>

#include "probe/error.h"
#include "probe/locate/analysis.h"

namespace fllocate {

enum class OutputFormat { text, json };

struct Options {
  std::vector<std::string> prefixes;      // -p
  std::string prefix_file;                // --prefix-file
  std::string country;                    // --country, upper case
  std::vector<std::uint32_t> asns;        // --asn
  std::string hitlist;                    // --hitlist
  int per_block = 3;
  std::size_t max_targets = 1024;
  std::vector<probe::locate::MethodSpec> methods;
  std::vector<std::string> controls;      // --control (defaults filled in)
  std::string zone;                       // --zone ("" = from --country, or none)
  std::vector<std::string> parents;       // --parent (default: the root servers)
  bool no_dns = false;
  std::string asn_db;                     // --asn-db ("" = the shipped snapshot)
  std::string country_db;                 // --country-db
  std::string baseline;                   // --baseline
  std::int64_t wait_us = 1000000;         // -W
  int attempts = 2;                       // -q
  int gaplimit = 3;                       // -g
  int max_ttl = 30;                       // -m
  double pps = 200;
  std::string interface;                  // -i
  std::string source;                     // -S
  std::string write_path;                 // -w
  std::string read_path;                  // -r
  OutputFormat output = OutputFormat::text;
  std::string output_file;                // -O
  std::string dot_file;                   // --dot
  std::string user;                       // --user
  bool help = false;
  bool version = false;
};

// Well-known anycast services outside any one country: if none of them
// answers either, the fault is at the vantage point.
inline const std::vector<std::string> kDefaultControls = {"1.1.1.1", "8.8.8.8", "9.9.9.9"};
// IPv4 addresses of the thirteen root servers (a to m).
inline const std::vector<std::string> kRootServers = {
    "198.41.0.4",   "170.247.170.2", "192.33.4.12",    "199.7.91.13",  "192.203.230.10",
    "192.5.5.241",  "192.112.36.4",  "198.97.190.53",  "192.36.148.17", "192.58.128.30",
    "193.0.14.129", "199.7.83.42",   "202.12.27.33"};

std::string usage();
probe::Result<Options> parse_options(int argc, const char* const* argv);

}  // namespace fllocate
