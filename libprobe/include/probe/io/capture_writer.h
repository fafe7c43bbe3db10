#pragma once
/// Writing what a run saw to a pcapng file that tcpdump and Wireshark open,
/// and reading back the run record stored in its section header.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

  /// Appends a frame as one whole block, written through at once so that a
  /// full disk is seen at the frame that meets it. False once a write failed
  /// (the error sticks); the file then ends at the last whole block.
  bool write(const RawPacket& packet);
  /// True unless a write failed (blocks are written through: nothing to flush).
  bool flush();
  /// On the first failed write, `halt` is raised to 2 (stop now): a run
  /// whose capture cannot be written stops rather than going on unrecorded.
  void halt_on_failure(std::atomic<int>& halt) { halt_ = &halt; }
  const std::string& path() const { return path_; }
  /// "PATH: write failed: <errno text>" once a write failed, else "".
  const std::string& error() const { return error_; }

 private:
  CaptureWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  bool put(const std::vector<std::uint8_t>& block);
  int fd_;
  std::string path_;
  std::uint64_t whole_ = 0;  // bytes of whole blocks written
  std::string error_;
  std::atomic<int>* halt_ = nullptr;
};

/// The section header comment of a pcapng file, if it is one and has one.
/// Error only when the file cannot be read at all.
Result<std::optional<std::string>> read_section_comment(const std::string& path);

/// A source that copies every frame it delivers into a CaptureWriter.
std::unique_ptr<PacketSource> tee(std::unique_ptr<PacketSource> inner, CaptureWriter& writer);

}  // namespace probe::io
