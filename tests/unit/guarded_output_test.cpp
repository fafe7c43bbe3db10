// SPDX-License-Identifier: BSD-2-Clause
// GuardedOutput: results that cannot be written raise the halt flag at once
// and keep the errno text; to a file descriptor only whole lines stay.

#include "guarded_output.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <fstream>
#include <string>

#include "process.h"

namespace {

using flcommon::GuardedOutput;

TEST(GuardedOutput, FullDiskHaltsAndLeavesWholeLines) {
  testsupport::TempDir dir;
  const std::string path = dir.file("out.json");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  std::atomic<int> halt{0};
  auto out = GuardedOutput::to_fd(fd, halt);

  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit tight = old;
  tight.rlim_cur = 1000;  // 1000 bytes: not a multiple of the 39-byte lines
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &tight), 0);
  for (int i = 0; i < 100; ++i) {
    out->stream() << "{\"type\":\"trace\",\"n\":" << 1000 + i << ",\"pad\":\"xxxx\"}\n";
    if (i % 10 == 9) out->stream() << std::flush;
  }
  const std::string err = out->finish();
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  ::close(fd);

  EXPECT_EQ(err, std::strerror(EFBIG));
  EXPECT_EQ(halt.load(), 2);
  const std::string got = testsupport::read_file(path);
  ASSERT_FALSE(got.empty());
  EXPECT_LE(got.size(), 1000u);
  EXPECT_EQ(got.back(), '\n');
  EXPECT_EQ(got.size() % 39, 0u) << got;
}

TEST(GuardedOutput, ThroughAFileBufferOnAFullDevice) {
  std::ofstream full("/dev/full");
  ASSERT_TRUE(full.is_open());
  std::atomic<int> halt{0};
  auto out = GuardedOutput::through(full.rdbuf(), halt);
  out->stream() << "{\"type\":\"trace\"}\n" << std::flush;
  EXPECT_EQ(out->finish(), "No space left on device");
  EXPECT_EQ(halt.load(), 2);
}

TEST(GuardedOutput, WritesThroughWhenAllIsWell) {
  testsupport::TempDir dir;
  const std::string path = dir.file("ok.json");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  std::atomic<int> halt{0};
  {
    auto out = GuardedOutput::to_fd(fd, halt);
    for (int i = 0; i < 5000; ++i) out->stream() << "line " << i << '\n';  // past the 64 KiB buffer
    EXPECT_EQ(out->finish(), "");
  }
  ::close(fd);
  EXPECT_EQ(halt.load(), 0);
  std::string want;
  for (int i = 0; i < 5000; ++i) want += "line " + std::to_string(i) + "\n";
  EXPECT_EQ(testsupport::read_file(path), want);
}

}  // namespace
