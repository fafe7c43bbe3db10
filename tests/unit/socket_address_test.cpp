// SPDX-License-Identifier: BSD-2-Clause
// to_sockaddr / from_sockaddr: what the socket calls of the raw socket,
// the route lookup and the reverse-name lookup are given.

#include "probe/io/socket_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/un.h>

#include <cstring>

#include "packet_helpers.h"

namespace {

using probe::io::from_sockaddr;
using probe::io::to_sockaddr;
using testing_packets::addr;

TEST(SocketAddress, Ipv4CarriesAddressAndPortInNetworkOrder) {
  const auto s = to_sockaddr(addr("198.51.100.7"), 33434);
  ASSERT_EQ(s.length, sizeof(sockaddr_in));
  const auto& sin = reinterpret_cast<const sockaddr_in&>(s.storage);
  EXPECT_EQ(sin.sin_family, AF_INET);
  EXPECT_EQ(ntohs(sin.sin_port), 33434);
  char text[INET_ADDRSTRLEN];
  ASSERT_NE(inet_ntop(AF_INET, &sin.sin_addr, text, sizeof text), nullptr);
  EXPECT_STREQ(text, "198.51.100.7");
  EXPECT_EQ(s.get(), reinterpret_cast<const sockaddr*>(&s.storage));
}

TEST(SocketAddress, Ipv6CarriesAddressAndPortWithoutScopeOrFlowInfo) {
  const auto s = to_sockaddr(addr("2001:db8:9::9"), 53);
  ASSERT_EQ(s.length, sizeof(sockaddr_in6));
  const auto& sin6 = reinterpret_cast<const sockaddr_in6&>(s.storage);
  EXPECT_EQ(sin6.sin6_family, AF_INET6);
  EXPECT_EQ(ntohs(sin6.sin6_port), 53);
  EXPECT_EQ(sin6.sin6_scope_id, 0u);
  EXPECT_EQ(sin6.sin6_flowinfo, 0u);
  char text[INET6_ADDRSTRLEN];
  ASSERT_NE(inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof text), nullptr);
  EXPECT_STREQ(text, "2001:db8:9::9");
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
