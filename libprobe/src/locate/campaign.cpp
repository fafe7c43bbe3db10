// SPDX-License-Identifier: BSD-2-Clause
#include "probe/locate/campaign.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <random>

#include "probe/engine/capture_filter.h"
#include "probe/engine/zone_check.h"
#include "probe/locate/frontier.h"
#include "probe/model/splitmix.h"

namespace probe::locate {

namespace {

constexpr std::uint16_t kUdpPort = 33434;

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

std::optional<std::string> vantage_name_problem(const std::string& name) {
  if (name.empty()) return std::string("a vantage name cannot be empty");
  if (name.size() > kMaxVantageName)
    return "a vantage name is at most " + std::to_string(kMaxVantageName) + " bytes";
  // Printable ASCII only: the name is a label in text reports, JSON and dot
  // graphs, where a control character or a lookalike would mislead.
  for (char c : name)
    if (c < 0x20 || c > 0x7e) return std::string("a vantage name takes printable ASCII only");
  return std::nullopt;
}

std::string campaign_filter(const CampaignPlan& p) {
  std::string f = p.zone.empty() ? std::string() : "(" + engine::dns_capture_filter(p.src, dns_config(p).dport) + ")";
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

// The capture time of a trace's last probe to leave (0: none).
std::int64_t last_tx(const model::Trace& t) {
  std::int64_t at = 0;
  for (const auto& h : t.hops)
    for (const auto& p : h.probes) at = std::max(at, p.tx_us);
  return at;
}

// Waits, reading (and so recording) what arrives, until the capture clock
// reaches `at`. A replay drops the frames before `at` only: a live probe
// sent once the clock reached `at` carries a capture time of `at` or later.
void wait_until(io::PacketSource& source, const io::PacketSink& sink, std::int64_t at,
                const std::atomic<int>& halt) {
  const std::int64_t until = sink.paced() ? at : at - 1;
  // A live source returns after a quiet second, before the deadline.
  while (halt.load() == 0 && source.clock().now_us() < until) source.next(until);
}

// The frontier phase (frontier.h): rounds kFrontierPaceUs apart, the first
// kFrontierKeyRounds of them after the survey's last probe, the last ending
// within the budget from that probe, each round's probes grouped into
// one single-TTL engine per method and TTL. Round times come from the
// capture times of probes, never from the clock as it reads after an
// event, so a replay holds the same rounds with the same probes.
void run_frontier(const CampaignPlan& plan, io::PacketSource& source, io::PacketSink& sink,
                  const std::atomic<int>& halt, const std::function<void(const CampaignProgress&)>& progress,
                  Campaign& c, CampaignStats& stats) {
  if (plan.budget_us <= 0 || halt.load() != 0) return;
  auto state = frontier_start(c, plan.ask_controls);
  std::int64_t survey_end = 0;
  for (const auto* list : {&c.targets, &c.controls})
    for (const auto& tt : *list)
      for (const auto& t : tt.traces) survey_end = std::max(survey_end, last_tx(t));
  if (survey_end == 0) return;
  std::int64_t at = survey_end + kFrontierKeyRounds * kFrontierPaceUs;
  const std::int64_t end = survey_end + plan.budget_us;
  std::uint64_t sent = 0;  // for the progress line
  for (std::uint64_t round = 0; frontier_open(state) && at + plan.wait_us <= end; ++round) {
    const auto probes = frontier_round(state);
    if (probes.empty()) {  // every open frontier rests this round
      at += kFrontierPaceUs;
      continue;
    }
    wait_until(source, sink, at, halt);
    if (halt.load() != 0) return;
    progress({0, 0, sent, 0, "frontier"});
    std::map<std::pair<std::size_t, std::uint8_t>, std::vector<std::size_t>> by_engine;
    for (std::size_t k = 0; k < probes.size(); ++k) by_engine[{probes[k].method, probes[k].ttl}].push_back(k);
    std::vector<std::unique_ptr<engine::TraceEngine>> engines;
    std::vector<std::unique_ptr<Collector>> collectors;
    std::vector<engine::TraceEngine*> raw;
    for (const auto& [key, members] : by_engine) {
      engine::TraceConfig cfg = trace_config(plan, key.first);
      cfg.first_ttl = cfg.max_ttl = key.second;
      cfg.attempts = 1;
      cfg.run_key = derive(plan.run_key, 0x10000 + round * 256 + engines.size());
      std::vector<model::Address> targets;
      for (auto k : members)
        targets.push_back((probes[k].control ? c.controls : c.targets)[probes[k].target].addr);
      collectors.push_back(std::make_unique<Collector>([] {}));
      engines.push_back(std::make_unique<engine::TraceEngine>(cfg, targets, source, sink, *collectors.back()));
      raw.push_back(engines.back().get());
    }
    engine::run_together(raw, source, plan.pps, halt);
    std::int64_t first = 0;
    bool cut = false;  // halted, or the capture ended: no round after this one
    std::size_t e = 0;
    for (const auto& [key, members] : by_engine) {
      for (std::size_t j = 0; j < members.size() && j < collectors[e]->traces.size(); ++j) {
        const FrontierProbe& p = probes[members[j]];
        const model::Trace& t = collectors[e]->traces[j];
        if (t.stop_reason == model::StopReason::halted) cut = true;
        if (t.start_us != 0 && (first == 0 || t.start_us < first)) first = t.start_us;
        MethodSpec spec = c.methods[p.method];
        spec.direct = p.ask == Ask::direct;
        frontier_take(state, p, t);
        add_frontier_result((p.control ? c.controls : c.targets)[p.target], spec, t);
      }
      const auto& s = engines[e]->stats();
      sent += s.probes_sent;
      stats.probes += s.probes_sent;
      stats.replies += s.replies;
      stats.send_errors += s.send_errors;
      ++e;
    }
    if (cut || first == 0) return;
    at = std::max(at, first) + kFrontierPaceUs;
  }
}

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
  run_frontier(plan, source, sink, halt, progress, c, stats);
  // The report counts the probes the traces and the exchanges hold. The
  // engines' counters also count probes handed to the sink but never seen
  // leaving before a halt, which a replay (where the capture just ends)
  // hands to its null sink in far greater number: live and replay would
  // disagree.
  for (const auto& x : c.dns_exchanges)
    if (x.tx_us != 0) c.probes += x.tries + (x.tcp ? 1u : 0u);
  auto count = [&c](const model::Trace& t, std::uint64_t& probes) {
    for (const auto& hop : t.hops)
      for (const auto& p : hop.probes) {
        ++probes;
        if (p.reply) ++c.replies;
      }
  };
  for (const auto* list : {&c.targets, &c.controls})
    for (const auto& tt : *list) {
      for (const auto& t : tt.traces) count(t, c.probes);
      for (const auto& f : tt.frontier) count(f.trace, c.frontier_probes);
    }
  c.probes += c.frontier_probes;
  return c;
}

std::int64_t campaign_start_us(const Campaign& c) {
  std::int64_t first = 0;
  auto seen = [&first](std::int64_t us) {
    if (us > 0 && (first == 0 || us < first)) first = us;
  };
  for (const auto& e : c.dns_exchanges) seen(e.tx_us);
  for (const auto* group : {&c.targets, &c.controls})
    for (const auto& t : *group)
      for (const auto& tr : t.traces) seen(tr.start_us);
  return first;
}

}  // namespace probe::locate
