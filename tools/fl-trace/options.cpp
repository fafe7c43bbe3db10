// SPDX-License-Identifier: BSD-2-Clause
#include "options.h"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <optional>

#include "option_values.h"
#include "probe/record/trace_record.h"

namespace po = boost::program_options;

namespace fltrace {

namespace {

using flcommon::RunOption;
using flcommon::usage_error;

po::options_description describe() {
  flcommon::SharedHelp help;
  help.interface = "capture interface (default: route to first target)";
  help.write = "write every probe and reply to this pcapng file";
  help.output = "text | json (JSON Lines) | csv (a row per hop)";
  po::options_description d("Options");
  d.add_options()
      ("method,P", po::value<std::string>()->default_value("icmp"), "icmp | udp | tcp (all Paris)")
      ("dport,p", po::value<int>(), "destination port (udp 33434, tcp 80)")
      ("sport,s", po::value<int>(), "source port (udp, tcp; default random per run)")
      ("first-ttl,f", po::value<int>()->default_value(1), "first TTL");
  d.add_options()
      ("ipv4,4", po::bool_switch(), "IPv4 targets only: an IPv6 one is a usage error")
      ("ipv6,6", po::bool_switch(), "IPv6 targets only: an IPv4 one is a usage error");
  flcommon::add_run_option(d, RunOption::max_ttl, 30, "largest TTL");
  d.add_options()("queries,q", po::value<int>(), "probes every hop gets, answered or not, each RTT shown (as traceroute -q; default: --attempts)");
  flcommon::add_run_option(d, RunOption::attempts, 2, "probes per hop at most: a hop stops at its first answer", false);
  flcommon::add_run_option(d, RunOption::wait, 2.0, "seconds to wait for a reply");
  flcommon::add_run_option(d, RunOption::gaplimit, 5, "unresponsive hops in a row that end a trace");
  flcommon::add_run_option(d, RunOption::pps, 100, "probes per second, all targets together");
  flcommon::add_run_option(d, RunOption::concurrency, 256, "targets in flight");
  flcommon::add_endpoint_options(d, help);
  d.add_options()
      ("target-file,T", po::value<std::string>(), "file of targets, one address or CIDR per line")
      ("max-targets", po::value<int>()->default_value(65536), "at most this many targets (all blocks together); more are refused unless --yes")
      ("yes", po::bool_switch(), "trace more than --max-targets, or a block with host bits set (198.18.200.1/24)");
  flcommon::add_io_options(d, help);
  d.add_options()
      ("numeric,n", po::bool_switch(), "addresses only: no reverse DNS (replays, JSON and CSV never look names up)")
      ("as-lookups,A", po::bool_switch(), "text: the AS of each hop, [AS?] when the table has none (as traceroute -A, mtr -z)")
      ("asn-db", po::value<std::string>(), "IP->AS table for -A (default: shipped snapshot)")
      ("extensions,e", po::bool_switch(), "text: MPLS label stacks as traceroute -e writes them")
      ("report", po::bool_switch(), "trace every target --report-cycles times and print per hop Loss%, Snt, Last, Avg, Best, Wrst, StDev (as mtr --report); text or json")
      ("report-cycles", po::value<int>()->default_value(10), "--report: rounds over the targets (as mtr -c)")
      ("report-interval", po::value<double>()->default_value(1.0), "--report: seconds from one round's start to the next's (as mtr -i)");
  flcommon::add_user_option(d, help);
  d.add_options()
      ("via", po::value<std::string>(), "trace through the fl-probed serving this socket (no privilege needed)")
      ("doubletree", po::bool_switch(), "Doubletree stop sets: start near the destination, walk back until a hop another trace revealed, list the hops below as inferred")
      ("classic", po::bool_switch(), "change ports per probe like classic traceroute (comparison only)");
  flcommon::add_help_options(d);
  return d;
}

// --report and its rounds. A report is one summary per target: not with
// CSV's row per hop, nor with Doubletree, whose stop sets would make every
// round after the first skip the hops the report is about.
std::optional<probe::Error> read_report(const po::variables_map& vm, Options& o) {
  if (!vm["report"].as<bool>()) {
    for (const char* name : {"report-cycles", "report-interval"})
      if (!vm[name].defaulted()) return usage_error(fmt::format("--{} is a setting of --report: give --report", name));
    return std::nullopt;
  }
  if (o.output == OutputFormat::csv) return usage_error("--report prints text or json, not csv");
  if (o.config.doubletree) return usage_error("--report traces every hop each round; --doubletree cannot be combined with it");
  if (auto e = flcommon::read_int(vm, "report-cycles", 1, static_cast<int>(probe::record::kMaxReportCycles),
                                  o.report_cycles))
    return *e;
  const double interval = vm["report-interval"].as<double>();
  const double most = static_cast<double>(probe::record::kMaxReportIntervalUs) / 1e6;
  if (!(interval >= 0 && interval <= most))
    return usage_error(fmt::format("--report-interval must be between 0 and {} seconds", most));
  o.report_interval_us = std::llround(interval * 1e6);
  return std::nullopt;
}

// Everything but --help and --version.
std::optional<probe::Error> read_options(const po::variables_map& vm, Options& o) {
  if (auto e = flcommon::refuse_with_replay(vm, "options",
                                            {"target", "target-file", "write", "interface", "source", "method",
                                             "dport", "sport", "first-ttl", "max-ttl", "queries", "attempts",
                                             "wait", "gaplimit", "pps", "concurrency", "max-targets",
                                             "report-cycles", "report-interval"},
                                            {"classic", "doubletree", "yes", "report", "ipv4", "ipv6"}))
    return *e;

  auto& c = o.config;
  auto method = probe::model::parse_method(vm["method"].as<std::string>());
  if (!method || *method == probe::model::Method::dns) return usage_error(fmt::format("unknown method '{}' (icmp, udp or tcp)", vm["method"].as<std::string>()));
  c.method = *method;

  using flcommon::read_int;
  int dport_default = c.method == probe::model::Method::tcp ? 80 : 33434;
  c.dport = static_cast<std::uint16_t>(c.method == probe::model::Method::icmp ? 0 : dport_default);
  if (vm.count("dport"))
    if (auto e = read_int(vm, "dport", 1, 65535, c.dport)) return *e;
  if (vm.count("sport")) {
    if (auto e = read_int(vm, "sport", 1, 65535, c.sport)) return *e;
    o.sport_given = true;
  }
  if (auto e = read_int(vm, "first-ttl", 1, 255, c.first_ttl)) return *e;
  if (auto e = flcommon::read_run_option(vm, RunOption::max_ttl, c.max_ttl)) return *e;
  if (c.first_ttl > c.max_ttl) return usage_error("--first-ttl is larger than --max-ttl");
  if (auto e = flcommon::read_run_option(vm, RunOption::attempts, c.attempts)) return *e;
  if (vm.count("queries")) {
    if (!vm["attempts"].defaulted())
      return usage_error("-q sends every hop that many probes; --attempts (stop at the first answer) cannot be given with it");
    if (auto e = read_int(vm, "queries", 1, 10, c.queries)) return *e;
  }
  if (auto e = flcommon::read_run_option(vm, RunOption::gaplimit, c.gaplimit)) return *e;
  if (auto e = flcommon::read_run_option(vm, RunOption::concurrency, c.concurrency)) return *e;
  if (auto e = flcommon::read_wait_us(vm, c.wait_us)) return *e;
  if (auto e = flcommon::read_pps(vm, c.pps)) return *e;
  if (vm["ipv4"].as<bool>() && vm["ipv6"].as<bool>()) return usage_error("-4 and -6 cannot be given together");
  if (vm["ipv4"].as<bool>()) o.family = probe::model::Family::v4;
  if (vm["ipv6"].as<bool>()) o.family = probe::model::Family::v6;
  c.classic = vm["classic"].as<bool>();
  c.doubletree = vm["doubletree"].as<bool>();
  if (c.classic && c.doubletree) return usage_error("--doubletree needs Paris flows; it cannot be combined with --classic");
  if (c.queries && c.doubletree) return usage_error("--doubletree stops at a hop's first answer; -q cannot be combined with it");

  if (auto e = flcommon::read_common(vm, o, true)) return *e;
  if (auto e = read_report(vm, o)) return *e;
  o.numeric = vm["numeric"].as<bool>();
  o.show_asn = vm["as-lookups"].as<bool>();
  o.traceroute_mpls = vm["extensions"].as<bool>();
  if (vm.count("asn-db")) o.asn_db = vm["asn-db"].as<std::string>();
  if (!o.asn_db.empty() && !o.show_asn) return usage_error("--asn-db is the table of -A: give -A");
  if (vm.count("target")) o.targets = vm["target"].as<std::vector<std::string>>();
  if (vm.count("target-file")) o.target_file = vm["target-file"].as<std::string>();
  if (auto e = read_int(vm, "max-targets", 1, static_cast<int>(probe::model::kMaxTargets), o.limits.max_targets))
    return *e;
  o.limits.yes = vm["yes"].as<bool>();
  // traceroute users reach for -T with an address (tcptraceroute's habit).
  if (!o.target_file.empty() &&
      (probe::model::Address::parse(o.target_file) || probe::model::Prefix::parse(o.target_file)))
    return usage_error(fmt::format("-T reads a file of targets; give the address as an argument (fl-trace {0}; "
                                   "a file named so: -T ./{0})",
                                   o.target_file));
  if (o.read_path.empty() && o.targets.empty() && o.target_file.empty())
    return usage_error("no targets given");
  if (auto e = flcommon::read_via(vm, o, o.via)) return *e;
  if (vm.count("via")) {
    if (o.report_cycles) return usage_error("--report cannot be given with --via: fl-probed runs each trace once");
  }
  return std::nullopt;
}

}  // namespace

std::string usage() {
  return flcommon::help_text(
      "Usage: fl-trace [options] TARGET...    (TARGET: address or CIDR block)\n"
      "       fl-trace --report [--report-cycles N] [options] TARGET...\n"
      "       fl-trace -r FILE [-o text|json|csv] [-n] [-A] [-e] [-O FILE]\n\n"
      "Paris traceroute toward many targets at once on raw sockets; every probe\n"
      "and reply captured with libpcap and replayable offline.\n\n",
      describe(), flcommon::exit_status_help("fl-trace"));
}

probe::Result<Options> parse_options(int argc, const char* const* argv) {
  return flcommon::parse_options_with<Options>(argc, argv, describe, "target", read_options);
}

}  // namespace fltrace
