// SPDX-License-Identifier: BSD-2-Clause
// to_sockaddr / from_sockaddr: what the socket calls of the raw socket,
// the route lookup and the reverse-name lookup are given.

#include "probe/io/socket_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/un.h>

#include <cstring>
#include <string>

#include "packet_helpers.h"

namespace {

using probe::io::from_sockaddr;
using probe::io::to_sockaddr;
using testing_packets::addr;

// The family, port (host order) and address text the kernel would read.
struct Seen {
  int family;
  std::uint16_t port;
  std::string text;
};

Seen read_back(const probe::io::SocketAddress& s) {
  char text[INET6_ADDRSTRLEN] = {};
  const int family = s.storage.ss_family;
  const void* bytes = family == AF_INET ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in&>(s.storage).sin_addr)
                                        : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6&>(s.storage).sin6_addr);
  const std::uint16_t port = family == AF_INET ? reinterpret_cast<const sockaddr_in&>(s.storage).sin_port
                                               : reinterpret_cast<const sockaddr_in6&>(s.storage).sin6_port;
  EXPECT_NE(inet_ntop(family, bytes, text, sizeof text), nullptr);
  return Seen{family, ntohs(port), text};
}

TEST(SocketAddress, CarriesAddressAndPortInNetworkOrderForEitherFamily) {
  struct Case {
    const char* address;
    std::uint16_t port;
    int family;
    socklen_t length;
  };
  for (const Case& c : {Case{"198.51.100.7", 33434, AF_INET, sizeof(sockaddr_in)},
                        Case{"2001:db8:9::9", 53, AF_INET6, sizeof(sockaddr_in6)}}) {
    const auto s = to_sockaddr(addr(c.address), c.port);
    EXPECT_EQ(s.length, c.length) << c.address;
    EXPECT_EQ(s.get(), reinterpret_cast<const sockaddr*>(&s.storage));
    const Seen seen = read_back(s);
    EXPECT_EQ(seen.family, c.family) << c.address;
    EXPECT_EQ(seen.port, c.port) << c.address;
    EXPECT_EQ(seen.text, c.address);
  }
}

TEST(SocketAddress, Ipv6HasNoScopeOrFlowInfo) {
  const auto s = to_sockaddr(addr("2001:db8:9::9"), 53);
  const auto& sin6 = reinterpret_cast<const sockaddr_in6&>(s.storage);
  EXPECT_EQ(sin6.sin6_scope_id, 0u);
  EXPECT_EQ(sin6.sin6_flowinfo, 0u);
}

TEST(SocketAddress, PortDefaultsToZeroForRawSockets) {
  const auto v4 = to_sockaddr(addr("192.0.2.1"));
  EXPECT_EQ(reinterpret_cast<const sockaddr_in&>(v4.storage).sin_port, 0);
  const auto v6 = to_sockaddr(addr("2001:db8::1"));
  EXPECT_EQ(reinterpret_cast<const sockaddr_in6&>(v6.storage).sin6_port, 0);
}

TEST(SocketAddress, FromSockaddrReadsBackBothFamilies) {
  for (const char* text : {"203.0.113.200", "0.0.0.0", "2001:db8:ffff::1", "::"}) {
    const auto a = addr(text);
    const auto back = from_sockaddr(*to_sockaddr(a, 4242).get());
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, a) << text;
    EXPECT_EQ(back->family(), a.family()) << text;
  }
}

TEST(SocketAddress, FromSockaddrRefusesOtherFamilies) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::strcpy(un.sun_path, "/tmp/x");
  EXPECT_FALSE(from_sockaddr(reinterpret_cast<const sockaddr&>(un)));
  sockaddr_storage none{};  // AF_UNSPEC: what a failed getsockname leaves
  EXPECT_FALSE(from_sockaddr(reinterpret_cast<const sockaddr&>(none)));
}

}  // namespace
