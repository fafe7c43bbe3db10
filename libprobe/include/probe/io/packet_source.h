// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Where captured packets come from: a live interface or a capture file.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <poll.h>

#include "probe/error.h"
#include "probe/sched/clock.h"

namespace probe::io {

/// One captured frame. `data` stays valid until the next call to next().
struct RawPacket {
  std::int64_t ts_us = 0;       ///< capture timestamp, µs since the epoch
  const std::uint8_t* data = nullptr;
  std::uint32_t caplen = 0;     ///< bytes captured
  std::uint32_t len = 0;        ///< bytes on the wire
  int linktype = 1;             ///< pcap LINKTYPE_ of the frame
  /// Where the source's read-ahead stage prepared the frame
  /// (PacketSource::set_read_ahead), or kNoSlot.
  std::size_t slot = kNoSlot;
  static constexpr std::size_t kNoSlot = SIZE_MAX;
};

/// Work a source that reads ahead (capture files) does on its reading
/// thread for every frame, before the engine asks for it, so that the
/// engine's thread only takes the results. What the work is, io does not
/// know: the engine brings it (engine/event_loop.h: ClassifyStage).
class ReadAheadStage {
 public:
  virtual ~ReadAheadStage() = default;
  /// On the engine's thread, before any prepare(): frames will use slots
  /// 0 to `slots` - 1.
  virtual void reserve(std::size_t slots) = 0;
  /// On the reading thread: prepare `frame` into `slot`. The slot's result
  /// is read once the frame is delivered, until the next call to next().
  virtual void prepare(std::size_t slot, const RawPacket& frame) = 0;
  /// On the engine's thread: the frame of `slot` will be delivered soon
  /// (prepared on another core: a chance to fetch it into this one's cache).
  virtual void soon(std::size_t /*slot*/) const {}
};

/// Counters a source keeps about what it could not deliver.
struct SourceStats {
  std::uint64_t delivered = 0;       ///< frames handed out
  std::uint64_t kernel_dropped = 0;  ///< pcap_stats ps_drop (live)
  std::uint64_t iface_dropped = 0;   ///< pcap_stats ps_ifdrop (live)
  std::uint64_t discarded = 0;       ///< frames of an earlier run thrown away by set_filter() (live)
};

/// Where a capture file was cut short (a copy taken while it was being
/// written, a run killed mid-block): everything before it was read.
struct CaptureCut {
  std::uint64_t byte = 0;   ///< file offset of the first incomplete block
  std::uint64_t block = 0;  ///< its number, counting blocks from 1
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;
  /// The next frame captured no later than deadline_us, or nullopt once the
  /// source's clock has reached deadline_us (or the file ended). Never busy-waits.
  virtual std::optional<RawPacket> next(std::int64_t deadline_us) = 0;
  /// As next(), and nullopt as soon as one of `wake` is ready too (poll(2)'s
  /// events; their revents are filled in): a daemon's sockets wake the loop
  /// that sleeps in the capture. A source that does not sleep on a
  /// descriptor (a file) ignores `wake`.
  virtual std::optional<RawPacket> next_or_wake(std::int64_t deadline_us, std::vector<pollfd>& /*wake*/) {
    return next(deadline_us);
  }
  /// A live capture kept open across runs: the next run's BPF filter, set
  /// without a new ring, and the frames captured before it thrown away
  /// (counted in stats().discarded). A file has no filter: false.
  virtual Result<bool> set_filter(const std::string& /*expr*/) { return false; }
  /// True once a file source has delivered its last frame.
  virtual bool exhausted() const = 0;
  /// The link type frames carry (for writing captures).
  virtual int linktype() const = 0;
  /// The clock that this source's timestamps and deadlines are measured on.
  virtual sched::Clock& clock() = 0;
  virtual SourceStats stats() = 0;
  /// Why a file source stopped early (a truncated or corrupt record), or "".
  virtual std::string error() const { return {}; }
  /// With error(): set when the file just ends inside a block (cut), rather
  /// than holding a damaged one.
  virtual std::optional<CaptureCut> cut() const { return std::nullopt; }
  /// Asks a source that reads ahead (capture files) to run `stage` on every
  /// frame as it reads it (RawPacket::slot says where it went). Only before
  /// the first next(); false if the source does not read ahead.
  virtual bool set_read_ahead(std::shared_ptr<ReadAheadStage>) { return false; }
  /// The frame last delivered belongs to this run (an engine matched it):
  /// a source that tees into a capture writes it there (io::tee). Called
  /// before the next next(), at most once per frame.
  virtual void keep() {}
};

/// Options for a live capture.
struct LiveOptions {
  std::string interface;   ///< pcap device name
  std::string filter;      ///< BPF expression
  /// With immediate mode libpcap uses a TPACKET_V2 ring of snaplen-sized
  /// frames: a small snaplen means many frames in the buffer, hence no drops.
  /// A frame is the snaplen plus 84 bytes of headers, and frames do not
  /// straddle pages: at 1960 two fit in a 4 KiB page, at 2048 one did, and
  /// the ring took twice the memory (and the time to set it up) for the
  /// same number of frames. Still above any 1500-byte MTU frame.
  int snaplen = 1960;
  int buffer_bytes = 8 << 20;
};

/// Live capture on an interface, immediate mode, polled with deadlines.
Result<std::unique_ptr<PacketSource>> open_live(const LiveOptions& options);

/// libpcap's name of a link type ("EN10MB", "NFLOG", ...), or "unknown".
std::string linktype_name(int linktype);

/// What a pcapng capture says besides its frames, in its comments
/// (classic pcap has none).
struct CaptureNotes {
  std::optional<std::string> section;  ///< the section header's (a faultline run record)
  std::vector<std::string> opening;    ///< those of the statistics blocks ahead of the first frame
  std::optional<std::string> closing;  ///< that of the file's last block, if it is a statistics block
};

/// A capture file, opened once: its frames and its notes.
struct Capture {
  std::unique_ptr<PacketSource> source;
  CaptureNotes notes;
};

/// A pcap or pcapng file; its clock jumps to each frame's timestamp.
Result<Capture> open_capture(const std::string& path);
/// The same, frames only.
Result<std::unique_ptr<PacketSource>> open_file(const std::string& path);

}  // namespace probe::io
