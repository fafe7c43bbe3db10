// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Planning an fl-locate campaign before anything is opened (the national
/// prefixes from -p, a prefix file and the IP->country and IP->AS tables;
/// the targets in them; controls, parents and timing), and reading a
/// campaign back from its capture, for -r and for a baseline.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "probe/error.h"
#include "probe/io/vantage.h"
#include "probe/locate/analysis.h"
#include "probe/locate/campaign.h"
#include "probe/model/asn_db.h"
#include "probe/record/campaign_annotation.h"

namespace probe::locate {

/// What the command line asks a live campaign to probe, and how.
struct CampaignRequest {
  std::vector<std::string> prefixes;  ///< -p, CIDR
  std::string prefix_file;            ///< --prefix-file
  std::string country;                ///< --country, upper case
  std::string country_db;             ///< --country-db ("" = the shipped snapshot)
  std::vector<std::uint32_t> asns;    ///< --asn
  std::string hitlist;                ///< --hitlist ("" = picks per /24)
  int per_block = 3;                  ///< addresses per /24
  std::size_t max_targets = 1024;     ///< national targets at most
  bool yes = false;                   ///< --yes: prefixes with host bits set, or more than kMaxBlocks /24s
  std::vector<MethodSpec> methods;
  std::vector<std::string> controls;  ///< --control (defaults filled in)
  std::string zone;                   ///< --zone ("" = from --country, or none)
  std::vector<std::string> parents;   ///< --parent (default: the root servers)
  std::string baseline;               ///< --baseline
  std::int64_t wait_us = 1000000;     ///< -W, µs
  int attempts = 2;                   ///< -q
  int gaplimit = 3;                   ///< -g
  int max_ttl = 30;                   ///< -m
  double pps = 200;                   ///< probes per second, the whole campaign
  std::int64_t budget_us = kDefaultFrontierBudgetUs;  ///< --budget: the frontier phase's time, µs (0: off)
};

/// The most /24 blocks (the space of a /8) the national prefixes may hold
/// without --yes: a campaign lists every /24 to sample its targets from.
inline constexpr std::uint64_t kMaxBlocks = 65536;

/// Sets plan.prefixes (given, from the prefix file, the country's IPv4
/// prefixes in the IP->country table, each AS's IPv4 ones in `asn_db`),
/// plan.asns and plan.country. Usage errors for a bad or IPv6 prefix and a
/// country or AS without IPv4 prefixes; input errors for the prefix file.
/// Without request.yes, usage errors for a prefix given with host bits set
/// ("198.18.200.1/24") and for prefixes that hold more than kMaxBlocks /24s.
Result<bool> national_prefixes(const CampaignRequest& request, const model::AsnDb& asn_db, CampaignPlan& plan);

/// What a campaign made of its --hitlist.
struct HitlistUse {
  std::size_t outside = 0;     ///< addresses read that lie outside every national prefix: left out
  std::size_t stopped_at = 0;  ///< max_targets were taken by this line; the rest was not read (0: read to the end)
};

/// Plans a live campaign under `key`: all but src, interface and no_route,
/// which come from the vantage. Targets are the hitlist's addresses inside a
/// national prefix, in its order, the file read only until max_targets are
/// taken (`hitlist` says what was left out and where reading stopped, also
/// when an error follows), else picks per /24 seeded by the run key; a usage
/// error when none is left. Input errors "FILE:LINE: ..." for the hitlist.
Result<CampaignPlan> plan_campaign(const CampaignRequest& request, const model::AsnDb& asn_db,
                                   const std::string& asn_db_path, const io::RunKey& key, HitlistUse& hitlist);

/// A path as a capture records it: absolute and normal, so that a replay
/// from another directory finds the same file ("" stays "").
std::string absolute_path(const std::string& path);

/// AS lookups in `db` (which must outlive the result).
AsLookup lookup_in(const model::AsnDb& db);

/// A campaign capture opened for replay: its plan and its packets.
struct CampaignCapture {
  CampaignPlan plan;
  io::Vantage vantage;
  /// What the live run looked up and compared against; nullopt in a live
  /// run, and for captures written before annotations or cut before the end.
  std::optional<record::CampaignAnnotation> annotation = std::nullopt;
};

/// Opens a capture fl-locate wrote, with its annotation: the closing one if
/// the capture ends in one, else (a cut capture) the opening one, if any.
/// Input errors name the file (an annotation that does not parse, or that
/// belongs to another run, is one).
Result<CampaignCapture> open_campaign(const std::string& path);

/// Starts a live capture with what a replay needs and the run knows before
/// its first probe: the AS (through `lookup`) of the plan's addresses (the
/// national prefixes' first addresses, targets, controls, parents) and of
/// the baseline's hops, and the baseline, as an opening annotation. A
/// capture cut before its closing annotation still replays alone with it,
/// hops the baseline did not see without an AS.
/// A failed write sticks in the writer, reported with its other errors.
void annotate_start(io::CaptureWriter& writer, const CampaignPlan& plan, const AsLookup& lookup,
                    const std::optional<Baseline>& baseline);

/// Ends a live capture with the closing annotation: the AS of everything
/// annotate_start named, of every address the campaign saw
/// (record::addresses_of) and of those in `looked_up` (what the analysis
/// and the output asked about besides), and the baseline. Its replay then
/// knows every AS the live run showed.
void annotate_end(io::CaptureWriter& writer, const CampaignPlan& plan, const Campaign& campaign,
                  const std::vector<model::Address>& looked_up, const AsLookup& lookup,
                  const std::optional<Baseline>& baseline);

/// A JSON baseline is refused past this size (a report of 100,000 targets
/// is about 60 MiB).
inline constexpr std::size_t kMaxBaselineBytes = std::size_t{64} << 20;

/// A capture given as a baseline is refused past this size (a campaign of
/// 1,024 targets writes about 6 MiB, of 100,000 about 650 MiB).
inline constexpr std::size_t kMaxBaselineCaptureBytes = std::size_t{1} << 30;

/// A baseline: fl-locate's JSON report (at most kMaxBaselineBytes), or a
/// capture it wrote (at most kMaxBaselineCaptureBytes; replayed and
/// analysed with `lookup`), opened with
/// the invoking user's rights (io::open_as_invoker). Input errors name the
/// file.
Result<Baseline> load_baseline(const std::string& path, const AsLookup& lookup);

}  // namespace probe::locate
