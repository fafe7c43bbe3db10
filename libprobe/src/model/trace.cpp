#include "probe/model/trace.h"

namespace probe::model {

std::string_view to_string(Method m) {
  switch (m) {
    case Method::icmp: return "icmp";
    case Method::udp: return "udp";
    case Method::tcp: return "tcp";
  }
  return "?";
}

std::optional<Method> parse_method(std::string_view text) {
  if (text == "icmp" || text == "icmp-paris") return Method::icmp;
  if (text == "udp" || text == "udp-paris") return Method::udp;
  if (text == "tcp" || text == "tcp-syn") return Method::tcp;
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

std::string_view unreachable_mark(std::uint8_t code, bool v6) {
  if (v6) {
    switch (code) {
      case 0: return "!N";
      case 1: return "!X";
      case 3: return "!H";
      case 4: return "";  // port unreachable: the destination itself
      default: return "!?";
    }
  }
  switch (code) {
    case 0: case 6: case 11: return "!N";
    case 1: case 7: case 12: return "!H";
    case 2: return "!P";
    case 3: return "";  // port unreachable: the destination itself
    case 4: return "!F";
    case 5: return "!S";
    case 9: case 10: return "!A";
    case 13: return "!X";
    case 14: return "!V";
    case 15: return "!C";
    default: return "!?";
  }
}

}  // namespace probe::model
