// SPDX-License-Identifier: BSD-2-Clause
#include "options.h"

#include <boost/program_options.hpp>

#include "option_values.h"
#include "probe/io/privileges.h"
#include "probe/model/targets.h"

namespace po = boost::program_options;

namespace flprobed {

namespace {

using flcommon::usage_error;

po::options_description describe() {
  flcommon::SharedHelp help;
  help.interface = "capture interface (default: the one that holds the source address)";
  help.user = "user to serve as once the socket, capture and raw socket are open (default: the sudo user, else nobody)";
  po::options_description d("Options");
  d.add_options()
      ("socket", po::value<std::string>(), "the control socket to serve on (required)")
      ("group", po::value<std::string>(), "group that may connect to the socket (mode 0660; default: root's)");
  flcommon::add_endpoint_options(d, help);
  flcommon::add_run_option(d, flcommon::RunOption::pps, 1000, "probes per second, every request together");
  d.add_options()
      ("max-running", po::value<int>()->default_value(16), "requests probing at once; more wait in the queue")
      ("max-queued", po::value<int>()->default_value(64), "requests waiting; more are refused")
      ("max-targets", po::value<int>()->default_value(65536), "addresses a request may trace (queries a dns request may ask) at most")
      ("whole-frames", po::bool_switch(), "capture whole frames (a 64 MiB ring of fewer frames): DNS answers over TCP of any size");
  flcommon::add_user_option(d, help);
  flcommon::add_help_options(d);
  return d;
}

std::optional<probe::Error> read_options(const po::variables_map& vm, Options& o) {
  using flcommon::read_int;
  if (!vm.count("socket")) return usage_error("--socket PATH is required");
  o.socket_path = vm["socket"].as<std::string>();
  if (vm.count("group")) o.group = vm["group"].as<std::string>();
  if (vm.count("interface")) o.interface = vm["interface"].as<std::string>();
  if (vm.count("source")) o.source = vm["source"].as<std::string>();
  o.user = vm.count("user") ? vm["user"].as<std::string>() : probe::io::default_unprivileged_user();
  if (auto e = flcommon::read_pps(vm, o.pps)) return *e;
  if (auto e = read_int(vm, "max-running", 1, 4096, o.max_running)) return *e;
  if (auto e = read_int(vm, "max-queued", 0, 65536, o.max_queued)) return *e;
  if (auto e = read_int(vm, "max-targets", 1, static_cast<int>(probe::model::kMaxTargets), o.max_targets)) return *e;
  o.whole_frames = vm["whole-frames"].as<bool>();
  return std::nullopt;
}

}  // namespace

std::string usage() {
  return flcommon::help_text(
      "Usage: fl-probed --socket PATH [--group GROUP] [-S ADDR] [--pps N] [options]\n\n"
      "A long-lived prober: opens the capture and the raw socket once, drops\n"
      "privileges, and runs the traces and DNS queries that clients (fl-trace --via\n"
      "PATH, fl-dns --via PATH) ask for on the control socket, concurrently, under\n"
      "one probe budget.\n\n",
      describe(),
      "\nExit status: 0 stopped by a signal after finishing, 1 runtime error, 2 usage,\n"
      "3 no privilege. See fl-probed(8).\n");
}

probe::Result<Options> parse_options(int argc, const char* const* argv) {
  return flcommon::parse_options_with<Options>(argc, argv, describe, nullptr, read_options);
}

}  // namespace flprobed
