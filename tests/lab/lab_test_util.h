// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Helpers shared by the lab tests: skip-or-fail when the lab cannot run,
// labs with crash markers, running fl-trace and reading its JSON Lines.

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lab.h"
#include "process.h"

namespace probe::lab::test {

/// CI=true: a lab test that cannot run is a failure, not a skip.
bool in_ci();
/// Cached lab_supported(); the reason in `why` when false.
bool lab_available(std::string* why);
/// fl-trace to run: $FL_TRACE, else the build's; empty when neither exists.
std::string fl_trace_path();
/// fl-dns to run: $FL_DNS, else the build's; empty when neither exists.
std::string fl_dns_path();
/// fl-locate to run: $FL_LOCATE, else the build's; empty when neither exists.
std::string fl_locate_path();
/// Why DNS labs cannot run here (no fl-dns, nsd, dig or kdig), or "".
std::string dns_lab_missing();
/// A lab from a built-in scenario, with a crash marker for the cleanup fixture.
Lab make_lab(const std::string& scenario);

/// A temporary directory removed (with its files) on destruction.
using TempDir = testsupport::TempDir;
/// A file's whole content ("" when it cannot be read): what a run wrote.
using testsupport::read_file;

/// The outcome of one fl-trace run.
struct TraceRun {
  ExecResult result;
  std::vector<nlohmann::json> traces;  ///< one per JSON line of stdout
  std::string parse_error;             ///< first line that was not JSON
};

/// Runs fl-trace with `args` inside node `vp` of `lab`.
TraceRun run_fl_trace(const Lab& lab, const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout = std::chrono::seconds(120));
/// Runs fl-dns with `args` inside node `vp` of `lab`.
TraceRun run_fl_dns(const Lab& lab, const std::vector<std::string>& args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(120));
/// Parses JSON Lines.
TraceRun parse_lines(ExecResult result);
/// Parses the JSON Lines a run wrote to `path` (-O FILE, or stdout sent there).
TraceRun parse_results_file(const std::string& path);

/// Addresses that answered probes of `ttl` (empty when silent or absent).
std::set<std::string> addrs_at(const nlohmann::json& trace, int ttl);
/// The highest TTL with an answering probe, 0 if none answered.
int last_answered_ttl(const nlohmann::json& trace);
/// The first answering probe of `ttl`, or null json.
nlohmann::json first_reply(const nlohmann::json& trace, int ttl);
/// A compact "ttl:addr ..." picture of a trace for failure messages.
std::string describe(const nlohmann::json& trace);
/// The hops of `traceroute -n -q1` output, or of fl-trace's text (header
/// and non-hop lines skipped), one per hop line: the address, "*" when silent, with a "!H"-style mark appended
/// after a space when the line carries one (" 3  198.18.0.6  0.025 ms !H").
std::vector<std::string> traceroute_hops(const std::string& out);
/// ICMP destination unreachables that `node`'s kernel has sent so far (its
/// namespace's Icmp OutDestUnreachs); -1 when it cannot be read.
long icmp_unreachables_sent(const Lab& lab, const std::string& node);

}  // namespace probe::lab::test

/// Skips (or under CI=true fails) the current test when labs cannot run here
/// or fl-trace was not built. Needs fl-trace when `with_trace` is true.
#define FL_REQUIRE_LAB(with_trace)                                                      \
  do {                                                                                  \
    std::string fl_why_;                                                                \
    if (!::probe::lab::test::lab_available(&fl_why_)) {                                 \
      if (::probe::lab::test::in_ci()) FAIL() << "lab unavailable under CI: " << fl_why_; \
      GTEST_SKIP() << fl_why_;                                                          \
    }                                                                                   \
    if ((with_trace) && ::probe::lab::test::fl_trace_path().empty()) {                  \
      if (::probe::lab::test::in_ci()) FAIL() << "fl-trace binary not found";           \
      GTEST_SKIP() << "fl-trace binary not built (set FL_TRACE=path)";                  \
    }                                                                                   \
  } while (0)

/// As FL_REQUIRE_LAB, for DNS labs: also needs fl-dns, nsd, dig and kdig.
#define FL_REQUIRE_DNS_LAB()                                                          \
  do {                                                                                \
    FL_REQUIRE_LAB(false);                                                            \
    const std::string fl_missing_ = ::probe::lab::test::dns_lab_missing();            \
    if (!fl_missing_.empty()) {                                                       \
      if (::probe::lab::test::in_ci()) FAIL() << "DNS lab unavailable under CI: " << fl_missing_; \
      GTEST_SKIP() << fl_missing_;                                                    \
    }                                                                                 \
  } while (0)

/// As FL_REQUIRE_DNS_LAB, for the country labs: also needs fl-locate.
#define FL_REQUIRE_LOCATE_LAB()                                                       \
  do {                                                                                \
    FL_REQUIRE_DNS_LAB();                                                             \
    if (::probe::lab::test::fl_locate_path().empty()) {                               \
      if (::probe::lab::test::in_ci()) FAIL() << "fl-locate binary not found";        \
      GTEST_SKIP() << "fl-locate binary not built (set FL_LOCATE=path)";              \
    }                                                                                 \
  } while (0)
