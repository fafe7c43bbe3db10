// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: the three tools' command lines. The input is argv
// without argv[0], arguments separated by NUL bytes; each tool parses it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// Every tool has an options.h on the include path: name each by path.
#include "../../tools/fl-dns/options.h"
#include "../../tools/fl-locate/options.h"
#include "../../tools/fl-trace/options.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kMaxArgs = 64;
  std::vector<std::string> args{"fl"};
  std::string arg;
  for (std::size_t i = 0; i < size && args.size() < kMaxArgs; ++i) {
    if (data[i] == 0) {
      args.push_back(arg);
      arg.clear();
    } else {
      arg += static_cast<char>(data[i]);
    }
  }
  if (!arg.empty() && args.size() < kMaxArgs) args.push_back(arg);
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  const int argc = static_cast<int>(argv.size());
  (void)fltrace::parse_options(argc, argv.data());
  (void)fldns::parse_options(argc, argv.data());
  (void)fllocate::parse_options(argc, argv.data());
  return 0;
}
