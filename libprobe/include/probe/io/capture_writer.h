#pragma once
/// Writing what a run saw to a pcapng file that tcpdump and Wireshark open,
/// and reading back the run record stored in its section header.

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "probe/error.h"
#include "probe/io/packet_source.h"

namespace probe::io {

/// A pcapng file: one section header carrying `comment` (the run record), one
/// interface of the given link type, then an enhanced packet block per frame.
class CaptureWriter {
 public:
  static Result<std::unique_ptr<CaptureWriter>> create(const std::string& path, int linktype,
                                                       const std::string& comment);
  ~CaptureWriter();
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  /// Appends a frame; false once a write failed (the error sticks).
  bool write(const RawPacket& packet);
  /// Flushes to the kernel; false if any write failed.
  bool flush();
  const std::string& path() const { return path_; }

 private:
  CaptureWriter(std::FILE* f, std::string path) : file_(f), path_(std::move(path)) {}
  std::FILE* file_;
  std::string path_;
  bool failed_ = false;
};

/// The section header comment of a pcapng file, if it is one and has one.
/// Error only when the file cannot be read at all.
Result<std::optional<std::string>> read_section_comment(const std::string& path);

/// A source that copies every frame it delivers into a CaptureWriter.
std::unique_ptr<PacketSource> tee(std::unique_ptr<PacketSource> inner, CaptureWriter& writer);

}  // namespace probe::io
