// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Writing what a run saw to a pcapng file that tcpdump and Wireshark open,
/// and reading back the run record stored in its section header.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probe/error.h"
#include "probe/io/packet_source.h"

namespace probe::io {

/// A pcapng file: one section header carrying `comment` (the run record), one
/// interface of the given link type, then an enhanced packet block per frame.
/// Frames are gathered whole in a buffer and written out when it holds
/// kBufferBytes, on flush(), and once the oldest has waited kMaxWaitUs
/// (flush_due(), which the tee calls): one write(2) per some 500 frames
/// rather than per frame, while a crash loses at most about a second and a
/// full disk is still seen within one.
class CaptureWriter {
 public:
  static constexpr std::size_t kBufferBytes = 64 << 10;
  static constexpr std::int64_t kMaxWaitUs = 1000000;

  /// Writes the section header and the interface block through at once:
  /// a file that cannot take them (/dev/full) is an output error here.
  static Result<std::unique_ptr<CaptureWriter>> create(const std::string& path, int linktype,
                                                       const std::string& comment);
  /// The same on a descriptor already open for writing (fl-probed: the file
  /// a client opened and passed over the control socket), which the writer
  /// owns from now on, failure included. `path` names it in messages.
  static Result<std::unique_ptr<CaptureWriter>> adopt(int fd, const std::string& path, int linktype,
                                                      const std::string& comment);
  /// Writes out what is buffered.
  ~CaptureWriter();
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  /// Appends a frame as one whole block. False once a write failed (the
  /// error sticks; here, when this frame filled the buffer and writing it
  /// out failed). The file then ends at the last whole block that reached it.
  bool write(const RawPacket& packet);
  /// Writes out the buffer. True unless a write failed, now or before.
  bool flush();
  /// Appends an interface statistics block carrying `comment` (taken at
  /// `now_us`, µs since the epoch) and writes it out at once with what is
  /// buffered: what a run notes beside its frames. fl-locate writes one
  /// before the first frame with what it knows at its start, and one as the
  /// capture's last block with what it learnt (record/campaign_annotation.h);
  /// readers find them as io::CaptureNotes. True unless a write failed, now
  /// or before.
  bool write_comment(const std::string& comment, std::int64_t now_us);
  /// When the buffered frames are due on disk: the first one's capture
  /// timestamp plus kMaxWaitUs, in µs since the epoch; sched::kNever when
  /// nothing is buffered.
  std::int64_t due_us() const;
  /// flush() when `now_us` (µs since the epoch) has reached due_us(); else
  /// true unless a write failed before.
  bool flush_due(std::int64_t now_us);
  /// On the first failed write, `halt` is raised to 2 (stop now): a run
  /// whose capture cannot be written stops rather than going on unrecorded.
  void halt_on_failure(std::atomic<int>& halt) { halt_ = &halt; }
  const std::string& path() const { return path_; }
  /// "PATH: write failed: <errno text>" once a write failed, else "".
  const std::string& error() const { return error_; }

 private:
  CaptureWriter(int fd, std::string path);
  bool drain();
  int fd_;
  std::string path_;
  std::vector<std::uint8_t> buf_;  // whole blocks not yet written
  std::int64_t first_us_ = 0;      // capture timestamp of the first frame in buf_, µs
  std::uint64_t whole_ = 0;        // bytes of whole blocks written
  std::string error_;
  std::atomic<int>* halt_ = nullptr;
};

/// The section header comment of a pcapng file, if it is one and has one
/// (open_capture's notes without the frames). Error only when the file
/// cannot be opened.
Result<std::optional<std::string>> read_section_comment(const std::string& path);

/// A source that copies the frames it delivers into a CaptureWriter: with
/// `all`, every one; else only those the run kept (PacketSource::keep()).
/// It also writes out the writer's buffer once it is due.
std::unique_ptr<PacketSource> tee(std::unique_ptr<PacketSource> inner, CaptureWriter& writer, bool all);

}  // namespace probe::io
