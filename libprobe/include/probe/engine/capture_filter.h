#pragma once
/// The BPF expression that captures a run's probes and their replies.

#include <string>

#include "probe/engine/trace_engine.h"

namespace probe::engine {

std::string capture_filter(const TraceConfig& config);

}  // namespace probe::engine
