// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// fl-locate's run record: the campaign plan, stored so that
/// `fl-locate -r FILE` alone replays the campaign. Framed like every run
/// record (record.h).

#include <string>

#include "probe/error.h"
#include "probe/locate/campaign.h"
#include "probe/record/record.h"

namespace probe::record {

/// The section-header comment that carries the plan.
std::string to_comment(const locate::CampaignPlan& plan);
/// Parses it back; an input error, naming the field, if it is not a valid
/// fl-locate record.
Result<locate::CampaignPlan> parse_campaign_record(const std::string& comment);

}  // namespace probe::record
