// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// fl-probed's command line, parsed into values; no side effects.

#include <cstddef>
#include <string>

#include "probe/error.h"
#include "shared_options.h"

namespace flprobed {

struct Options : flcommon::CommonOptions {
  std::string socket_path;          // --socket
  std::string group;                // --group: who may connect ("" = root only)
  double pps = 1000;                // --pps: every request together
  std::size_t max_running = 16;     // --max-running: requests probing at once
  std::size_t max_queued = 64;      // --max-queued: requests waiting for a turn
  std::uint64_t max_targets = 65536;  // --max-targets: addresses per request
  bool whole_frames = false;        // --whole-frames: fl-dns's snaplen and ring, not fl-trace's
};

// The --help text.
std::string usage();

// Parses argv. A usage error says what is wrong in one line.
probe::Result<Options> parse_options(int argc, const char* const* argv);

}  // namespace flprobed
