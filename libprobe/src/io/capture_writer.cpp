// SPDX-License-Identifier: BSD-2-Clause
#include "probe/io/capture_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "frame_reader.h"

namespace probe::io {

namespace {

// pcapng blocks are written in host byte order; readers detect it from the
// byte-order magic in the section header.
constexpr std::uint32_t kShb = 0x0A0D0D0A;
constexpr std::uint32_t kIdb = 0x00000001;
constexpr std::uint32_t kIsb = 0x00000005;
constexpr std::uint32_t kEpb = 0x00000006;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint16_t kOptEnd = 0;
constexpr std::uint16_t kOptComment = 1;
constexpr std::uint16_t kShbUserAppl = 4;

class Block {
 public:
  explicit Block(std::uint32_t type) { put32(type), put32(0); }
  void put32(std::uint32_t v) { put(&v, 4); }
  void put16(std::uint16_t v) { put(&v, 2); }
  void put(const void* p, std::size_t n) {
    auto b = static_cast<const std::uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  void pad() { buf_.resize((buf_.size() + 3) & ~std::size_t{3}, 0); }
  void option(std::uint16_t code, const std::string& value) {
    put16(code);
    put16(static_cast<std::uint16_t>(value.size()));
    put(value.data(), value.size());
    pad();
  }
  // A pcapng option value is at most 65535 bytes; a longer comment is split
  // over several that readers join in order.
  void comments(const std::string& text) {
    for (std::size_t off = 0; off < text.size() || off == 0; off += 65532) {
      option(kOptComment, text.substr(off, 65532));
      if (text.empty()) break;
    }
  }
  const std::vector<std::uint8_t>& finish() {
    put32(0);  // trailing length placeholder
    auto total = static_cast<std::uint32_t>(buf_.size());
    std::memcpy(buf_.data() + 4, &total, 4);
    std::memcpy(buf_.data() + buf_.size() - 4, &total, 4);
    return buf_;
  }

 private:
  std::vector<std::uint8_t> buf_;
};

}  // namespace

Result<std::unique_ptr<CaptureWriter>> CaptureWriter::create(const std::string& path, int linktype,
                                                             const std::string& comment) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return make_error(ErrorKind::output, path + ": " + std::strerror(errno));
  return adopt(fd, path, linktype, comment);
}

Result<std::unique_ptr<CaptureWriter>> CaptureWriter::adopt(int fd, const std::string& path, int linktype,
                                                            const std::string& comment) {
  std::unique_ptr<CaptureWriter> w(new CaptureWriter(fd, path));

  Block shb(kShb);
  shb.put32(kByteOrderMagic);
  shb.put16(1);  // major
  shb.put16(0);  // minor
  std::int64_t unknown_length = -1;
  shb.put(&unknown_length, 8);
  shb.comments(comment);
  shb.option(kShbUserAppl, "faultline");
  shb.put16(kOptEnd);
  shb.put16(0);

  Block idb(kIdb);
  idb.put16(static_cast<std::uint16_t>(linktype));
  idb.put16(0);
  idb.put32(65535);  // snaplen
  idb.put16(kOptEnd);
  idb.put16(0);  // if_tsresol left at its default: microseconds

  // Written through at once: a file that cannot take its header is refused
  // before the run starts.
  const auto& head = shb.finish();
  w->buf_.assign(head.begin(), head.end());
  const auto& iface = idb.finish();
  w->buf_.insert(w->buf_.end(), iface.begin(), iface.end());
  if (!w->drain()) return make_error(ErrorKind::output, w->error());
  return w;
}

CaptureWriter::CaptureWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
  // Room for one more block past the mark: a frame never waits for a
  // reallocation (snaplen is 65535 at most).
  buf_.reserve(kBufferBytes + 65536 + 64);
}

CaptureWriter::~CaptureWriter() {
  drain();
  ::close(fd_);
}

bool CaptureWriter::drain() {
  if (!error_.empty()) return false;
  std::size_t done = 0;
  while (done < buf_.size()) {
    ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = path_ + ": write failed: " + std::strerror(n < 0 ? errno : ENOSPC);
      // The buffer holds whole blocks, each with its length: keep those that
      // reached the file and cut the part of one that follows them, which
      // would make the rest unreadable (a device such as /dev/full cannot be
      // cut, and holds nothing).
      std::size_t kept = 0;
      while (kept + 8 <= done) {
        std::uint32_t length;
        std::memcpy(&length, buf_.data() + kept + 4, 4);
        if (kept + length > done) break;
        kept += length;
      }
      if (done > kept && ::ftruncate(fd_, static_cast<off_t>(whole_ + kept)) == 0)
        ::lseek(fd_, static_cast<off_t>(whole_ + kept), SEEK_SET);
      whole_ += kept;
      buf_.clear();
      if (halt_ && halt_->load() < 2) halt_->store(2);
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  whole_ += buf_.size();
  buf_.clear();
  return true;
}

bool CaptureWriter::write(const RawPacket& p) {
  if (!error_.empty()) return false;
  if (buf_.empty()) first_us_ = p.ts_us;
  // An enhanced packet block, built in place at the end of the buffer.
  const std::size_t padded = (std::size_t{p.caplen} + 3) & ~std::size_t{3};
  const auto total = static_cast<std::uint32_t>(32 + padded);
  const std::size_t at = buf_.size();
  buf_.resize(at + total);  // zeroes the padding
  std::uint8_t* b = buf_.data() + at;
  const auto ts = static_cast<std::uint64_t>(p.ts_us);
  const std::uint32_t head[7] = {kEpb, total, 0 /* interface */, static_cast<std::uint32_t>(ts >> 32),
                                 static_cast<std::uint32_t>(ts), p.caplen, p.len};
  std::memcpy(b, head, sizeof head);
  std::memcpy(b + sizeof head, p.data, p.caplen);
  std::memcpy(b + total - 4, &total, 4);
  return buf_.size() < kBufferBytes || drain();
}

bool CaptureWriter::flush() { return drain(); }

bool CaptureWriter::write_comment(const std::string& comment, std::int64_t now_us) {
  if (!error_.empty()) return false;
  Block isb(kIsb);
  isb.put32(0);  // interface
  const auto ts = static_cast<std::uint64_t>(now_us);
  isb.put32(static_cast<std::uint32_t>(ts >> 32));
  isb.put32(static_cast<std::uint32_t>(ts));
  isb.comments(comment);
  isb.put16(kOptEnd);
  isb.put16(0);
  const auto& block = isb.finish();
  if (buf_.empty()) first_us_ = now_us;
  buf_.insert(buf_.end(), block.begin(), block.end());
  return drain();
}

std::int64_t CaptureWriter::due_us() const { return buf_.empty() ? sched::kNever : first_us_ + kMaxWaitUs; }

bool CaptureWriter::flush_due(std::int64_t now_us) { return now_us < due_us() ? error_.empty() : drain(); }

Result<std::optional<std::string>> read_section_comment(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorKind::input, path + ": " + std::strerror(errno));
  // No pcapng, or one whose start does not read: no comment.
  auto reader = open_pcapng(fd, path);
  if (!reader) return std::optional<std::string>();
  return (*reader)->take_notes().section;
}

namespace {

class TeeSource final : public PacketSource {
 public:
  TeeSource(std::unique_ptr<PacketSource> inner, CaptureWriter& w, bool all)
      : inner_(std::move(inner)), writer_(w), all_(all) {}
  // Wakes when the writer's buffer is due as well as at the caller's
  // deadline, so that a quiet run still has its frames on disk within about
  // a second.
  std::optional<RawPacket> next(std::int64_t deadline_us) override {
    std::vector<pollfd> none;
    return next_or_wake(deadline_us, none);
  }
  std::optional<RawPacket> next_or_wake(std::int64_t deadline_us, std::vector<pollfd>& wake) override {
    for (;;) {
      const std::int64_t due = writer_.due_us();
      auto p = inner_->next_or_wake(std::min(deadline_us, due), wake);
      const std::int64_t now = inner_->clock().now_us();
      writer_.flush_due(now);
      // Woken for the writer alone: wait on for the caller (the buffer is
      // empty now, so this wait is the caller's).
      if (!p && due < deadline_us && now >= due && !inner_->exhausted()) continue;
      last_ = p;
      if (p && all_) writer_.write(*p);
      return p;
    }
  }
  void keep() override {
    if (!all_ && last_) writer_.write(*last_);
    last_.reset();
  }
  bool exhausted() const override { return inner_->exhausted(); }
  Result<bool> set_filter(const std::string& expr) override { return inner_->set_filter(expr); }
  int linktype() const override { return inner_->linktype(); }
  sched::Clock& clock() override { return inner_->clock(); }
  SourceStats stats() override { return inner_->stats(); }
  std::string error() const override { return inner_->error(); }
  std::optional<CaptureCut> cut() const override { return inner_->cut(); }

 private:
  std::unique_ptr<PacketSource> inner_;
  CaptureWriter& writer_;
  bool all_;
  std::optional<RawPacket> last_;  // delivered, not yet kept: its data lives until the next next()
};

}  // namespace

std::unique_ptr<PacketSource> tee(std::unique_ptr<PacketSource> inner, CaptureWriter& writer, bool all) {
  return std::make_unique<TeeSource>(std::move(inner), writer, all);
}

}  // namespace probe::io
