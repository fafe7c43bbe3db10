// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Formatting and writing finished traces on a thread of their own, so that
/// the engine's thread (probing live, or reading a capture) never waits for
/// output: a replayed campaign prints a hundred megabytes.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "probe/model/trace.h"

namespace probe::format {

class TraceOutputThread {
 public:
  using Write = std::function<void(const model::Trace&)>;
  using Flush = std::function<void()>;
  /// `write` and `flush` run on the output thread only, traces in the order
  /// they were pushed.
  TraceOutputThread(Write write, Flush flush);
  /// finish().
  ~TraceOutputThread();
  TraceOutputThread(const TraceOutputThread&) = delete;
  TraceOutputThread& operator=(const TraceOutputThread&) = delete;

  /// Queues a trace; waits while `kMaxQueued` are queued (output slower than
  /// the engine: it paces the engine as a blocking write would). The thread
  /// takes traces `kBatch` at a time, or all at a flush request, at finish()
  /// or once they waited `kLinger` (then it flushes too).
  void push(std::unique_ptr<model::Trace> trace);
  /// Asks for what is queued now to be written and flushed; does not wait.
  void request_flush();
  /// Writes everything queued, flushes and ends the thread. Idempotent.
  void finish();

  static constexpr std::size_t kBatch = 256;
  static constexpr std::chrono::milliseconds kLinger{200};
  static constexpr std::size_t kMaxQueued = 4096;

 private:
  void run();

  Write write_;
  Flush flush_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<model::Trace>> queue_;  // guarded by mu_
  std::vector<std::unique_ptr<model::Trace>> written_;  // guarded by mu_; push() frees them
  bool flush_wanted_ = false;                          // guarded by mu_
  bool done_ = false;                                  // guarded by mu_
  std::thread thread_;
};

}  // namespace probe::format
