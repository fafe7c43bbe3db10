// SPDX-License-Identifier: BSD-2-Clause
#include "options.h"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <optional>

#include "option_values.h"

namespace po = boost::program_options;

namespace fltrace {

namespace {

using flcommon::RunOption;
using flcommon::usage_error;

po::options_description describe() {
  flcommon::SharedHelp help;
  help.interface = "capture interface (default: route to first target)";
  help.write = "write every probe and reply to this pcapng file";
  po::options_description d("Options");
  d.add_options()
      ("method,P", po::value<std::string>()->default_value("icmp"), "icmp | udp | tcp (all Paris)")
      ("dport,p", po::value<int>(), "destination port (udp 33434, tcp 80)")
      ("sport,s", po::value<int>(), "source port (udp, tcp; default random per run)")
      ("first-ttl,f", po::value<int>()->default_value(1), "first TTL");
  flcommon::add_run_option(d, RunOption::max_ttl, 30, "largest TTL");
  flcommon::add_run_option(d, RunOption::attempts, 2, "probes per hop at most");
  flcommon::add_run_option(d, RunOption::wait, 2.0, "seconds to wait for a reply");
  flcommon::add_run_option(d, RunOption::gaplimit, 5, "unresponsive hops in a row that end a trace");
  flcommon::add_run_option(d, RunOption::pps, 100, "probes per second, all targets together");
  flcommon::add_run_option(d, RunOption::concurrency, 256, "targets in flight");
  flcommon::add_endpoint_options(d, help);
  d.add_options()("target-file,T", po::value<std::string>(), "file of targets, one address or CIDR per line");
  flcommon::add_io_options(d, help);
  flcommon::add_user_option(d, help);
  d.add_options()
      ("doubletree", po::bool_switch(), "Doubletree stop sets: start near the destination, walk back until a hop another trace revealed, list the hops below as inferred")
      ("classic", po::bool_switch(), "change ports per probe like classic traceroute (comparison only)");
  flcommon::add_help_options(d);
  return d;
}

// Everything but --help and --version.
std::optional<probe::Error> read_options(const po::variables_map& vm, Options& o) {
  if (auto e = flcommon::refuse_with_replay(vm, "options",
                                            {"target", "target-file", "write", "interface", "source", "method",
                                             "dport", "sport", "first-ttl", "max-ttl", "attempts", "wait",
                                             "gaplimit", "pps", "concurrency"},
                                            {"classic", "doubletree"}))
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
  if (auto e = flcommon::read_run_option(vm, RunOption::gaplimit, c.gaplimit)) return *e;
  if (auto e = flcommon::read_run_option(vm, RunOption::concurrency, c.concurrency)) return *e;
  if (auto e = flcommon::read_wait_us(vm, c.wait_us)) return *e;
  if (auto e = flcommon::read_pps(vm, c.pps)) return *e;
  c.classic = vm["classic"].as<bool>();
  c.doubletree = vm["doubletree"].as<bool>();
  if (c.classic && c.doubletree) return usage_error("--doubletree needs Paris flows; it cannot be combined with --classic");

  if (auto e = flcommon::read_common(vm, o)) return *e;
  if (vm.count("target")) o.targets = vm["target"].as<std::vector<std::string>>();
  if (vm.count("target-file")) o.target_file = vm["target-file"].as<std::string>();
  if (o.read_path.empty() && o.targets.empty() && o.target_file.empty())
    return usage_error("no targets given");
  return std::nullopt;
}

}  // namespace

std::string usage() {
  return flcommon::help_text(
      "Usage: fl-trace [options] TARGET...    (TARGET: address or CIDR block)\n"
      "       fl-trace -r FILE [-o json] [-O FILE]\n\n"
      "Paris traceroute toward many targets at once on raw sockets; every probe\n"
      "and reply captured with libpcap and replayable offline.\n\n",
      describe(), flcommon::exit_status_help("fl-trace"));
}

probe::Result<Options> parse_options(int argc, const char* const* argv) {
  return flcommon::parse_options_with<Options>(argc, argv, describe(), "target", read_options);
}

}  // namespace fltrace
