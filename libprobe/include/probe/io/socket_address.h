// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// model::Address to and from the kernel's socket addresses (sockaddr_in,
/// sockaddr_in6), the one place that knows their layout.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>

#include "probe/model/address.h"

namespace probe::io {

/// A socket address as the socket calls take it: storage and its length.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;  ///< bytes: sizeof(sockaddr_in) or sizeof(sockaddr_in6)

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

/// AF_INET or AF_INET6.
inline int socket_family(model::Family family) { return family == model::Family::v4 ? AF_INET : AF_INET6; }

/// `address` with `port` (host order; 0 for raw sockets, where the header
/// we write names the next one). IPv6: flow info and scope id 0.
SocketAddress to_sockaddr(const model::Address& address, std::uint16_t port = 0);

/// The address a sockaddr_in or sockaddr_in6 holds (its port dropped);
/// nullopt for any other family.
std::optional<model::Address> from_sockaddr(const sockaddr& address);

}  // namespace probe::io
