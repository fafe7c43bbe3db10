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
  if (!dst.is_v4()) return make_error(ErrorKind::usage, "IPv6 probing is not supported yet");
  // connect() on a UDP socket asks the routing table and sends nothing.
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return make_error(ErrorKind::runtime, std::string("socket: ") + std::strerror(errno));
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(33434);
  std::memcpy(&sin.sin_addr, dst.data(), 4);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
    int e = errno;
    ::close(fd);
    return make_error(ErrorKind::runtime, "no route to " + dst.to_string() + ": " + std::strerror(e));
  }
  sockaddr_in local{};
  socklen_t len = sizeof local;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
  ::close(fd);
  return model::Address::from_bytes(model::Family::v4, reinterpret_cast<const std::uint8_t*>(&local.sin_addr));
}

Result<std::string> interface_for(const model::Address& src) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0)
    return make_error(ErrorKind::runtime, std::string("getifaddrs: ") + std::strerror(errno));
  std::string name;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !src.is_v4()) continue;
    auto* sin = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if (std::memcmp(&sin->sin_addr, src.data(), 4) == 0) {
      name = i->ifa_name;
      break;
    }
  }
  ::freeifaddrs(list);
  if (name.empty()) return make_error(ErrorKind::usage, "no interface holds source address " + src.to_string());
  return name;
}

}  // namespace probe::io
