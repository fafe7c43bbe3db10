// SPDX-License-Identifier: BSD-2-Clause
#include "probe/io/unix_socket.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace probe::io {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

Result<sockaddr_un> address_of(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(a.sun_path))
    return make_error(ErrorKind::usage, "socket path '" + path + "' is empty or longer than 107 bytes");
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

Error failed(const std::string& what, const std::string& path) {
  return make_error(ErrorKind::runtime, what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<Fd> listen_unix(const std::string& path, std::optional<gid_t> group) {
  auto a = address_of(path);
  if (!a) return a.error();
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return make_error(ErrorKind::runtime, path + " exists and is not a socket");
    // Someone still answering there keeps the path: two daemons would each
    // think the socket theirs.
    if (auto probe = connect_unix(path))
      return make_error(ErrorKind::runtime, path + ": another server is listening on it");
    ::unlink(path.c_str());
  }
  Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!s) return failed("cannot create a socket for", path);
  // Created without permissions for others, widened to the group below:
  // no moment where anyone may connect.
  mode_t old = ::umask(0177);
  int rc = ::bind(s.get(), reinterpret_cast<const sockaddr*>(&*a), sizeof(*a));
  ::umask(old);
  if (rc != 0) return failed("cannot bind", path);
  if (group && ::chown(path.c_str(), static_cast<uid_t>(-1), *group) != 0) return failed("cannot give the group to", path);
  if (::chmod(path.c_str(), 0660) != 0) return failed("cannot set the mode of", path);
  if (::listen(s.get(), 128) != 0) return failed("cannot listen on", path);
  return s;
}

Result<Fd> connect_unix(const std::string& path) {
  auto a = address_of(path);
  if (!a) return a.error();
  Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return failed("cannot create a socket for", path);
  if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&*a), sizeof(*a)) != 0)
    return failed("cannot connect to", path);
  return s;
}

Result<bool> send_with_fd(int socket, const std::string& bytes, int fd) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    iovec iov{const_cast<char*>(bytes.data() + sent), bytes.size() - sent};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (fd >= 0 && sent == 0) {
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t n = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(ErrorKind::runtime, std::string("cannot send: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

long receive_with_fds(int socket, char* buf, std::size_t size, std::vector<Fd>& fds) {
  iovec iov{buf, size};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0) return -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      fds.emplace_back(fd);
    }
  }
  // Descriptors beyond the room above were closed by the kernel
  // (MSG_CTRUNC): the request that wanted one is refused for want of it.
  return static_cast<long>(n);
}

Result<gid_t> group_id(const std::string& name) {
  std::vector<char> buf(16384);
  group g{};
  group* found = nullptr;
  if (::getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found) == 0 && found) return found->gr_gid;
  char* end = nullptr;
  unsigned long n = std::strtoul(name.c_str(), &end, 10);
  if (!name.empty() && *end == '\0') return static_cast<gid_t>(n);
  return make_error(ErrorKind::usage, "unknown group '" + name + "'");
}

}  // namespace probe::io
