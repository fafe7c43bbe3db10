// SPDX-License-Identifier: BSD-2-Clause
// The output thread: every trace written, in the order handed over, and
// flushed; a flush request does not wait for a full batch.

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "probe/format/trace_output_thread.h"

namespace {

using probe::format::TraceOutputThread;
using probe::model::Address;
using probe::model::Trace;

std::unique_ptr<Trace> trace_to(std::uint32_t i) {
  auto t = std::make_unique<Trace>();
  t->dst = Address::v4(i);
  t->hops.emplace_back(1);
  return t;
}

TEST(TraceOutputThread, WritesEveryTraceInOrderAndFlushesAtTheEnd) {
  // More than the queue holds: push() must wait for the writer, not drop.
  const std::uint32_t n = 3 * TraceOutputThread::kMaxQueued + 17;
  std::vector<std::uint32_t> written;
  int flushes = 0;
  std::size_t at_last_flush = 0;
  TraceOutputThread out([&](const Trace& t) { written.push_back(t.dst.v4_host()); },
                        [&] {
                          ++flushes;
                          at_last_flush = written.size();
                        });
  for (std::uint32_t i = 0; i < n; ++i) out.push(trace_to(i));
  out.finish();
  ASSERT_EQ(written.size(), n);
  for (std::uint32_t i = 0; i < n; ++i) ASSERT_EQ(written[i], i);
  EXPECT_GE(flushes, 1);
  EXPECT_EQ(at_last_flush, n);
  out.finish();  // again: nothing more happens
  EXPECT_EQ(written.size(), n);
}

// What an output thread wrote and how often it flushed, read from the test's
// thread while it runs.
struct Recorder {
  std::mutex mu;
  std::vector<std::uint32_t> written;
  int flushes = 0;

  TraceOutputThread thread() {
    return TraceOutputThread(
        [this](const Trace& t) {
          std::lock_guard<std::mutex> lock(mu);
          written.push_back(t.dst.v4_host());
        },
        [this] {
          std::lock_guard<std::mutex> lock(mu);
          ++flushes;
        });
  }
  // Waits (bounded: not a timing assertion) until `n` traces were written
  // and flushed.
  bool eventually_flushed(std::size_t n) {
    for (int k = 0; k < 500; ++k) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (written.size() == n && flushes >= 1) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
};

TEST(TraceOutputThread, AFewTracesAreWrittenAndFlushedWithoutARequest) {
  Recorder rec;
  TraceOutputThread out = rec.thread();
  out.push(trace_to(7));
  EXPECT_TRUE(rec.eventually_flushed(1))
      << "a lone trace was not written and flushed within 5 s";
  out.finish();
}

TEST(TraceOutputThread, AFlushRequestWritesAPartialBatch) {
  Recorder rec;
  TraceOutputThread out = rec.thread();
  ASSERT_GT(TraceOutputThread::kBatch, 3u);
  for (std::uint32_t i = 0; i < 3; ++i) out.push(trace_to(i));
  out.request_flush();
  EXPECT_TRUE(rec.eventually_flushed(3))
      << "a flush request left a partial batch unwritten for 5 s";
  out.finish();
  std::lock_guard<std::mutex> lock(rec.mu);
  EXPECT_EQ(rec.written, (std::vector<std::uint32_t>{0, 1, 2}));
}

}  // namespace
