// SPDX-License-Identifier: BSD-2-Clause
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "frame_reader.h"
#include "probe/io/packet_source.h"
#include "probe/sched/quiet_thread.h"

namespace probe::io {

namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const {
    if (p) pcap_close(p);
  }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

// A pcapng timestamp is 64 bits of microseconds, so tv_sec can reach 1.8e13
// and tv_sec * 10^6 would overflow. Such frames are damaged, not from the
// year 584,000: pin them to the year 10000, which leaves the engine room to
// add waits without overflowing either.
constexpr std::int64_t kMaxSec = 253402300800;  // 10000-01-01T00:00:00Z

std::int64_t to_us(const timeval& tv) {
  std::int64_t sec = tv.tv_sec;
  if (sec > kMaxSec) sec = kMaxSec;
  if (sec < -kMaxSec) sec = -kMaxSec;
  return sec * 1000000 + tv.tv_usec;
}

// Compiles `expr` and sets it as the capture's kernel filter.
Result<bool> set_bpf(pcap_t* p, const std::string& expr) {
  bpf_program prog{};
  if (pcap_compile(p, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    return make_error(ErrorKind::runtime, "capture filter '" + expr + "': " + pcap_geterr(p));
  const int rc = pcap_setfilter(p, &prog);
  pcap_freecode(&prog);
  if (rc != 0) return make_error(ErrorKind::runtime, std::string("capture filter: ") + pcap_geterr(p));
  return true;
}

class LiveSource final : public PacketSource {
 public:
  LiveSource(PcapHandle handle, int fd) : pcap_(std::move(handle)), fd_(fd) {}

  std::optional<RawPacket> next(std::int64_t deadline_us) override {
    std::vector<pollfd> none;
    return next_or_wake(deadline_us, none);
  }
  std::optional<RawPacket> next_or_wake(std::int64_t deadline_us, std::vector<pollfd>& wake) override {
    for (;;) {
      pcap_pkthdr* hdr = nullptr;
      const u_char* data = nullptr;
      int rc = pcap_next_ex(pcap_.get(), &hdr, &data);
      if (rc == 1) {
        ++delivered_;
        return RawPacket{to_us(hdr->ts), data, hdr->caplen, hdr->len, linktype()};
      }
      if (rc < 0) return std::nullopt;  // interface went away: let deadlines drive the engine
      std::int64_t now = clock_.now_us();
      if (now >= deadline_us) return std::nullopt;
      std::int64_t wait_ms = (deadline_us - now + 999) / 1000;
      if (wait_ms > 1000) wait_ms = 1000;  // re-check regularly (signals, progress)
      // The capture first, then the caller's descriptors: one poll(2), on a
      // vector kept between calls (no allocation per frame).
      fds_.resize(1 + wake.size());
      fds_[0] = pollfd{fd_, POLLIN, 0};
      std::copy(wake.begin(), wake.end(), fds_.begin() + 1);
      int pr = ::poll(fds_.data(), fds_.size(), static_cast<int>(wait_ms));
      for (std::size_t k = 0; k < wake.size(); ++k) wake[k].revents = fds_[k + 1].revents;
      const short capture = fds_[0].revents;
      // After a quiet second, back to the caller even before the deadline: a
      // halt raised by another thread (results that cannot be written) is
      // seen within a second.
      if (pr == 0) return std::nullopt;
      if (pr < 0 && errno == EINTR) return std::nullopt;  // a signal: let the caller look
      if (pr > 0 && capture == 0) return std::nullopt;    // only the caller's: its turn
    }
  }
  bool exhausted() const override { return false; }
  Result<bool> set_filter(const std::string& expr) override {
    if (auto set = set_bpf(pcap_.get(), expr); !set) return set;
    // What is in the ring came before: another run's, never this one's. The
    // handle does not block, so this ends with the ring empty.
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(pcap_.get(), &hdr, &data) == 1) ++discarded_;
    return true;
  }
  int linktype() const override { return pcap_datalink(pcap_.get()); }
  sched::Clock& clock() override { return clock_; }
  SourceStats stats() override {
    SourceStats s;
    s.delivered = delivered_;
    s.discarded = discarded_;
    pcap_stat ps{};
    if (pcap_stats(pcap_.get(), &ps) == 0) {
      s.kernel_dropped = ps.ps_drop;
      s.iface_dropped = ps.ps_ifdrop;
    }
    return s;
  }

 private:
  PcapHandle pcap_;
  int fd_;
  std::vector<pollfd> fds_;  // the capture's, then the caller's (next_or_wake)
  sched::SystemClock clock_;
  std::uint64_t delivered_ = 0;
  std::uint64_t discarded_ = 0;
};

// Classic pcap files, through libpcap (both byte orders, micro and nano).
class LibpcapReader final : public FrameReader {
 public:
  explicit LibpcapReader(PcapHandle handle) : pcap_(std::move(handle)) {}
  bool read(RawPacket& frame) override {
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    int rc = pcap_next_ex(pcap_.get(), &hdr, &data);
    if (rc != 1) {
      if (rc == PCAP_ERROR) error_ = pcap_geterr(pcap_.get());
      return false;
    }
    frame = RawPacket{clamp_timestamp_us(to_us(hdr->ts)), data, hdr->caplen, hdr->len, linktype()};
    return true;
  }
  std::string error() const override { return error_; }
  int linktype() const override { return pcap_datalink(pcap_.get()); }

 private:
  PcapHandle pcap_;
  std::string error_;
};

// Frames read ahead on a thread of their own, in batches, each through the
// engine's stage if it brought one: the engine's thread then only takes
// them. A batch owns copies of its frames' bytes.
class ReadAhead {
 public:
  explicit ReadAhead(std::unique_ptr<FrameReader> reader) : reader_(std::move(reader)) {
    for (std::size_t k = 0; k < pool_.size(); ++k) {
      pool_[k].first_slot = k * kFrames;
      free_.push_back(&pool_[k]);
    }
  }
  ~ReadAhead() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next frame, valid until the call after; false at the end.
  bool read(RawPacket& frame) {
    if (!primed_) prime();
    while (!cur_ || at_ == cur_->frames.size()) {
      if (cur_ && cur_->last) return false;
      std::unique_lock<std::mutex> lock(mu_);
      if (cur_) free_.push_back(cur_);
      cur_ = nullptr;
      cv_.notify_all();
      cv_.wait(lock, [this] { return !full_.empty(); });
      cur_ = full_.front();
      full_.pop_front();
      at_ = 0;
      if (cur_->last) error_ = reader_error_, cut_ = reader_cut_;
    }
    if (stage_ && at_ + kAhead < cur_->frames.size()) stage_->soon(cur_->frames[at_ + kAhead].slot);
    frame = cur_->frames[at_++];
    return true;
  }
  // Why reading stopped early, once read() returned false.
  const std::string& error() const { return error_; }
  const std::optional<CaptureCut>& cut() const { return cut_; }
  // Frames go through `stage` too; only before the first read.
  bool set_stage(std::shared_ptr<ReadAheadStage> stage) {
    if (primed_) return false;
    stage_ = std::move(stage);
    if (stage_) stage_->reserve(pool_.size() * kFrames);
    return true;
  }

 private:
  struct Batch {
    std::vector<RawPacket> frames;  // data points into bytes once the batch is full
    std::vector<std::size_t> offsets;
    std::vector<std::uint8_t> bytes;
    std::size_t first_slot = 0;  // its frames' slots in the stage
    bool last = false;
  };
  // Large batches: a hand-over wakes a thread, which costs as much as
  // reading hundreds of frames.
  static constexpr std::size_t kFrames = 8192;
  static constexpr std::size_t kBytes = 1024 * 1024;
  static constexpr std::size_t kAhead = 8;  // frames: how far ahead the stage hears of them

  // The first batch is read on the caller's thread: the engine would wait
  // for it anyway, and a capture that fits in one batch (a short run, each
  // input of the fuzzer) then starts no thread at all, where starting and
  // joining one cost more than reading it. The thread starts here, at the
  // first read, not when the file is opened: the tools fork (the results
  // renamer) after opening, and a fork keeps only the thread that called it.
  void prime() {
    primed_ = true;
    Batch* b = free_.front();  // no other thread yet: nothing to lock
    free_.pop_front();
    bool end = fill(*b);
    publish(b, end);
    if (!end) thread_ = sched::quiet_thread([this] { run(); });
  }

  void run() {
    bool end = false;
    while (!end) {
      Batch* b = nullptr;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !free_.empty(); });
        if (stop_) return;
        b = free_.front();
        free_.pop_front();
      }
      end = fill(*b);
      publish(b, end);
    }
  }

  // Reads the next frames into b; true when the reader ended.
  bool fill(Batch& b) {
    b.frames.clear();
    b.offsets.clear();
    b.bytes.clear();
    bool end = false;
    RawPacket f;
    while (b.frames.size() < kFrames && b.bytes.size() < kBytes) {
      if (!reader_->read(f)) {
        end = true;
        break;
      }
      if (stage_) {
        f.slot = b.first_slot + b.frames.size();
        stage_->prepare(f.slot, f);
      }
      b.offsets.push_back(b.bytes.size());
      b.bytes.insert(b.bytes.end(), f.data, f.data + f.caplen);
      b.frames.push_back(f);
    }
    for (std::size_t k = 0; k < b.frames.size(); ++k) b.frames[k].data = b.bytes.data() + b.offsets[k];
    b.last = end;
    return end;
  }

  void publish(Batch* b, bool end) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (end) reader_error_ = reader_->error(), reader_cut_ = reader_->cut();
      full_.push_back(b);
    }
    cv_.notify_all();
  }

  std::unique_ptr<FrameReader> reader_;
  std::shared_ptr<ReadAheadStage> stage_;  // set before the thread starts
  std::array<Batch, 3> pool_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch*> free_;  // guarded by mu_
  std::deque<Batch*> full_;  // guarded by mu_
  std::string reader_error_;  // guarded by mu_
  std::optional<CaptureCut> reader_cut_;  // guarded by mu_
  bool stop_ = false;         // guarded by mu_
  bool primed_ = false;       // the first read came: the engine's thread only
  Batch* cur_ = nullptr;      // the engine's thread only
  std::size_t at_ = 0;
  std::string error_;
  std::optional<CaptureCut> cut_;
  std::thread thread_;
};

// A capture file; its clock jumps to each frame's timestamp.
class FileSource final : public PacketSource {
 public:
  explicit FileSource(std::unique_ptr<FrameReader> reader)
      : linktype_(reader->linktype()), frames_(std::move(reader)) {}

  std::optional<RawPacket> next(std::int64_t deadline_us) override {
    if (!pending_ && !eof_) fetch();
    if (!pending_) {
      if (deadline_us != sched::kNever) clock_.advance_to(deadline_us);
      return std::nullopt;
    }
    if (pending_->ts_us > deadline_us) {
      clock_.advance_to(deadline_us);
      return std::nullopt;
    }
    clock_.advance_to(pending_->ts_us);
    RawPacket p = *pending_;
    pending_.reset();
    ++delivered_;
    return p;
  }
  bool exhausted() const override { return eof_ && !pending_; }
  int linktype() const override { return linktype_; }
  sched::Clock& clock() override { return clock_; }
  SourceStats stats() override {
    SourceStats s;
    s.delivered = delivered_;
    return s;
  }
  std::string error() const override { return frames_.error(); }
  std::optional<CaptureCut> cut() const override { return frames_.cut(); }
  bool set_read_ahead(std::shared_ptr<ReadAheadStage> stage) override { return frames_.set_stage(std::move(stage)); }

 private:
  void fetch() {
    RawPacket frame;
    if (!frames_.read(frame)) {
      eof_ = true;  // end of file, or damage: what came before stands
      return;
    }
    pending_ = frame;
    if (!started_) {
      // Start the clock at the first frame, not at the epoch.
      clock_.advance_to(pending_->ts_us);
      started_ = true;
    }
  }

  int linktype_;  // the file's, fixed once its reader is primed
  ReadAhead frames_;
  sched::ManualClock clock_;
  std::optional<RawPacket> pending_;
  bool eof_ = false;
  bool started_ = false;
  std::uint64_t delivered_ = 0;
};

}  // namespace

Result<std::unique_ptr<PacketSource>> open_live(const LiveOptions& o) {
  char err[PCAP_ERRBUF_SIZE] = {};
  PcapHandle p(pcap_create(o.interface.c_str(), err));
  if (!p) return make_error(ErrorKind::runtime, "capture on " + o.interface + ": " + err);
  pcap_set_snaplen(p.get(), o.snaplen);
  pcap_set_promisc(p.get(), 0);
  pcap_set_immediate_mode(p.get(), 1);  // else replies arrive up to a buffer timeout late
  pcap_set_buffer_size(p.get(), o.buffer_bytes);
  int rc = pcap_activate(p.get());
  if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED)
    return make_error(ErrorKind::privilege,
                      "capture on " + o.interface + " needs root or CAP_NET_RAW");
  if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
    return make_error(ErrorKind::usage, "no such interface: " + o.interface);
  if (rc < 0)
    return make_error(ErrorKind::runtime,
                      "capture on " + o.interface + ": " + pcap_geterr(p.get()));
  if (auto set = set_bpf(p.get(), o.filter); !set) return set.error();
  if (pcap_setnonblock(p.get(), 1, err) != 0)
    return make_error(ErrorKind::runtime, std::string("capture: ") + err);
  int fd = pcap_get_selectable_fd(p.get());
  if (fd < 0) return make_error(ErrorKind::runtime, "capture on " + o.interface + " cannot be polled");
  return std::unique_ptr<PacketSource>(new LiveSource(std::move(p), fd));
}

std::string linktype_name(int linktype) {
  const char* name = pcap_datalink_val_to_name(linktype);
  return name ? name : "unknown";
}

Result<Capture> open_capture(const std::string& path) {
  // Opened once: pcapng goes to our reader (libpcap refuses interfaces of
  // different link types), which also takes its notes; everything else to
  // libpcap, which names what it does not know.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorKind::input, path + ": " + std::strerror(errno));
  std::uint32_t magic = 0;
  if (::pread(fd, &magic, 4, 0) != 4) magic = 0;
  if (magic == 0x0A0D0D0A) {
    auto reader = open_pcapng(fd, path);
    if (!reader) return reader.error();
    Capture c{nullptr, (*reader)->take_notes()};
    c.source = std::make_unique<FileSource>(std::move(*reader));
    return c;
  }
  std::FILE* f = ::fdopen(fd, "rb");
  if (!f) {
    ::close(fd);
    return make_error(ErrorKind::input, path + ": " + std::strerror(errno));
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  PcapHandle p(pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, err));
  if (!p) {
    std::fclose(f);  // libpcap closes it only once it took it
    return make_error(ErrorKind::input, path + ": " + err);
  }
  return Capture{std::make_unique<FileSource>(std::make_unique<LibpcapReader>(std::move(p))), {}};
}

Result<std::unique_ptr<PacketSource>> open_file(const std::string& path) {
  auto c = open_capture(path);
  if (!c) return c.error();
  return std::move(c->source);
}

}  // namespace probe::io
