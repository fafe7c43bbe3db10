// SPDX-License-Identifier: BSD-2-Clause
// A main() for the fuzz targets when libFuzzer is not there (gcc builds):
// runs LLVMFuzzerTestOneInput once over each file named on the command line,
// or over each regular file in a directory named there. This is how the
// crashes the fuzzer found stay fixed in every build, sanitized or not.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A heap copy of the exact size, as libFuzzer gives: ASan sees one byte too far.
  std::vector<std::uint8_t> exact(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(exact.empty() ? nullptr : exact.data(), exact.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& e : std::filesystem::directory_iterator(arg)) {
        if (!e.is_regular_file()) continue;
        run_file(e.path());
        ++count;
      }
    } else if (std::filesystem::exists(arg)) {
      run_file(arg);
      ++count;
    }
  }
  std::printf("%zu inputs ran\n", count);
  return 0;
}
