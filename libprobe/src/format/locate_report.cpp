// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/locate_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

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

}  // namespace

ordered_json to_json(const locate::Report& r) {
  ordered_json j;
  j["type"] = "locate";
  j["verdict"] = to_word(r.verdict);
  j["confidence"] = to_word(r.confidence);
  j["reason"] = r.reason;
  j["break"] = break_json(r.brk);
  j["prefixes"] = ordered_json::array();
  for (const auto& p : r.prefixes)
    j["prefixes"].push_back({{"prefix", p.prefix.to_string()},
                             {"verdict", to_word(p.verdict)},
                             {"status", to_word(p.status)},
                             {"targets", p.targets},
                             {"reached", p.reached},
                             {"break", break_json(p.brk)}});
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
  out << fmt::format("verdict: {} ({} confidence): {}\n", to_word(r.verdict), to_word(r.confidence), r.reason);
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
    out << fmt::format("control {} of {} reached: {}\n", r.control.reached, r.control.targets,
                       r.control.ok ? "the vantage point's network works" : "the vantage point's network fails");
  if (!r.rate_limited.empty()) {
    std::string hops;
    for (const auto& a : r.rate_limited) hops += (hops.empty() ? "" : " ") + a.to_string();
    out << fmt::format("rate-limited {} router{}: {}\n", r.rate_limited.size(), r.rate_limited.size() == 1 ? "" : "s",
                       hops);
  }
}

void write_dot(std::ostream& out, const locate::Report& r, const model::Address& vantage,
               const locate::AsLookup& lookup) {
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

  out << "digraph faultline {\n  rankdir=LR;\n  node [shape=ellipse, fontname=\"Helvetica\", fontsize=10];\n";
  out << fmt::format("  \"{}\" [shape=house, label=\"vantage\\n{}\"];\n", vp, vantage.to_string());
  std::map<std::string, std::vector<std::string>> clusters;  // AS -> nodes ("" = no AS)
  for (const auto& [name, n] : nodes) clusters[n.as ? as_text(n.as) : std::string()].push_back(name);
  const std::string after = r.brk.after ? r.brk.after->addr.to_string() : std::string();
  const std::string before = r.brk.before ? r.brk.before->addr.to_string() : std::string();
  int cluster = 0;
  for (const auto& [as, names] : clusters) {
    if (!as.empty()) out << fmt::format("  subgraph cluster_{} {{\n    label=\"{}\";\n    style=rounded;\n", cluster++, as);
    for (const auto& name : names) {
      const Node& n = nodes[name];
      std::string attrs = fmt::format("label=\"{}\\nTTL {}{}\"", name, n.ttl, n.border ? "\\nborder" : "");
      if (n.national) attrs += ", style=filled, fillcolor=\"#e8f0ff\"";
      if (name == after) attrs += ", color=red, penwidth=2.5, fontcolor=red";
      if (name == before) attrs += ", color=red, style=dashed";
      out << fmt::format("    \"{}\" [{}];\n", name, attrs);
    }
    if (!as.empty()) out << "  }\n";
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
  out << "}\n";
}

}  // namespace probe::format
