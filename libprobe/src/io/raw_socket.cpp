// SPDX-License-Identifier: BSD-2-Clause
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "probe/io/packet_sink.h"
#include "probe/io/socket_address.h"

namespace probe::io {

namespace {

class RawSocketSink final : public PacketSink {
 public:
  explicit RawSocketSink(int fd) : fd_(fd) {}
  ~RawSocketSink() override { ::close(fd_); }
  RawSocketSink(const RawSocketSink&) = delete;
  RawSocketSink& operator=(const RawSocketSink&) = delete;

  bool send(const std::vector<std::uint8_t>& packet, const model::Address& dst) override {
    // Port 0: the header we wrote names the next header.
    const SocketAddress to = to_sockaddr(dst);
    ssize_t n = ::sendto(fd_, packet.data(), packet.size(), 0, to.get(), to.length);
    return n == static_cast<ssize_t>(packet.size());
  }
  bool paced() const override { return true; }

 private:
  int fd_;
};

class NullSink final : public PacketSink {
 public:
  bool send(const std::vector<std::uint8_t>&, const model::Address&) override { return true; }
  bool paced() const override { return false; }
};

}  // namespace

Result<std::unique_ptr<PacketSink>> open_raw_socket(model::Family family) {
  // IPPROTO_RAW implies IP_HDRINCL: we write the whole header, TTL and IP ID
  // included. On AF_INET6 it implies the same (Linux sets hdrincl for
  // IPPROTO_RAW in inet6_create; IPV6_HDRINCL, 4.5 on, only names it): the
  // kernel sends our IPv6 header as written, flow label and hop limit
  // included, and still routes it and resolves the neighbour. That keeps one
  // send path for both families; whole frames on a packet socket would have
  // us do neighbour discovery and pick the next hop ourselves.
  int fd = ::socket(socket_family(family), SOCK_RAW, IPPROTO_RAW);
  if (fd < 0) {
    if (errno == EPERM || errno == EACCES)
      return make_error(ErrorKind::privilege, "raw sockets need root or CAP_NET_RAW");
    return make_error(ErrorKind::runtime, std::string("raw socket: ") + std::strerror(errno));
  }
  int sndbuf = 4 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  return std::unique_ptr<PacketSink>(new RawSocketSink(fd));
}

std::unique_ptr<PacketSink> null_sink() { return std::make_unique<NullSink>(); }

}  // namespace probe::io
