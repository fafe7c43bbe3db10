// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: parse_ip then the quote matcher, for every method and a
// few identities: the packet's own addresses (so that "ours" and "replies to
// us" are both reached), the quoted source, and an unrelated address.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "probe/match/classify.h"
#include "probe/packet/datagram.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace probe;
  auto d = packet::parse_ip(data, size);
  if (!d) return 0;
  std::vector<model::Address> sources = {d->ip.src, d->ip.dst, model::Address::v4(0xc6120001)};
  if (d->quote) sources.push_back(d->quote->src);
  const std::uint16_t tags[] = {0, 0xfa17,
                                static_cast<std::uint16_t>(d->ip.transport.tcp_seq >> 16),
                                static_cast<std::uint16_t>((d->ip.transport.tcp_ack - 1) >> 16)};
  for (auto method : {model::Method::icmp, model::Method::udp, model::Method::tcp}) {
    for (const auto& src : sources) {
      for (auto tag : tags) {
        match::Identity id{method, src, tag};
        (void)match::classify(*d, id);
        if (method != model::Method::tcp) break;  // the tag matters to TCP only
      }
    }
  }
  return 0;
}
