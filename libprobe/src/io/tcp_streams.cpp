// SPDX-License-Identifier: BSD-2-Clause
#include "probe/io/tcp_streams.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "probe/io/socket_address.h"

namespace probe::io {

namespace {

// Not yet connected, or nothing to do now: the connection goes on.
bool transient(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ENOTCONN; }

class KernelStreams final : public TcpStreams {
 public:
  ~KernelStreams() override {
    for (auto& [key, c] : conns_) ::close(c.fd);
  }

  bool start(std::uint32_t key, const model::Address& src, std::uint16_t sport,
             const model::Address& dst, std::uint16_t dport,
             std::vector<std::uint8_t> message) override {
    int fd = ::socket(socket_family(src.family()), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    // A fixed port, known to the engine, so that the capture (and replay)
    // can tell which connection belongs to which exchange.
    const SocketAddress local = to_sockaddr(src, sport);
    const SocketAddress remote = to_sockaddr(dst, dport);
    if (::bind(fd, local.get(), local.length) != 0 ||
        (::connect(fd, remote.get(), remote.length) != 0 && errno != EINPROGRESS)) {
      ::close(fd);
      return false;
    }
    conns_[key] = Conn{fd, std::move(message), 0, false};
    return true;
  }

  void pump() override {
    char buf[4096];
    for (auto& [key, c] : conns_) {
      if (c.ended) continue;
      if (c.sent < c.out.size()) {
        ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
        if (n > 0) c.sent += static_cast<std::size_t>(n);
        else if (n < 0 && !transient(errno)) c.ended = true;
      }
      // Drained so that the kernel acknowledges the answer; its bytes are
      // read again from the capture.
      ssize_t n;
      while ((n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
      }
      // Closed or failed: readable (or in error) for good, so no longer
      // watched, else it would wake the loop without end until the engine
      // reads the exchange's end from the capture and stops it.
      if (n == 0 || (n < 0 && !transient(errno))) c.ended = true;
    }
  }

  void watch(std::vector<pollfd>& fds) const override {
    for (const auto& [key, c] : conns_) {
      if (c.ended) continue;
      short ev = POLLIN;
      if (c.sent < c.out.size()) ev |= POLLOUT;
      fds.push_back({c.fd, ev, 0});
    }
  }

  void stop(std::uint32_t key) override {
    auto it = conns_.find(key);
    if (it == conns_.end()) return;
    ::close(it->second.fd);
    conns_.erase(it);
  }

  bool busy() const override { return !conns_.empty(); }

 private:
  struct Conn {
    int fd;
    std::vector<std::uint8_t> out;
    std::size_t sent;
    bool ended;  // the peer closed or the connection failed
  };
  std::map<std::uint32_t, Conn> conns_;
};

class NullStreams final : public TcpStreams {
 public:
  bool start(std::uint32_t, const model::Address&, std::uint16_t, const model::Address&, std::uint16_t,
             std::vector<std::uint8_t>) override {
    return true;
  }
  void pump() override {}
  void stop(std::uint32_t) override {}
  bool busy() const override { return false; }
  void watch(std::vector<pollfd>&) const override {}
};

}  // namespace

Result<std::unique_ptr<UdpPortHold>> UdpPortHold::bind(const model::Address& src, std::uint16_t port) {
  int fd = ::socket(socket_family(src.family()), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(ErrorKind::runtime, std::string("udp socket: ") + std::strerror(errno));
  // Never read: answers are read from the capture. The smallest buffer the
  // kernel allows, so that what queues here is dropped at once instead of
  // holding memory for the whole run (a full socket drops silently, without
  // an ICMP error).
  int smallest = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &smallest, sizeof smallest);
  const SocketAddress local = to_sockaddr(src, port);
  if (::bind(fd, local.get(), local.length) != 0) {
    int err = errno;
    ::close(fd);
    return make_error(ErrorKind::runtime, "UDP port " + std::to_string(port) + ": " + std::strerror(err));
  }
  return std::unique_ptr<UdpPortHold>(new UdpPortHold(fd));
}

UdpPortHold::~UdpPortHold() { ::close(fd_); }

std::unique_ptr<TcpStreams> kernel_tcp_streams() { return std::make_unique<KernelStreams>(); }
std::unique_ptr<TcpStreams> null_tcp_streams() { return std::make_unique<NullStreams>(); }

}  // namespace probe::io
