// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The BPF expression that captures a run's probes and their replies.

#include <string>

#include "probe/engine/trace_engine.h"

namespace probe::engine {

std::string capture_filter(const TraceConfig& config);

/// fl-dns: our DNS over UDP and TCP to the servers' `port` and ICMP errors sent to us.
std::string dns_capture_filter(const model::Address& src, std::uint16_t port);

}  // namespace probe::engine
