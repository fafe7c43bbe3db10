// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Many vantage points, one answer: fl-locate reports from several vantage
/// points merged into a joint verdict (fl-locate --merge). Pure functions
/// over reports already read (format/locate_report_reader.h); no I/O.
///
/// The rules, per national prefix, over the vantages whose own network
/// works (a vantage whose report is `local` is that vantage's fault: it is
/// listed, and left out of the country's verdict):
/// - a vantage *reaches* a prefix when any of its targets there answered,
///   and *fails* it when it probed targets there and none answered;
/// - none fails: `reachable`;
/// - all fail: `internal`, unless their paths all end in one upstream AS
///   short of the national border (then `upstream`, naming it). High
///   confidence when they came through two or more different upstream ASes
///   (each stopping at its own carrier's edge of the country, or all at
///   the same border), medium otherwise;
/// - some fail, and every failing one's path ends in one upstream AS X no
///   reaching one ends in: `upstream`, naming X and the last hop that
///   answered; otherwise `partial`.
/// The country's verdict is its prefixes' when they agree, else `partial`;
/// with every prefix reachable, the zone's servers judged from all the
/// vantages together (a server that answered any vantage is up) can still
/// make it `dns`. One vantage only: that report's verdict, and the reason
/// says so.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probe/locate/analysis.h"

namespace probe::locate {

/// How one vantage fared toward one prefix.
struct VantagePrefix {
  std::string vantage;
  bool reached = false;
  std::size_t targets = 0;
  std::size_t reached_targets = 0;
  std::optional<HopReport> last_hop;  ///< failing: its report's break for the prefix
};

struct JointPrefix {
  model::Prefix prefix;
  model::Verdict verdict = model::Verdict::inconclusive;
  std::vector<VantagePrefix> vantages;  ///< the vantages judged, in input order
  std::optional<AsName> upstream;       ///< upstream: the AS the failing paths end in
  std::optional<HopReport> last_hop;    ///< upstream or internal: the last hop that answered
};

/// One vantage of the merge.
struct JointVantage {
  VantageReport vantage;
  model::Verdict verdict = model::Verdict::inconclusive;  ///< its own report's
  bool local = false;  ///< its own network failed: left out of the country's verdict
};

/// One server of the zone over every vantage.
struct JointServer {
  std::string name;
  model::Address addr;
  std::vector<std::string> answered;  ///< the vantages it answered (status not unreachable)
};

struct JointReport {
  model::Verdict verdict = model::Verdict::inconclusive;
  model::Confidence confidence = model::Confidence::low;
  std::string reason;  ///< one sentence: which rule gave the verdict
  std::vector<JointVantage> vantages;
  std::vector<JointPrefix> prefixes;  ///< every prefix of any report, in first-seen order
  std::string zone;                   ///< "" when no report checked DNS
  std::vector<JointServer> servers;
};

/// Merges reports that each name a different vantage (the caller refuses
/// duplicates: vantage_clash). Prefixes are merged one by one, whatever
/// each report's set of prefixes.
JointReport merge(const std::vector<Report>& reports);

/// The name two of `reports` share, or nullopt.
std::optional<std::string> vantage_clash(const std::vector<Report>& reports);

}  // namespace probe::locate
