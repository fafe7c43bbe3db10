// SPDX-License-Identifier: BSD-2-Clause
// Addresses, prefixes and the one's complement helpers the probes rely on.

#include "probe/model/address.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_set>
#include <vector>

#include "probe/model/trace.h"
#include "probe/packet/checksum.h"

namespace {

using probe::model::Address;
using probe::model::Prefix;

TEST(Address, ParsesAndPrintsBothFamilies) {
  auto v4 = Address::parse("198.18.0.1");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->size(), 4u);
  EXPECT_EQ(v4->v4_host(), 0xc6120001u);
  EXPECT_EQ(v4->to_string(), "198.18.0.1");
  EXPECT_EQ(*v4, Address::v4(0xc6120001u));
  auto v6 = Address::parse("2001:DB8:0::1");
  ASSERT_TRUE(v6);
  EXPECT_FALSE(v6->is_v4());
  EXPECT_EQ(v6->size(), 16u);
  EXPECT_EQ(v6->v4_host(), 0u);
  EXPECT_EQ(v6->to_string(), "2001:db8::1");
  EXPECT_NE(*v4, *v6);
  for (const char* bad : {"", "198.18.0", "198.18.0.256", "host", "1.2.3.4 ", "::g",
                          "0123456789012345678901234567890123456789012345678"})
    EXPECT_FALSE(Address::parse(bad)) << bad;
}

TEST(Address, UnspecifiedOrderAndHash) {
  EXPECT_TRUE(Address::parse("0.0.0.0")->is_unspecified());
  EXPECT_TRUE(Address::parse("::")->is_unspecified());
  EXPECT_FALSE(Address::parse("0.0.0.1")->is_unspecified());
  EXPECT_LT(*Address::parse("10.0.0.1"), *Address::parse("10.0.0.2"));
  EXPECT_LT(*Address::parse("255.255.255.255"), *Address::parse("::"));  // v4 before v6
  std::unordered_set<Address> s{*Address::parse("10.0.0.1"), *Address::parse("10.0.0.1"),
                                *Address::parse("::a00:1")};
  EXPECT_EQ(s.size(), 2u);
}

TEST(Prefix, ParseCountContains) {
  auto p = Prefix::parse("198.18.4.77/24");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->to_string(), "198.18.4.0/24");
  EXPECT_EQ(p->count(), 256u);
  EXPECT_TRUE(p->contains(*Address::parse("198.18.4.255")));
  EXPECT_FALSE(p->contains(*Address::parse("198.18.5.0")));
  EXPECT_FALSE(p->contains(*Address::parse("::c612:400")));
  EXPECT_EQ(Prefix::parse("10.1.2.3")->length, 32);
  EXPECT_EQ(Prefix::parse("10.1.2.3")->count(), 1u);
  EXPECT_EQ(Prefix::parse("0.0.0.0/0")->count(), std::uint64_t{1} << 32);
  EXPECT_EQ(Prefix::parse("2001:db8::/32")->count(), std::uint64_t{1} << 32);  // saturated
  EXPECT_EQ(Prefix::parse("2001:db8::ff/120")->to_string(), "2001:db8::/120");
  EXPECT_EQ(Prefix::parse("10.0.0.0/17")->base.to_string(), "10.0.0.0");
  EXPECT_EQ(Prefix::parse("10.255.255.255/9")->base.to_string(), "10.128.0.0");
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/1000", "/8", "::/129"})
    EXPECT_FALSE(Prefix::parse(bad)) << bad;
}

TEST(Prefix, NthCountsFromTheBase) {
  auto p = Prefix::parse("198.18.4.0/29");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->nth(0).to_string(), "198.18.4.0");
  EXPECT_EQ(p->nth(7).to_string(), "198.18.4.7");
  EXPECT_EQ(Prefix::parse("198.18.0.0/15")->nth(256).to_string(), "198.18.1.0");
  EXPECT_EQ(Prefix::parse("2001:db8::fe/127")->nth(1).to_string(), "2001:db8::ff");
  EXPECT_EQ(Prefix::parse("2001:db8::/64")->nth(0x1ff).to_string(), "2001:db8::1ff");
}

TEST(Method, NamesAndAliases) {
  using probe::model::Method;
  using probe::model::parse_method;
  EXPECT_EQ(parse_method("icmp"), Method::icmp);
  EXPECT_EQ(parse_method("udp-paris"), Method::udp);
  EXPECT_EQ(parse_method("tcp-syn"), Method::tcp);
  EXPECT_FALSE(parse_method("ICMP"));
  EXPECT_FALSE(parse_method(""));
  EXPECT_EQ(probe::model::to_string(Method::tcp), "tcp");
}

TEST(Checksum, KnownValuesAndOnesComplementSubtraction) {
  using namespace probe::packet;
  // RFC 1071's worked example: 0x0001 f203 f4f5 f6f7 sums to 0xddf2.
  const std::uint8_t rfc1071[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(fold(sum_words(rfc1071, sizeof rfc1071)), 0xddf2);
  EXPECT_EQ(internet_checksum(rfc1071, sizeof rfc1071), 0x220d);
  const std::uint8_t odd[] = {0x12, 0x34, 0x56};
  EXPECT_EQ(fold(sum_words(odd, 3)), 0x1234 + 0x5600);
  EXPECT_EQ(fold(0x1ffffu), 0x0001);
  EXPECT_EQ(fold(0xffffu), 0xffff);
  for (std::uint32_t a = 0; a <= 0xffff; a += 1237)
    for (std::uint32_t b = 0; b <= 0xffff; b += 3001) {
      auto d = ones_sub(static_cast<std::uint16_t>(a), static_cast<std::uint16_t>(b));
      // a - b + b == a in one's complement (0 and 0xffff are the same number).
      std::uint16_t back = fold(std::uint32_t{d} + b);
      EXPECT_TRUE(back == a || (a == 0 && back == 0xffff) || (a == 0xffff && back == 0)) << a << " " << b;
    }
}

Address ip(const char* text) { return *Address::parse(text); }

std::vector<std::string> cidrs(const char* first, const char* last) {
  std::vector<std::string> out;
  for (const auto& p : probe::model::range_to_prefixes(ip(first), ip(last))) out.push_back(p.to_string());
  return out;
}

TEST(RangeToPrefixes, WholeSpacesAndSingleAddresses) {
  EXPECT_EQ(cidrs("0.0.0.0", "255.255.255.255"), (std::vector<std::string>{"0.0.0.0/0"}));
  EXPECT_EQ(cidrs("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), (std::vector<std::string>{"::/0"}));
  EXPECT_EQ(cidrs("198.18.0.7", "198.18.0.7"), (std::vector<std::string>{"198.18.0.7/32"}));
  EXPECT_EQ(cidrs("0.0.0.0", "0.0.0.0"), (std::vector<std::string>{"0.0.0.0/32"}));
  EXPECT_EQ(cidrs("255.255.255.255", "255.255.255.255"), (std::vector<std::string>{"255.255.255.255/32"}));
  EXPECT_EQ(cidrs("2001:db8::1", "2001:db8::1"), (std::vector<std::string>{"2001:db8::1/128"}));
  EXPECT_EQ(cidrs("175.45.176.0", "175.45.179.255"), (std::vector<std::string>{"175.45.176.0/22"}));
}

TEST(RangeToPrefixes, UnalignedRangesSplitIntoTheFewestBlocks) {
  EXPECT_EQ(cidrs("10.0.0.1", "10.0.0.6"),
            (std::vector<std::string>{"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"}));
  EXPECT_EQ(cidrs("1.0.0.0", "1.0.2.255"), (std::vector<std::string>{"1.0.0.0/23", "1.0.2.0/24"}));
  // An RIR "ipv4 count 768" row.
  EXPECT_EQ(cidrs("10.0.1.0", "10.0.3.255"), (std::vector<std::string>{"10.0.1.0/24", "10.0.2.0/23"}));
  auto all_but_ends = probe::model::range_to_prefixes(ip("0.0.0.1"), ip("255.255.255.254"));
  ASSERT_EQ(all_but_ends.size(), 62u);  // /32 up to /2, then /2 down to /32
  EXPECT_EQ(all_but_ends.front().to_string(), "0.0.0.1/32");
  EXPECT_EQ(all_but_ends[30].to_string(), "64.0.0.0/2");
  EXPECT_EQ(all_but_ends[31].to_string(), "128.0.0.0/2");
  EXPECT_EQ(all_but_ends.back().to_string(), "255.255.255.254/32");
  EXPECT_EQ(cidrs("2001:db8::", "2001:db8::2"), (std::vector<std::string>{"2001:db8::/127", "2001:db8::2/128"}));
  EXPECT_EQ(cidrs("::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").size(), 128u);
}

TEST(RangeToPrefixes, ReversedOrMixedRangesGiveNothing) {
  EXPECT_TRUE(probe::model::range_to_prefixes(ip("10.0.0.2"), ip("10.0.0.1")).empty());
  EXPECT_TRUE(probe::model::range_to_prefixes(ip("10.0.0.1"), ip("::1")).empty());
}

TEST(Family, NamesAreTheOnesMessagesUse) {
  EXPECT_EQ(probe::model::to_string(ip("198.18.0.1").family()), "IPv4");
  EXPECT_EQ(probe::model::to_string(ip("2001:db8::1").family()), "IPv6");
}

}  // namespace
