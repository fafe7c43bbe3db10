// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Where connectivity to a country breaks: pure functions from a campaign's
/// traces and DNS check (plus, optionally, an earlier healthy run) to a
/// verdict with its evidence. No I/O; unit-tested without a network.
///
/// Words used throughout:
/// - a target is *reached* when any of its traces completed (echo reply,
///   TCP SYN-ACK or RST, port unreachable from the target itself);
/// - a hop is *national* when its address lies in a national prefix or its
///   AS is one of the national ASes (the ASes of the national prefixes);
/// - a *border* hop is a non-national hop seen right before a national one
///   (TTL k then k+1) on any path of this run or of the baseline: a border
///   router often answers from its upstream's interconnect address, so the
///   AS table calls it "upstream" although the national network starts there;
/// - the *break* of a failing target is its last responsive hop, the deepest
///   over its methods (silent hops before it are rate limits or routers that
///   never answer, not a break);
/// - a target is *unfinished* when it was not reached and one of its traces
///   was interrupted (Ctrl-C) after sending: it is evidence of nothing, and
///   neither reached nor failing;
/// - a target or control is *unprobed* when the run was interrupted (any
///   trace of it halted) before any probe toward it left: unprobed is not
///   failed, and no verdict is drawn from it.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "probe/model/address.h"
#include "probe/model/asn_db.h"
#include "probe/model/dns.h"
#include "probe/model/trace.h"
#include "probe/model/verdict.h"

namespace probe::locate {

/// An AS as the IP→AS table names it.
using AsName = model::AsInfo;
using AsLookup = std::function<std::optional<AsName>(const model::Address&)>;

/// One probing method of a campaign: "icmp", "udp", "tcp:80", ... A direct
/// one ("direct-icmp", "direct-tcp:80") sends only TTL-64 probes: a ping
/// that says whether the target answers, however many routers on the way
/// rate-limit their time-exceeded messages.
struct MethodSpec {
  model::Method method = model::Method::icmp;
  std::uint16_t dport = 0;  ///< tcp and udp: the destination port (udp 0: engine default)
  bool direct = false;
  std::string label() const;
  static std::optional<MethodSpec> parse(const std::string& text);
};

/// Probes of the frontier phase toward one target with one method.
struct FrontierTrace {
  MethodSpec method;
  model::Trace trace;
};

/// Every trace toward one address.
struct TargetTraces {
  model::Address addr;
  int prefix = -1;                    ///< index into Campaign::prefixes; -1 for a control
  std::vector<model::Trace> traces;   ///< one per method, in Campaign::methods order
  /// The frontier phase's probes toward it (frontier.h), one trace per
  /// method spec asked (direct: its TTL-64 probes), hops in TTL order.
  std::vector<FrontierTrace> frontier = {};
};

/// What a campaign observed.
struct Campaign {
  std::vector<model::Prefix> prefixes;       ///< the national prefixes
  std::vector<MethodSpec> methods;
  std::vector<TargetTraces> targets;         ///< national targets
  std::vector<TargetTraces> controls;        ///< control targets outside the country
  std::optional<model::ZoneReport> dns;      ///< the zone's delegation check, if run
  std::vector<model::DnsExchange> dns_exchanges;  ///< its queries: their ICMP errors are evidence too
  std::vector<std::uint32_t> national_asns;  ///< explicit (--asn); else derived from the prefixes
  std::string no_route;                      ///< non-empty: nothing could be sent (why)
  std::uint64_t probes = 0;                  ///< counters for the evidence (frontier included)
  std::uint64_t replies = 0;
  std::uint64_t frontier_probes = 0;         ///< of the probes, the frontier phase's
};

/// A responsive hop of a path.
struct PathHop {
  std::uint8_t ttl = 0;
  model::Address addr;
  /// IP TTL of its reply as received; 0: unknown (a baseline read from a
  /// report, which does not carry it). Not reported.
  std::uint8_t reply_ttl = 0;
};

/// An earlier healthy run: each target's path and whether it was reached.
struct BaselinePath {
  model::Address target;
  bool reached = false;
  std::vector<PathHop> hops;  ///< responsive hops in TTL order (the deepest method's)
  std::optional<std::uint8_t> reached_ttl;  ///< the TTL the target answered at, when known
};
struct Baseline {
  std::string source;  ///< file it came from
  std::vector<BaselinePath> paths;
};

/// A hop as reported: address, TTL, AS and where it sits.
struct HopReport {
  model::Address addr;
  std::uint8_t ttl = 0;
  std::optional<AsName> as;
  bool national = false;  ///< in national space or a national AS
  bool border = false;    ///< seen right before national space (see above)
  std::optional<std::uint8_t> unreachable_code;  ///< it answered destination unreachable
};

/// One probe of the frontier phase as reported.
struct FrontierAnswer {
  std::string method;                  ///< its method label (direct-...: TTL 64)
  std::uint8_t ttl = 0;
  std::optional<model::Address> addr;  ///< who answered; nullopt: silence
  std::optional<std::uint8_t> unreachable_code;  ///< the answer was destination unreachable
};

struct TargetReport {
  model::Address addr;
  int prefix = -1;
  bool reached = false;
  std::vector<std::string> reached_by;  ///< method labels that completed
  bool unfinished = false;              ///< not reached, a trace of it interrupted (see above)
  bool unprobed = false;                ///< interrupted before any probe toward it (see above)
  std::optional<HopReport> last_hop;    ///< deepest responsive hop short of the target
  bool loop = false;
  std::vector<PathHop> path;            ///< responsive hops of the deepest trace
  std::optional<std::uint8_t> reached_ttl;  ///< the TTL at which that trace reached the target
  std::vector<FrontierAnswer> frontier;     ///< the frontier phase's probes toward it, in TTL order per method
};

struct BreakReport {
  std::optional<HopReport> after;   ///< last responsive hop shared by the failing paths
  std::optional<HopReport> before;  ///< baseline: the first hop no longer reached
  std::size_t failing = 0;          ///< failing targets
  std::size_t sharing = 0;          ///< of them, how many end at `after`
};

struct PrefixReport {
  model::Prefix prefix;
  model::PrefixStatus status = model::PrefixStatus::inconclusive;
  model::Verdict verdict = model::Verdict::inconclusive;  ///< reachable, upstream, internal, partial, local or inconclusive
  std::size_t targets = 0;
  std::size_t reached = 0;
  std::size_t unprobed = 0;  ///< targets never probed (an interrupted run)
  BreakReport brk;
};

struct ControlReport {
  std::size_t targets = 0;
  std::size_t reached = 0;
  std::size_t unprobed = 0;  ///< interrupted before any probe toward them
  bool ok = true;  ///< at least one control reached (true when none was probed to the end)
  /// Some controls given, none probed to the end (an interrupted run): the
  /// vantage point's own network is not known to work or to fail.
  bool unknown = false;
};

/// Where a report was measured from.
struct VantageReport {
  std::string name;     ///< --vantage; "" for a capture from before names were recorded
  model::Address source;  ///< the probes' source address; unspecified: none (no route)
};

struct Report {
  VantageReport vantage;  ///< filled by the caller: the analysis sees traces, not hosts
  model::Verdict verdict = model::Verdict::inconclusive;
  model::Confidence confidence = model::Confidence::low;
  std::string reason;      ///< one sentence: why this verdict
  bool interrupted = false;  ///< a trace was halted (Ctrl-C, SIGTERM): some targets may be unprobed
  BreakReport brk;
  std::vector<PrefixReport> prefixes;
  std::vector<TargetReport> targets;
  std::vector<TargetReport> controls;
  ControlReport control;
  std::optional<model::ZoneReport> dns;
  std::map<std::string, std::size_t> reached_by_method;  ///< method label -> targets it reached
  std::vector<std::uint32_t> national_asns;
  bool baseline = false;
  std::uint64_t probes = 0;
  std::uint64_t replies = 0;
  std::uint64_t frontier_probes = 0;  ///< probes of the frontier phase (in `probes` too)
  /// Routers that answered at a distance and stayed silent on other probes
  /// at that distance toward the same target (survey and frontier): rate-
  /// limited, not broken.
  std::vector<model::Address> rate_limited;
};

/// The ASes of the national prefixes: each prefix's first address looked up.
std::vector<std::uint32_t> national_asns(const std::vector<model::Prefix>& prefixes, const AsLookup& lookup);

/// The responsive hops of a trace, in TTL order, without the target's own reply.
std::vector<PathHop> responsive_path(const model::Trace& trace);

/// The whole analysis.
Report analyze(const Campaign& campaign, const AsLookup& lookup, const std::optional<Baseline>& baseline);

/// A report as a baseline for a later run: the paths of its targets and
/// controls.
Baseline baseline_of(const Report& report);

}  // namespace probe::locate
