// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Reading checked values out of a parsed command line, the same way in every
// tool: each check is one line, and every message names the option.
//
//   if (auto e = flcommon::read_int(vm, "attempts", 1, 10, c.attempts)) return *e;

#include <boost/program_options/variables_map.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "probe/error.h"

namespace flcommon {

probe::Error usage_error(std::string message);
// "--NAME must be between LO and HI"
probe::Error range_error(const char* name, long long lo, long long hi);

// The int option `name` into `out` when it lies in [lo, hi].
template <class T>
std::optional<probe::Error> read_int(const boost::program_options::variables_map& vm, const char* name, int lo,
                                     int hi, T& out) {
  const int v = vm[name].as<int>();
  if (v < lo || v > hi) return range_error(name, lo, hi);
  out = static_cast<T>(v);
  return std::nullopt;
}

// --wait in seconds (0.001 to 60), as microseconds.
std::optional<probe::Error> read_wait_us(const boost::program_options::variables_map& vm, std::int64_t& out);
// --pps, probes per second (1 to 1,000,000).
std::optional<probe::Error> read_pps(const boost::program_options::variables_map& vm, double& out);

}  // namespace flcommon
