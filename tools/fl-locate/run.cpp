// SPDX-License-Identifier: BSD-2-Clause
// A live campaign's set-up and its capture's closing annotation, shared by
// fl-locate and fl-monitor (which runs one campaign per round).

#include "run.h"

#include <fmt/format.h>

#include <iostream>

#include "cli.h"
#include "probe/record/campaign_record.h"

namespace fllocate {

namespace locate = probe::locate;

probe::Result<locate::CampaignCapture> setup_live(const char* tool, const fllocate::Options& o,
                                                  const probe::model::AsnDb& asn_db, const std::string& asn_path,
                                                  probe::io::Ring* ring) {
  auto key = probe::io::draw_run_key(std::nullopt);
  locate::HitlistUse hitlist;
  auto planned = locate::plan_campaign(o, asn_db, asn_path, key, hitlist);
  if (hitlist.outside > 0)
    std::cerr << fmt::format("{}: {} hitlist addresses lie outside the national prefixes: left out\n", tool,
                             hitlist.outside);
  if (hitlist.stopped_at > 0)
    std::cerr << fmt::format("{}: {}: --max-targets {} taken by line {}: the rest is not read\n", tool, o.hitlist,
                             o.max_targets, hitlist.stopped_at);
  if (!planned) return planned.error();
  locate::CampaignCapture s{std::move(*planned), {}};
  auto& plan = s.plan;
  // No route toward the country: nothing can be sent, and that is the finding.
  auto endpoint = probe::io::find_endpoint({o.source, o.interface, true}, plan.targets.front());
  if (!endpoint) return endpoint.error();
  plan.src = endpoint->src;
  plan.interface = endpoint->interface;
  plan.no_route = endpoint->no_route;
  plan.vantage = o.vantage;
  auto spec = flcommon::live_spec(o, plan.src, plan.interface);
  spec.offline = !plan.no_route.empty();
  if (!spec.offline) spec.capture.filter = locate::campaign_filter(plan);
  // Without a socket on the zone check's port the kernel answers every
  // nameserver's response with a port unreachable, which its operator sees.
  if (!spec.offline && !plan.zone.empty()) spec.hold_udp_port = locate::dns_config(plan).sport;
  spec.tcp = true;
  spec.record = probe::record::to_comment(plan);
  auto vantage = ring ? probe::io::open_vantage(spec, *ring) : probe::io::open_vantage(spec);
  if (!vantage) return vantage.error();
  s.vantage = std::move(*vantage);
  return s;
}

Located locate_campaign(locate::CampaignCapture& s, const locate::AsLookup& table,
                        const std::optional<locate::Baseline>& baseline, const std::atomic<int>& halt,
                        const std::function<void(const locate::CampaignProgress&)>& progress) {
  probe::io::Vantage& v = s.vantage;
  Located out;
  if (v.writer) locate::annotate_start(*v.writer, s.plan, table, baseline);
  if (v.source) {
    out.campaign = locate::run_campaign(s.plan, *v.source, *v.sink, *v.streams, halt, progress, out.stats);
  } else {
    out.campaign.prefixes = s.plan.prefixes;
    out.campaign.methods = s.plan.methods;
    out.campaign.no_route = s.plan.no_route;
  }
  std::vector<probe::model::Address> looked_up;
  const locate::AsLookup lookup = [&looked_up, &table](const probe::model::Address& a) {
    looked_up.push_back(a);
    return table(a);
  };
  out.report = locate::analyze(out.campaign, lookup, baseline);
  out.report.vantage = {s.plan.vantage, s.plan.src};
  if (v.writer) locate::annotate_end(*v.writer, s.plan, out.campaign, looked_up, table, baseline);
  return out;
}

}  // namespace fllocate
