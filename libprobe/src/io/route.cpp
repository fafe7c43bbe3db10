// SPDX-License-Identifier: BSD-2-Clause
#include "probe/io/route.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace probe::io {

Result<model::Address> source_for(const model::Address& dst) {
  // connect() on a UDP socket asks the routing table and sends nothing.
  const bool v4 = dst.is_v4();
  int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) return make_error(ErrorKind::runtime, std::string("socket: ") + std::strerror(errno));
  sockaddr_storage to{};
  socklen_t to_len;
  if (v4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&to);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(33434);
    std::memcpy(&sin->sin_addr, dst.data(), 4);
    to_len = sizeof *sin;
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&to);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(33434);
    std::memcpy(&sin6->sin6_addr, dst.data(), 16);
    to_len = sizeof *sin6;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), to_len) != 0) {
    int e = errno;
    ::close(fd);
    return make_error(ErrorKind::runtime, "no route to " + dst.to_string() + ": " + std::strerror(e));
  }
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
  ::close(fd);
  if (v4)
    return model::Address::from_bytes(model::Family::v4,
                                      reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<sockaddr_in*>(&local)->sin_addr));
  return model::Address::from_bytes(model::Family::v6,
                                    reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr));
}

Result<std::string> interface_for(const model::Address& src) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0)
    return make_error(ErrorKind::runtime, std::string("getifaddrs: ") + std::strerror(errno));
  std::string name;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != (src.is_v4() ? AF_INET : AF_INET6)) continue;
    const void* held = src.is_v4() ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr)
                                   : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr);
    if (std::memcmp(held, src.data(), src.size()) == 0) {
      name = i->ifa_name;
      break;
    }
  }
  ::freeifaddrs(list);
  if (name.empty()) return make_error(ErrorKind::usage, "no interface holds source address " + src.to_string());
  return name;
}

}  // namespace probe::io
