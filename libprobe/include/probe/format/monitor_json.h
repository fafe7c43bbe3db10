// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// fl-monitor's outages and events as JSON: the event lines it prints, the
/// rows its database keeps, and (read back) the timeline a restart resumes.
/// Times are microseconds since the epoch (`_us`).

#include <nlohmann/json.hpp>
#include <optional>

#include "probe/monitor/timeline.h"

namespace probe::format {

nlohmann::json to_json(const monitor::Outage& o);
/// One event line: {"event": "start"|"verdict"|"end", "outage": {...}} plus
/// `country` and `vantage` (the vantage point's name) when given.
nlohmann::json to_json(const monitor::Event& e, const std::string& country, const std::string& vantage = "");
nlohmann::json to_json(const monitor::KeyState& k);

/// What to_json wrote, read back; nullopt for anything else.
std::optional<monitor::Outage> outage_from_json(const nlohmann::json& j);
std::optional<monitor::KeyState> key_state_from_json(const nlohmann::json& j);

}  // namespace probe::format
