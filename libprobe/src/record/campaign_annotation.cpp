// SPDX-License-Identifier: BSD-2-Clause
#include "probe/record/campaign_annotation.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <limits>

#include "record_reader.h"

namespace probe::record {

namespace {

using detail::FieldReader;
using nlohmann::json;

// The baseline's paths as the annotation stores them: the digest is taken
// over exactly this text, so writer and reader agree on what it covers.
json paths_json(const locate::Baseline& b) {
  json paths = json::array();
  for (const auto& p : b.paths) {
    std::vector<int> ttls;
    std::vector<std::string> addrs;
    for (const auto& h : p.hops) {
      ttls.push_back(h.ttl);
      addrs.push_back(h.addr.to_string());
    }
    paths.push_back({{"target", p.target.to_string()},
                     {"reached", p.reached},
                     {"reached_ttl", p.reached_ttl ? *p.reached_ttl : 0},
                     {"hop_ttls", ttls},
                     {"hop_addrs", addrs}});
  }
  return paths;
}

// FNV-1a, 64 bits: a few lines, the same on every platform and byte order,
// and enough to tell a changed copy from the one written.
std::string fnv1a64(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return fmt::format("fnv1a64:{:016x}", h);
}

locate::Baseline read_baseline(const FieldReader& f) {
  locate::Baseline b;
  b.source = f.string("source");
  auto paths = f.objects("paths");
  if (paths.size() > kMaxBaselinePaths) f.fail("paths", "more than " + std::to_string(kMaxBaselinePaths));
  for (const auto& p : paths) {
    locate::BaselinePath path;
    path.target = p.address("target");
    path.reached = p.boolean("reached");
    if (auto ttl = p.integer("reached_ttl", 0, 255); ttl > 0) path.reached_ttl = static_cast<std::uint8_t>(ttl);
    auto ttls = p.integers("hop_ttls", 1, 255);
    auto addrs = p.addresses("hop_addrs");
    if (addrs.size() != ttls.size()) p.fail("hop_addrs", "does not match hop_ttls");
    for (std::size_t i = 0; i < ttls.size(); ++i) path.hops.push_back({static_cast<std::uint8_t>(ttls[i]), addrs[i]});
    b.paths.push_back(std::move(path));
  }
  if (f.string("digest") != baseline_digest(b)) f.fail("digest", "does not match the baseline's paths");
  return b;
}

}  // namespace

std::string baseline_digest(const locate::Baseline& baseline) { return fnv1a64(paths_json(baseline).dump()); }

std::string to_comment(const CampaignAnnotation& a) {
  // Each distinct AS once; the hosts index it (-1: the table has none).
  std::map<std::pair<std::uint32_t, std::string>, int> index;
  json ases = json::array();
  std::vector<std::string> hosts;
  std::vector<int> host_as;
  for (const auto& [addr, as] : a.hosts) {
    hosts.push_back(addr.to_string());
    if (!as) {
      host_as.push_back(-1);
      continue;
    }
    auto [it, added] = index.try_emplace({as->asn, as->name}, static_cast<int>(ases.size()));
    if (added) ases.push_back({{"asn", as->asn}, {"name", as->name}});
    host_as.push_back(it->second);
  }
  json j = {{"version", detail::kVersion}, {"tool", "fl-locate"}, {"run_key", std::to_string(a.run_key)},
            {"ases", ases},           {"hosts", hosts},         {"host_as", host_as}};
  if (a.baseline)
    j["baseline"] = {{"source", a.baseline->source},
                     {"digest", baseline_digest(*a.baseline)},
                     {"paths", paths_json(*a.baseline)}};
  return kAnnotationTag + j.dump();
}

Result<CampaignAnnotation> parse_campaign_annotation(const std::string& comment) {
  auto j = detail::parse_tagged(comment, kAnnotationTag, "no faultline annotation");
  return detail::read_json<CampaignAnnotation>(std::move(j), [](const FieldReader& f) -> Result<CampaignAnnotation> {
    const auto tool = f.string("tool");
    if (tool != "fl-locate") return make_error(ErrorKind::input, "annotation written by " + tool + ", not fl-locate");
    CampaignAnnotation a;
    a.run_key = f.run_key();
    std::vector<model::AsInfo> ases;
    for (const auto& as : f.objects("ases"))
      ases.push_back({as.integer_as<std::uint32_t>("asn", 0, std::numeric_limits<std::uint32_t>::max()),
                      as.string("name")});
    auto hosts = f.addresses("hosts");
    if (hosts.size() > kMaxAnnotatedHosts) f.fail("hosts", "more than " + std::to_string(kMaxAnnotatedHosts));
    if (ases.size() > hosts.size()) f.fail("ases", "more than hosts");
    const auto host_as = f.integers("host_as", -1, static_cast<std::int64_t>(ases.size()) - 1);
    if (host_as.size() != hosts.size()) f.fail("host_as", "does not match hosts");
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      // Sorted and distinct, as written: lookups are binary searches.
      if (i > 0 && !(hosts[i - 1] < hosts[i])) f.fail("hosts", "not in address order at " + hosts[i].to_string());
      std::optional<model::AsInfo> as;
      if (host_as[i] >= 0) as = ases[static_cast<std::size_t>(host_as[i])];
      a.hosts.emplace_back(hosts[i], std::move(as));
    }
    if (f.has("baseline")) a.baseline = read_baseline(f.object("baseline"));
    return a;
  });
}

std::vector<model::Address> addresses_of(const locate::Campaign& c) {
  std::vector<model::Address> out;
  for (const auto& p : c.prefixes) out.push_back(p.base);
  auto hops = [&out](const model::Trace& t) {
    for (const auto& h : t.hops) {
      if (h.inferred_addr) out.push_back(*h.inferred_addr);
      for (const auto& probe : h.probes)
        if (probe.reply) out.push_back(probe.reply->addr);
    }
  };
  for (const auto* list : {&c.targets, &c.controls})
    for (const auto& t : *list) {
      out.push_back(t.addr);
      for (const auto& trace : t.traces) hops(trace);
      for (const auto& f : t.frontier) hops(f.trace);
    }
  if (c.dns) {
    for (const auto& a : c.dns->parents) out.push_back(a);
    for (const auto& s : c.dns->servers) out.push_back(s.addr);
  }
  for (const auto& x : c.dns_exchanges) {
    out.push_back(x.query.server);
    if (x.icmp) out.push_back(x.icmp->addr);
  }
  return out;
}

locate::AsLookup lookup_in(const CampaignAnnotation& annotation) {
  return [&hosts = annotation.hosts](const model::Address& addr) -> std::optional<model::AsInfo> {
    auto it = std::lower_bound(hosts.begin(), hosts.end(), addr,
                               [](const auto& entry, const model::Address& a) { return entry.first < a; });
    if (it == hosts.end() || !(it->first == addr)) return std::nullopt;
    return it->second;
  };
}

}  // namespace probe::record
