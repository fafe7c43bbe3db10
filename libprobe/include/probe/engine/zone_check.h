// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Delegation health: what the parents say about a zone against what its
/// nameservers say, run as phases of DnsEngine over one source (live or replay).

#include <atomic>
#include <vector>

#include "probe/engine/dns_engine.h"
#include "probe/model/dns.h"

namespace probe::engine {

struct ZoneCheckConfig {
  DnsConfig dns;                      ///< phase is set per step
  std::string zone;                   ///< normalized
  std::vector<model::Address> parents;
};

/// Asks the parents for the zone's NS (and glue), resolves glue-less names
/// through the parents, then asks every nameserver for SOA and NS over UDP
/// and TCP. Every exchange goes to `exchanges` (in the order asked). One
/// family, the parents' (all of one; the caller checks): IPv4 parents give
/// A glue and IPv4 nameserver addresses, IPv6 ones AAAA and IPv6.
model::ZoneReport check_zone(const ZoneCheckConfig& config, io::PacketSource& source, io::PacketSink& sink,
                             io::TcpStreams& streams, const std::atomic<int>& halt,
                             std::vector<model::DnsExchange>& exchanges, DnsStats& stats);

/// Pure: a server's status from its four exchanges (SOA udp/tcp, NS udp/tcp)
/// and the parent's NS set (sorted).
void evaluate_server(model::ZoneServer& server, const std::string& zone, const model::DnsExchange& soa_udp,
                     const model::DnsExchange& soa_tcp, const model::DnsExchange& ns_udp,
                     const model::DnsExchange& ns_tcp, const std::vector<std::string>& parent_ns);

/// Pure: the zone verdict from the servers' statuses.
model::ZoneVerdict zone_verdict(const model::ZoneReport& report);

}  // namespace probe::engine
