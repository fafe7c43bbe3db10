#include "probe/locate/campaign.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

#include "probe/engine/capture_filter.h"
#include "probe/engine/zone_check.h"
#include "probe/format/run_record.h"
#include "probe/model/splitmix.h"
#include "probe/packet/dns.h"

namespace probe::locate {

namespace {

constexpr int kVersion = 1;
constexpr std::uint16_t kUdpPort = 33434;
constexpr std::uint8_t kDirectTtl = 64;

// splitmix64: independent keys per engine from the one run key.
std::uint64_t derive(std::uint64_t key, std::uint64_t n) { return model::splitmix64_at(key, n); }

}  // namespace

void pick_targets(CampaignPlan& plan, int per_block, std::size_t max_targets, std::uint64_t seed) {
  struct Block {
    std::uint32_t base;  // host order
    std::uint32_t size;
    int prefix;
  };
  std::vector<Block> blocks;
  for (std::size_t i = 0; i < plan.prefixes.size(); ++i) {
    const auto& p = plan.prefixes[i];
    if (!p.base.is_v4()) continue;
    const std::uint32_t base = p.base.v4_host();
    if (p.length >= 24) {
      blocks.push_back({base, static_cast<std::uint32_t>(p.count()), static_cast<int>(i)});
      continue;
    }
    const std::uint64_t n = p.count() / 256;
    for (std::uint64_t b = 0; b < n; ++b)
      blocks.push_back({base + static_cast<std::uint32_t>(b * 256), 256, static_cast<int>(i)});
  }
  std::mt19937_64 rng(seed);
  const std::size_t per = static_cast<std::size_t>(per_block);
  if (blocks.size() * per > max_targets) {
    std::shuffle(blocks.begin(), blocks.end(), rng);
    blocks.resize(std::max<std::size_t>(1, max_targets / per));
    std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.base < b.base; });
  }
  plan.targets.clear();
  plan.target_prefix.clear();
  for (const auto& b : blocks) {
    // Hosts: all but the network and broadcast addresses of blocks of 4 or more.
    const std::uint32_t first = b.size >= 4 ? b.base + 1 : b.base;
    const std::uint32_t hosts = b.size >= 4 ? b.size - 2 : b.size;
    std::vector<std::uint32_t> picks = {first};
    const std::size_t want = std::min<std::size_t>(per, hosts);
    while (picks.size() < want) {
      std::uint32_t a = first + static_cast<std::uint32_t>(rng() % hosts);
      if (std::find(picks.begin(), picks.end(), a) == picks.end()) picks.push_back(a);
    }
    std::sort(picks.begin(), picks.end());
    for (auto a : picks) {
      if (plan.targets.size() >= max_targets) return;
      plan.targets.push_back(model::Address::v4(a));
      plan.target_prefix.push_back(b.prefix);
    }
  }
}

std::size_t use_hitlist(CampaignPlan& plan, const std::vector<model::Address>& hitlist, std::size_t max_targets) {
  std::size_t outside = 0;
  plan.targets.clear();
  plan.target_prefix.clear();
  for (const auto& a : hitlist) {
    int in = -1;
    for (std::size_t i = 0; i < plan.prefixes.size() && in < 0; ++i)
      if (plan.prefixes[i].contains(a)) in = static_cast<int>(i);
    if (in < 0) {
      ++outside;
      continue;
    }
    if (plan.targets.size() >= max_targets) break;
    plan.targets.push_back(a);
    plan.target_prefix.push_back(in);
  }
  return outside;
}

engine::TraceConfig trace_config(const CampaignPlan& p, std::size_t i) {
  engine::TraceConfig c;
  const MethodSpec& m = p.methods.at(i);
  c.method = m.method;
  c.src = p.src;
  c.sport = static_cast<std::uint16_t>(p.sport + i);
  c.dport = m.dport != 0 ? m.dport : (m.method == model::Method::udp ? kUdpPort : 0);
  c.max_ttl = p.max_ttl;
  if (m.direct) c.first_ttl = c.max_ttl = kDirectTtl;
  c.attempts = p.attempts;
  c.wait_us = p.wait_us;
  c.gaplimit = p.gaplimit;
  c.pps = p.pps;
  c.concurrency = p.concurrency;
  c.run_key = derive(p.run_key, i);
  return c;
}

engine::DnsConfig dns_config(const CampaignPlan& p) {
  engine::DnsConfig c;
  c.src = p.src;
  c.sport = static_cast<std::uint16_t>(p.sport + 16);
  c.wait_us = p.wait_us;
  c.tries = p.attempts;
  c.pps = p.pps;
  c.run_key = derive(p.run_key, 1000);
  return c;
}

std::string campaign_filter(const CampaignPlan& p) {
  std::string f = p.zone.empty() ? std::string() : "(" + engine::dns_capture_filter(p.src) + ")";
  for (std::size_t i = 0; i < p.methods.size(); ++i)
    f += (f.empty() ? "(" : " or (") + engine::capture_filter(trace_config(p, i)) + ")";
  return f;
}

std::string to_comment(const CampaignPlan& p) {
  auto strings = [](const auto& list) {
    std::vector<std::string> out;
    for (const auto& x : list) out.push_back(x.to_string());
    return out;
  };
  std::vector<std::string> methods;
  for (const auto& m : p.methods) methods.push_back(m.label());
  nlohmann::json j = {
      {"version", kVersion},
      {"tool", "fl-locate"},
      {"interface", p.interface},
      {"src", p.src.to_string()},
      {"run_key", std::to_string(p.run_key)},
      {"sport", p.sport},
      {"max_ttl", p.max_ttl},
      {"attempts", p.attempts},
      {"gaplimit", p.gaplimit},
      {"wait_us", p.wait_us},
      {"pps", p.pps},
      {"concurrency", p.concurrency},
      {"methods", methods},
      {"prefixes", strings(p.prefixes)},
      {"targets", strings(p.targets)},
      {"target_prefix", p.target_prefix},
      {"controls", strings(p.controls)},
      {"asns", p.asns},
      {"country", p.country},
      {"zone", p.zone},
      {"parents", strings(p.parents)},
      {"asn_db", p.asn_db},
      {"baseline", p.baseline},
      {"no_route", p.no_route},
  };
  return format::kRunRecordTag + j.dump();
}

Result<CampaignPlan> parse_campaign_record(const std::string& comment) {
  const std::string tag = format::kRunRecordTag;
  if (comment.compare(0, tag.size(), tag) != 0)
    return make_error(ErrorKind::input, "not a faultline capture (no run record in its section header)");
  try {
    auto j = nlohmann::json::parse(comment.substr(tag.size()));
    const auto tool = j.at("tool").get<std::string>();
    if (tool != "fl-locate") return make_error(ErrorKind::input, "written by " + tool + ", not fl-locate");
    // Every number is an integer within its range: a damaged record must
    // not replay as a different run.
    auto number = [&j](const char* name, std::int64_t lo, std::int64_t hi) {
      const auto& v = j.at(name);
      if (!v.is_number_integer()) throw std::invalid_argument(std::string(name) + " is not an integer");
      auto x = v.get<std::int64_t>();
      if (x < lo || x > hi) throw std::out_of_range(std::string(name) + " out of range");
      return x;
    };
    if (number("version", 0, INT64_MAX) != kVersion)
      return make_error(ErrorKind::input, "run record version " + j.at("version").dump() + " is not supported");
    auto address = [](const std::string& s) {
      auto a = model::Address::parse(s);
      if (!a) throw std::invalid_argument("bad address '" + s + "'");
      return *a;
    };
    auto addresses = [&](const char* name) {
      std::vector<model::Address> out;
      for (const auto& s : j.at(name).get<std::vector<std::string>>()) out.push_back(address(s));
      return out;
    };
    CampaignPlan p;
    p.interface = j.at("interface").get<std::string>();
    p.src = address(j.at("src").get<std::string>());
    auto key = j.at("run_key").get<std::string>();
    if (key.empty() || key.size() > 20 || key.find_first_not_of("0123456789") != std::string::npos)
      throw std::out_of_range("run_key is not a number");
    p.run_key = std::stoull(key);
    p.sport = static_cast<std::uint16_t>(number("sport", 0, 65535 - 1016));
    p.max_ttl = static_cast<std::uint8_t>(number("max_ttl", 1, 255));
    p.attempts = static_cast<std::uint8_t>(number("attempts", 1, 10));
    p.gaplimit = static_cast<int>(number("gaplimit", 1, 255));
    p.wait_us = number("wait_us", 1, 3600000000);
    p.pps = j.at("pps").get<double>();
    if (!(p.pps > 0 && p.pps <= 1e7)) throw std::out_of_range("pps out of range");
    p.concurrency = static_cast<std::size_t>(number("concurrency", 1, 1 << 20));
    for (const auto& m : j.at("methods").get<std::vector<std::string>>()) {
      auto spec = MethodSpec::parse(m);
      if (!spec) throw std::invalid_argument("bad method '" + m + "'");
      p.methods.push_back(*spec);
    }
    if (p.methods.size() > 16) throw std::out_of_range("too many methods");
    for (const auto& s : j.at("prefixes").get<std::vector<std::string>>()) {
      auto pf = model::Prefix::parse(s);
      if (!pf) throw std::invalid_argument("bad prefix '" + s + "'");
      p.prefixes.push_back(*pf);
    }
    p.targets = addresses("targets");
    p.target_prefix = j.at("target_prefix").get<std::vector<int>>();
    if (p.target_prefix.size() != p.targets.size()) throw std::invalid_argument("target_prefix does not match targets");
    for (int i : p.target_prefix)
      if (i < 0 || static_cast<std::size_t>(i) >= p.prefixes.size()) throw std::out_of_range("target_prefix out of range");
    p.controls = addresses("controls");
    p.asns = j.at("asns").get<std::vector<std::uint32_t>>();
    p.country = j.at("country").get<std::string>();
    p.zone = j.at("zone").get<std::string>();
    if (!p.zone.empty()) {
      auto z = packet::normalize_dns_name(p.zone);
      if (!z || *z != p.zone) throw std::invalid_argument("malformed zone");
    }
    p.parents = addresses("parents");
    p.asn_db = j.at("asn_db").get<std::string>();
    p.baseline = j.at("baseline").get<std::string>();
    p.no_route = j.at("no_route").get<std::string>();
    return p;
  } catch (const std::exception& e) {
    return make_error(ErrorKind::input, std::string("run record is malformed: ") + e.what());
  }
}

namespace {

// Keeps one engine's finished traces (they arrive in target order).
class Collector final : public engine::TraceObserver {
 public:
  explicit Collector(std::function<void()> on_progress) : on_progress_(std::move(on_progress)) {}
  void on_trace(const model::Trace& t) override { traces.push_back(t); }
  void take_trace(std::unique_ptr<model::Trace> t) override { traces.push_back(std::move(*t)); }
  void on_progress(const engine::TraceStats&) override { on_progress_(); }
  std::vector<model::Trace> traces;

 private:
  std::function<void()> on_progress_;
};

}  // namespace

Campaign run_campaign(const CampaignPlan& plan, io::PacketSource& source, io::PacketSink& sink,
                      io::TcpStreams& streams, const std::atomic<int>& halt,
                      const std::function<void(const CampaignProgress&)>& progress, CampaignStats& stats) {
  Campaign c;
  c.prefixes = plan.prefixes;
  c.methods = plan.methods;
  c.national_asns = plan.asns;
  c.no_route = plan.no_route;
  if (!plan.no_route.empty()) return c;

  if (!plan.zone.empty() && halt.load() == 0) {
    progress({0, 0, 0, 0, "dns"});
    engine::ZoneCheckConfig zc{dns_config(plan), plan.zone, plan.parents};
    std::vector<model::DnsExchange> exchanges;
    engine::DnsStats ds;
    c.dns = engine::check_zone(zc, source, sink, streams, halt, exchanges, ds);
    stats.probes += ds.queries_sent;
    stats.replies += ds.responses;
    stats.send_errors += ds.send_errors;
    c.probes = ds.queries_sent;
    c.replies = ds.responses;
  }

  std::vector<model::Address> all = plan.targets;
  all.insert(all.end(), plan.controls.begin(), plan.controls.end());
  std::vector<std::unique_ptr<engine::TraceEngine>> engines;
  std::vector<std::unique_ptr<Collector>> collectors;
  std::vector<engine::TraceEngine*> raw;
  auto report = [&] {
    CampaignProgress p;
    p.phase = "trace";
    for (const auto& e : engines) {
      const auto& s = e->stats();
      p.traces_done += s.traces_done;
      p.traces_total += s.traces_total;
      p.probes += s.probes_sent;
      p.replies += s.replies;
    }
    progress(p);
  };
  for (std::size_t i = 0; i < plan.methods.size(); ++i) {
    collectors.push_back(std::make_unique<Collector>(report));
    engines.push_back(std::make_unique<engine::TraceEngine>(trace_config(plan, i), all, source, sink, *collectors.back()));
    raw.push_back(engines.back().get());
  }
  if (!raw.empty()) engine::run_together(raw, source, plan.pps, halt);
  report();

  for (std::size_t t = 0; t < all.size(); ++t) {
    TargetTraces tt;
    tt.addr = all[t];
    tt.prefix = t < plan.targets.size() ? plan.target_prefix[t] : -1;
    for (const auto& col : collectors)
      if (t < col->traces.size()) tt.traces.push_back(col->traces[t]);
    (t < plan.targets.size() ? c.targets : c.controls).push_back(std::move(tt));
  }
  for (const auto& e : engines) {
    const auto& s = e->stats();
    stats.probes += s.probes_sent;
    stats.replies += s.replies;
    stats.send_errors += s.send_errors;
    stats.kernel_dropped = s.source.kernel_dropped;
  }
  // The report counts the probes the traces hold. The engines' counters
  // also count probes handed to the sink but never seen leaving before a
  // halt, which a replay (where the capture just ends) hands to its null
  // sink in far greater number: live and replay would disagree.
  for (const auto* list : {&c.targets, &c.controls})
    for (const auto& tt : *list)
      for (const auto& t : tt.traces)
        for (const auto& hop : t.hops)
          for (const auto& p : hop.probes) {
            ++c.probes;
            if (p.reply) ++c.replies;
          }
  return c;
}

}  // namespace probe::locate
