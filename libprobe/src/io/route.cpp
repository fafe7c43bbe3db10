// SPDX-License-Identifier: BSD-2-Clause
#include "probe/io/route.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "probe/io/socket_address.h"

namespace probe::io {

Result<model::Address> source_for(const model::Address& dst) {
  // connect() on a UDP socket asks the routing table and sends nothing.
  int fd = ::socket(socket_family(dst.family()), SOCK_DGRAM, 0);
  if (fd < 0) return make_error(ErrorKind::runtime, std::string("socket: ") + std::strerror(errno));
  const SocketAddress to = to_sockaddr(dst, 33434);
  if (::connect(fd, to.get(), to.length) != 0) {
    int e = errno;
    ::close(fd);
    return make_error(ErrorKind::runtime, "no route to " + dst.to_string() + ": " + std::strerror(e));
  }
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
  ::close(fd);
  if (auto a = from_sockaddr(reinterpret_cast<const sockaddr&>(local))) return *a;
  // getsockname failed (it does not on a connected socket): the zeroed
  // storage names no address, the kernel would pick one at send time.
  const std::uint8_t unspecified[16] = {};
  return model::Address::from_bytes(dst.family(), unspecified);
}

Result<std::string> interface_for(const model::Address& src) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0)
    return make_error(ErrorKind::runtime, std::string("getifaddrs: ") + std::strerror(errno));
  std::string name;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (i->ifa_addr && from_sockaddr(*i->ifa_addr) == src) {
      name = i->ifa_name;
      break;
    }
  }
  ::freeifaddrs(list);
  if (name.empty()) return make_error(ErrorKind::usage, "no interface holds source address " + src.to_string());
  return name;
}

}  // namespace probe::io
