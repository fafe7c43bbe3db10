// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// fl-locate's annotation: what a campaign's replay needs besides the
/// packets and the plan, so that `fl-locate -r FILE` reaches the recorded
/// report on any machine without the AS table or the baseline file. It is
/// known whole only once the campaign has run (the hops), so it is not part
/// of the run record in the section header: the live run writes what it
/// knows at its start first (locate::annotate_start), and all of it last,
/// each as the comment of an interface statistics block after
/// kAnnotationTag (io::CaptureWriter::write_comment, io::CaptureNotes); a
/// capture cut before the end keeps the first.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "probe/error.h"
#include "probe/locate/analysis.h"
#include "probe/model/address.h"
#include "probe/model/asn_db.h"

namespace probe::record {

inline constexpr const char* kAnnotationTag = "faultline-annotation ";

/// Bounds the reader holds a capture's annotation to: one entry per
/// distinct address the campaign met (a campaign of 100,000 targets meets
/// about as many), one path per baseline target.
inline constexpr std::size_t kMaxAnnotatedHosts = std::size_t{1} << 21;
inline constexpr std::size_t kMaxBaselinePaths = std::size_t{1} << 20;

struct CampaignAnnotation {
  std::uint64_t run_key = 0;  ///< the run record's: an annotation belongs to one run
  /// Every address the campaign saw or its analysis looked up, in address
  /// order, each with its AS in the table the run used (nullopt: the table
  /// has none). An address not listed had no lookup.
  std::vector<std::pair<model::Address, std::optional<model::AsInfo>>> hosts;
  /// The baseline the run compared against, as the analysis reads it.
  std::optional<locate::Baseline> baseline;
};

/// The annotation's comment (the tag, then JSON). The baseline carries a
/// digest of its paths (baseline_digest) that the reader checks.
std::string to_comment(const CampaignAnnotation& annotation);
/// Parses it back; an input error naming the field if it is not a valid
/// annotation (a digest that does not match its baseline included).
Result<CampaignAnnotation> parse_campaign_annotation(const std::string& comment);

/// "fnv1a64:" and 16 hex digits: FNV-1a over the baseline's paths as the
/// annotation writes them. It guards against a damaged or edited copy and
/// names a baseline in messages; it is no defence against a forger.
std::string baseline_digest(const locate::Baseline& baseline);

/// Every address a campaign saw or named, repeats included: the national
/// prefixes' first addresses, targets, controls, every hop that answered or
/// was inferred (frontier probes too), the zone's parents, servers and the
/// senders of ICMP errors about its queries. The live run annotates each,
/// beside what its analysis looked up, so that a later version of the
/// analysis still finds the AS of any of them.
std::vector<model::Address> addresses_of(const locate::Campaign& campaign);

/// AS lookups served from the annotation (which must outlive the result).
locate::AsLookup lookup_in(const CampaignAnnotation& annotation);

}  // namespace probe::record
