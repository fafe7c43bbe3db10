// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/trace_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <string>
#include <vector>

namespace probe::format {

namespace {

std::int64_t whole_us(double v) { return static_cast<std::int64_t>(std::llround(v)); }

std::string utc_time(std::int64_t us) {
  std::time_t s = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+0000", &tm);
  return buf;
}

// The host column of an address: its name when the lookup has one, with
// mtr -z's AS in front.
std::string host_label(const model::Address& a, const TextStyle& style) {
  std::string host = a.to_string();
  if (style.name_of) {
    std::string name = style.name_of(a);
    if (!name.empty()) host = name;
  }
  if (!style.asn_of) return host;
  auto asn = style.asn_of(a);
  return (asn ? fmt::format("AS{}", *asn) : std::string("AS???")) + " " + host;
}

double ms(double us) { return us / 1000.0; }

}  // namespace

nlohmann::ordered_json to_json(const model::TraceReport& r) {
  nlohmann::ordered_json hops = nlohmann::ordered_json::array();
  for (const auto& h : r.hops) {
    nlohmann::ordered_json addrs = nlohmann::ordered_json::array();
    for (const auto& [addr, n] : h.addrs) addrs.push_back({{"addr", addr.to_string()}, {"replies", n}});
    nlohmann::ordered_json hop;
    hop["ttl"] = h.ttl;
    hop["addrs"] = std::move(addrs);
    hop["sent"] = h.sent;
    hop["received"] = h.received;
    // fl-json(5) numbers are integers: the text's Loss%, one decimal, times ten.
    hop["loss_permille"] = std::llround(h.loss_pct() * 10.0);
    hop["last_us"] = h.last_us;
    hop["avg_us"] = whole_us(h.mean_us());
    hop["best_us"] = h.best_us;
    hop["worst_us"] = h.worst_us;
    hop["stdev_us"] = whole_us(h.stdev_us());
    hops.push_back(std::move(hop));
  }
  nlohmann::ordered_json j;
  j["type"] = "report";
  j["method"] = model::to_string(r.method);
  j["src"] = r.src.to_string();
  j["dst"] = r.dst.to_string();
  j["start_us"] = r.start_us;
  j["cycles"] = r.cycles;
  j["last_stop_reason"] = model::to_string(r.last_stop);
  j["hops"] = std::move(hops);
  return j;
}

void write_report_text(std::ostream& out, const model::TraceReport& r, const TextStyle& style) {
  std::vector<std::string> labels;  // the host column, one entry per line
  std::vector<const model::ReportHop*> rows;  // nullptr: a further address of the hop above
  for (const auto& h : r.hops) {
    if (h.addrs.empty()) {
      labels.push_back(fmt::format("{:3d}.|-- ???", h.ttl));
      rows.push_back(&h);
      continue;
    }
    for (std::size_t i = 0; i < h.addrs.size(); ++i) {
      const std::string host = host_label(h.addrs[i].first, style);
      labels.push_back(i == 0 ? fmt::format("{:3d}.|-- {}", h.ttl, host) : fmt::format("    |  `|-- {}", host));
      rows.push_back(i == 0 ? &h : nullptr);
    }
  }
  std::string head = "HOST: " + r.src.to_string();
  std::size_t width = head.size();
  for (const auto& l : labels) width = std::max(width, l.size());
  width += 2;
  out << fmt::format("Start: {}  to {} ({} paris), {} cycles\n", utc_time(r.start_us), r.dst.to_string(),
                     model::to_string(r.method), r.cycles);
  out << fmt::format("{:<{}}{:>6}{:>6}{:>7}{:>6}{:>6}{:>6}{:>6}\n", head, width, "Loss%", "Snt", "Last", "Avg",
                     "Best", "Wrst", "StDev");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!rows[i]) {
      out << labels[i] << '\n';
      continue;
    }
    const model::ReportHop& h = *rows[i];
    out << fmt::format("{:<{}}{:>5.1f}%{:>6}{:>7.1f}{:>6.1f}{:>6.1f}{:>6.1f}{:>6.1f}\n", labels[i], width,
                       h.loss_pct(), h.sent, ms(static_cast<double>(h.last_us)), ms(h.mean_us()),
                       ms(static_cast<double>(h.best_us)), ms(static_cast<double>(h.worst_us)), ms(h.stdev_us()));
  }
}

}  // namespace probe::format
