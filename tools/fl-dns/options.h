// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// fl-dns's command line, parsed into values; no side effects.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "probe/engine/dns_engine.h"
#include "probe/error.h"
#include "probe/model/dns.h"
#include "shared_options.h"

namespace fldns {

using OutputFormat = flcommon::OutputFormat;
using Mode = probe::model::DnsMode;

struct Options : flcommon::CommonOptions {
  Mode mode = Mode::query;
  probe::engine::DnsConfig config;       // src, run_key and sport filled later when not given
  bool sport_given = false;
  std::vector<probe::model::DnsQuery> queries;  // servers x names, in order (query and trace modes)
  // Names given without any @SERVER: asked of the first nameserver of
  // resolv_conf, read when the run is set up (rd and tcp already applied).
  std::vector<probe::model::DnsQuery> serverless;
  std::string resolv_conf = "/etc/resolv.conf";  // --resolv-conf
  bool short_answers = false;            // +short
  std::string query_file;                // -T
  bool rd = true;                        // +norec clears it
  bool tcp = false;                      // --tcp / +tcp
  std::string zone;                      // --check-zone
  std::vector<probe::model::Address> parents;  // --parent (default: the root servers)
  int max_ttl = 30;                      // --trace
  int gaplimit = 5;                      // --trace
  std::string via;                       // --via: fl-probed's control socket ("" = probe directly)
  std::optional<probe::model::Family> family;  // -4 / -6: the servers must be of this family
};

// The 13 root servers' addresses (a..m) of one family, the default --parent.
const std::vector<std::string>& root_servers(probe::model::Family family = probe::model::Family::v4);

// The --help text.
std::string usage();

// Parses argv. A usage error says what is wrong in one line.
probe::Result<Options> parse_options(int argc, const char* const* argv);

// One -T line: "SERVER NAME [TYPE]" (SERVER may carry a leading '@').
// nullopt for blank and comment lines; a usage error for anything malformed.
// A query file (-T) is refused past this size.
inline constexpr std::size_t kMaxQueryFileBytes = std::size_t{16} << 20;

probe::Result<std::vector<probe::model::DnsQuery>> parse_query_lines(const std::string& text, bool rd, bool tcp);

// The first "nameserver" of `family` in a resolv.conf(5) text (a run speaks
// one family: IPv4 unless -6, as before IPv6 was spoken); nullopt when none.
std::optional<probe::model::Address> first_nameserver(const std::string& resolv_conf_text,
                                                      probe::model::Family family = probe::model::Family::v4);
// A run's servers are all of one family, `forced` (-4/-6) if given; `what`
// names them in the usage error ("server", "parent").
std::optional<probe::Error> one_family(const std::vector<probe::model::Address>& servers,
                                       std::optional<probe::model::Family> forced, const char* what);
std::optional<probe::Error> one_family(const std::vector<probe::model::DnsQuery>& queries,
                                       std::optional<probe::model::Family> forced);
// A resolv.conf is refused past this size.
inline constexpr std::size_t kMaxResolvConfBytes = std::size_t{1} << 20;

}  // namespace fldns
