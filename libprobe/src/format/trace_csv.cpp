// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/trace_csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "probe/engine/trace_logic.h"
#include "probe/format/trace_text.h"

namespace probe::format {

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

namespace {

void add_word(std::string& words, const std::string& word) {
  if (word.empty() || words.find(word) != std::string::npos) return;
  if (!words.empty()) words += ' ';
  words += word;
}

}  // namespace

void CsvWriter::write(const model::Trace& t) {
  if (!header_done_) {
    std::string header = "target,ttl,addr";
    for (std::size_t i = 1; i <= probes_; ++i) header += fmt::format(",rtt{}_ms", i);
    out_ << header << ",flags,stop\r\n";
    header_done_ = true;
  }
  const std::string target = csv_field(t.dst.to_string());
  const std::string stop = csv_field(model::to_string(t.stop_reason));
  for (const auto& hop : t.hops) {
    std::string addrs, flags;
    std::vector<std::string> rtts(std::max(probes_, hop.probes.size()));  // more only if columns were miscounted
    for (std::size_t i = 0; i < hop.probes.size(); ++i) {
      const auto& p = hop.probes[i];
      if (!p.reply) continue;
      const model::Reply& r = *p.reply;
      add_word(addrs, r.addr.to_string());
      rtts[i] = fmt::format("{:.3f}", static_cast<double>(p.rtt_us()) / 1000.0);
      if (engine::reached_destination(r, t.dst)) add_word(flags, "reached");
      else if (r.kind == model::ReplyKind::unreachable) {
        auto mark = unreachable_mark(r.icmp_code, !r.addr.is_v4());
        add_word(flags, mark.empty() ? fmt::format("!{}", r.icmp_code) : mark);
      }
    }
    if (hop.inferred_addr) {
      add_word(addrs, hop.inferred_addr->to_string());
      add_word(flags, "inferred");
    }
    std::string row = fmt::format("{},{},{}", target, hop.ttl, csv_field(addrs));
    for (std::size_t i = 0; i < probes_; ++i) row += "," + rtts[i];
    out_ << row << ',' << csv_field(flags) << ',' << stop << "\r\n";
  }
  out_.flush();
}

}  // namespace probe::format
