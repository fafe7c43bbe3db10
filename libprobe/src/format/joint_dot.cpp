// SPDX-License-Identifier: BSD-2-Clause
// fl-locate --merge --dot: every vantage's paths in one Graphviz graph.

#include <fmt/format.h>

#include <map>
#include <set>
#include <string>

#include "dot_text.h"
#include "probe/format/joint_report.h"
#include "probe/model/words.h"

namespace probe::format {

namespace {

// Colours told apart on screen and in print; a merge of more vantages
// cycles through them (the legend still names each one).
constexpr const char* kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                                    "#bcbd22"};

const auto& escaped = detail::dot_escaped;

std::string vantage_node(std::size_t i) { return fmt::format("vantage {}", i); }

}  // namespace

void write_dot(std::ostream& out, const locate::JointReport& joint, const std::vector<locate::Report>& reports) {
  std::set<std::string> breaks;  // the last hops of failing paths
  for (const auto& p : joint.prefixes)
    for (const auto& v : p.vantages)
      if (!v.reached && v.last_hop) breaks.insert(v.last_hop->addr.to_string());
  out << "digraph faultline_joint {\n  rankdir=LR;\n  labelloc=t;\n  fontname=\"Helvetica\";\n";
  out << fmt::format("  label=\"joint: {} ({} confidence)\\n{}\";\n", model::to_word(joint.verdict),
                     model::to_word(joint.confidence), escaped(joint.reason));
  out << "  node [shape=ellipse, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n";
  std::set<std::string> hops;
  // One edge per vantage and hop pair: a path shared by two vantages shows
  // as two parallel edges, one in each colour.
  std::set<std::tuple<std::size_t, std::string, std::string>> edges;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    for (const auto& t : r.targets) {
      std::string prev = vantage_node(i);
      for (const auto& h : t.path) {
        hops.insert(h.addr.to_string());
        edges.insert({i, prev, h.addr.to_string()});
        prev = h.addr.to_string();
      }
      if (t.prefix >= 0 && static_cast<std::size_t>(t.prefix) < r.prefixes.size())
        edges.insert({i, prev, r.prefixes[static_cast<std::size_t>(t.prefix)].prefix.to_string()});
    }
  }
  for (std::size_t i = 0; i < joint.vantages.size(); ++i) {
    const auto& v = joint.vantages[i].vantage;
    out << fmt::format("  \"{}\" [shape=house, color=\"{}\", penwidth=2, label=\"{}\\n{}{}\"];\n", vantage_node(i),
                       kColours[i % std::size(kColours)], escaped(v.name.empty() ? "(unnamed)" : v.name),
                       v.source.is_unspecified() ? "no source" : v.source.to_string(),
                       joint.vantages[i].local ? "\\nlocal: left out" : "");
  }
  for (const auto& h : hops)
    out << fmt::format("  \"{}\"{};\n", h, breaks.count(h) ? " [color=red, penwidth=2.5, fontcolor=red]" : "");
  for (const auto& p : joint.prefixes) {
    const char* colour = p.verdict == model::Verdict::reachable ? "darkgreen"
                         : p.verdict == model::Verdict::partial ? "orange"
                                                                 : "red";
    out << fmt::format("  \"{}\" [shape=box, color={}, label=\"{}\\n{}\"];\n", p.prefix.to_string(), colour,
                       p.prefix.to_string(), model::to_word(p.verdict));
  }
  for (const auto& [i, from, to] : edges)
    out << fmt::format("  \"{}\" -> \"{}\" [color=\"{}\"];\n", from, to, kColours[i % std::size(kColours)]);
  out << "  subgraph cluster_legend {\n    label=\"legend\";\n    style=dashed;\n    color=gray;\n";
  for (std::size_t i = 0; i < joint.vantages.size(); ++i)
    out << fmt::format("    \"legend {}\" [shape=plaintext, fontcolor=\"{}\", label=\"paths of {}\"];\n", i,
                       kColours[i % std::size(kColours)],
                       escaped(joint.vantages[i].vantage.name.empty() ? "(unnamed)" : joint.vantages[i].vantage.name));
  out << "    \"legend:break\" [label=\"last hop of\\nfailing paths\", color=red, penwidth=2.5, fontcolor=red];\n  }\n";
  out << "}\n";
}

}  // namespace probe::format
