// SPDX-License-Identifier: BSD-2-Clause
#include "shared_options.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include <boost/program_options.hpp>

#include "option_values.h"
#include "probe/io/privileges.h"

namespace po = boost::program_options;

namespace flcommon {

const std::vector<std::string>& root_servers(probe::model::Family family) {
  static const std::vector<std::string> roots = {
      "198.41.0.4",   "170.247.170.2", "192.33.4.12",   "199.7.91.13",   "192.203.230.10",
      "192.5.5.241",  "192.112.36.4",  "198.97.190.53", "192.36.148.17", "192.58.128.30",
      "193.0.14.129", "199.7.83.42",   "202.12.27.33"};
  // root-servers.org, as of b's renumbering in November 2023.
  static const std::vector<std::string> roots6 = {
      "2001:503:ba3e::2:30", "2801:1b8:10::b", "2001:500:2::c",  "2001:500:2d::d",    "2001:500:a8::e",
      "2001:500:2f::f",      "2001:500:12::d0d", "2001:500:1::53", "2001:7fe::53",     "2001:503:c27::2:30",
      "2001:7fd::1",         "2001:500:9f::42",  "2001:dc3::35"};
  return family == probe::model::Family::v6 ? roots6 : roots;
}

const RunOptionSpec& spec_of(RunOption option) {
  // In the order of RunOption.
  static const RunOptionSpec specs[] = {
      {"max-ttl", "max-ttl,m", true, 1, 255},
      {"attempts", "attempts,q", true, 1, 10},
      {"gaplimit", "gaplimit,g", true, 1, 255},
      {"concurrency", "concurrency,c", true, 1, 1 << 20},
      {"wait", "wait,W", false, 0, 0},
      {"pps", "pps", false, 0, 0},
  };
  return specs[static_cast<int>(option)];
}

void add_run_option(po::options_description& d, RunOption option, double default_value, const char* help,
                    bool letter) {
  const RunOptionSpec& s = spec_of(option);
  const char* name = letter ? s.name_and_letter : s.name;
  if (s.integer)
    d.add_options()(name, po::value<int>()->default_value(static_cast<int>(default_value)), help);
  else
    d.add_options()(name, po::value<double>()->default_value(default_value), help);
}

void add_endpoint_options(po::options_description& d, const SharedHelp& help) {
  d.add_options()
      ("interface,i", po::value<std::string>(), help.interface)
      ("source,S", po::value<std::string>(), "source address");
}

void add_io_options(po::options_description& d, const SharedHelp& help) {
  d.add_options()
      ("write,w", po::value<std::string>(), help.write)
      ("capture-all", po::bool_switch(),
       "with -w, keep every frame the capture filter passed (other runs' too), not only this run's")
      ("read,r", po::value<std::string>(), help.read)
      ("output,o", po::value<std::string>()->default_value("text"), help.output)
      ("output-file,O", po::value<std::string>(), help.output_file);
}

void add_user_option(po::options_description& d, const SharedHelp& help) {
  d.add_options()("user", po::value<std::string>(), help.user);
}

void add_help_options(po::options_description& d) {
  d.add_options()
      ("help,h", po::bool_switch(), "show this help")
      ("version", po::bool_switch(), "show the version");
}

std::string exit_status_help(const char* tool) {
  return fmt::format(
      "\nExit status: 0 ok, 1 runtime error, 2 usage, 3 no privilege,\n"
      "4 unreadable capture, 5 cannot write output, 6 capture cut short,\n"
      "130 interrupted.\n"
      "See {}(1) and fl-json(5).\n",
      tool);
}

std::string help_text(const char* synopsis, const po::options_description& d, const std::string& tail) {
  std::ostringstream s;
  s << synopsis << d << tail;
  return s.str();
}

Grammar::Grammar(const po::options_description& d, const char* positional) {
  all.add(d);
  if (positional) {
    po::options_description hidden;
    hidden.add_options()(positional, po::value<std::vector<std::string>>(), "");
    all.add(hidden);
    pos.add(positional, -1);
  }
}

probe::Result<po::variables_map> parse_command_line(int argc, const char* const* argv, const Grammar& g,
                                                    CommonOptions& o) {
  // Boost 1.74 builds its messages by replacing %value% and the like until
  // none is left: an argument that holds such a token (fl-trace -m %value%)
  // never ends. So errors are found on a copy with every '%' made \x01, and
  // put back in the message; the real arguments are parsed once that passed.
  // Without a '%' the copy would be the arguments themselves: one parse.
  const bool has_percent =
      std::any_of(argv, argv + argc, [](const char* a) { return std::strchr(a, '%') != nullptr; });
  if (has_percent) {
    std::vector<std::string> masked(argv, argv + argc);
    for (auto& a : masked) std::replace(a.begin(), a.end(), '%', '\x01');
    std::vector<const char*> masked_argv;
    for (const auto& a : masked) masked_argv.push_back(a.c_str());
    try {
      po::variables_map probe_vm;
      po::store(po::command_line_parser(argc, masked_argv.data()).options(g.all).positional(g.pos).run(), probe_vm);
      po::notify(probe_vm);
    } catch (const po::error& e) {
      std::string message = e.what();
      std::replace(message.begin(), message.end(), '\x01', '%');
      return usage_error(message);
    }
  }
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(g.all).positional(g.pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(e.what());
  }
  o.help = vm["help"].as<bool>();
  o.version = vm["version"].as<bool>();
  return vm;
}

namespace {

// traceroute's -w is its wait: "-w 1", "-w 0.5" mean seconds, never a file.
bool looks_like_seconds(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string::npos) return false;
  return text.find_first_of("0123456789") != std::string::npos && std::count(text.begin(), text.end(), '.') <= 1;
}

}  // namespace

std::optional<probe::Error> read_common(const po::variables_map& vm, CommonOptions& o, bool csv) {
  auto text = [&vm](const char* name) { return vm.count(name) ? vm[name].as<std::string>() : std::string(); };
  const std::string out = vm["output"].as<std::string>();
  if (out == "json") o.output = OutputFormat::json;
  else if (csv && out == "csv") o.output = OutputFormat::csv;
  else if (out != "text")
    return usage_error(fmt::format("unknown output format '{}' (text{} or json)", out, csv ? ", csv" : ""));
  o.output_file = text("output-file");
  o.user = vm.count("user") ? text("user") : probe::io::default_unprivileged_user();
  o.interface = text("interface");
  o.source = text("source");
  o.write_path = text("write");
  if (looks_like_seconds(o.write_path))
    return usage_error(fmt::format("did you mean -W {0}? -w writes a capture (to name it {0}, give -w ./{0})",
                                   o.write_path));
  o.capture_all = vm["capture-all"].as<bool>();
  if (o.capture_all && o.write_path.empty()) return usage_error("--capture-all says what -w keeps: give -w FILE");
  o.read_path = text("read");
  return std::nullopt;
}

std::optional<probe::Error> refuse_with_replay(const po::variables_map& vm, const char* what,
                                               std::initializer_list<const char*> options,
                                               std::initializer_list<const char*> switches) {
  auto refuse = [what](const char* name) {
    return usage_error(fmt::format("-r replays the {} stored in the capture; --{} cannot be given with it", what, name));
  };
  if (!vm.count("read")) return std::nullopt;
  for (const char* name : options)
    if (vm.count(name) && !vm[name].defaulted()) return refuse(name);
  for (const char* name : switches)
    if (vm[name].as<bool>()) return refuse(name);
  return std::nullopt;
}

std::optional<probe::Error> read_via(const po::variables_map& vm, const CommonOptions& o, std::string& via) {
  if (!vm.count("via")) return std::nullopt;
  via = vm["via"].as<std::string>();
  // The daemon's capture, source address and budget are the ones used.
  for (const char* name : {"read", "interface", "source"})
    if (vm.count(name)) return usage_error(fmt::format("--{} cannot be given with --via: fl-probed sends and captures", name));
  if (o.capture_all) return usage_error("--capture-all cannot be given with --via: the daemon's capture holds other clients' frames");
  if (!vm["pps"].defaulted()) return usage_error("--pps cannot be given with --via: fl-probed's --pps budget is shared by its clients");
  return std::nullopt;
}

}  // namespace flcommon
