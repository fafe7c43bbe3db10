// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/trace_output_thread.h"

#include "probe/sched/quiet_thread.h"

namespace probe::format {

TraceOutputThread::TraceOutputThread(Write write, Flush flush)
    : write_(std::move(write)), flush_(std::move(flush)) {
  thread_ = sched::quiet_thread([this] { run(); });
}

TraceOutputThread::~TraceOutputThread() { finish(); }

void TraceOutputThread::push(std::unique_ptr<model::Trace> trace) {
  std::vector<std::unique_ptr<model::Trace>> written;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return queue_.size() < kMaxQueued; });
    queue_.push_back(std::move(trace));
    // Wake the thread for a batch, not for every trace: a wake-up costs
    // more than writing a trace. Stragglers go after kLinger, or with the
    // next flush request.
    if (queue_.size() == kBatch) cv_.notify_all();
    written.swap(written_);
  }
  // Freed here, on the thread that allocated them: freeing them on the
  // output thread contends for malloc's arena lock with every allocation
  // the engine makes.
}

void TraceOutputThread::request_flush() {
  std::lock_guard<std::mutex> lock(mu_);
  flush_wanted_ = true;
  cv_.notify_all();
}

void TraceOutputThread::finish() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void TraceOutputThread::run() {
  std::deque<std::unique_ptr<model::Trace>> batch;
  for (;;) {
    bool flush = false;
    bool done = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // A trace waits for a batch at most kLinger: results trickle out
      // promptly when traces finish slowly.
      bool woken = cv_.wait_for(lock, kLinger, [this] { return done_ || flush_wanted_ || queue_.size() >= kBatch; });
      batch.swap(queue_);
      flush = flush_wanted_ || (!woken && !batch.empty());
      flush_wanted_ = false;
      done = done_;
    }
    cv_.notify_all();  // room again for a waiting push()
    for (auto& t : batch) write_(*t);
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& t : batch) written_.push_back(std::move(t));
    }
    batch.clear();
    if (flush || done) flush_();
    if (done) {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) return;
    }
  }
}

}  // namespace probe::format
