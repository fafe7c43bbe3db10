#pragma once
/// Where captured packets come from: a live interface or a capture file.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probe/error.h"
#include "probe/match/classify.h"
#include "probe/packet/datagram.h"
#include "probe/sched/clock.h"

namespace probe::io {

/// A frame's IP layer as packet::ip_offset and packet::parse_ip read it,
/// and, where the source was asked to (PacketSource::classify_for), what
/// match::classify makes of it for each identity.
struct ParsedFrame {
  bool ip = false;  ///< the link layer carries IP
  bool ok = false;  ///< ... and it parsed (`datagram` is valid)
  packet::Datagram datagram;
  std::vector<std::optional<match::Evidence>> evidence;  ///< one per identity, when ok
};

/// Fills `out` from a frame of link type `linktype`.
void parse_frame(int linktype, const std::uint8_t* data, std::size_t caplen, ParsedFrame& out);

/// One captured frame. `data` (and `parsed`) stay valid until the next call
/// to next().
struct RawPacket {
  std::int64_t ts_us = 0;       ///< capture timestamp, µs since the epoch
  const std::uint8_t* data = nullptr;
  std::uint32_t caplen = 0;     ///< bytes captured
  std::uint32_t len = 0;        ///< bytes on the wire
  int linktype = 1;             ///< pcap LINKTYPE_ of the frame
  /// The frame parsed already, where the source did it (capture files parse
  /// on their read-ahead thread); null: parse it yourself (parse_frame).
  const ParsedFrame* parsed = nullptr;
};

/// Counters a source keeps about what it could not deliver.
struct SourceStats {
  std::uint64_t delivered = 0;       ///< frames handed out
  std::uint64_t kernel_dropped = 0;  ///< pcap_stats ps_drop (live)
  std::uint64_t iface_dropped = 0;   ///< pcap_stats ps_ifdrop (live)
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;
  /// The next frame captured no later than deadline_us, or nullopt once the
  /// source's clock has reached deadline_us (or the file ended). Never busy-waits.
  virtual std::optional<RawPacket> next(std::int64_t deadline_us) = 0;
  /// True once a file source has delivered its last frame.
  virtual bool exhausted() const = 0;
  /// The link type frames carry (for writing captures).
  virtual int linktype() const = 0;
  /// The clock that this source's timestamps and deadlines are measured on.
  virtual sched::Clock& clock() = 0;
  virtual SourceStats stats() = 0;
  /// Why a file source stopped early (a truncated or corrupt record), or "".
  virtual std::string error() const { return {}; }
  /// Asks a source that parses frames ahead (capture files) to classify
  /// them against these identities too, in that order (ParsedFrame::
  /// evidence). Only before the first next(); false if the source does not.
  virtual bool classify_for(const std::vector<match::Identity>&) { return false; }
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

/// A pcap or pcapng file; its clock jumps to each frame's timestamp.
Result<std::unique_ptr<PacketSource>> open_file(const std::string& path);

}  // namespace probe::io
