// SPDX-License-Identifier: BSD-2-Clause
// run_campaign over a capture: what the report counts must be what the
// capture shows, so that a replay prints what the live run printed.

#include "probe/locate/campaign.h"

#include <gtest/gtest.h>

#include "probe/io/capture_writer.h"
#include "probe/io/packet_source.h"
#include "probe/record/campaign_record.h"
#include "process.h"

namespace {

using namespace probe;

locate::CampaignPlan plan() {
  locate::CampaignPlan p;
  p.src = *model::Address::parse("198.18.0.1");
  p.run_key = 12345;
  p.sport = 40000;
  p.methods = {*locate::MethodSpec::parse("direct-icmp"), *locate::MethodSpec::parse("icmp"),
               *locate::MethodSpec::parse("tcp:80")};
  p.prefixes = {*model::Prefix::parse("198.18.128.0/22")};
  p.targets = {*model::Address::parse("198.18.128.1"), *model::Address::parse("198.18.129.1")};
  p.target_prefix = {0, 0};
  p.controls = {*model::Address::parse("192.0.2.99")};
  p.wait_us = 500000;
  return p;
}

TEST(LocateCampaign, ReplayOfACaptureThatEndsBeforeTheTracesCountsNoProbes) {
  // What a Ctrl-C during the DNS check leaves (or a run whose sends the
  // kernel refused): a capture with no trace probe in it. The engines hand
  // every first probe to the null sink before they learn the capture is
  // over; those were never sent and must not be counted.
  testsupport::TempDir dir;
  const auto p = plan();
  const std::string path = dir.file("run.pcapng");
  {
    auto w = io::CaptureWriter::create(path, 1, record::to_comment(p));
    ASSERT_TRUE(w) << w.error().message;
    ASSERT_TRUE((*w)->flush());
  }
  auto source = io::open_file(path);
  ASSERT_TRUE(source) << source.error().message;
  auto sink = io::null_sink();
  auto streams = io::null_tcp_streams();
  std::atomic<int> halt{0};
  locate::CampaignStats stats;
  auto c = locate::run_campaign(p, **source, *sink, *streams, halt, [](const locate::CampaignProgress&) {}, stats);
  ASSERT_EQ(c.targets.size(), 2u);
  ASSERT_EQ(c.controls.size(), 1u);
  for (const auto* list : {&c.targets, &c.controls})
    for (const auto& tt : *list) {
      ASSERT_EQ(tt.traces.size(), 3u);
      for (const auto& t : tt.traces) {
        EXPECT_EQ(t.stop_reason, model::StopReason::halted);
        EXPECT_TRUE(t.hops.empty());
      }
    }
  EXPECT_EQ(c.probes, 0u);
  EXPECT_EQ(c.replies, 0u);
}

}  // namespace
