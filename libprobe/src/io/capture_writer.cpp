#include "probe/io/capture_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
  std::unique_ptr<CaptureWriter> w(new CaptureWriter(fd, path));

  Block shb(kShb);
  shb.put32(kByteOrderMagic);
  shb.put16(1);  // major
  shb.put16(0);  // minor
  std::int64_t unknown_length = -1;
  shb.put(&unknown_length, 8);
  // A pcapng option value is at most 65535 bytes; a longer run record is
  // split over several comments that readers join in order.
  for (std::size_t off = 0; off < comment.size() || off == 0; off += 65532) {
    shb.option(kOptComment, comment.substr(off, 65532));
    if (comment.empty()) break;
  }
  shb.option(kShbUserAppl, "faultline");
  shb.put16(kOptEnd);
  shb.put16(0);

  Block idb(kIdb);
  idb.put16(static_cast<std::uint16_t>(linktype));
  idb.put16(0);
  idb.put32(65535);  // snaplen
  idb.put16(kOptEnd);
  idb.put16(0);  // if_tsresol left at its default: microseconds

  if (!w->put(shb.finish()) || !w->put(idb.finish())) return make_error(ErrorKind::output, w->error());
  return w;
}

CaptureWriter::~CaptureWriter() { ::close(fd_); }

bool CaptureWriter::put(const std::vector<std::uint8_t>& block) {
  std::size_t done = 0;
  while (done < block.size()) {
    ssize_t n = ::write(fd_, block.data() + done, block.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = path_ + ": write failed: " + std::strerror(n < 0 ? errno : ENOSPC);
      // Part of a block would make the rest of the file unreadable: cut it
      // (a device such as /dev/full cannot be cut, and holds nothing).
      if (done > 0 && ::ftruncate(fd_, static_cast<off_t>(whole_)) == 0)
        ::lseek(fd_, static_cast<off_t>(whole_), SEEK_SET);
      if (halt_ && halt_->load() < 2) halt_->store(2);
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  whole_ += block.size();
  return true;
}

bool CaptureWriter::write(const RawPacket& p) {
  if (!error_.empty()) return false;
  Block epb(kEpb);
  epb.put32(0);  // interface id
  auto ts = static_cast<std::uint64_t>(p.ts_us);
  epb.put32(static_cast<std::uint32_t>(ts >> 32));
  epb.put32(static_cast<std::uint32_t>(ts));
  epb.put32(p.caplen);
  epb.put32(p.len);
  epb.put(p.data, p.caplen);
  epb.pad();
  return put(epb.finish());
}

bool CaptureWriter::flush() { return error_.empty(); }

Result<std::optional<std::string>> read_section_comment(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return make_error(ErrorKind::input, path + ": " + std::strerror(errno));
  std::uint8_t head[12];
  std::optional<std::string> none;
  if (std::fread(head, 1, sizeof head, f) != sizeof head) {
    std::fclose(f);
    return none;
  }
  std::uint32_t type, length, magic;
  std::memcpy(&type, head, 4);
  std::memcpy(&length, head + 4, 4);
  std::memcpy(&magic, head + 8, 4);
  bool swap = magic == 0x4D3C2B1A;
  auto fix32 = [swap](std::uint32_t v) { return swap ? __builtin_bswap32(v) : v; };
  auto fix16 = [swap](std::uint16_t v) {
    return swap ? static_cast<std::uint16_t>(__builtin_bswap16(v)) : v;
  };
  length = fix32(length);
  if (type != kShb || (magic != kByteOrderMagic && !swap) || length < 28 || length > (64u << 20)) {
    std::fclose(f);
    return none;
  }
  // A length past the end of the file is damage: say so before allocating
  // (and zeroing) up to 64 MiB for it.
  struct stat st {};
  if (::fstat(::fileno(f), &st) == 0 && S_ISREG(st.st_mode) && length > st.st_size) {
    std::fclose(f);
    return none;
  }
  std::vector<std::uint8_t> body(length - 12);
  bool whole = std::fread(body.data(), 1, body.size(), f) == body.size();
  std::fclose(f);
  if (!whole) return none;
  std::string comment;
  bool found = false;
  std::size_t off = 12;  // version (4) + section length (8)
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
  if (!found) return none;
  return std::optional<std::string>(std::move(comment));
}

namespace {

class TeeSource final : public PacketSource {
 public:
  TeeSource(std::unique_ptr<PacketSource> inner, CaptureWriter& w)
      : inner_(std::move(inner)), writer_(w) {}
  std::optional<RawPacket> next(std::int64_t deadline_us) override {
    auto p = inner_->next(deadline_us);
    if (p) writer_.write(*p);
    return p;
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
};

}  // namespace

std::unique_ptr<PacketSource> tee(std::unique_ptr<PacketSource> inner, CaptureWriter& writer) {
  return std::make_unique<TeeSource>(std::move(inner), writer);
}

}  // namespace probe::io
