// SPDX-License-Identifier: BSD-2-Clause
#include "lab_test_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "scenarios.h"

#ifndef FL_TRACE_BIN
#define FL_TRACE_BIN ""
#endif
#ifndef FL_DNS_BIN
#define FL_DNS_BIN ""
#endif
#ifndef FL_LOCATE_BIN
#define FL_LOCATE_BIN ""
#endif
#ifndef FL_LAB_STATE_DIR
#define FL_LAB_STATE_DIR ""
#endif

namespace probe::lab::test {

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

bool lab_available(std::string* why) {
  static std::string reason;
  static const bool ok = lab_supported(&reason);
  if (why) *why = reason;
  return ok;
}

std::string fl_trace_path() {
  if (const char* env = std::getenv("FL_TRACE"); env != nullptr && *env != '\0')
    return access(env, X_OK) == 0 ? env : "";
  const std::string built = FL_TRACE_BIN;
  return !built.empty() && access(built.c_str(), X_OK) == 0 ? built : "";
}

std::string fl_dns_path() {
  if (const char* env = std::getenv("FL_DNS"); env != nullptr && *env != '\0')
    return access(env, X_OK) == 0 ? env : "";
  const std::string built = FL_DNS_BIN;
  return !built.empty() && access(built.c_str(), X_OK) == 0 ? built : "";
}

std::string fl_locate_path() {
  if (const char* env = std::getenv("FL_LOCATE"); env != nullptr && *env != '\0')
    return access(env, X_OK) == 0 ? env : "";
  const std::string built = FL_LOCATE_BIN;
  return !built.empty() && access(built.c_str(), X_OK) == 0 ? built : "";
}

std::string dns_lab_missing() {
  if (fl_dns_path().empty()) return "fl-dns binary not built (set FL_DNS=path)";
  for (const char* tool : {"nsd", "dig", "kdig", "nsd-checkconf"})
    if (run_command({"sh", "-c", std::string("command -v ") + tool}, std::chrono::seconds(5)).exit_code != 0)
      return std::string(tool) + " not installed (scripts/install-deps)";
  return "";
}

TraceRun run_fl_dns(const Lab& lab, const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {fl_dns_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return parse_lines(lab.exec("vp", argv, timeout));
}

Lab make_lab(const std::string& name) {
  const auto text = scenario(name);
  if (!text) throw LabError("no scenario " + name);
  LabOptions options;
  options.state_dir = FL_LAB_STATE_DIR;
  return Lab(*text, options);
}

TraceRun parse_lines(ExecResult result) {
  TraceRun run;
  std::istringstream in(result.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      run.traces.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception&) {
      if (run.parse_error.empty()) run.parse_error = line;
    }
  }
  run.result = std::move(result);
  return run;
}

TraceRun parse_results_file(const std::string& path) {
  return parse_lines(ExecResult{0, read_file(path), "", false});
}

TraceRun run_fl_trace(const Lab& lab, const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {fl_trace_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return parse_lines(lab.exec(kVantage, argv, timeout));
}

namespace {
const nlohmann::json* hop_of(const nlohmann::json& trace, int ttl) {
  if (!trace.contains("hops")) return nullptr;
  for (const auto& hop : trace["hops"])
    if (hop.value("ttl", -1) == ttl) return &hop;
  return nullptr;
}
}  // namespace

std::set<std::string> addrs_at(const nlohmann::json& trace, int ttl) {
  std::set<std::string> out;
  if (const auto* hop = hop_of(trace, ttl))
    for (const auto& p : hop->value("probes", nlohmann::json::array()))
      if (p.contains("addr")) out.insert(p["addr"].get<std::string>());
  return out;
}

int last_answered_ttl(const nlohmann::json& trace) {
  int last = 0;
  for (const auto& hop : trace.value("hops", nlohmann::json::array()))
    for (const auto& p : hop.value("probes", nlohmann::json::array()))
      if (p.contains("addr")) last = std::max(last, hop.value("ttl", 0));
  return last;
}

nlohmann::json first_reply(const nlohmann::json& trace, int ttl) {
  if (const auto* hop = hop_of(trace, ttl))
    for (const auto& p : hop->value("probes", nlohmann::json::array()))
      if (p.contains("addr")) return p;
  return nullptr;
}

std::string describe(const nlohmann::json& trace) {
  std::string s = trace.value("dst", std::string("?")) + " " + trace.value("stop_reason", std::string("?")) + ":";
  for (const auto& hop : trace.value("hops", nlohmann::json::array())) {
    s += " " + std::to_string(hop.value("ttl", 0)) + ":";
    std::string addrs;
    for (const auto& p : hop.value("probes", nlohmann::json::array())) {
      if (!addrs.empty()) addrs += ",";
      addrs += p.value("addr", std::string("*"));
      if (p.contains("icmp_type") && p["icmp_type"] == 3)
        addrs += "!" + std::to_string(p.value("icmp_code", -1));
    }
    s += addrs.empty() ? "-" : addrs;
  }
  return s;
}

std::vector<std::string> traceroute_hops(const std::string& out) {
  std::vector<std::string> hops;
  std::istringstream in(out);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto w = split_words(line);
    // Hop lines start with the TTL (fl-trace's text ends with "stop: ...").
    if (w.size() < 2 || w[0].find_first_not_of("0123456789") != std::string::npos) continue;
    std::string h = w[1];
    if (w.size() >= 5 && w[4][0] == '!') h += " " + w[4];
    hops.push_back(h);
  }
  return hops;
}

long icmp_unreachables_sent(const Lab& lab, const std::string& node) {
  // /proc/net/snmp is per namespace: a header line "Icmp: InMsgs ..." and a
  // line of values "Icmp: 12 ..." in the same order.
  auto r = lab.exec(node, {"cat", "/proc/net/snmp"}, std::chrono::seconds(10));
  std::istringstream in(r.out);
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Icmp: ", 0) != 0) continue;
    auto words = split_words(line);
    if (names.empty()) {
      names = words;
      continue;
    }
    for (std::size_t i = 1; i < words.size() && i < names.size(); ++i)
      if (names[i] == "OutDestUnreachs") return std::stol(words[i]);
  }
  return -1;
}

}  // namespace probe::lab::test
