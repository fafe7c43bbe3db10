// SPDX-License-Identifier: BSD-2-Clause
// CaptureWriter: pcapng files that libpcap reads back, and the run record
// kept in their section header.

#include "probe/io/capture_writer.h"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "probe/io/packet_source.h"
#include "real_packets.h"
#include "process.h"

namespace {

using probe::ErrorKind;
using probe::io::CaptureWriter;
using probe::io::open_file;
using probe::io::RawPacket;
using probe::io::read_section_comment;

struct Frame {
  std::int64_t ts_us;
  std::vector<std::uint8_t> bytes;
};

template <std::size_t N>
Frame frame(std::int64_t ts, const std::uint8_t (&a)[N]) {
  return Frame{ts, std::vector<std::uint8_t>(a, a + N)};
}

std::vector<Frame> lab_frames() {
  return {frame(1764318125675841, fixtures::kLabUdpProbe),
          frame(1764318125675888, fixtures::kLabUdpTe),  // 47 µs later
          frame(1764318125675888, fixtures::kLabTcpProbe),  // same µs
          frame(1764318126000001, fixtures::kLabTcpRst),
          frame(1764318127999999, fixtures::kLabIcmpTe)};  // caplen not a multiple of 4
}

void write_frames(CaptureWriter& w, const std::vector<Frame>& frames) {
  for (const auto& f : frames) {
    RawPacket p;
    p.ts_us = f.ts_us;
    p.data = f.bytes.data();
    p.caplen = static_cast<std::uint32_t>(f.bytes.size());
    p.len = p.caplen;
    ASSERT_TRUE(w.write(p));
  }
}

void write_capture(const std::string& path, const std::string& comment,
                   const std::vector<Frame>& frames) {
  auto w = CaptureWriter::create(path, 1, comment);
  ASSERT_TRUE(w) << w.error().message;
  write_frames(**w, frames);
  ASSERT_TRUE((*w)->flush());
}

TEST(CaptureWriter, FramesReadBackWithTheirTimestamps) {
  testsupport::TempDir dir;
  const std::string path = dir.file("run.pcapng");
  const auto frames = lab_frames();
  write_capture(path, "faultline-run {}", frames);

  auto src = open_file(path);
  ASSERT_TRUE(src) << src.error().message;
  EXPECT_EQ((*src)->linktype(), 1);
  for (const auto& f : frames) {
    auto p = (*src)->next(probe::sched::kNever);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->ts_us, f.ts_us);
    EXPECT_EQ(p->linktype, 1);
    ASSERT_EQ(p->caplen, f.bytes.size());
    EXPECT_EQ(p->len, f.bytes.size());
    EXPECT_EQ(std::vector<std::uint8_t>(p->data, p->data + p->caplen), f.bytes);
  }
  EXPECT_FALSE((*src)->next(probe::sched::kNever));
  EXPECT_TRUE((*src)->exhausted());
  EXPECT_EQ((*src)->stats().delivered, frames.size());
}

TEST(CaptureWriter, SnappedFrameKeepsItsWireLength) {
  testsupport::TempDir dir;
  const std::string path = dir.file("snap.pcapng");
  {
    auto w = CaptureWriter::create(path, 1, "c");
    ASSERT_TRUE(w);
    RawPacket p;
    p.ts_us = 1000000;
    p.data = fixtures::kLabUdpTe;
    p.caplen = 42;
    p.len = sizeof fixtures::kLabUdpTe;
    ASSERT_TRUE((*w)->write(p));
  }  // closed by the destructor
  auto src = open_file(path);
  ASSERT_TRUE(src);
  auto p = (*src)->next(probe::sched::kNever);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->caplen, 42u);
  EXPECT_EQ(p->len, sizeof fixtures::kLabUdpTe);
}

TEST(CaptureWriter, SectionCommentReadsBack) {
  testsupport::TempDir dir;
  const std::string path = dir.file("c.pcapng");
  const std::string comment = "faultline-run {\"version\":1,\"tool\":\"fl-trace\"}";
  write_capture(path, comment, lab_frames());
  auto c = read_section_comment(path);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ(**c, comment);
}

TEST(CaptureWriter, CommentsOfEveryPaddingLength) {
  testsupport::TempDir dir;
  for (std::size_t n = 1; n <= 9; ++n) {
    const std::string path = dir.file("p" + std::to_string(n) + ".pcapng");
    const std::string comment(n, 'k');
    write_capture(path, comment, {});
    auto c = read_section_comment(path);
    ASSERT_TRUE(c && c->has_value()) << n;
    EXPECT_EQ(**c, comment);
  }
}

// A pcapng option holds at most 65535 bytes: longer records (many targets)
// are split over several comments and joined back in order.
TEST(CaptureWriter, CommentLongerThan65535BytesIsSplitAndJoined) {
  testsupport::TempDir dir;
  for (std::size_t size : {std::size_t{65532}, std::size_t{65535}, std::size_t{65536},
                           std::size_t{200003}}) {
    const std::string path = dir.file("long.pcapng");
    std::string comment;
    for (std::size_t i = 0; comment.size() < size; ++i) comment += std::to_string(i) + ",";
    comment.resize(size);
    const auto frames = lab_frames();
    write_capture(path, comment, frames);
    auto c = read_section_comment(path);
    ASSERT_TRUE(c && c->has_value()) << size;
    EXPECT_EQ(c->value().size(), size);
    EXPECT_TRUE(**c == comment) << size;
    // And libpcap still reads the frames behind the large header.
    auto src = open_file(path);
    ASSERT_TRUE(src) << src.error().message;
    std::size_t n = 0;
    while ((*src)->next(probe::sched::kNever)) ++n;
    EXPECT_EQ(n, frames.size()) << size;
  }
}

TEST(ReadSectionComment, ClassicPcapHasNone) {
  testsupport::TempDir dir;
  const std::string path = dir.file("classic.pcap");
  {
    // A classic pcap header (little-endian, µs, Ethernet) and one frame.
    std::ofstream out(path, std::ios::binary);
    const std::uint8_t header[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                                     0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0};
    out.write(reinterpret_cast<const char*>(header), sizeof header);
    const std::uint32_t rec[4] = {1764318125, 675841, sizeof fixtures::kLabUdpProbe,
                                  sizeof fixtures::kLabUdpProbe};
    out.write(reinterpret_cast<const char*>(rec), sizeof rec);
    out.write(reinterpret_cast<const char*>(fixtures::kLabUdpProbe), sizeof fixtures::kLabUdpProbe);
  }
  auto c = read_section_comment(path);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->has_value());
  // It is still a readable capture.
  auto src = open_file(path);
  ASSERT_TRUE(src);
  auto p = (*src)->next(probe::sched::kNever);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ts_us, 1764318125675841);
}

void write_bytes(const std::string& path, const std::vector<std::uint8_t>& b) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

TEST(ReadSectionComment, OtherToolsPcapngWithoutComment) {
  // The section header and interface block of tcpdump__icmp-cksum-oobr-4.pcapng
  // (written by editcap: a shb_userappl option, no comment).
  const std::vector<std::uint8_t> head = {
      0x0a, 0x0d, 0x0d, 0x0a, 0x34, 0x00, 0x00, 0x00, 0x4d, 0x3c, 0x2b, 0x1a, 0x01, 0x00, 0x00, 0x00,
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x04, 0x00, 0x0d, 0x00, 0x45, 0x64, 0x69, 0x74,
      0x63, 0x61, 0x70, 0x20, 0x32, 0x2e, 0x30, 0x2e, 0x32, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x34, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00,
      0x00, 0x20, 0x00, 0x00, 0x09, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x20, 0x00, 0x00, 0x00};
  testsupport::TempDir dir;
  const std::string path = dir.file("editcap.pcapng");
  write_bytes(path, head);
  auto c = read_section_comment(path);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->has_value());
}

TEST(ReadSectionComment, BigEndianSectionHeader) {
  // A pcapng written on a big-endian host: every field byte-swapped.
  const std::vector<std::uint8_t> shb = {
      0x0a, 0x0d, 0x0d, 0x0a, 0x00, 0x00, 0x00, 0x2c, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x01, 0x00, 0x00,
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x00, 0x05, 'h',  'e',  'l',  'l',
      'o',  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2c};
  testsupport::TempDir dir;
  const std::string path = dir.file("be.pcapng");
  write_bytes(path, shb);
  auto c = read_section_comment(path);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ(**c, "hello");
}

TEST(ReadSectionComment, EmptyOrTruncatedFilesHaveNone) {
  testsupport::TempDir dir;
  const std::string empty = dir.file("empty");
  write_bytes(empty, {});
  auto e = read_section_comment(empty);
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->has_value());

  // Our own file cut inside its section header.
  const std::string whole = dir.file("whole.pcapng");
  write_capture(whole, "faultline-run {\"x\":1}", {});
  std::ifstream in(whole, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  bytes.resize(30);
  const std::string cut = dir.file("cut.pcapng");
  write_bytes(cut, bytes);
  auto c = read_section_comment(cut);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->has_value());
}

TEST(CaptureWriter, KeepsTheLinkType) {
  testsupport::TempDir dir;
  const std::string path = dir.file("ppp.pcapng");
  {
    auto w = CaptureWriter::create(path, 9, "c");
    ASSERT_TRUE(w);
    RawPacket p;
    p.ts_us = 1;
    p.data = fixtures::kPppTeMpls100704;
    p.caplen = p.len = sizeof fixtures::kPppTeMpls100704;
    p.linktype = 9;
    ASSERT_TRUE((*w)->write(p));
  }
  auto src = open_file(path);
  ASSERT_TRUE(src);
  EXPECT_EQ((*src)->linktype(), 9);
  auto p = (*src)->next(probe::sched::kNever);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->linktype, 9);
  EXPECT_EQ(p->ts_us, 1);
}

TEST(ReadSectionComment, MissingFileIsAnInputError) {
  testsupport::TempDir dir;
  const std::string path = dir.file("nope.pcapng");
  auto c = read_section_comment(path);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::input);
  EXPECT_NE(c.error().message.find(path), std::string::npos);
  auto src = open_file(path);
  ASSERT_FALSE(src);
  EXPECT_EQ(src.error().kind, ErrorKind::input);
}

TEST(CaptureWriter, UnwritablePathIsAnOutputError) {
  auto w = CaptureWriter::create("/nonexistent-dir/x.pcapng", 1, "c");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind, ErrorKind::output);
  EXPECT_NE(w.error().message.find("/nonexistent-dir/x.pcapng"), std::string::npos);
}

TEST(CaptureWriter, FullDeviceIsAnOutputErrorWithItsErrno) {
  auto w = CaptureWriter::create("/dev/full", 1, "c");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind, ErrorKind::output);
  EXPECT_EQ(w.error().message, "/dev/full: write failed: No space left on device");
}

std::size_t block_bytes(const Frame& f) { return 32 + ((f.bytes.size() + 3) & ~std::size_t{3}); }

RawPacket packet_of(const Frame& f) {
  RawPacket p;
  p.ts_us = f.ts_us;
  p.data = f.bytes.data();
  p.caplen = p.len = static_cast<std::uint32_t>(f.bytes.size());
  return p;
}

// A file size limit fails writes the way a full disk does, without root.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &old_);
    handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit tight = old_;
    tight.rlim_cur = bytes;
    ok_ = setrlimit(RLIMIT_FSIZE, &tight) == 0;
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, handler_);
  }
  bool ok() const { return ok_; }

 private:
  rlimit old_{};
  void (*handler_)(int) = nullptr;
  bool ok_ = false;
};

// Frames read back from a capture, and whether the reader found it whole.
struct ReadBack {
  std::vector<std::int64_t> ts;
  std::string error;
  bool cut = false;
};

ReadBack read_back(const std::string& path) {
  ReadBack r;
  auto src = open_file(path);
  if (!src) {
    r.error = src.error().message;
    return r;
  }
  while (auto p = (*src)->next(probe::sched::kNever)) r.ts.push_back(p->ts_us);
  r.error = (*src)->error();
  r.cut = (*src)->cut().has_value();
  return r;
}

// A disk that fills mid-run: writing the buffer out fails, the halt flag is
// raised to stop now, the error names the file and errno, and the file ends
// at its last whole block - it replays, without damage.
TEST(CaptureWriter, WriteThatFailsMidBlockHaltsAndLeavesWholeBlocks) {
  testsupport::TempDir dir;
  const std::string path = dir.file("full.pcapng");
  auto w = CaptureWriter::create(path, 1, "faultline-run {}");
  ASSERT_TRUE(w) << w.error().message;
  std::atomic<int> halt{0};
  (*w)->halt_on_failure(halt);
  const auto header = std::filesystem::file_size(path);
  const auto frames = lab_frames();
  const std::size_t room = 150;  // one frame and a part of the next
  std::size_t fit = 0;
  for (std::size_t used = 0; fit < frames.size() && used + block_bytes(frames[fit]) <= room; ++fit)
    used += block_bytes(frames[fit]);
  ASSERT_GE(fit, 1u);
  ASSERT_LT(fit, frames.size());
  {
    FileSizeLimit limit(header + room);
    ASSERT_TRUE(limit.ok());
    for (const auto& f : frames) EXPECT_TRUE((*w)->write(packet_of(f)));  // buffered
    EXPECT_EQ(halt.load(), 0);
    EXPECT_FALSE((*w)->flush());
  }
  EXPECT_EQ(halt.load(), 2);
  EXPECT_EQ((*w)->error(), path + ": write failed: " + std::strerror(EFBIG));
  EXPECT_FALSE((*w)->write(packet_of(frames[0])));  // the error sticks
  EXPECT_FALSE((*w)->flush());
  w->reset();

  auto r = read_back(path);
  EXPECT_EQ(r.ts.size(), fit);
  EXPECT_EQ(r.error, "");  // whole blocks only: no damage, no cut
  EXPECT_FALSE(r.cut);
}

// The buffer fills and its write stops part-way through (the disk had room
// for some of it): every block before the cut stays, the cut one goes, and
// the frame that filled the buffer is the one that reports the failure.
TEST(CaptureWriter, BufferCutPartWayKeepsEveryWholeBlockBeforeTheCut) {
  testsupport::TempDir dir;
  const std::string path = dir.file("part.pcapng");
  auto w = CaptureWriter::create(path, 1, "faultline-run {}");
  ASSERT_TRUE(w) << w.error().message;
  const auto header = std::filesystem::file_size(path);
  const auto frames = lab_frames();
  const std::size_t room = 40001;  // less than the buffer, and inside a block
  std::size_t written = 0, buffered = 0;
  {
    FileSizeLimit limit(header + room);
    ASSERT_TRUE(limit.ok());
    for (std::size_t i = 0; i < 100000; ++i) {
      const Frame& f = frames[i % frames.size()];
      if (!(*w)->write(packet_of(Frame{static_cast<std::int64_t>(i), f.bytes}))) break;
      ++written;
      buffered += block_bytes(f);
    }
  }
  // Every write until the buffer was full succeeded.
  EXPECT_LT(buffered, CaptureWriter::kBufferBytes);
  EXPECT_GE(buffered + block_bytes(frames[written % frames.size()]), CaptureWriter::kBufferBytes);
  std::size_t fit = 0;
  std::uint64_t fit_bytes = 0;
  while (fit_bytes + block_bytes(frames[fit % frames.size()]) <= room) fit_bytes += block_bytes(frames[fit++ % frames.size()]);
  w->reset();

  EXPECT_EQ(std::filesystem::file_size(path), header + fit_bytes);
  auto r = read_back(path);
  ASSERT_EQ(r.ts.size(), fit);
  EXPECT_EQ(r.ts.back(), static_cast<std::int64_t>(fit - 1));
  EXPECT_EQ(r.error, "");
  EXPECT_FALSE(r.cut);
}

// Frames wait in the buffer at most a second of capture time: a quiet run
// killed with -9 still has them on disk.
TEST(CaptureWriter, BufferedFramesAreDueASecondAfterTheFirst) {
  testsupport::TempDir dir;
  const std::string path = dir.file("due.pcapng");
  auto w = CaptureWriter::create(path, 1, "c");
  ASSERT_TRUE(w);
  const auto header = std::filesystem::file_size(path);
  EXPECT_EQ((*w)->due_us(), probe::sched::kNever);
  const auto frames = lab_frames();
  ASSERT_TRUE((*w)->write(packet_of(frames[0])));
  ASSERT_TRUE((*w)->write(packet_of(frames[1])));
  const std::int64_t due = frames[0].ts_us + CaptureWriter::kMaxWaitUs;
  EXPECT_EQ((*w)->due_us(), due);
  EXPECT_TRUE((*w)->flush_due(due - 1));
  EXPECT_EQ(std::filesystem::file_size(path), header);
  EXPECT_TRUE((*w)->flush_due(due));
  EXPECT_EQ(std::filesystem::file_size(path), header + block_bytes(frames[0]) + block_bytes(frames[1]));
  EXPECT_EQ((*w)->due_us(), probe::sched::kNever);
}

// The tee keeps the frames the run called its own (keep()), or with `all`
// every frame it delivered.
TEST(CaptureTee, KeepsOnlyTheFramesTheRunKeptUnlessAll) {
  testsupport::TempDir dir;
  const std::string in = dir.file("in.pcapng");
  const auto frames = lab_frames();
  write_capture(in, "c", frames);
  for (bool all : {false, true}) {
    const std::string out = dir.file(all ? "all.pcapng" : "own.pcapng");
    {
      auto src = open_file(in);
      ASSERT_TRUE(src) << src.error().message;
      auto w = CaptureWriter::create(out, 1, "c");
      ASSERT_TRUE(w);
      auto tee = probe::io::tee(std::move(*src), **w, all);
      for (std::size_t i = 0; tee->next(probe::sched::kNever); ++i)
        if (i == 1 || i == 3) tee->keep();
      ASSERT_TRUE((*w)->flush());
    }
    auto r = read_back(out);
    if (all) {
      ASSERT_EQ(r.ts.size(), frames.size());
    } else {
      EXPECT_EQ(r.ts, (std::vector<std::int64_t>{frames[1].ts_us, frames[3].ts_us}));
    }
  }
}

}  // namespace

namespace {

TEST(CaptureWriter, ClosingCommentFollowsTheFramesAndReadsBack) {
  testsupport::TempDir dir;
  const std::string path = dir.file("closed.pcapng");
  const auto frames = lab_frames();
  // Longer than one pcapng option holds: split, and joined again.
  const std::string note = "faultline-annotation " + std::string(70000, 'x') + "end";
  {
    auto w = CaptureWriter::create(path, 1, "faultline-run {}");
    ASSERT_TRUE(w);
    write_frames(**w, frames);
    ASSERT_TRUE((*w)->write_comment(note, 1764318128000000));
  }
  auto capture = probe::io::open_capture(path);
  ASSERT_TRUE(capture) << capture.error().message;
  ASSERT_TRUE(capture->notes.closing);
  EXPECT_EQ(*capture->notes.closing, note);
  EXPECT_TRUE(capture->notes.opening.empty());
  // The section header is untouched, and readers pass over the block.
  auto head = read_section_comment(path);
  ASSERT_TRUE(head && *head);
  EXPECT_EQ(**head, "faultline-run {}");
  auto src = open_file(path);
  ASSERT_TRUE(src) << src.error().message;
  std::size_t n = 0;
  while ((*src)->next(probe::sched::kNever)) ++n;
  EXPECT_EQ(n, frames.size());
  EXPECT_TRUE((*src)->exhausted());
  EXPECT_EQ((*src)->error(), "");
}

TEST(CaptureWriter, OpeningCommentsPrecedeTheFramesAndOutliveACut) {
  testsupport::TempDir dir;
  const std::string path = dir.file("opened.pcapng");
  const auto frames = lab_frames();
  {
    auto w = CaptureWriter::create(path, 1, "faultline-run {}");
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->write_comment("first", 1));
    ASSERT_TRUE((*w)->write_comment("second", 2));
    write_frames(**w, frames);
    ASSERT_TRUE((*w)->write_comment("last", 3));
  }
  auto capture = probe::io::open_capture(path);
  ASSERT_TRUE(capture) << capture.error().message;
  EXPECT_EQ(capture->notes.section, "faultline-run {}");
  EXPECT_EQ(capture->notes.opening, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(capture->notes.closing, "last");
  std::size_t n = 0;
  while (capture->source->next(probe::sched::kNever)) ++n;
  EXPECT_EQ(n, frames.size());
  EXPECT_EQ(capture->source->error(), "");
  // Cut inside the last block: the opening notes and every frame remain.
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 6);
  capture = probe::io::open_capture(path);
  ASSERT_TRUE(capture) << capture.error().message;
  EXPECT_EQ(capture->notes.opening, (std::vector<std::string>{"first", "second"}));
  EXPECT_FALSE(capture->notes.closing);
  n = 0;
  while (capture->source->next(probe::sched::kNever)) ++n;
  EXPECT_EQ(n, frames.size());
  ASSERT_TRUE(capture->source->cut());
}

TEST(CaptureWriter, NoClosingCommentWhereTheCaptureEndsInAFrameOrIsCut) {
  testsupport::TempDir dir;
  const std::string path = dir.file("open.pcapng");
  write_capture(path, "faultline-run {}", lab_frames());
  auto capture = probe::io::open_capture(path);
  ASSERT_TRUE(capture) << capture.error().message;
  EXPECT_FALSE(capture->notes.closing);
  // A closing block cut short is no comment either.
  const std::string cut = dir.file("cut.pcapng");
  {
    auto w = CaptureWriter::create(cut, 1, "faultline-run {}");
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->write_comment("faultline-annotation {}", 1));
  }
  std::filesystem::resize_file(cut, std::filesystem::file_size(cut) - 6);
  capture = probe::io::open_capture(cut);
  ASSERT_TRUE(capture) << capture.error().message;
  EXPECT_FALSE(capture->notes.closing);
  EXPECT_FALSE(probe::io::open_capture(dir.file("missing.pcapng")));
}

}  // namespace
