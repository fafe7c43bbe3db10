// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Internal: where a file source gets its frames. libpcap reads classic pcap;
// our own reader takes pcapng, whose interfaces may each have a link type
// (libpcap refuses such files).

#include <memory>
#include <optional>
#include <string>

#include "probe/error.h"
#include "probe/io/packet_source.h"

namespace probe::io {

class FrameReader {
 public:
  virtual ~FrameReader() = default;
  // The next frame; false at the end of the file or at damage (error() says which).
  virtual bool read(RawPacket& frame) = 0;
  // Why reading stopped early, or "".
  virtual std::string error() const = 0;
  // With error(): where the file ends inside a block, if that is why.
  virtual std::optional<CaptureCut> cut() const { return std::nullopt; }
  // The link type of the file (pcapng: of its first interface).
  virtual int linktype() const = 0;
  // What the file says besides its frames, once (classic pcap: nothing).
  virtual CaptureNotes take_notes() { return {}; }
};

// A pcapng file open at `fd` (the reader owns it), named `path` in errors;
// an input error if it starts wrong.
Result<std::unique_ptr<FrameReader>> open_pcapng(int fd, const std::string& path);

// Pins a timestamp to the year 10000: a later one is damage, and the engine
// must be able to add waits to it without overflowing.
inline std::int64_t clamp_timestamp_us(std::int64_t us) {
  constexpr std::int64_t kMaxUs = 253402300800LL * 1000000;  // 10000-01-01T00:00:00Z
  return us > kMaxUs ? kMaxUs : us < -kMaxUs ? -kMaxUs : us;
}

}  // namespace probe::io
