// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The JSON forms of DNS exchanges and zone checks (fl-json(5)).

#include <nlohmann/json.hpp>

#include "probe/model/dns.h"

namespace probe::format {

/// The fl-json(5) "dns" object.
nlohmann::ordered_json to_json(const model::DnsExchange& exchange);
/// The fl-json(5) "zone" object.
nlohmann::ordered_json to_json(const model::ZoneReport& report);

}  // namespace probe::format
