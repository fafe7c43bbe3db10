// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/trace_text.h"

#include <fmt/format.h>

namespace probe::format {

std::string unreachable_mark(std::uint8_t code, bool v6) {
  if (v6) {
    switch (code) {
      case 0: return "!N";
      case 1: return "!X";
      case 2: return "!S";  // beyond the scope of the source address, as traceroute -6
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

namespace {

// traceroute -e: one <MPLS:...> per reply, the entries of its stack joined by '/'.
std::string traceroute_mpls(const std::vector<model::MplsLabel>& stack) {
  if (stack.empty()) return "";
  std::string out = " <MPLS:";
  for (std::size_t i = 0; i < stack.size(); ++i) {
    const auto& l = stack[i];
    out += fmt::format("{}L={},E={},S={},T={}", i ? "/" : "", l.label, l.exp, l.bottom ? 1 : 0, l.ttl);
  }
  return out + ">";
}

}  // namespace

void TextWriter::write(const model::Trace& t) {
  if (t.inferred)
    out_ << fmt::format("traceroute to {} ({} {}, looks like {}) from {}\n", t.dst.to_string(),
                        model::to_string(t.method), t.inferred->scheme, t.inferred->tool, t.src.to_string());
  else
    out_ << fmt::format("traceroute to {} ({} {}), {} hops max\n", t.dst.to_string(),
                        model::to_string(t.method), style_.classic ? "classic" : "paris", max_ttl_);
  for (const auto& hop : t.hops) {
    std::string line = fmt::format("{:2d}", hop.ttl);
    const model::Address* last = nullptr;
    for (const auto& p : hop.probes) {
      if (!p.reply) {
        line += "  *";
        continue;
      }
      const model::Reply& r = *p.reply;
      if (!last || *last != r.addr) {
        const std::string addr = r.addr.to_string();
        if (style_.name_of) {
          const std::string name = style_.name_of(r.addr);
          line += fmt::format("  {} ({})", name.empty() ? addr : name, addr);
        } else {
          line += "  " + addr;
        }
        if (style_.asn_of) {
          auto asn = style_.asn_of(r.addr);
          line += asn ? fmt::format(" [AS{}]", *asn) : std::string(" [AS?]");
        }
      }
      last = &r.addr;
      line += fmt::format("  {:.3f} ms", static_cast<double>(p.rtt_us()) / 1000.0);
      if (r.kind == model::ReplyKind::unreachable) {
        auto mark = unreachable_mark(r.icmp_code, !r.addr.is_v4());
        if (!mark.empty())
          line += fmt::format(" {}", mark);
        else if (r.addr != t.dst)  // port unreachable from a hop, not the destination
          line += fmt::format(" !{}", r.icmp_code);
      }
      if (style_.traceroute_mpls) line += traceroute_mpls(r.mpls);
      else
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
