// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// dig-like text for people at a terminal.

#include <ostream>

#include "probe/model/dns.h"

namespace probe::format {

/// A dig-like block for one exchange.
void write_text(std::ostream& out, const model::DnsExchange& exchange);
/// dig +short: the data of each answer record, one a line; a ";;" line
/// saying why when there is no answer.
void write_short(std::ostream& out, const model::DnsExchange& exchange);
/// A zone check: the delegation, one line per server, the verdict.
void write_text(std::ostream& out, const model::ZoneReport& report);

}  // namespace probe::format
