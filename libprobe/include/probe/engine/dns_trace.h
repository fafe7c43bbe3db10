// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// fl-dns --trace: one DNS query sent with TTL 1, 2, 3... as a Paris trace
/// (method dns), so that the hop where DNS packets die shows.

#include <cstdint>

#include "probe/engine/dns_engine.h"
#include "probe/engine/trace_engine.h"
#include "probe/model/dns.h"

namespace probe::engine {

/// The trace engine's configuration for `query` toward its server, from the
/// DNS run's: same source, port, run key, timing and pace (tries become
/// attempts per hop), destination port 53, TTLs up to `max_ttl`, ending
/// after `gaplimit` silent hops in a row.
TraceConfig dns_trace_config(const DnsConfig& dns, const model::DnsQuery& query, std::uint8_t max_ttl, int gaplimit);

}  // namespace probe::engine
