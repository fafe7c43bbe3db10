// SPDX-License-Identifier: BSD-2-Clause
#include "probe/io/socket_address.h"

#include <cstring>

namespace probe::io {

SocketAddress to_sockaddr(const model::Address& address, std::uint16_t port) {
  // The address bytes are in network order already, as the socket
  // addresses hold them.
  SocketAddress s;
  if (address.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&s.storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, address.data(), 4);
    s.length = sizeof *sin;
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&s.storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    std::memcpy(&sin6->sin6_addr, address.data(), 16);
    s.length = sizeof *sin6;
  }
  return s;
}

std::optional<model::Address> from_sockaddr(const sockaddr& address) {
  if (address.sa_family == AF_INET)
    return model::Address::from_bytes(
        model::Family::v4, reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in&>(address).sin_addr));
  if (address.sa_family == AF_INET6)
    return model::Address::from_bytes(
        model::Family::v6, reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in6&>(address).sin6_addr));
  return std::nullopt;
}

}  // namespace probe::io
