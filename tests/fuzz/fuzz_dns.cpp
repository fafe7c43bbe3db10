// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: the DNS message parser (answers come from the network,
// compression pointers and counts included).

#include <cstddef>
#include <cstdint>

#include "probe/packet/dns.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = probe::packet::parse_dns(data, size);
  if (parsed.message) {
    // Whatever was accepted must be usable: walk every record's text.
    std::size_t total = 0;
    for (const auto* section : {&parsed.message->answers, &parsed.message->authority, &parsed.message->additional})
      for (const auto& rr : *section) total += rr.name.size() + rr.data.size();
    (void)total;
  }
  (void)probe::packet::dns_id(data, size);
  return 0;
}
