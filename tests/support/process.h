// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Running a real binary from a test: argv in, exit code and both streams out.
// Standard C++ and POSIX only: the lab builds this before libprobe exists
// (see CMakeLists.txt), so its handles are its own, not the library's.

#include <string>
#include <vector>

namespace testsupport {

struct Outcome {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with the arguments, no shell involved; kills it after
// timeout_s seconds.
Outcome run(const std::vector<std::string>& argv, int timeout_s = 120);

// A fresh directory under $TMPDIR, removed with its content on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

}  // namespace testsupport
