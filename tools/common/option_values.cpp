// SPDX-License-Identifier: BSD-2-Clause
#include "option_values.h"

#include <fmt/format.h>

#include <cmath>

namespace flcommon {

probe::Error usage_error(std::string message) { return probe::make_error(probe::ErrorKind::usage, std::move(message)); }

probe::Error range_error(const char* name, long long lo, long long hi) {
  return usage_error(fmt::format("--{} must be between {} and {}", name, lo, hi));
}

std::optional<probe::Error> read_wait_us(const boost::program_options::variables_map& vm, std::int64_t& out) {
  const double wait = vm["wait"].as<double>();
  if (!(wait >= 0.001 && wait <= 60)) return usage_error("--wait must be between 0.001 and 60 seconds");
  out = std::llround(wait * 1e6);
  return std::nullopt;
}

std::optional<probe::Error> read_pps(const boost::program_options::variables_map& vm, double& out) {
  const double pps = vm["pps"].as<double>();
  if (!(pps >= 1 && pps <= 1e6)) return usage_error("--pps must be between 1 and 1000000");
  out = pps;
  return std::nullopt;
}

}  // namespace flcommon
