// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// An fl-locate campaign: what it probes (the plan, stored in the capture's
/// section header so that `-r FILE` alone replays it: see
/// record/campaign_record.h) and running it over any source and sink, live
/// or replay alike: first the zone's delegation check, then every target
/// with every method at once (the survey), then, paced, the frontier phase
/// where the failing targets' answers ran out (frontier.h).

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "probe/engine/dns_engine.h"
#include "probe/engine/trace_engine.h"
#include "probe/error.h"
#include "probe/io/packet_sink.h"
#include "probe/io/packet_source.h"
#include "probe/io/tcp_streams.h"
#include "probe/locate/analysis.h"
#include "probe/locate/frontier.h"

namespace probe::locate {

struct CampaignPlan {
  std::string interface;                 ///< where the live run captured
  model::Address src;
  std::uint64_t run_key = 0;             ///< every engine's key derives from it
  std::uint16_t sport = 0;               ///< method i uses sport + i; DNS sport + 16 (TCP above)
  std::uint8_t max_ttl = 30;
  std::uint8_t attempts = 2;
  int gaplimit = 3;
  std::int64_t wait_us = 1000000;
  double pps = 200;
  std::size_t concurrency = 256;         ///< traces in flight per method
  std::int64_t budget_us = kDefaultFrontierBudgetUs;  ///< the frontier phase's time (frontier.h); 0: none
  bool ask_controls = true;              ///< the frontier phase asks the controls' silent TTLs (frontier.h)
  std::vector<MethodSpec> methods;
  std::vector<model::Prefix> prefixes;
  std::vector<model::Address> targets;   ///< national targets, in order
  std::vector<int> target_prefix;        ///< index into prefixes, per target
  std::vector<model::Address> controls;
  std::vector<std::uint32_t> asns;       ///< explicit national ASes (--asn)
  std::string country;                   ///< --country, for the report
  std::string zone;                      ///< "" = no DNS check
  std::vector<model::Address> parents;
  std::string asn_db;                    ///< the IP→AS table used
  std::string baseline;                  ///< the baseline used, if any
  std::string no_route;                  ///< non-empty: nothing could be sent (why)
  std::string vantage;                   ///< the vantage point's name (--vantage); "" in older captures
};

/// Longest vantage name, in bytes: a name is a label in reports and graphs.
inline constexpr std::size_t kMaxVantageName = 64;
/// Why `name` cannot name a vantage point (empty, longer than
/// kMaxVantageName, or holding a byte outside printable ASCII); nullopt: it can.
std::optional<std::string> vantage_name_problem(const std::string& name);

/// Fills plan.targets and plan.target_prefix with picks from the prefixes:
/// for every /24 of them (or the prefix itself when longer), its .1 and
/// per_block - 1 random other addresses (never the network or broadcast
/// address). With more than max_targets picks, /24s are sampled evenly at
/// random. The randomness comes from seed, so one seed gives one list.
void pick_targets(CampaignPlan& plan, int per_block, std::size_t max_targets, std::uint64_t seed);

/// The engine configuration of method i of the plan.
engine::TraceConfig trace_config(const CampaignPlan& plan, std::size_t method);
/// The DNS configuration of the zone check.
engine::DnsConfig dns_config(const CampaignPlan& plan);
/// The BPF filter that captures the whole campaign.
std::string campaign_filter(const CampaignPlan& plan);

/// When the campaign sent its first packet (capture time, µs since the
/// epoch; 0 when it sent none): the same live and in replay.
std::int64_t campaign_start_us(const Campaign& campaign);

/// Counters over a campaign, for progress lines.
struct CampaignProgress {
  std::uint64_t traces_done = 0;
  std::uint64_t traces_total = 0;
  std::uint64_t probes = 0;
  std::uint64_t replies = 0;
  std::string phase;  ///< "dns", "trace" or "frontier"
};

struct CampaignStats {
  std::uint64_t probes = 0;
  std::uint64_t replies = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t kernel_dropped = 0;
};

/// Runs the plan: the DNS check (if a zone is set), the traces, then the
/// frontier phase (unless plan.budget_us is 0 or the run was halted).
Campaign run_campaign(const CampaignPlan& plan, io::PacketSource& source, io::PacketSink& sink,
                      io::TcpStreams& streams, const std::atomic<int>& halt,
                      const std::function<void(const CampaignProgress&)>& progress, CampaignStats& stats);

}  // namespace probe::locate
