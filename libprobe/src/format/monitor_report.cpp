// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/monitor_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "probe/format/monitor_json.h"
#include "probe/model/words.h"

namespace probe::format {

using namespace probe::monitor;

namespace {

// Label values escaped as the text format asks (backslash, quote, newline).
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string utc(std::int64_t us) {
  const std::time_t t = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string duration(std::int64_t us) {
  const std::int64_t s = us / 1'000'000;
  if (s >= 3600) return fmt::format("{}h{:02}m{:02}s", s / 3600, s / 60 % 60, s % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace

std::string to_prometheus(const RoundMetrics& m) {
  const locate::Report& r = *m.report;
  std::string out;
  const std::string c = label(m.country);
  out += "# HELP faultline_monitor_reachability Share of the key's targets that answered in the last round.\n"
         "# TYPE faultline_monitor_reachability gauge\n";
  std::size_t targets = 0, reached = 0;
  for (const auto& p : r.prefixes) {
    targets += p.targets;
    reached += p.reached;
    if (p.targets > 0)
      out += fmt::format("faultline_monitor_reachability{{country=\"{}\",prefix=\"{}\"}} {}\n", c,
                         p.prefix.to_string(), static_cast<double>(p.reached) / static_cast<double>(p.targets));
  }
  if (targets > 0)
    out += fmt::format("faultline_monitor_reachability{{country=\"{}\",prefix=\"\"}} {}\n", c,
                       static_cast<double>(reached) / static_cast<double>(targets));
  out += "# HELP faultline_monitor_outage Whether an outage of the key is in progress (verdict: at detection or since).\n"
         "# TYPE faultline_monitor_outage gauge\n";
  std::string seconds = "# HELP faultline_monitor_outage_seconds Seconds since the outage in progress started.\n"
                        "# TYPE faultline_monitor_outage_seconds gauge\n";
  for (const auto& [key, ks] : *m.keys) {
    std::string verdict;
    if (ks.outage && ks.outage->detected)
      verdict = model::to_word(ks.outage->changes.empty() ? ks.outage->detected->verdict
                                                          : ks.outage->changes.back().verdict);
    const std::string labels =
        fmt::format("country=\"{}\",key=\"{}\",scope=\"{}\"", c, label(key), to_word(ks.scope));
    out += fmt::format("faultline_monitor_outage{{{},verdict=\"{}\"}} {}\n", labels, verdict, ks.outage ? 1 : 0);
    const double s = ks.outage ? static_cast<double>(m.now_us - ks.outage->start_us()) / 1e6 : 0.0;
    seconds += fmt::format("faultline_monitor_outage_seconds{{{}}} {}\n", labels, s);
  }
  out += seconds;
  const char* kind = to_word(m.kind);
  out += fmt::format(
      "# HELP faultline_monitor_round_duration_seconds The last round's duration.\n"
      "# TYPE faultline_monitor_round_duration_seconds gauge\n"
      "faultline_monitor_round_duration_seconds{{country=\"{0}\",kind=\"{1}\"}} {2}\n"
      "# HELP faultline_monitor_round_probes Probes the last round sent.\n"
      "# TYPE faultline_monitor_round_probes gauge\n"
      "faultline_monitor_round_probes{{country=\"{0}\",kind=\"{1}\"}} {3}\n"
      "# HELP faultline_monitor_round_replies Replies the last round matched.\n"
      "# TYPE faultline_monitor_round_replies gauge\n"
      "faultline_monitor_round_replies{{country=\"{0}\",kind=\"{1}\"}} {4}\n"
      "# HELP faultline_monitor_rate_limited_hops Routers the last round found rate-limiting ICMP.\n"
      "# TYPE faultline_monitor_rate_limited_hops gauge\n"
      "faultline_monitor_rate_limited_hops{{country=\"{0}\",kind=\"{1}\"}} {5}\n"
      "# HELP faultline_monitor_last_round_timestamp_seconds When the last round was committed.\n"
      "# TYPE faultline_monitor_last_round_timestamp_seconds gauge\n"
      "faultline_monitor_last_round_timestamp_seconds{{country=\"{0}\"}} {6}\n",
      c, kind, static_cast<double>(m.duration_us) / 1e6, r.probes, r.replies, r.rate_limited.size(),
      m.now_us / 1'000'000);
  return out;
}

void write_text(std::ostream& out, const TimelineReport& t) {
  std::size_t aborted = 0, full = 0;
  for (const auto& r : t.rounds) {
    aborted += r.status == "aborted";
    full += r.kind == RoundKind::full;
  }
  out << fmt::format("{}: {} rounds ({} full, {} aborted)", t.db, t.rounds.size(), full, aborted);
  if (!t.rounds.empty())
    out << fmt::format(" from {} to {}", utc(t.rounds.front().start_us), utc(t.rounds.back().start_us));
  out << "\n";
  if (t.outages.empty()) {
    out << "no outage\n";
    return;
  }
  out << fmt::format("\n{:<20} {:<8} {:<21} {:<21} {:>10} {:>6}  {:<12} {}\n", "key", "scope", "start", "end",
                     "duration", "rounds", "verdict", "break");
  for (const auto& o : t.outages) {
    std::string verdict = "-", brk = "-";
    if (o.detected) {
      verdict = model::to_word(o.detected->verdict);
      if (!o.detected->break_hop.empty()) brk = o.detected->break_hop;
    }
    for (const auto& c : o.changes) {
      verdict += fmt::format(" -> {}", model::to_word(c.verdict));
      if (!c.break_hop.empty()) brk += " -> " + c.break_hop;
    }
    out << fmt::format("{:<20} {:<8} {:<21} {:<21} {:>10} {:>6}  {:<12} {}\n", o.key, to_word(o.scope),
                       utc(o.start_us()), o.end_us() ? utc(*o.end_us()) : "in progress",
                       o.duration_us() ? duration(*o.duration_us()) : "-", o.rounds, verdict, brk);
  }
}

nlohmann::json to_json(const TimelineReport& t) {
  nlohmann::json rounds = nlohmann::json::array(), intervals = nlohmann::json::array(),
                 outages = nlohmann::json::array();
  for (const auto& r : t.rounds)
    rounds.push_back({{"round", r.id},
                      {"start_us", r.start_us},
                      {"end_us", r.end_us ? nlohmann::json(r.end_us) : nlohmann::json()},
                      {"kind", to_word(r.kind)},
                      {"status", r.status},
                      {"probes", r.probes},
                      {"replies", r.replies},
                      {"verdict", r.verdict.empty() ? nlohmann::json() : nlohmann::json(r.verdict)},
                      {"capture", r.capture.empty() ? nlohmann::json() : nlohmann::json(r.capture)}});
  for (const auto& i : t.intervals)
    intervals.push_back({{"key", i.key},
                         {"state", to_word(i.state)},
                         {"first_round", i.first.id},
                         {"last_round", i.last.id},
                         {"start_us", i.first.start_us},
                         {"end_us", i.last.end_us}});
  for (const auto& o : t.outages) outages.push_back(to_json(o));
  return {{"rounds", rounds}, {"intervals", intervals}, {"outages", outages}};
}

void write_svg(std::ostream& out, const TimelineReport& t) {
  std::vector<std::string> keys;
  for (const auto& i : t.intervals)
    if (std::find(keys.begin(), keys.end(), i.key) == keys.end()) keys.push_back(i.key);
  std::int64_t lo = t.rounds.empty() ? 0 : t.rounds.front().start_us;
  std::int64_t hi = lo + 1;
  for (const auto& i : t.intervals) hi = std::max(hi, i.last.end_us);
  const int left = 160, width = 800, row = 20;
  const double scale = static_cast<double>(width) / static_cast<double>(hi - lo);
  auto x = [&](std::int64_t us) { return left + static_cast<double>(us - lo) * scale; };
  out << fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"monospace\" "
      "font-size=\"12\">\n",
      left + width + 10, row * (keys.size() + 2));
  out << fmt::format("<text x=\"{}\" y=\"{}\">{} to {}</text>\n", left, row * (keys.size() + 1) + 14, utc(lo),
                     utc(hi));
  auto colour = [](State s) {
    switch (s) {
      case State::up: return "#4caf50";
      case State::down: return "#e53935";
      case State::partial: return "#fb8c00";
      case State::unknown: break;
    }
    return "#bdbdbd";
  };
  for (std::size_t k = 0; k < keys.size(); ++k) {
    const double y = static_cast<double>(row * k + 4);
    out << fmt::format("<text x=\"4\" y=\"{}\">{}</text>\n", y + 12, keys[k]);
    for (const auto& i : t.intervals)
      if (i.key == keys[k])
        out << fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>{} {} to {}"
                           "</title></rect>\n",
                           x(i.first.start_us), y, std::max(1.0, x(i.last.end_us) - x(i.first.start_us)), row - 6,
                           colour(i.state), to_word(i.state), utc(i.first.start_us), utc(i.last.end_us));
    for (const auto& o : t.outages)
      if (o.key == keys[k])
        out << fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"none\" stroke=\"#000\"/>\n",
                           x(o.start_us()), y - 2, std::max(1.0, x(o.end_us().value_or(hi)) - x(o.start_us())),
                           row - 2);
  }
  out << "</svg>\n";
}

}  // namespace probe::format
