// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/joint_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <set>
#include <string>

#include "probe/model/words.h"

namespace probe::format {

namespace {

using nlohmann::ordered_json;

ordered_json text_or_null(const std::string& s) { return s.empty() ? ordered_json(nullptr) : ordered_json(s); }

ordered_json addr_or_null(const model::Address& a) {
  return a.is_unspecified() ? ordered_json(nullptr) : ordered_json(a.to_string());
}

ordered_json hop_json(const std::optional<locate::HopReport>& h) {
  if (!h) return nullptr;
  return {{"addr", h->addr.to_string()},
          {"ttl", h->ttl},
          {"asn", h->as ? ordered_json(h->as->asn) : ordered_json(nullptr)},
          {"as_name", h->as ? ordered_json(h->as->name) : ordered_json(nullptr)},
          {"national", h->national},
          {"border", h->border}};
}

std::string as_text(const std::optional<locate::AsName>& as) {
  if (!as) return "no AS";
  return as->name.empty() ? fmt::format("AS{}", as->asn) : fmt::format("AS{} {}", as->asn, as->name);
}

}  // namespace

ordered_json to_json(const locate::JointReport& j) {
  ordered_json out;
  out["type"] = "joint";
  out["verdict"] = model::to_word(j.verdict);
  out["confidence"] = model::to_word(j.confidence);
  out["reason"] = j.reason;
  out["vantages"] = ordered_json::array();
  for (const auto& v : j.vantages)
    out["vantages"].push_back({{"name", text_or_null(v.vantage.name)},
                               {"source", addr_or_null(v.vantage.source)},
                               {"verdict", model::to_word(v.verdict)},
                               {"local", v.local}});
  out["prefixes"] = ordered_json::array();
  for (const auto& p : j.prefixes) {
    ordered_json reach = ordered_json::array(), fail = ordered_json::array();
    for (const auto& v : p.vantages) {
      if (v.targets == 0) continue;
      if (v.reached) reach.push_back({{"vantage", v.vantage}, {"targets", v.targets}, {"reached", v.reached_targets}});
      else fail.push_back({{"vantage", v.vantage}, {"targets", v.targets}, {"last_hop", hop_json(v.last_hop)}});
    }
    out["prefixes"].push_back({{"prefix", p.prefix.to_string()},
                               {"verdict", model::to_word(p.verdict)},
                               {"reach", reach},
                               {"fail", fail},
                               {"upstream_asn", p.upstream ? ordered_json(p.upstream->asn) : ordered_json(nullptr)},
                               {"last_hop", hop_json(p.last_hop)}});
  }
  if (j.zone.empty()) {
    out["dns"] = nullptr;
  } else {
    ordered_json servers = ordered_json::array();
    for (const auto& s : j.servers)
      servers.push_back({{"name", s.name}, {"addr", s.addr.to_string()}, {"answered", s.answered}});
    out["dns"] = {{"zone", j.zone}, {"servers", servers}};
  }
  return out;
}

void write_text(std::ostream& out, const locate::JointReport& j) {
  out << fmt::format("joint verdict: {} ({} confidence): {}\n", model::to_word(j.verdict), model::to_word(j.confidence),
                     j.reason);
  for (const auto& v : j.vantages)
    out << fmt::format("vantage {} from {}: {}{}\n", v.vantage.name.empty() ? "(unnamed)" : v.vantage.name,
                       v.vantage.source.is_unspecified() ? "no source address" : v.vantage.source.to_string(),
                       model::to_word(v.verdict), v.local ? ", its own network fails: left out" : "");
  for (const auto& p : j.prefixes) {
    std::vector<std::string> reach, fail;
    for (const auto& v : p.vantages) {
      if (v.targets == 0) continue;
      if (v.reached) reach.push_back(fmt::format("{} {}/{}", v.vantage, v.reached_targets, v.targets));
      else
        fail.push_back(v.last_hop ? fmt::format("{} at {} ({})", v.vantage, v.last_hop->addr.to_string(),
                                                as_text(v.last_hop->as))
                                  : v.vantage + " (no hop answered)");
    }
    out << fmt::format("prefix {:<18} {:<12} reach: {}; fail: {}\n", p.prefix.to_string(), model::to_word(p.verdict),
                       reach.empty() ? "none" : fmt::format("{}", fmt::join(reach, ", ")),
                       fail.empty() ? "none" : fmt::format("{}", fmt::join(fail, ", ")));
  }
  if (j.zone.empty()) {
    out << "dns    not checked\n";
    return;
  }
  std::vector<std::string> servers;
  for (const auto& s : j.servers)
    servers.push_back(fmt::format("{} {} {}", s.name, s.addr.to_string(),
                                  s.answered.empty() ? "answered no vantage"
                                                     : fmt::format("answered {}", fmt::join(s.answered, ", "))));
  out << fmt::format("dns    {}: {}\n", j.zone, fmt::join(servers, "; "));
}

}  // namespace probe::format
