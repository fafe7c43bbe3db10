// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/capture_filter.h"

#include <fmt/format.h>

namespace probe::engine {

std::string capture_filter(const TraceConfig& c) {
  std::string src = c.src.to_string();
  // BPF's "icmp" is IPv4's protocol 1 only; "udp", "tcp" and "host" follow
  // the address family.
  const char* icmp = c.src.is_v4() ? "icmp" : "icmp6";
  switch (c.method) {
    case model::Method::icmp:
      return fmt::format("{} and host {}", icmp, src);
    case model::Method::udp:
      // Classic mode steps the destination port, never the source port.
      return fmt::format("({0} and dst host {1}) or (udp and src host {1} and src port {2})", icmp, src,
                         c.sport);
    case model::Method::dns:
      // Responses come back to our fixed source port.
      return fmt::format("({0} and dst host {1}) or (udp and host {1} and port {2})", icmp, src, c.sport);
    case model::Method::tcp:
      // Classic mode steps the source port; the destination port is fixed.
      return fmt::format("({0} and dst host {1}) or (tcp and host {1} and port {2})", icmp, src, c.dport);
  }
  return icmp;
}

std::string dns_capture_filter(const model::Address& src, std::uint16_t port) {
  return fmt::format("({0} and dst host {1}) or (host {1} and port {2})", src.is_v4() ? "icmp" : "icmp6",
                     src.to_string(), port);
}

}  // namespace probe::engine
