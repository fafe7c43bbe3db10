// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Named lab topologies (descriptions in the format of lab.h) shared by the
/// lab tests and `fl-lab`.
///
/// Every scenario has a vantage node `vp` (198.18.0.1) whose only link goes
/// to router r1 (198.18.0.2), and a destination block 198.18.200.0/24 held by
/// node `dst` in which every address answers (echo reply, TCP RST, UDP port
/// unreachable). Routers answer time-exceeded from their address on the link
/// towards vp, so hop k of the chain is addr(rk, r(k-1)).

#include <optional>
#include <string>
#include <vector>

namespace probe::lab {

inline constexpr const char* kBlock = "198.18.200.0/24";   ///< the destination block
inline constexpr const char* kTarget = "198.18.200.1";     ///< one address of it
inline constexpr const char* kVantage = "vp";              ///< node that runs the tools

/// Names of all built-in scenarios, in a stable order.
std::vector<std::string> scenario_names();
/// One line of documentation per scenario.
std::string scenario_summary(const std::string& name);
/// The description of a scenario, or nothing for an unknown name.
std::optional<std::string> scenario(const std::string& name);

}  // namespace probe::lab
