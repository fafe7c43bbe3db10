#include "probe/locate/campaign.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "probe/engine/capture_filter.h"
#include "probe/engine/zone_check.h"
#include "probe/model/splitmix.h"

namespace probe::locate {

namespace {

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
    c.dns_exchanges = std::move(exchanges);
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
