// SPDX-License-Identifier: BSD-2-Clause
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "frame_reader.h"

namespace probe::io {

namespace {

constexpr std::uint32_t kShb = 0x0A0D0D0A;
constexpr std::uint32_t kIdb = 1;
constexpr std::uint32_t kOpb = 2;  // obsolete packet block
constexpr std::uint32_t kSpb = 3;
constexpr std::uint32_t kIsb = 5;
constexpr std::uint32_t kEpb = 6;
constexpr std::uint32_t kMagic = 0x1A2B3C4D;
constexpr std::uint32_t kMaxBlock = 16u << 20;  // far above any frame we could use
constexpr std::size_t kMaxInterfaces = 4096;

struct Interface {
  int linktype = 0;
  // Timestamp units per second, as a power: 10^exp or 2^exp.
  bool binary = false;
  int exp = 6;
  std::int64_t offset_s = 0;
  std::uint64_t units = 1000000;  // per second, from binary and exp
};

class PcapngReader final : public FrameReader {
 public:
  // file_size: the file's size when it is a regular file, else -1.
  PcapngReader(int fd, long file_size)
      : fd_(fd), file_size_(file_size), cap_(initial_capacity(file_size)), buf_(new std::uint8_t[cap_]) {}
  ~PcapngReader() override { ::close(fd_); }
  PcapngReader(const PcapngReader&) = delete;
  PcapngReader& operator=(const PcapngReader&) = delete;

  bool read(RawPacket& frame) override {
    while (next_block()) {
      if (type_ == kIdb) {
        if (!interface_block()) return false;
      } else if (type_ == kEpb || type_ == kOpb || type_ == kSpb) {
        if (packet_block(frame)) return true;
        if (!error_.empty()) return false;
      }
    }
    return false;
  }
  std::string error() const override { return error_; }
  std::optional<CaptureCut> cut() const override { return cut_; }
  int linktype() const override { return first_linktype_ < 0 ? 1 : first_linktype_; }
  CaptureNotes take_notes() override { return std::move(notes_); }

  // Checks the section header and reads up to the first interface, so that
  // linktype() is known, and on over the statistics blocks that precede the
  // first frame; takes the notes (the closing one from the end).
  bool prime() {
    if (!next_block()) return error_.empty() ? fail("empty file") : false;
    if (type_ != kShb) return fail("not a pcapng section header");
    notes_.section = comments(16);  // past magic (4), version (4), section length (8)
    notes_.closing = closing_comment();
    while (interfaces_.empty()) {
      if (!next_block()) return error_.empty();  // no interface, no packet: an empty capture
      if (type_ == kIdb) {
        if (!interface_block()) return false;
      } else if (type_ != kShb) {
        unread();  // let read() meet it (and say what is wrong)
        return true;
      }
    }
    // A block that does not read here is met again, and reported, by read().
    while (next_block()) {
      if (type_ != kIsb) {
        unread();
        break;
      }
      if (auto c = comments(12)) notes_.opening.push_back(std::move(*c));  // past interface (4), timestamp (8)
    }
    return true;
  }

 private:
  // Frames are read in place from one buffer that read(2) fills: no stdio
  // copy, no per-block allocation. A block larger than the buffer grows it.
  // A file smaller than the buffer gets a buffer its size (plus the byte
  // that lets read(2) say the end has come): a short capture, such as each
  // input of the fuzzer, then pays for no megabyte. The buffer is not
  // value-initialised: only what read(2) wrote is ever read.
  static constexpr std::size_t kBufferBytes = 1 << 20;

  static std::size_t initial_capacity(long file_size) {
    if (file_size < 0) return kBufferBytes;
    return std::min(kBufferBytes, static_cast<std::size_t>(file_size) + 1);
  }

  // Room for n bytes from buf_[0] on, keeping the end_ read so far.
  void grow(std::size_t n) {
    std::unique_ptr<std::uint8_t[]> bigger(new std::uint8_t[n]);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    cap_ = n;
  }

  std::uint32_t u32(const std::uint8_t* p) const {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return swap_ ? __builtin_bswap32(v) : v;
  }
  std::uint16_t u16(const std::uint8_t* p) const {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return swap_ ? static_cast<std::uint16_t>(__builtin_bswap16(v)) : v;
  }

  // The comments among the options of the block at `body` (`size` bytes
  // between its length fields) from `off` on, joined in order: a comment
  // longer than an option holds is written over several.
  std::optional<std::string> comments(const std::uint8_t* body, std::size_t size, std::size_t off) const {
    std::string text;
    bool found = false;
    while (off + 4 <= size) {
      const std::uint16_t code = u16(body + off);
      const std::uint16_t len = u16(body + off + 2);
      off += 4;
      if (code == 0 || off + len > size) break;
      if (code == 1) {  // opt_comment
        text.append(reinterpret_cast<const char*>(body + off), len);
        found = true;
      }
      off += (std::size_t{len} + 3) & ~std::size_t{3};
    }
    if (!found) return std::nullopt;
    return text;
  }
  std::optional<std::string> comments(std::size_t off) const { return comments(body_, body_size_, off); }

  // The comment of the file's last block if that is a statistics block
  // (CaptureWriter::write_comment): every block ends in its length, so it is
  // found from the end without reading what lies between. Read aside with
  // pread(2); the frames are still read in order from the start.
  std::optional<std::string> closing_comment() const {
    std::uint8_t tail[8];
    auto at = [this](long off, std::uint8_t* into, std::size_t n) {
      return ::pread(fd_, into, n, off) == static_cast<ssize_t>(n);
    };
    // Past the section header (at least 28 bytes): its own length is no
    // closing block's.
    if (file_size_ < 56 || !at(file_size_ - 4, tail, 4)) return std::nullopt;
    const std::uint32_t len = u32(tail);
    if (len < 28 || len % 4 != 0 || len > kMaxBlock || static_cast<long>(len) > file_size_ - 28) return std::nullopt;
    const long start = file_size_ - static_cast<long>(len);
    if (!at(start, tail, 8) || u32(tail) != kIsb || u32(tail + 4) != len) return std::nullopt;
    std::vector<std::uint8_t> body(len - 12);
    if (!at(start + 8, body.data(), body.size())) return std::nullopt;
    return comments(body.data(), body.size(), 12);  // past interface (4), timestamp (8)
  }

  // Gives the block just taken back, for read() to take again.
  void unread() {
    head_ = block_start_;
    --blocks_;
  }

  bool fail(const std::string& what) {
    error_ = what + " at byte " + std::to_string(block_at_);
    return false;
  }

  // Makes n bytes from head_ on available in buf_; false if the file ends
  // (or a read fails) first, with end_ - head_ bytes there.
  bool fill(std::size_t n) {
    if (end_ - head_ >= n) return true;
    if (head_ > 0) {
      std::memmove(buf_.get(), buf_.get() + head_, end_ - head_);
      base_ += static_cast<long>(head_);
      end_ -= head_;
      block_start_ -= std::min(block_start_, head_);
      head_ = 0;
    }
    // A block said to end past the end of the file gets no room: the reads
    // meet the end first, and the block is truncated as before. Only if the
    // file has grown since it was opened does the buffer fill up first.
    const bool past_end = file_size_ >= 0 && static_cast<long>(n) > file_size_ - base_;
    if (cap_ < n && !past_end) grow(n);
    while (end_ < n && !eof_) {
      if (end_ == cap_) grow(n);
      ssize_t got = ::read(fd_, buf_.get() + end_, cap_ - end_);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        if (got < 0) read_error_ = std::strerror(errno);
        eof_ = true;
        break;
      }
      end_ += static_cast<std::size_t>(got);
    }
    return end_ - head_ >= n;
  }

  // Takes the next whole block: body_ points at what lies between its two
  // length fields, valid until the next call.
  bool next_block() {
    block_at_ = base_ + static_cast<long>(head_);
    if (!fill(8)) {
      if (!read_error_.empty()) return fail("read error: " + read_error_);
      if (end_ == head_) return false;  // clean end of file
      return cut_short("truncated block header");
    }
    const std::uint8_t* head = buf_.get() + head_;
    std::uint32_t raw_type;
    std::memcpy(&raw_type, head, 4);
    if (raw_type == kShb) {
      // The byte order is the section's: read the magic right after the length.
      if (!fill(12)) return fail("truncated section header");
      head = buf_.get() + head_;
      std::uint32_t m;
      std::memcpy(&m, head + 8, 4);
      if (m == kMagic) swap_ = false;
      else if (m == __builtin_bswap32(kMagic)) swap_ = true;
      else return fail("bad byte-order magic");
      interfaces_.clear();  // a new section has interfaces of its own
    }
    type_ = swap_ ? __builtin_bswap32(raw_type) : raw_type;
    std::uint32_t len = u32(head + 4);
    if (len < 12 || len % 4 != 0 || len > kMaxBlock) return fail("bad block length " + std::to_string(len));
    if (!fill(len)) {
      if (!read_error_.empty()) return fail("read error: " + read_error_);
      return cut_short("truncated block");
    }
    head = buf_.get() + head_;
    if (u32(head + len - 4) != len) return fail("block lengths disagree");
    block_start_ = head_;
    body_ = head + 8;
    body_size_ = len - 12;
    head_ += len;
    ++blocks_;
    return true;
  }

  // The file ends inside a block: a cut, not damage, once a section began.
  bool cut_short(const std::string& what) {
    if (blocks_ > 0) cut_ = CaptureCut{static_cast<std::uint64_t>(block_at_), blocks_ + 1};
    return fail(what);
  }

  bool interface_block() {
    if (body_size_ < 8) return fail("short interface block");
    if (interfaces_.size() >= kMaxInterfaces) return fail("too many interfaces");
    Interface i;
    i.linktype = u16(body_);
    for (std::size_t off = 8; off + 4 <= body_size_;) {
      std::uint16_t code = u16(body_ + off);
      std::uint16_t olen = u16(body_ + off + 2);
      off += 4;
      if (code == 0 || off + olen > body_size_) break;
      if (code == 9 && olen >= 1) {  // if_tsresol
        std::uint8_t r = body_[off];
        i.binary = r & 0x80;
        i.exp = r & 0x7f;
      } else if (code == 14 && olen >= 8) {  // if_tsoffset
        std::uint64_t v;
        std::memcpy(&v, body_ + off, 8);
        auto offset = static_cast<std::int64_t>(swap_ ? __builtin_bswap64(v) : v);
        constexpr std::int64_t kMaxOffset = 253402300800;  // beyond it the frames are damage anyway
        i.offset_s = offset > kMaxOffset ? kMaxOffset : offset < -kMaxOffset ? -kMaxOffset : offset;
      }
      off += (std::size_t{olen} + 3) & ~std::size_t{3};
    }
    i.units = units_per_s(i);
    if (interfaces_.empty() && first_linktype_ < 0) first_linktype_ = i.linktype;
    interfaces_.push_back(i);
    return true;
  }

  // Units of 10^-exp or 2^-exp seconds per second; 0 for a resolution too
  // fine for 64 bits (its frames all read as the interface's offset).
  static std::uint64_t units_per_s(const Interface& i) {
    std::uint64_t units = 1;
    for (int k = 0; k < i.exp; ++k) {
      if (units > UINT64_MAX / 10) return 0;
      units *= i.binary ? 2 : 10;
    }
    return units;
  }

  static std::int64_t to_us(const Interface& i, std::uint64_t ts) {
    if (i.units == 0) return clamp_timestamp_us(i.offset_s * 1000000);
    if (i.units == 1000000 && i.offset_s == 0)  // the default: microseconds, no offset
      return clamp_timestamp_us(static_cast<std::int64_t>(std::min<std::uint64_t>(ts, INT64_MAX)));
    std::uint64_t sec = ts / i.units;
    // Exact: (ts % units) * 10^6 needs up to 84 bits.
    __extension__ using Wide = unsigned __int128;
    auto frac_us = static_cast<std::int64_t>(static_cast<Wide>(ts % i.units) * 1000000u / i.units);
    constexpr std::uint64_t kMaxSec = 253402300800;  // year 10000; clamp_timestamp_us pins the rest
    std::int64_t s = static_cast<std::int64_t>(sec > kMaxSec ? kMaxSec + 1 : sec) + i.offset_s;
    return clamp_timestamp_us(s * 1000000 + frac_us);
  }

  bool packet_block(RawPacket& frame) {
    std::uint32_t iface = 0;
    std::uint64_t ts = 0;
    std::uint32_t caplen = 0;
    std::uint32_t len = 0;
    std::size_t data_at = 0;
    if (type_ == kSpb) {
      if (body_size_ < 4) return fail("short simple packet block");
      len = u32(body_);
      caplen = std::min<std::uint32_t>(len, static_cast<std::uint32_t>(body_size_ - 4));
      data_at = 4;
    } else {
      if (body_size_ < 20) return fail("short packet block");
      if (type_ == kEpb) {
        iface = u32(body_);
      } else {
        iface = u16(body_);
      }
      ts = (std::uint64_t{u32(body_ + 4)} << 32) | u32(body_ + 8);
      caplen = u32(body_ + 12);
      len = u32(body_ + 16);
      data_at = 20;
      if (caplen > body_size_ - 20) return fail("packet longer than its block");
    }
    if (iface >= interfaces_.size()) return fail("packet on undeclared interface " + std::to_string(iface));
    const Interface& i = interfaces_[iface];
    frame = RawPacket{type_ == kSpb ? last_ts_ : to_us(i, ts), body_ + data_at, caplen, len, i.linktype};
    last_ts_ = frame.ts_us;
    return true;
  }

  int fd_;
  long file_size_;               // -1: not a regular file
  std::size_t cap_;              // bytes allocated at buf_
  std::unique_ptr<std::uint8_t[]> buf_;
  std::size_t head_ = 0;         // next unread byte in buf_
  std::size_t end_ = 0;          // end of the bytes read into buf_
  std::size_t block_start_ = 0;  // where the last block began in buf_
  long base_ = 0;                // file offset of buf_[0]
  bool eof_ = false;
  std::string read_error_;
  bool swap_ = false;
  std::uint32_t type_ = 0;
  long block_at_ = 0;            // file offset of the block being read
  const std::uint8_t* body_ = nullptr;
  std::size_t body_size_ = 0;
  std::vector<Interface> interfaces_;
  int first_linktype_ = -1;  // -1 until an interface is seen
  std::int64_t last_ts_ = 0;
  std::string error_;
  std::uint64_t blocks_ = 0;  // whole blocks read
  std::optional<CaptureCut> cut_;
  CaptureNotes notes_;
};

}  // namespace

Result<std::unique_ptr<FrameReader>> open_pcapng(int fd, const std::string& path) {
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  struct stat st {};
  const long size = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<long>(st.st_size) : -1;
  auto reader = std::make_unique<PcapngReader>(fd, size);
  if (!reader->prime()) return make_error(ErrorKind::input, path + ": " + reader->error());
  return std::unique_ptr<FrameReader>(std::move(reader));
}

}  // namespace probe::io
