// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: the link-layer and IP parsers over arbitrary bytes.
// The input is tried as a frame of every link type we understand, and as a
// bare IP packet; the ICMP extension parser gets the bytes as an ICMP header.

#include <cstddef>
#include <cstdint>

#include "probe/packet/datagram.h"

namespace {

constexpr int kLinkTypes[] = {0, 1, 9, 12, 14, 101, 108, 113, 228, 229, 276};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace probe::packet;
  (void)parse_ip(data, size);
  for (int lt : kLinkTypes) {
    auto off = ip_offset(lt, data, size);
    if (off) (void)parse_ip(data + *off, size - *off);
  }
  (void)ip_offset(147, data, size);  // an unsupported link type
  (void)parse_mpls_extension(data, size, false);
  (void)parse_mpls_extension(data, size, true);
  return 0;
}
