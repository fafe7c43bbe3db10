// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/trace_text.h"

#include <fmt/format.h>

namespace probe::format {

std::string unreachable_mark(std::uint8_t code, bool v6) {
  if (v6) {
    switch (code) {
      case 0: return "!N";
      case 1: return "!X";
      case 3: return "!H";
      case 4: return "";  // port unreachable
      default: return fmt::format("!{}", code);
    }
  }
  switch (code) {
    case 0: case 6: case 8: case 11: return "!N";
    case 1: case 7: case 12: return "!H";
    case 2: return "!P";
    case 3: return "";  // port unreachable
    case 4: return "!F";
    case 5: return "!S";
    case 9: case 10: return "!A";
    case 13: return "!X";
    case 14: return "!V";
    case 15: return "!C";
    default: return fmt::format("!{}", code);
  }
}

void TextWriter::write(const model::Trace& t) {
  if (t.inferred)
    out_ << fmt::format("traceroute to {} ({} {}, looks like {}) from {}\n", t.dst.to_string(),
                        model::to_string(t.method), t.inferred->scheme, t.inferred->tool, t.src.to_string());
  else
    out_ << fmt::format("traceroute to {} ({} {}), {} hops max\n", t.dst.to_string(),
                        model::to_string(t.method), classic_ ? "classic" : "paris", max_ttl_);
  for (const auto& hop : t.hops) {
    std::string line = fmt::format("{:2d}", hop.ttl);
    const model::Address* last = nullptr;
    for (const auto& p : hop.probes) {
      if (!p.reply) {
        line += "  *";
        continue;
      }
      const model::Reply& r = *p.reply;
      if (!last || *last != r.addr) line += "  " + r.addr.to_string();
      last = &r.addr;
      line += fmt::format("  {:.3f} ms", static_cast<double>(p.rtt_us()) / 1000.0);
      if (r.kind == model::ReplyKind::unreachable) {
        auto mark = unreachable_mark(r.icmp_code, !r.addr.is_v4());
        if (!mark.empty())
          line += fmt::format(" {}", mark);
        else if (r.addr != t.dst)  // port unreachable from a hop, not the destination
          line += fmt::format(" !{}", r.icmp_code);
      }
      for (const auto& l : r.mpls)
        line += fmt::format(" [MPLS: Lbl {} Exp {} S {} TTL {}]", l.label, l.exp, l.bottom ? 1 : 0, l.ttl);
    }
    if (hop.inferred_addr) line += fmt::format("  {} (inferred)", hop.inferred_addr->to_string());
    out_ << line << '\n';
  }
  out_ << fmt::format("stop: {}\n", model::to_string(t.stop_reason));
  out_.flush();
}

}  // namespace probe::format
