// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/locate_report.h"

#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "dot_text.h"
#include "probe/model/words.h"

namespace probe::format {

namespace {

using nlohmann::ordered_json;

ordered_json hop_json(const std::optional<locate::HopReport>& h) {
  if (!h) return nullptr;
  ordered_json j = {{"addr", h->addr.to_string()}, {"ttl", h->ttl}};
  j["asn"] = h->as ? ordered_json(h->as->asn) : ordered_json(nullptr);
  j["as_name"] = h->as ? ordered_json(h->as->name) : ordered_json(nullptr);
  j["national"] = h->national;
  j["border"] = h->border;
  j["unreachable_code"] = h->unreachable_code ? ordered_json(*h->unreachable_code) : ordered_json(nullptr);
  return j;
}

ordered_json break_json(const locate::BreakReport& b) {
  return {{"after", hop_json(b.after)}, {"before", hop_json(b.before)}, {"failing", b.failing}, {"sharing", b.sharing}};
}

ordered_json target_json(const locate::TargetReport& t) {
  ordered_json path = ordered_json::array();
  for (const auto& h : t.path) path.push_back({{"ttl", h.ttl}, {"addr", h.addr.to_string()}});
  ordered_json reached_ttl = t.reached_ttl ? ordered_json(*t.reached_ttl) : ordered_json(nullptr);
  ordered_json j = {{"addr", t.addr.to_string()}, {"prefix", t.prefix}, {"reached", t.reached}, {"by", t.reached_by},
                    {"loop", t.loop}, {"last_hop", hop_json(t.last_hop)}, {"path", path}, {"reached_ttl", reached_ttl}};
  // Only an interrupted run's unprobed targets say so: reports of whole
  // runs stay as they were.
  if (t.unprobed) j["unprobed"] = true;
  // Only targets the frontier phase asked for carry the list.
  if (!t.frontier.empty()) {
    ordered_json asked = ordered_json::array();
    for (const auto& a : t.frontier)
      asked.push_back({{"method", a.method},
                       {"ttl", a.ttl},
                       {"addr", a.addr ? ordered_json(a.addr->to_string()) : ordered_json(nullptr)},
                       {"unreachable_code", a.unreachable_code ? ordered_json(*a.unreachable_code) : ordered_json(nullptr)}});
    j["frontier"] = std::move(asked);
  }
  return j;
}

std::string as_text(const std::optional<locate::AsName>& as) {
  if (!as) return "no AS";
  return as->name.empty() ? fmt::format("AS{}", as->asn) : fmt::format("AS{} {}", as->asn, as->name);
}

std::string role(const locate::HopReport& h) {
  return h.national ? "national" : h.border ? "national border" : "outside the country";
}

std::string hop_text(const locate::HopReport& h) {
  std::string s = fmt::format("hop {:>2}  {:<15}  {}  ({})", h.ttl, h.addr.to_string(), as_text(h.as), role(h));
  if (h.unreachable_code) s += fmt::format(", answers unreachable code {}", *h.unreachable_code);
  return s;
}

// The addresses never probed, space-separated.
std::string unprobed(const std::vector<locate::TargetReport>& list) {
  std::string out;
  for (const auto& t : list)
    if (t.unprobed) out += (out.empty() ? "" : " ") + t.addr.to_string();
  return out;
}

}  // namespace

ordered_json to_json(const locate::Report& r) {
  ordered_json j;
  j["type"] = "locate";
  j["vantage"] = {{"name", r.vantage.name.empty() ? ordered_json(nullptr) : ordered_json(r.vantage.name)},
                  {"source", r.vantage.source.is_unspecified() ? ordered_json(nullptr)
                                                               : ordered_json(r.vantage.source.to_string())}};
  j["verdict"] = to_word(r.verdict);
  j["confidence"] = to_word(r.confidence);
  j["reason"] = r.reason;
  if (r.interrupted) j["interrupted"] = true;
  j["break"] = break_json(r.brk);
  j["prefixes"] = ordered_json::array();
  for (const auto& p : r.prefixes) {
    j["prefixes"].push_back({{"prefix", p.prefix.to_string()},
                             {"verdict", to_word(p.verdict)},
                             {"status", to_word(p.status)},
                             {"targets", p.targets},
                             {"reached", p.reached},
                             {"break", break_json(p.brk)}});
    if (p.unprobed > 0) j["prefixes"].back()["unprobed"] = p.unprobed;
  }
  if (r.dns) {
    ordered_json servers = ordered_json::array();
    for (const auto& s : r.dns->servers)
      servers.push_back({{"name", s.name}, {"addr", s.addr.to_string()}, {"status", to_word(s.status)}, {"udp", s.udp},
                         {"tcp", s.tcp},
                         {"rcode", s.rcode.empty() ? ordered_json(nullptr) : ordered_json(s.rcode)}});
    j["dns"] = {{"zone", r.dns->zone},
                {"verdict", to_word(r.dns->verdict)},
                {"parent_answered", r.dns->parent_answered},
                {"parent_ns", r.dns->parent_ns},
                {"servers", servers}};
  } else {
    j["dns"] = nullptr;
  }
  std::vector<std::string> addrs;
  for (const auto& c : r.controls) addrs.push_back(c.addr.to_string());
  j["control"] = {{"targets", r.control.targets}, {"reached", r.control.reached}, {"ok", r.control.ok}, {"addrs", addrs}};
  if (r.control.unprobed > 0) j["control"]["unprobed"] = r.control.unprobed;
  std::size_t reached = 0;
  for (const auto& t : r.targets) reached += t.reached ? 1 : 0;
  j["evidence"] = {{"targets", r.targets.size()}, {"reached", reached},       {"reached_by", r.reached_by_method},
                   {"probes", r.probes},          {"replies", r.replies},     {"national_asns", r.national_asns},
                   {"baseline", r.baseline},      {"frontier_probes", r.frontier_probes}};
  std::vector<std::string> limited;
  for (const auto& a : r.rate_limited) limited.push_back(a.to_string());
  j["evidence"]["rate_limited"] = r.rate_limited.size();
  j["evidence"]["rate_limited_hops"] = limited;
  j["targets"] = ordered_json::array();
  for (const auto& t : r.targets) j["targets"].push_back(target_json(t));
  j["controls"] = ordered_json::array();
  for (const auto& t : r.controls) j["controls"].push_back(target_json(t));
  return j;
}

void write_text(std::ostream& out, const locate::Report& r) {
  out << fmt::format("verdict: {}{} ({} confidence): {}\n", to_word(r.verdict), r.interrupted ? " (interrupted)" : "",
                     to_word(r.confidence), r.reason);
  out << fmt::format("vantage {} from {}\n", r.vantage.name.empty() ? "(unnamed)" : r.vantage.name,
                     r.vantage.source.is_unspecified() ? "no source address" : r.vantage.source.to_string());
  if (r.brk.after) {
    out << "break after   " << hop_text(*r.brk.after)
        << fmt::format("  [{} of {} failing paths end here]\n", r.brk.sharing, r.brk.failing);
    if (r.brk.before) out << "break before  " << hop_text(*r.brk.before) << "  [baseline: answered before]\n";
  }
  for (const auto& p : r.prefixes) {
    std::string line = fmt::format("prefix {:<18} {:<12} {}/{} targets reached", p.prefix.to_string(),
                                   to_word(p.verdict), p.reached, p.targets);
    if (p.brk.after && p.reached < p.targets)
      line += fmt::format(", paths end at {} (hop {})", p.brk.after->addr.to_string(), p.brk.after->ttl);
    if (p.unprobed > 0) line += fmt::format(", {} unprobed", p.unprobed);
    out << line << '\n';
  }
  if (r.dns) {
    std::string servers;
    for (const auto& s : r.dns->servers)
      servers += fmt::format("{}{} {} {}", servers.empty() ? "" : ", ", s.name, s.addr.to_string(), to_word(s.status));
    out << fmt::format("dns    {}: {}{}\n", r.dns->zone, to_word(r.dns->verdict),
                       servers.empty() ? "" : " (" + servers + ")");
  } else {
    out << "dns    not checked\n";
  }
  if (r.frontier_probes > 0)
    out << fmt::format("frontier {} probes, paced, where the answers ran out\n", r.frontier_probes);
  if (r.control.targets > 0)
    out << fmt::format("control {} of {} reached{}: {}\n", r.control.reached, r.control.targets,
                       r.control.unprobed > 0 ? fmt::format(", {} unprobed ({})", r.control.unprobed, unprobed(r.controls)) : "",
                       r.control.unknown ? "not known whether the vantage point's network works"
                       : r.control.ok    ? "the vantage point's network works"
                                         : "the vantage point's network fails");
  if (!r.rate_limited.empty()) {
    std::string hops;
    for (const auto& a : r.rate_limited) hops += (hops.empty() ? "" : " ") + a.to_string();
    out << fmt::format("rate-limited {} router{}: {}\n", r.rate_limited.size(), r.rate_limited.size() == 1 ? "" : "s",
                       hops);
  }
}

namespace {

using detail::dot_escaped;

std::string utc_time(std::int64_t us) {
  if (us <= 0) return "time unknown";
  const std::time_t t = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

constexpr const char* kNationalFill = "#e8f0ff";

// What each mark of the picture means, drawn with the same attributes.
void write_legend(std::ostream& out) {
  out << "  subgraph cluster_legend {\n    label=\"legend\";\n    style=dashed;\n    color=gray;\n";
  out << fmt::format("    \"legend:national\" [label=\"national hop\", style=filled, fillcolor=\"{}\"];\n",
                     kNationalFill);
  out << "    \"legend:border\" [label=\"national border\\n(the AS whose space it answers from)\", penwidth=2];\n";
  out << "    \"legend:break\" [label=\"break: last hop\\nthe failing paths share\", color=red, penwidth=2.5, "
         "fontcolor=red];\n";
  out << "    \"legend:before\" [label=\"baseline: first hop\\nno longer answering\", color=red, "
         "style=\"filled,dashed\", fillcolor=white];\n";
  out << "    \"legend:a\" [label=\"hop\"];\n    \"legend:b\" [label=\"hop\"];\n";
  out << "    \"legend:a\" -> \"legend:b\" [style=dashed, label=\"silent TTLs\\nbetween\"];\n  }\n";
}

}  // namespace

void write_dot(std::ostream& out, const locate::Report& r, const model::Address& vantage,
               const locate::AsLookup& lookup, std::int64_t started_us) {
  // Nodes: every responsive hop; edges between consecutive responsive hops
  // (dashed across silent TTLs); national prefixes and controls as boxes.
  struct Node {
    std::uint8_t ttl = 0;
    std::optional<locate::AsName> as;
    bool national = false;
    bool border = false;
  };
  std::map<std::string, Node> nodes;
  std::map<std::pair<std::string, std::string>, bool> edges;  // -> dashed?
  const std::string vp = "vantage";
  auto national = [&](const model::Address& a, const std::optional<locate::AsName>& as) {
    for (const auto& p : r.prefixes)
      if (p.prefix.contains(a)) return true;
    return as && std::find(r.national_asns.begin(), r.national_asns.end(), as->asn) != r.national_asns.end();
  };
  auto node = [&](const model::Address& a, std::uint8_t ttl) {
    auto [it, fresh] = nodes.try_emplace(a.to_string());
    if (fresh) {
      it->second.as = lookup(a);
      it->second.national = national(a, it->second.as);
    }
    if (it->second.ttl == 0 || ttl < it->second.ttl) it->second.ttl = ttl;
    return it->first;
  };
  auto add_path = [&](const locate::TargetReport& t, const std::string& end) {
    std::string prev = vp;
    std::uint8_t prev_ttl = 0;
    for (const auto& h : t.path) {
      std::string name = node(h.addr, h.ttl);
      edges[{prev, name}] = edges[{prev, name}] || h.ttl != prev_ttl + 1;
      prev = name;
      prev_ttl = h.ttl;
    }
    edges[{prev, end}] = edges[{prev, end}] || !t.reached;
  };
  auto prefix_name = [&](const locate::TargetReport& t) {
    return t.prefix >= 0 && static_cast<std::size_t>(t.prefix) < r.prefixes.size()
               ? r.prefixes[static_cast<std::size_t>(t.prefix)].prefix.to_string()
               : t.addr.to_string();
  };
  for (const auto& t : r.targets) add_path(t, prefix_name(t));
  for (const auto& t : r.controls) add_path(t, "control " + t.addr.to_string());
  for (const auto* h : {&r.brk.after, &r.brk.before})
    if (*h) {
      node((*h)->addr, (*h)->ttl);
      nodes[(*h)->addr.to_string()].border = (*h)->border;
    }
  for (const auto& t : r.targets)
    if (t.last_hop) nodes[t.last_hop->addr.to_string()].border |= t.last_hop->border;

  // The title tells the story before the picture does.
  out << "digraph faultline {\n  rankdir=LR;\n";
  out << fmt::format("  labelloc=t;\n  fontname=\"Helvetica\";\n  label=\"{} ({} confidence), {}\\n{}\";\n",
                     to_word(r.verdict), to_word(r.confidence), utc_time(started_us), dot_escaped(r.reason));
  out << "  node [shape=ellipse, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n";
  out << fmt::format("  \"{}\" [shape=house, label=\"vantage\\n{}\"];\n", vp, vantage.to_string());
  // Outside hops by AS; national hops by AS inside one national cluster; a
  // border hop on that cluster's edge, whatever AS its address is from (a
  // national router numbered from its transit's space sits in the country).
  std::map<std::string, std::vector<std::string>> outside, inside;  // AS -> nodes ("" = no AS)
  std::vector<std::string> borders;
  for (const auto& [name, n] : nodes) {
    const std::string as = n.as ? as_text(n.as) : std::string();
    if (n.border) borders.push_back(name);
    else (n.national ? inside : outside)[as].push_back(name);
  }
  const std::string after = r.brk.after ? r.brk.after->addr.to_string() : std::string();
  const std::string before = r.brk.before ? r.brk.before->addr.to_string() : std::string();
  auto write_node = [&](const std::string& name, const char* indent) {
    const Node& n = nodes[name];
    std::string label = fmt::format("{}\\nTTL {}", name, n.ttl);
    if (n.border) label += "\\nborder, answers from\\n" + dot_escaped(as_text(n.as));
    std::vector<std::string> style;
    std::string attrs = fmt::format("label=\"{}\"", label);
    if (n.national || name == before) {
      style.push_back("filled");
      attrs += fmt::format(", fillcolor=\"{}\"", n.national ? kNationalFill : "white");
    }
    if (name == after) attrs += ", color=red, penwidth=2.5, fontcolor=red";
    else if (n.border) attrs += ", penwidth=2";
    if (name == before) {
      style.push_back("dashed");
      attrs += ", color=red";
    }
    if (!style.empty()) attrs += fmt::format(", style=\"{}\"", fmt::join(style, ","));
    out << fmt::format("{}\"{}\" [{}];\n", indent, name, attrs);
  };
  int cluster = 0;
  auto write_clusters = [&](const std::map<std::string, std::vector<std::string>>& by_as, const char* indent) {
    const std::string inner = std::string(indent) + "  ";
    for (const auto& [as, names] : by_as) {
      if (!as.empty())
        out << fmt::format("{0}subgraph cluster_{1} {{\n{0}  label=\"{2}\";\n{0}  style=rounded;\n", indent,
                           cluster++, dot_escaped(as));
      for (const auto& name : names) write_node(name, as.empty() ? indent : inner.c_str());
      if (!as.empty()) out << indent << "}\n";
    }
  };
  write_clusters(outside, "  ");
  if (!inside.empty() || !borders.empty()) {
    std::vector<std::string> asns;
    for (auto asn : r.national_asns) asns.push_back(fmt::format("AS{}", asn));
    out << fmt::format("  subgraph cluster_national {{\n    label=\"national network{}{}\";\n    style=bold;\n"
                       "    color=\"#3060c0\";\n",
                       asns.empty() ? "" : ": ", fmt::join(asns, " "));
    for (const auto& name : borders) write_node(name, "    ");
    write_clusters(inside, "    ");
    out << "  }\n";
  }
  for (const auto& p : r.prefixes) {
    std::string color = p.verdict == model::Verdict::reachable ? "darkgreen"
                        : p.verdict == model::Verdict::partial ? "orange"
                                                               : "red";
    out << fmt::format("  \"{}\" [shape=box, color={}, label=\"{}\\n{} ({}/{})\"];\n", p.prefix.to_string(), color,
                       p.prefix.to_string(), to_word(p.verdict), p.reached, p.targets);
  }
  for (const auto& t : r.controls)
    out << fmt::format("  \"control {}\" [shape=box, color={}, label=\"control\\n{}\"];\n", t.addr.to_string(),
                       t.reached ? "darkgreen" : "red", t.addr.to_string());
  for (const auto& [e, dashed] : edges) {
    std::string attrs;
    if (dashed) attrs = "style=dashed";
    if (e.first == after) attrs += std::string(attrs.empty() ? "" : ", ") + "color=red";
    out << fmt::format("  \"{}\" -> \"{}\"{};\n", e.first, e.second, attrs.empty() ? "" : " [" + attrs + "]");
  }
  if (!after.empty() && !before.empty())
    out << fmt::format("  \"{}\" -> \"{}\" [color=red, style=dashed, label=\"break\", fontcolor=red];\n", after, before);
  write_legend(out);
  out << "}\n";
}

}  // namespace probe::format
