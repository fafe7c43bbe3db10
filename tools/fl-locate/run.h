// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// A live campaign's set-up and its capture's closing annotation, shared by
// fl-locate and fl-monitor.

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "options.h"
#include "probe/io/vantage.h"
#include "probe/locate/campaign.h"
#include "probe/locate/plan.h"
#include "probe/model/asn_db.h"

namespace fllocate {

// Plans the campaign `o` asks for (warning on stderr about hitlist lines
// left out, under the name `tool`), finds its source address and interface,
// and opens its vantage (raw socket, capture with the campaign's filter,
// -w): needs privilege. With `ring`, the raw socket and the capture are
// the ring's, kept from one campaign to the next (io::open_vantage).
probe::Result<probe::locate::CampaignCapture> setup_live(const char* tool, const Options& o,
                                                         const probe::model::AsnDb& asn_db,
                                                         const std::string& asn_path,
                                                         probe::io::Ring* ring = nullptr);

// A campaign run and analysed, as fl-locate and fl-monitor both do it.
struct Located {
  probe::locate::Campaign campaign;
  probe::locate::Report report;
  probe::locate::CampaignStats stats;
};

// Runs the campaign of `s` (none without a source: no route, which is the
// finding) and analyses it against `baseline`, looking ASes up in `table`.
// With -w the capture opens with what the run knows before its first probe
// (locate::annotate_start) and, once the analysis is done, closes with every
// AS it looked up (locate::annotate_end): a capture cut anywhere replays alone.
Located locate_campaign(probe::locate::CampaignCapture& s, const probe::locate::AsLookup& table,
                        const std::optional<probe::locate::Baseline>& baseline, const std::atomic<int>& halt,
                        const std::function<void(const probe::locate::CampaignProgress&)>& progress);

}  // namespace fllocate
