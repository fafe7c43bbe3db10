// SPDX-License-Identifier: BSD-2-Clause
// A live campaign's set-up and its capture's closing annotation, shared by
// fl-locate and fl-monitor (which runs one campaign per round).

#include "run.h"

#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "cli.h"
#include "probe/record/campaign_annotation.h"
#include "probe/record/campaign_record.h"

namespace fllocate {

namespace locate = probe::locate;

probe::Result<locate::CampaignCapture> setup_live(const fllocate::Options& o, const probe::model::AsnDb& asn_db,
                                                  const std::string& asn_path) {
  auto key = probe::io::draw_run_key(std::nullopt);
  locate::HitlistUse hitlist;
  auto planned = locate::plan_campaign(o, asn_db, asn_path, key, hitlist);
  if (hitlist.outside > 0)
    std::cerr << fmt::format("fl-locate: {} hitlist addresses lie outside the national prefixes: left out\n",
                             hitlist.outside);
  if (hitlist.stopped_at > 0)
    std::cerr << fmt::format("fl-locate: {}: --max-targets {} taken by line {}: the rest is not read\n", o.hitlist,
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
  auto spec = flcommon::live_spec(o, plan.src, plan.interface);
  spec.offline = !plan.no_route.empty();
  if (!spec.offline) spec.capture.filter = locate::campaign_filter(plan);
  // Without a socket on the zone check's port the kernel answers every
  // nameserver's response with a port unreachable, which its operator sees.
  if (!spec.offline && !plan.zone.empty()) spec.hold_udp_port = locate::dns_config(plan).sport;
  spec.tcp = true;
  spec.record = probe::record::to_comment(plan);
  auto vantage = probe::io::open_vantage(spec);
  if (!vantage) return vantage.error();
  s.vantage = std::move(*vantage);
  return s;
}

// Ends a live capture with what its replay needs besides the packets: the
// AS of every address the campaign saw and the analysis and the picture
// looked up (`seen`), and the baseline. A failing write sticks in the
// writer and is reported with the capture's other errors.
void annotate(probe::io::CaptureWriter& writer, const locate::CampaignPlan& plan,
              const std::map<probe::model::Address, std::optional<probe::model::AsInfo>>& seen,
              const std::optional<locate::Baseline>& baseline) {
  probe::record::CampaignAnnotation a;
  a.run_key = plan.run_key;
  a.hosts.assign(seen.begin(), seen.end());
  a.baseline = baseline;
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  writer.write_comment(probe::record::to_comment(a), now.count());
}

}  // namespace fllocate
