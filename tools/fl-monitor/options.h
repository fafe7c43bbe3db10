// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// fl-monitor's command line: `fl-monitor [options]` watches (rounds into a
// database), `fl-monitor report [options]` prints the database's timeline.
// Parsed into values; no side effects.

#include <cstdint>
#include <limits>
#include <string>

#include "../fl-locate/options.h"
#include "probe/error.h"

namespace flmonitor {

// What each round probes is fl-locate's request (its options, declared and
// read by fl-locate's option code).
struct Options : fllocate::Options {
  bool report = false;                  // the `report` subcommand
  std::string db;                       // --db
  std::int64_t interval_us = 600'000'000;  // --interval: from one round's start to the next's
  long rounds = 0;                      // --rounds (0: until stopped)
  int full_every = 6;                   // --full-every: every Nth round is full (0: only on a change)
  int keep_captures = 0;                // --keep-captures: the last N rounds' pcapng files
  std::string events_file;              // --events ("" = stdout)
  std::string on_change;                // --on-change: shell command, event JSON on its stdin
  std::string metrics_file;             // --metrics-file
  // report
  std::int64_t since_us = 0;                                      // --since
  std::int64_t until_us = std::numeric_limits<std::int64_t>::max();  // --until
  std::string svg_file;                                           // --svg
};

std::string usage();
probe::Result<Options> parse_options(int argc, const char* const* argv);

// "10m", "2s", "1.5h", "90" (seconds) as microseconds; nullopt when not one.
std::optional<std::int64_t> parse_duration_us(const std::string& text);
// "2026-12-01T03:00:00Z" (UTC, the Z optional) or seconds since the epoch,
// as microseconds; nullopt when neither.
std::optional<std::int64_t> parse_time_us(const std::string& text);

}  // namespace flmonitor
