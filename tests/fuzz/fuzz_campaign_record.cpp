// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: fl-locate's run record (the campaign plan) parser over an
// arbitrary section comment.

#include "probe/record/campaign_record.h"
#include "record_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_record(data, size, probe::record::parse_campaign_record,
              [](const probe::locate::CampaignPlan& p) { return probe::record::to_comment(p); });
  return 0;
}
