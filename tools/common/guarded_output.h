// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// The stream a tool's results go through, which notices at once when they
// cannot be written (a full disk): it keeps the errno text and raises the
// halt flag, so the run stops instead of going on for nothing.

#include <atomic>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

namespace flcommon {

class GuardedOutput {
 public:
  // Results to a file descriptor (stdout), written in whole lines: if a
  // write fails, a regular file is cut back to its last whole line.
  static std::unique_ptr<GuardedOutput> to_fd(int fd, std::atomic<int>& halt);
  // Results through another stream's buffer (the -O file, removed anyway if
  // it cannot be committed).
  static std::unique_ptr<GuardedOutput> through(std::streambuf* inner, std::atomic<int>& halt);
  virtual ~GuardedOutput() = default;

  std::ostream& stream() { return stream_; }
  // Writes out what is buffered; "" or the errno text of the first failure.
  std::string finish();

 protected:
  GuardedOutput() : stream_(nullptr) {}
  std::ostream stream_;
};

}  // namespace flcommon
