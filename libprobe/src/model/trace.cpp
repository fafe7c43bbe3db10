// SPDX-License-Identifier: BSD-2-Clause
#include "probe/model/trace.h"

namespace probe::model {

std::string_view to_string(Method m) {
  switch (m) {
    case Method::icmp: return "icmp";
    case Method::udp: return "udp";
    case Method::tcp: return "tcp";
    case Method::dns: return "dns";
  }
  return "?";
}

std::optional<Method> parse_method(std::string_view text) {
  if (text == "icmp" || text == "icmp-paris") return Method::icmp;
  if (text == "udp" || text == "udp-paris") return Method::udp;
  if (text == "tcp" || text == "tcp-syn") return Method::tcp;
  if (text == "dns") return Method::dns;
  return std::nullopt;
}

std::string_view to_string(StopReason r) {
  switch (r) {
    case StopReason::none: return "none";
    case StopReason::completed: return "completed";
    case StopReason::unreachable: return "unreachable";
    case StopReason::gaplimit: return "gaplimit";
    case StopReason::loop: return "loop";
    case StopReason::hoplimit: return "hoplimit";
    case StopReason::halted: return "halted";
  }
  return "?";
}

const Reply* Hop::reply() const {
  for (const auto& p : probes)
    if (p.reply) return &*p.reply;
  return nullptr;
}

}  // namespace probe::model
