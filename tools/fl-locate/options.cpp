// SPDX-License-Identifier: BSD-2-Clause
#include "options.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <sstream>
#include <unistd.h>

#include "option_values.h"
#include "probe/locate/campaign.h"
#include "probe/packet/dns.h"

namespace fllocate {

namespace po = boost::program_options;

using flcommon::RunOption;
using flcommon::usage_error;

po::options_description describe_what() {
  po::options_description what("What to probe");
  what.add_options()
      ("prefix,p", po::value<std::vector<std::string>>(), "national prefix, CIDR (repeatable)")
      ("prefix-file", po::value<std::string>(), "file of national prefixes, one per line")
      ("country", po::value<std::string>(), "the country's prefixes from the IP->country table (ISO code, e.g. KP)")
      ("asn", po::value<std::vector<std::uint32_t>>(), "the prefixes this AS holds per the IP->AS table (repeatable); when given, only these ASes count as national")
      ("hitlist", po::value<std::string>(), "probe these addresses instead of picks per /24")
      ("per-block", po::value<int>()->default_value(3), "addresses per /24: the .1 and random others")
      ("max-targets", po::value<int>()->default_value(1024), "at most this many national targets (blocks sampled)")
      ("yes", po::bool_switch(), "probe prefixes with host bits set (198.18.200.1/24) or holding more than 65536 /24s")
      ("methods", po::value<std::string>()->default_value("icmp,tcp:80,tcp:443,udp"), "trace methods, comma-separated: icmp, udp[:PORT], tcp:PORT; direct-METHOD for TTL-64 probes only")
      ("no-direct", po::bool_switch(), "no automatic TTL-64 twin (direct-METHOD) of each traced method")
      ("control", po::value<std::vector<std::string>>(), "control target outside the country (repeatable; default 1.1.1.1 8.8.8.8 9.9.9.9)")
      ("no-control", po::bool_switch(), "trace no control targets")
      ("zone", po::value<std::string>(), "zone whose delegation to check (default: the ccTLD of --country)")
      ("parent", po::value<std::vector<std::string>>(), "server of the zone's parent (repeatable; default: the root servers)")
      ("no-dns", po::bool_switch(), "skip the DNS check")
      ("asn-db", po::value<std::string>(), "IP->AS table: ip-location-db CSV, CAIDA pfx2as or RIR delegated-extended (default: shipped snapshot)")
      ("country-db", po::value<std::string>(), "IP->country table for --country (default: shipped snapshot)")
      ("baseline", po::value<std::string>(), "an earlier healthy run: its JSON report or its capture");
  return what;
}

po::options_description describe_how(const flcommon::SharedHelp& help) {
  po::options_description how("How");
  flcommon::add_run_option(how, RunOption::wait, 1.0, "seconds to wait for a reply");
  flcommon::add_run_option(how, RunOption::attempts, 2, "probes per hop at most");
  flcommon::add_run_option(how, RunOption::gaplimit, 3, "unresponsive hops in a row that end a trace");
  flcommon::add_run_option(how, RunOption::max_ttl, 30, "largest TTL");
  flcommon::add_run_option(how, RunOption::pps, 200, "probes per second, the whole campaign");
  how.add_options()("budget", po::value<double>()->default_value(10),
                     "seconds for the frontier phase: paced probes where the failing targets' answers ran out (0: none)");
  flcommon::add_endpoint_options(how, help);
  return how;
}

namespace {

po::options_description describe() {
  flcommon::SharedHelp help;
  help.write = "write the whole campaign (traces and DNS) to this pcapng file";
  help.read = "replay a campaign written with -w";
  help.output = "text | json";
  help.output_file = "write the report here instead of stdout";
  help.user = "user to run as once sockets are open (default: the sudo user, else nobody)";
  po::options_description what = describe_what();
  po::options_description how = describe_how(help);
  flcommon::add_user_option(how, help);
  po::options_description io("Input and output");
  flcommon::add_io_options(io, help);
  io.add_options()("merge", po::value<std::vector<std::string>>()->multitoken(),
                   "merge these fl-locate JSON reports (one per vantage point; - for stdin) into one joint report");
  add_vantage_option(io, "name of this vantage point in the report (default: the host name; replay: the capture's)");
  io.add_options()("dot", po::value<std::string>(), "write the merged paths as a Graphviz graph to this file");
  flcommon::add_help_options(io);
  po::options_description all;
  all.add(what).add(how).add(io);
  return all;
}

}  // namespace

std::string usage() {
  return flcommon::help_text(
      "Usage: fl-locate [options] (-p CIDR... | --prefix-file FILE | --country CC | --asn N)\n"
      "       fl-locate -r FILE [--baseline FILE] [--asn-db FILE] [-o json] [-O FILE] [--dot FILE]\n"
      "       fl-locate --merge REPORT.json... [-o json] [-O FILE] [--dot FILE]\n\n"
      "Where does connectivity to a country break? Traces its national prefixes with\n"
      "ICMP, TCP and UDP Paris traceroutes, checks its zone's delegation, traces\n"
      "control targets, maps every hop to its AS and names the verdict: reachable,\n"
      "upstream, internal, dns, partial, local or inconclusive.\n",
      describe(),
      "\nExit status: 0 a verdict was reached (whatever it is), 1 runtime error,\n"
      "2 usage, 3 no privilege, 4 unreadable input, 5 cannot write output,\n"
      "6 capture cut short (the verdict covers what came before), 130 interrupted\n"
      "(the report covers what was probed). See fl-locate(1).\n");
}

namespace {

// The default vantage name: the host's, cut to a valid name ("" when it has
// none: the report then names no vantage).
std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  std::string name(buf);
  if (name.size() > probe::locate::kMaxVantageName) name.resize(probe::locate::kMaxVantageName);
  return probe::locate::vantage_name_problem(name) ? "" : name;
}

}  // namespace

void add_vantage_option(po::options_description& d, const char* help) {
  d.add_options()("vantage", po::value<std::string>(), help);
}

std::optional<probe::Error> read_vantage(const po::variables_map& vm, Options& o, bool live) {
  if (vm.count("vantage")) {
    o.vantage = vm["vantage"].as<std::string>();
    if (auto why = probe::locate::vantage_name_problem(o.vantage)) return usage_error("--vantage: " + *why);
  } else if (live) {
    o.vantage = host_name();
  }
  return std::nullopt;
}

namespace {

// --merge reads reports: nothing else but where the joint report goes.
std::optional<probe::Error> read_merge(const po::variables_map& vm, Options& o) {
  const std::set<std::string> allowed = {"merge", "output", "output-file", "dot", "user", "help", "version"};
  for (const auto& [name, value] : vm)
    if (!value.defaulted() && !allowed.count(name))
      return usage_error(fmt::format("--{} cannot be given with --merge: it reads reports, not a network", name));
  o.merge = vm["merge"].as<std::vector<std::string>>();
  if (std::count(o.merge.begin(), o.merge.end(), "-") > 1) return usage_error("--merge reads stdin (-) once at most");
  if (vm.count("dot")) o.dot_file = vm["dot"].as<std::string>();
  return flcommon::read_common(vm, o);
}

// Everything but --help and --version.
std::optional<probe::Error> read_options(const po::variables_map& vm, Options& o) {
  if (vm.count("merge")) return read_merge(vm, o);
  auto text = [&vm](const char* name) { return vm.count(name) ? vm[name].as<std::string>() : std::string(); };
  o.dot_file = text("dot");
  o.baseline = text("baseline");
  o.asn_db = text("asn-db");
  if (auto e = flcommon::read_common(vm, o)) return *e;
  if (auto e = read_vantage(vm, o, o.read_path.empty())) return *e;

  if (!o.read_path.empty()) {  // replay takes what to probe and how from the capture
    if (auto e = flcommon::refuse_with_replay(vm, "campaign",
                                              {"prefix", "prefix-file", "country", "asn", "hitlist", "control", "zone",
                                               "parent", "interface", "source", "write", "country-db", "per-block",
                                               "max-targets", "methods", "wait", "attempts", "gaplimit", "max-ttl",
                                               "pps", "budget"},
                                              {"no-control", "no-dns", "no-direct", "yes"}))
      return *e;
    return std::nullopt;
  }
  return read_request(vm, o);
}

}  // namespace

std::optional<probe::Error> read_request(const po::variables_map& vm, Options& o) {
  auto text = [&vm](const char* name) { return vm.count(name) ? vm[name].as<std::string>() : std::string(); };
  auto list = [&vm](const char* name) {
    return vm.count(name) ? vm[name].as<std::vector<std::string>>() : std::vector<std::string>();
  };
  o.prefixes = list("prefix");
  o.prefix_file = text("prefix-file");
  o.country = text("country");
  for (auto& ch : o.country) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (!o.country.empty() && (o.country.size() != 2 || !std::isalpha(static_cast<unsigned char>(o.country[0])) ||
                             !std::isalpha(static_cast<unsigned char>(o.country[1]))))
    return usage_error(fmt::format("--country takes a two-letter ISO code, not '{}'", text("country")));
  if (vm.count("asn")) o.asns = vm["asn"].as<std::vector<std::uint32_t>>();
  for (auto asn : o.asns)
    if (asn == 0) return usage_error("--asn 0 is not an AS number");
  o.hitlist = text("hitlist");
  if (o.prefixes.empty() && o.prefix_file.empty() && o.country.empty() && o.asns.empty())
    return usage_error("say what to probe: -p CIDR, --prefix-file FILE, --country CC or --asn N");

  using flcommon::read_int;
  if (auto e = read_int(vm, "per-block", 1, 254, o.per_block)) return *e;
  if (auto e = read_int(vm, "max-targets", 1, 1 << 20, o.max_targets)) return *e;
  o.yes = vm["yes"].as<bool>();
  if (auto e = flcommon::read_run_option(vm, RunOption::attempts, o.attempts)) return *e;
  if (auto e = flcommon::read_run_option(vm, RunOption::gaplimit, o.gaplimit)) return *e;
  if (auto e = flcommon::read_run_option(vm, RunOption::max_ttl, o.max_ttl)) return *e;
  if (auto e = flcommon::read_wait_us(vm, o.wait_us)) return *e;
  if (auto e = flcommon::read_pps(vm, o.pps)) return *e;
  const double budget = vm["budget"].as<double>();
  if (!(budget >= 0 && budget <= 3600)) return usage_error("--budget must be between 0 and 3600 seconds");
  o.budget_us = std::llround(budget * 1e6);

  std::set<std::string> seen;
  std::stringstream methods(vm["methods"].as<std::string>());
  for (std::string m; std::getline(methods, m, ',');) {
    auto spec = probe::locate::MethodSpec::parse(m);
    if (!spec) return usage_error(fmt::format("unknown method '{}' (icmp, udp, udp:PORT or tcp:PORT)", m));
    if (!seen.insert(spec->label()).second) return usage_error(fmt::format("method '{}' given twice", m));
    if (spec->method == probe::model::Method::udp &&
        std::count_if(o.methods.begin(), o.methods.end(), [&spec](const auto& x) {
          return x.method == probe::model::Method::udp && x.direct == spec->direct;
        }) > 0)
      return usage_error("one udp method at most");
    o.methods.push_back(*spec);
  }
  if (o.methods.empty()) return usage_error("--methods is empty");
  if (!vm["no-direct"].as<bool>()) {
    // A TTL-64 twin of every method first: whether targets answer at all
    // must not depend on how many routers rate-limit time-exceeded.
    std::vector<probe::locate::MethodSpec> direct;
    for (const auto& m : o.methods) {
      auto twin = m;
      twin.direct = true;
      if (!m.direct && !seen.count(twin.label())) direct.push_back(twin);
    }
    o.methods.insert(o.methods.begin(), direct.begin(), direct.end());
  }
  if (o.methods.size() > 16) return usage_error("at most 16 methods, direct ones included");

  bool no_control = vm["no-control"].as<bool>();
  o.controls = list("control");
  if (no_control && !o.controls.empty()) return usage_error("--no-control and --control contradict each other");
  if (o.controls.empty() && !no_control) o.controls = kDefaultControls;

  o.no_dns = vm["no-dns"].as<bool>();
  o.zone = text("zone");
  o.parents = list("parent");
  if (o.no_dns && (!o.zone.empty() || !o.parents.empty()))
    return usage_error("--no-dns cannot be given with --zone or --parent");
  if (o.zone.empty() && !o.country.empty() && !o.no_dns) {
    o.zone = o.country;
    for (auto& ch : o.zone) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  if (!o.zone.empty()) {
    auto z = probe::packet::normalize_dns_name(o.zone);
    if (!z) return usage_error(fmt::format("malformed zone '{}'", o.zone));
    o.zone = *z;
  }
  if (!o.parents.empty() && o.zone.empty()) return usage_error("--parent needs a zone (--zone or --country)");
  if (o.parents.empty() && !o.zone.empty()) o.parents = kRootServers;

  o.country_db = text("country-db");
  return std::nullopt;
}

probe::Result<Options> parse_options(int argc, const char* const* argv) {
  return flcommon::parse_options_with<Options>(argc, argv, describe, nullptr, read_options);
}

}  // namespace fllocate
