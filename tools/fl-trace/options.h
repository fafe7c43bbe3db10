#pragma once
// fl-trace's command line, parsed into values; no side effects.

#include <string>
#include <vector>

#include "probe/engine/trace_engine.h"
#include "probe/error.h"

namespace fltrace {

enum class OutputFormat { text, json };

struct Options {
  probe::engine::TraceConfig config;     // src, run_key and sport filled later when not given
  bool sport_given = false;
  std::vector<std::string> targets;      // specs from the command line
  std::string target_file;               // -T
  std::string interface;                 // -i
  std::string source;                    // -S
  std::string write_path;                // -w
  std::string read_path;                 // -r
  OutputFormat output = OutputFormat::text;
  std::string output_file;               // -O
  std::string user;                      // --user: who to become once sockets are open
  bool help = false;
  bool version = false;
};

// The --help text.
std::string usage();

// Parses argv. A usage error says what is wrong in one line.
probe::Result<Options> parse_options(int argc, const char* const* argv);

}  // namespace fltrace
