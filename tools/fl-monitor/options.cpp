// SPDX-License-Identifier: BSD-2-Clause
#include "options.h"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <cstring>
#include <ctime>

#include "option_values.h"

namespace flmonitor {

namespace po = boost::program_options;

namespace {

using flcommon::usage_error;

po::options_description describe_watch() {
  po::options_description watch("Watching");
  watch.add_options()
      ("db", po::value<std::string>(), "the SQLite database of rounds, states and outages (created if absent)")
      ("interval", po::value<std::string>()->default_value("10m"), "from one round's start to the next: 30s, 10m, 1h")
      ("rounds", po::value<long>()->default_value(0), "stop after this many rounds (0: until stopped)")
      ("full-every", po::value<int>()->default_value(6), "every Nth round is a full campaign (0: only when a state changes)")
      ("keep-captures", po::value<int>()->default_value(0), "keep the last N rounds' captures in DB.captures/ (replay with fl-locate -r)")
      ("events", po::value<std::string>(), "append outage events (JSON Lines) to this file instead of stdout")
      ("on-change", po::value<std::string>(), "run this shell command on every event, the event's JSON on its stdin")
      ("metrics-file", po::value<std::string>(), "write Prometheus metrics here after every round (atomically)");
  fllocate::add_vantage_option(watch, "name of this vantage point in its reports and events (default: the host name)");
  return watch;
}

po::options_description describe_report() {
  po::options_description report("fl-monitor report");
  report.add_options()
      ("since", po::value<std::string>(), "from this time: 2026-12-01T03:00:00Z or seconds since the epoch")
      ("until", po::value<std::string>(), "up to this time")
      ("output,o", po::value<std::string>()->default_value("text"), "text | json")
      ("svg", po::value<std::string>(), "draw the timeline to this SVG file, one row per prefix");
  return report;
}

po::options_description describe_all() {
  flcommon::SharedHelp help;
  po::options_description all;
  all.add(describe_watch()).add(fllocate::describe_what()).add(fllocate::describe_how(help)).add(describe_report());
  po::options_description other("Other");
  flcommon::add_help_options(other);
  all.add(other);
  return all;
}

po::options_description describe_report_command() {
  po::options_description d;
  d.add_options()("db", po::value<std::string>(), "");
  d.add(describe_report());
  flcommon::add_help_options(d);
  return d;
}

std::optional<probe::Error> read_watch(const po::variables_map& vm, Options& o) {
  auto text = [&vm](const char* name) { return vm.count(name) ? vm[name].as<std::string>() : std::string(); };
  o.db = text("db");
  if (o.db.empty()) return usage_error("--db FILE is required: where the rounds are kept");
  for (const char* name : {"since", "until", "svg"})
    if (vm.count(name)) return usage_error(fmt::format("--{} belongs to `fl-monitor report`", name));
  if (!vm["output"].defaulted()) return usage_error("-o belongs to `fl-monitor report`; events are JSON Lines");
  auto interval = parse_duration_us(vm["interval"].as<std::string>());
  if (!interval || *interval < 100'000 || *interval > 86'400'000'000)
    return usage_error("--interval takes a duration between 0.1s and 24h (30s, 10m, 1h)");
  o.interval_us = *interval;
  o.rounds = vm["rounds"].as<long>();
  if (o.rounds < 0) return usage_error("--rounds must not be negative");
  if (auto e = flcommon::read_int(vm, "full-every", 0, 1'000'000, o.full_every)) return *e;
  if (auto e = flcommon::read_int(vm, "keep-captures", 0, 1'000'000, o.keep_captures)) return *e;
  o.events_file = text("events");
  o.on_change = text("on-change");
  o.metrics_file = text("metrics-file");
  if (auto e = fllocate::read_vantage(vm, o, true)) return *e;
  o.baseline = text("baseline");
  o.asn_db = text("asn-db");
  o.interface = text("interface");
  o.source = text("source");
  return fllocate::read_request(vm, o);
}

std::optional<probe::Error> read_report(const po::variables_map& vm, Options& o) {
  o.report = true;
  o.db = vm.count("db") ? vm["db"].as<std::string>() : std::string();
  if (o.db.empty()) return usage_error("fl-monitor report: --db FILE is required");
  const std::string out = vm["output"].as<std::string>();
  if (out == "json") o.output = flcommon::OutputFormat::json;
  else if (out != "text") return usage_error(fmt::format("unknown output format '{}' (text or json)", out));
  for (const char* name : {"since", "until"}) {
    if (!vm.count(name)) continue;
    auto t = parse_time_us(vm[name].as<std::string>());
    if (!t) return usage_error(fmt::format("--{} takes 2026-12-01T03:00:00Z or seconds since the epoch", name));
    (std::strcmp(name, "since") == 0 ? o.since_us : o.until_us) = *t;
  }
  if (vm.count("svg")) o.svg_file = vm["svg"].as<std::string>();
  return std::nullopt;
}

}  // namespace

std::string usage() {
  return flcommon::help_text(
      "Usage: fl-monitor --db FILE [--interval 10m] (-p CIDR... | --prefix-file FILE | --country CC | --asn N)\n"
      "       fl-monitor report --db FILE [--since T] [--until T] [-o json] [--svg FILE]\n\n"
      "Watches a country in rounds: each round probes a sample of every prefix\n"
      "directly (plus the controls and the zone check); a state change, and every\n"
      "--full-every rounds, runs the full fl-locate campaign with its verdict and\n"
      "break hop. Rounds, states, outages and reports go into an SQLite database;\n"
      "outage events are printed as JSON Lines. `report` prints the timeline.\n",
      describe_all(),
      "\nExit status: 0 done (--rounds reached, or report printed), 1 runtime error,\n"
      "2 usage, 3 no privilege, 4 unreadable input, 5 cannot write output,\n"
      "130 interrupted (committed rounds are kept). See fl-monitor(1).\n");
}

probe::Result<Options> parse_options(int argc, const char* const* argv) {
  // Lambdas, not the functions: parse_options_with keeps one grammar per
  // instantiation, and two function pointers of one type would share it.
  if (argc > 1 && std::strcmp(argv[1], "report") == 0)
    return flcommon::parse_options_with<Options>(argc - 1, argv + 1, describe_report_command, nullptr,
                                                 [](const po::variables_map& vm, Options& o) { return read_report(vm, o); });
  return flcommon::parse_options_with<Options>(argc, argv, describe_all, nullptr,
                                               [](const po::variables_map& vm, Options& o) { return read_watch(vm, o); });
}

std::optional<std::int64_t> parse_duration_us(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  const std::string unit(end);
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  else if (unit == "m") scale = 60;
  else if (unit == "h") scale = 3600;
  if (scale == 0 || end == text.c_str() || !std::isfinite(v) || v < 0 || v > 1e7) return std::nullopt;
  return std::llround(v * scale * 1e6);
}

std::optional<std::int64_t> parse_time_us(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end && (*end == '\0' || (end[0] == 'Z' && end[1] == '\0'))) return std::int64_t{timegm(&tm)} * 1'000'000;
  char* num_end = nullptr;
  const long long secs = std::strtoll(text.c_str(), &num_end, 10);
  if (num_end != text.c_str() && *num_end == '\0' && secs >= 0) return secs * 1'000'000;
  return std::nullopt;
}

}  // namespace flmonitor
