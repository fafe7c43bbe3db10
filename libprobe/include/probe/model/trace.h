// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The result model of a traceroute: probes, replies, hops, traces.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/model/address.h"
#include "probe/model/small_vector.h"

namespace probe::model {

/// How a trace probes. Every method is Paris: the flow identifier is fixed.
/// dns: UDP to port 53 carrying a DNS query whose ID steers the checksum (fl-dns --trace).
enum class Method : std::uint8_t { icmp, udp, tcp, dns };

std::string_view to_string(Method m);
std::optional<Method> parse_method(std::string_view text);

/// Why a trace ended.
enum class StopReason : std::uint8_t {
  none,         ///< still running
  completed,    ///< the destination answered
  unreachable,  ///< an ICMP destination unreachable other than "reached"
  gaplimit,     ///< too many unresponsive hops in a row
  loop,         ///< an address reappeared further down the path
  hoplimit,     ///< max TTL probed without reaching the destination
  halted,       ///< the run was interrupted before the trace finished
};

std::string_view to_string(StopReason r);

/// One entry of an RFC 4950 MPLS label stack.
struct MplsLabel {
  std::uint32_t label = 0;  ///< 20 bits
  std::uint8_t exp = 0;     ///< 3 bits (traffic class)
  bool bottom = false;      ///< S bit
  std::uint8_t ttl = 0;
  friend bool operator==(const MplsLabel& a, const MplsLabel& b) {
    return a.label == b.label && a.exp == b.exp && a.bottom == b.bottom && a.ttl == b.ttl;
  }
};

/// What kind of packet answered a probe.
enum class ReplyKind : std::uint8_t {
  time_exceeded,  ///< ICMP time exceeded from a hop
  unreachable,    ///< ICMP destination unreachable (any code)
  echo_reply,     ///< ICMP echo reply from the destination
  tcp_synack,     ///< TCP SYN+ACK from the destination
  tcp_rst,        ///< TCP RST from the destination
  dns_response,   ///< a DNS response from the destination (method dns)
};

/// A reply matched to a probe.
struct Reply {
  Address addr;                 ///< source of the reply
  ReplyKind kind = ReplyKind::time_exceeded;
  std::int64_t rx_us = 0;       ///< capture timestamp, microseconds since the epoch
  std::uint8_t icmp_type = 0;   ///< ICMP(v6) type; 0 for TCP replies
  std::uint8_t icmp_code = 0;   ///< ICMP(v6) code; 0 for TCP replies
  std::uint8_t tcp_flags = 0;   ///< TCP flags for TCP replies
  std::uint8_t reply_ttl = 0;   ///< IP TTL of the reply as received
  std::uint16_t reply_ipid = 0; ///< IP ID of the reply
  std::optional<std::uint8_t> quoted_ttl;  ///< TTL of our probe as quoted by the hop
  std::vector<MplsLabel> mpls;  ///< RFC 4950 label stack, outermost first
};

/// One probe sent and, when it came, its reply.
struct ProbeRecord {
  std::uint8_t ttl = 0;
  std::uint8_t attempt = 0;   ///< 1-based attempt at this TTL
  std::uint16_t token = 0;    ///< probe id carried in the packet
  std::int64_t tx_us = 0;     ///< capture timestamp of the probe, µs since the epoch
  std::optional<Reply> reply;
  /// Round-trip time in microseconds; only meaningful with a reply.
  std::int64_t rtt_us() const { return reply ? reply->rx_us - tx_us : 0; }
};

/// The probes of one hop. Most hops take one probe: it lives in the hop
/// itself, and a replayed campaign makes no allocation per hop.
using ProbeList = SmallVector<ProbeRecord>;

/// The probes sent with one TTL.
struct Hop {
  Hop() = default;
  explicit Hop(std::uint8_t t, std::vector<ProbeRecord> p = {}) : ttl(t), probes(std::move(p)) {}
  std::uint8_t ttl = 0;
  ProbeList probes;
  /// Doubletree: the hop's address as another trace revealed it, for a hop
  /// this trace did not probe (probes empty) or probed without an answer.
  std::optional<Address> inferred_addr;
  /// The first reply at this hop, if any.
  const Reply* reply() const;
};

/// What replay inferred about a trace found in another tool's capture.
struct Inference {
  std::string scheme;  ///< "paris", "classic" (flow changes per probe) or "multipath-paris"
  std::string tool;    ///< best guess at the tool: "traceroute", "scamper", "mtr", ...
  bool paris = false;  ///< whether the flow identifier stayed constant over the trace
};

/// One Paris traceroute toward one destination.
struct Trace {
  Method method = Method::icmp;
  Address src;
  Address dst;
  std::uint16_t sport = 0;  ///< UDP/TCP source port; ICMP echo identifier
  std::uint16_t dport = 0;  ///< UDP/TCP destination port; ICMP: the constant checksum
  std::int64_t start_us = 0;  ///< tx_us of the first probe
  StopReason stop_reason = StopReason::none;
  std::vector<Hop> hops;    ///< in TTL order, only TTLs that were probed
  /// Set only for traces rebuilt from another tool's capture.
  std::optional<Inference> inferred;
};

}  // namespace probe::model
