// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// A live campaign's set-up and its capture's closing annotation, shared by
// fl-locate and fl-monitor.

#include <map>
#include <optional>
#include <string>

#include "options.h"
#include "probe/io/capture_writer.h"
#include "probe/locate/campaign.h"
#include "probe/locate/plan.h"
#include "probe/model/asn_db.h"

namespace fllocate {

// Plans the campaign `o` asks for (warning on stderr about hitlist lines
// left out), finds its source address and interface, and opens its vantage
// (raw socket, capture with the campaign's filter, -w): needs privilege.
probe::Result<probe::locate::CampaignCapture> setup_live(const Options& o, const probe::model::AsnDb& asn_db,
                                                         const std::string& asn_path);

// Closes a live capture with what its replay needs besides the packets
// (the ASes looked up, the baseline).
void annotate(probe::io::CaptureWriter& writer, const probe::locate::CampaignPlan& plan,
              const std::map<probe::model::Address, std::optional<probe::model::AsInfo>>& seen,
              const std::optional<probe::locate::Baseline>& baseline);

}  // namespace fllocate
