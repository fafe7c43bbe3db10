// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: fl-locate's run record (the campaign plan) parser, and
// the annotation parser (the comment a campaign capture ends with), over an
// arbitrary comment.

#include <cstdlib>
#include <string>

#include "probe/record/campaign_annotation.h"
#include "probe/record/campaign_record.h"
#include "record_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_record(data, size, probe::record::parse_campaign_record,
              [](const probe::locate::CampaignPlan& p) { return probe::record::to_comment(p); });
  // The annotation has a tag of its own: tried bare and behind it, and an
  // annotation that parses must write back to one that parses again.
  const std::string comment(reinterpret_cast<const char*>(data), size);
  for (const std::string& c : {comment, probe::record::kAnnotationTag + comment}) {
    auto a = probe::record::parse_campaign_annotation(c);
    if (a && !probe::record::parse_campaign_annotation(probe::record::to_comment(*a))) std::abort();
  }
  return 0;
}
