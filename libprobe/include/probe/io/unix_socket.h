// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Unix stream sockets for fl-probed's control socket and its clients
/// (fl-trace --via), as move-only descriptors.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "probe/error.h"

namespace probe::io {

/// A descriptor closed with the object.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }
  /// Gives the descriptor up: the caller closes it.
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

/// Binds and listens on `path`, non-blocking, then gives the socket file
/// `group` (when given) and mode 0660, so that only root and that group
/// may connect. A stale socket file is replaced; one that a live server
/// answers on is a runtime error, as is a path that is not a socket.
Result<Fd> listen_unix(const std::string& path, std::optional<gid_t> group);

/// Connects to the server on `path` (blocking). A runtime error names the
/// path and says why.
Result<Fd> connect_unix(const std::string& path);

/// Sends `bytes` whole on `socket`, the first part carrying `fd`
/// (SCM_RIGHTS) when it is >= 0. A runtime error says why it failed.
Result<bool> send_with_fd(int socket, const std::string& bytes, int fd);

/// Reads what is there (non-blocking or not) into `buf`, and the
/// descriptors that came with it into `fds`. The byte count: 0 at the end
/// of the stream, -1 with errno set on failure.
long receive_with_fds(int socket, char* buf, std::size_t size, std::vector<Fd>& fds);

/// A group's id by name or number; a usage error for an unknown one.
Result<gid_t> group_id(const std::string& name);

}  // namespace probe::io
