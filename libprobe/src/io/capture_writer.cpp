// SPDX-License-Identifier: BSD-2-Clause
#include "probe/io/capture_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

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

bool CaptureWriter::close_with_comment(const std::string& comment, std::int64_t now_us) {
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

namespace {

// The comments of a block body's options from `off` on, joined in order;
// nullopt if it has none.
std::optional<std::string> joined_comments(const std::vector<std::uint8_t>& body, std::size_t off, bool swap) {
  auto fix16 = [swap](std::uint16_t v) { return swap ? static_cast<std::uint16_t>(__builtin_bswap16(v)) : v; };
  std::string comment;
  bool found = false;
  while (off + 4 <= body.size() - 4) {
    std::uint16_t code, len;
    std::memcpy(&code, body.data() + off, 2);
    std::memcpy(&len, body.data() + off + 2, 2);
    code = fix16(code);
    len = fix16(len);
    off += 4;
    if (code == kOptEnd || off + len > body.size() - 4) break;
    if (code == kOptComment) {
      comment.append(reinterpret_cast<const char*>(body.data() + off), len);
      found = true;
    }
    off += (std::size_t{len} + 3) & ~std::size_t{3};
  }
  if (!found) return std::nullopt;
  return comment;
}

// The byte order of the file's first section: nullopt if it is no pcapng.
std::optional<bool> section_swapped(std::FILE* f) {
  std::uint8_t head[12];
  if (std::fread(head, 1, sizeof head, f) != sizeof head) return std::nullopt;
  std::uint32_t type, magic;
  std::memcpy(&type, head, 4);
  std::memcpy(&magic, head + 8, 4);
  if (type != kShb || (magic != kByteOrderMagic && magic != 0x4D3C2B1A)) return std::nullopt;
  return magic != kByteOrderMagic;
}

// A block length as the reader accepts one: whole words, at most 64 MiB and
// within the file, so that damage is said before allocating for it.
bool plausible_length(std::FILE* f, std::uint32_t length, std::uint32_t least) {
  struct stat st {};
  if (length < least || length % 4 != 0 || length > (64u << 20)) return false;
  return !(::fstat(::fileno(f), &st) == 0 && S_ISREG(st.st_mode) && length > st.st_size);
}

}  // namespace

Result<std::optional<std::string>> read_section_comment(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return make_error(ErrorKind::input, path + ": " + std::strerror(errno));
  std::optional<std::string> none;
  const auto swap = section_swapped(f);
  std::uint32_t length = 0;
  if (!swap || std::fseek(f, 4, SEEK_SET) != 0 || std::fread(&length, 1, 4, f) != 4) {
    std::fclose(f);
    return none;
  }
  if (*swap) length = __builtin_bswap32(length);
  if (!plausible_length(f, length, 28) || std::fseek(f, 12, SEEK_SET) != 0) {
    std::fclose(f);
    return none;
  }
  std::vector<std::uint8_t> body(length - 12);
  bool whole = std::fread(body.data(), 1, body.size(), f) == body.size();
  std::fclose(f);
  if (!whole) return none;
  return joined_comments(body, 12, *swap);  // past version (4) + section length (8)
}

Result<std::optional<std::string>> read_closing_comment(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return make_error(ErrorKind::input, path + ": " + std::strerror(errno));
  std::optional<std::string> none;
  auto close_none = [f, &none]() {
    std::fclose(f);
    return none;
  };
  const auto swap = section_swapped(f);
  auto fix32 = [&swap](std::uint32_t v) { return *swap ? __builtin_bswap32(v) : v; };
  // Every block ends in its length: the last one is found from the end.
  std::uint32_t length = 0;
  if (!swap || std::fseek(f, -4, SEEK_END) != 0 || std::fread(&length, 1, 4, f) != 4) return close_none();
  length = fix32(length);
  const long size = std::ftell(f);
  if (!plausible_length(f, length, 28) || static_cast<long>(length) > size - 28 ||
      std::fseek(f, size - static_cast<long>(length), SEEK_SET) != 0)
    return close_none();
  std::vector<std::uint8_t> block(length);
  if (std::fread(block.data(), 1, block.size(), f) != block.size()) return close_none();
  std::fclose(f);
  std::uint32_t type, head_length;
  std::memcpy(&type, block.data(), 4);
  std::memcpy(&head_length, block.data() + 4, 4);
  if (fix32(type) != kIsb || fix32(head_length) != length) return none;
  // The options follow the interface id and the timestamp (12 bytes), past
  // the block's type and length (8).
  std::vector<std::uint8_t> body(block.begin() + 8, block.end());
  return joined_comments(body, 12, *swap);
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
    for (;;) {
      const std::int64_t due = writer_.due_us();
      auto p = inner_->next(std::min(deadline_us, due));
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
