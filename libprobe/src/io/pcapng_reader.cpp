#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "frame_reader.h"

namespace probe::io {

namespace {

constexpr std::uint32_t kShb = 0x0A0D0D0A;
constexpr std::uint32_t kIdb = 1;
constexpr std::uint32_t kOpb = 2;  // obsolete packet block
constexpr std::uint32_t kSpb = 3;
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
};

class PcapngReader final : public FrameReader {
 public:
  explicit PcapngReader(std::FILE* f) : file_(f) { std::setvbuf(file_, nullptr, _IOFBF, 1 << 20); }
  ~PcapngReader() override { std::fclose(file_); }
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
  int linktype() const override { return first_linktype_ < 0 ? 1 : first_linktype_; }

  // Checks the section header and reads up to the first interface, so that
  // linktype() is known.
  bool prime() {
    if (!next_block()) return error_.empty() ? fail("empty file") : false;
    if (type_ != kShb) return fail("not a pcapng section header");
    while (interfaces_.empty()) {
      long at = pos_;
      if (!next_block()) return error_.empty();  // no interface, no packet: an empty capture
      if (type_ == kIdb) {
        if (!interface_block()) return false;
      } else if (type_ != kShb) {
        std::fseek(file_, at, SEEK_SET);  // let read() meet it (and say what is wrong)
        pos_ = at;
        return true;
      }
    }
    return true;
  }

 private:
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

  bool fail(const std::string& what) {
    error_ = what + " at byte " + std::to_string(block_at_);
    return false;
  }

  // fread without the stream lock (one thread reads), keeping the offset
  // that error messages name without asking ftell for it each block.
  std::size_t take(void* to, std::size_t n) {
    std::size_t got = fread_unlocked(to, 1, n, file_);
    pos_ += static_cast<long>(got);
    return got;
  }

  // Reads one whole block into body_ (between the two length fields).
  bool next_block() {
    block_at_ = pos_;
    std::uint8_t head[8];
    std::size_t got = take(head, 8);
    if (got == 0) return false;  // clean end of file
    if (got < 8) return fail("truncated block header");
    std::uint32_t raw_type;
    std::memcpy(&raw_type, head, 4);
    if (raw_type == kShb) {
      // The byte order is the section's: read the magic right after the length.
      std::uint8_t magic[4];
      if (take(magic, 4) != 4) return fail("truncated section header");
      std::uint32_t m;
      std::memcpy(&m, magic, 4);
      if (m == kMagic) swap_ = false;
      else if (m == __builtin_bswap32(kMagic)) swap_ = true;
      else return fail("bad byte-order magic");
      std::fseek(file_, -4, SEEK_CUR);
      pos_ -= 4;
      interfaces_.clear();  // a new section has interfaces of its own
    }
    type_ = swap_ ? __builtin_bswap32(raw_type) : raw_type;
    std::uint32_t len = u32(head + 4);
    if (len < 12 || len % 4 != 0 || len > kMaxBlock) return fail("bad block length " + std::to_string(len));
    body_.resize(len - 12);
    std::uint8_t tail[4];
    if (take(body_.data(), body_.size()) != body_.size() || take(tail, 4) != 4)
      return fail("truncated block");
    if (u32(tail) != len) return fail("block lengths disagree");
    return true;
  }

  bool interface_block() {
    if (body_.size() < 8) return fail("short interface block");
    if (interfaces_.size() >= kMaxInterfaces) return fail("too many interfaces");
    Interface i;
    i.linktype = u16(body_.data());
    for (std::size_t off = 8; off + 4 <= body_.size();) {
      std::uint16_t code = u16(body_.data() + off);
      std::uint16_t olen = u16(body_.data() + off + 2);
      off += 4;
      if (code == 0 || off + olen > body_.size()) break;
      if (code == 9 && olen >= 1) {  // if_tsresol
        std::uint8_t r = body_[off];
        i.binary = r & 0x80;
        i.exp = r & 0x7f;
      } else if (code == 14 && olen >= 8) {  // if_tsoffset
        std::uint64_t v;
        std::memcpy(&v, body_.data() + off, 8);
        auto offset = static_cast<std::int64_t>(swap_ ? __builtin_bswap64(v) : v);
        constexpr std::int64_t kMaxOffset = 253402300800;  // beyond it the frames are damage anyway
        i.offset_s = offset > kMaxOffset ? kMaxOffset : offset < -kMaxOffset ? -kMaxOffset : offset;
      }
      off += (std::size_t{olen} + 3) & ~std::size_t{3};
    }
    if (interfaces_.empty() && first_linktype_ < 0) first_linktype_ = i.linktype;
    interfaces_.push_back(i);
    return true;
  }

  static std::int64_t to_us(const Interface& i, std::uint64_t ts) {
    // Units of 10^-exp or 2^-exp seconds to microseconds, without overflow.
    std::uint64_t units_per_s = 1;
    for (int k = 0; k < i.exp; ++k) {
      if (units_per_s > UINT64_MAX / 10) return clamp_timestamp_us(i.offset_s * 1000000);  // absurd resolution
      units_per_s *= i.binary ? 2 : 10;
    }
    std::uint64_t sec = ts / units_per_s;
    auto frac_us = static_cast<std::int64_t>(static_cast<long double>(ts % units_per_s) * 1e6L /
                                             static_cast<long double>(units_per_s));
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
      if (body_.size() < 4) return fail("short simple packet block");
      len = u32(body_.data());
      caplen = std::min<std::uint32_t>(len, static_cast<std::uint32_t>(body_.size() - 4));
      data_at = 4;
    } else {
      if (body_.size() < 20) return fail("short packet block");
      if (type_ == kEpb) {
        iface = u32(body_.data());
      } else {
        iface = u16(body_.data());
      }
      ts = (std::uint64_t{u32(body_.data() + 4)} << 32) | u32(body_.data() + 8);
      caplen = u32(body_.data() + 12);
      len = u32(body_.data() + 16);
      data_at = 20;
      if (caplen > body_.size() - 20) return fail("packet longer than its block");
    }
    if (iface >= interfaces_.size()) return fail("packet on undeclared interface " + std::to_string(iface));
    const Interface& i = interfaces_[iface];
    frame = RawPacket{type_ == kSpb ? last_ts_ : to_us(i, ts), body_.data() + data_at, caplen, len, i.linktype};
    last_ts_ = frame.ts_us;
    return true;
  }

  std::FILE* file_;
  long pos_ = 0;  // offset of the next byte fread gives
  bool swap_ = false;
  std::uint32_t type_ = 0;
  long block_at_ = 0;
  std::vector<std::uint8_t> body_;
  std::vector<Interface> interfaces_;
  int first_linktype_ = -1;  // -1 until an interface is seen
  std::int64_t last_ts_ = 0;
  std::string error_;
};

}  // namespace

Result<std::unique_ptr<FrameReader>> open_pcapng(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return make_error(ErrorKind::input, path + ": " + std::strerror(errno));
  auto reader = std::make_unique<PcapngReader>(f);
  if (!reader->prime()) return make_error(ErrorKind::input, path + ": " + reader->error());
  return std::unique_ptr<FrameReader>(std::move(reader));
}

}  // namespace probe::io
