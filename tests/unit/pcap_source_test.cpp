// SPDX-License-Identifier: BSD-2-Clause
// FileSource: frames read back from capture files whose fields are extreme.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "probe/io/packet_source.h"
#include "process.h"

namespace {

void put32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A little-endian pcapng file: section header, one Ethernet interface, and an
// enhanced packet block per timestamp (µs), each holding four bytes.
std::string pcapng_with_timestamps(const std::vector<std::uint64_t>& stamps) {
  std::string s;
  put32(s, 0x0A0D0D0A); put32(s, 28); put32(s, 0x1A2B3C4D); put32(s, 1);  // version 1.0
  put32(s, 0xffffffff); put32(s, 0xffffffff); put32(s, 28);               // section length unknown
  put32(s, 1); put32(s, 20); put32(s, 1); put32(s, 65535); put32(s, 20);  // IDB: link type 1
  for (auto ts : stamps) {
    put32(s, 6); put32(s, 36); put32(s, 0);
    put32(s, static_cast<std::uint32_t>(ts >> 32)); put32(s, static_cast<std::uint32_t>(ts));
    put32(s, 4); put32(s, 4); put32(s, 0xdeadbeef); put32(s, 36);
  }
  return s;
}

// Found by fuzz_capture: a 64-bit microsecond count is 1.8e13 s, and the
// conversion to µs overflowed (undefined behaviour, then a negative time).
TEST(FileSource, TimestampAtTheEndOf64BitTimeIsPinnedNotOverflowed) {
  testsupport::TempDir dir;
  const std::string path = dir.file("far.pcapng");
  testsupport::write_file(path, pcapng_with_timestamps({1764320000000000, UINT64_MAX}));
  auto src = probe::io::open_file(path);
  ASSERT_TRUE(src) << src.error().message;
  auto first = (*src)->next(INT64_MAX);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->ts_us, 1764320000000000);
  auto far = (*src)->next(INT64_MAX);
  ASSERT_TRUE(far);
  constexpr std::int64_t kYear10000Us = 253402300800LL * 1000000;
  EXPECT_GE(far->ts_us, kYear10000Us);
  EXPECT_LT(far->ts_us, kYear10000Us + 1000000);
  EXPECT_FALSE((*src)->next(INT64_MAX));
  EXPECT_TRUE((*src)->exhausted());
  EXPECT_EQ((*src)->error(), "");
}

}  // namespace
