#pragma once
// What every tool's main does the same way: exit codes, Ctrl-C handling,
// error messages, and opening the results (file or stdout) before dropping
// root.

#include <atomic>
#include <optional>
#include <ostream>
#include <string>

#include "probe/error.h"
#include "results_file.h"

namespace flcommon {

// Exit codes shared by all tools (see the EXIT STATUS of their man pages).
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitPrivilege = 3;
inline constexpr int kExitInput = 4;
inline constexpr int kExitOutput = 5;
inline constexpr int kExitInterrupted = 130;

// How many times SIGINT/SIGTERM arrived: 1 = finish what is in flight,
// 2 = stop now. The one piece of global state: a handler reaches nothing else.
std::atomic<int>& halt_flag();
void install_signals();

// Prints "TOOL: message" (with a --help hint for usage errors) and returns
// the exit code for the error's kind.
int fail(const char* tool, const probe::Error& e);

// Where results go: the -O file (complete or absent, see ResultsFile) or
// stdout. Opened while still privileged; then drops privileges to `user`.
class Output {
 public:
  static probe::Result<Output> open(const std::string& path, const std::string& user);
  std::ostream& stream();
  // Commits the file, or flushes stdout; an output error if that fails.
  probe::Result<bool> finish();

 private:
  std::optional<ResultsFile> file_;
};

}  // namespace flcommon
