// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The result model of DNS probing: messages as parsed, exchanges (one query
/// and what came back), and the health of a delegation.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/model/address.h"

namespace probe::model {

struct DnsQuestion {
  std::string name;          ///< presentation form, fully qualified ("www.lab.test.")
  std::uint16_t type = 0;
  std::uint16_t klass = 1;
};

struct DnsRecord {
  std::string name;          ///< owner, presentation form
  std::uint16_t type = 0;
  std::uint16_t klass = 1;
  std::uint32_t ttl = 0;     ///< seconds
  std::string data;          ///< RDATA in presentation form (RFC 3597 \# for unknown types)
};

struct DnsMessage {
  std::uint16_t id = 0;
  bool qr = false, aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
  std::uint8_t opcode = 0;
  std::uint16_t rcode = 0;   ///< header rcode, extended by the OPT record when present
  std::vector<DnsQuestion> questions;
  std::vector<DnsRecord> answers;
  std::vector<DnsRecord> authority;
  std::vector<DnsRecord> additional;  ///< without the OPT pseudo-record
  std::optional<std::uint16_t> edns_udp_size;  ///< OPT: the sender's UDP buffer, bytes
  bool edns_do = false;
};

/// What to ask, whom, and how.
struct DnsQuery {
  Address server;
  std::string qname;          ///< normalized, fully qualified
  std::uint16_t qtype = 1;
  bool rd = true;             ///< recursion desired
  bool tcp = false;           ///< TCP from the start (else UDP, TCP on TC)
};

enum class DnsOutcome : std::uint8_t {
  answer,      ///< a response that parsed and matched the question
  timeout,     ///< nothing (acceptable) within the wait, after every try
  icmp_error,  ///< an ICMP error quoting our query
  tcp_reset,   ///< the server reset the TCP connection
  malformed,   ///< only malformed or mismatched responses came back
  not_sent,    ///< the run ended (or the capture shows no query) before it left
};

std::string_view to_string(DnsOutcome o);

/// An ICMP error that quoted one of our queries.
struct IcmpError {
  Address addr;               ///< who sent it
  std::uint8_t type = 0;
  std::uint8_t code = 0;
};

/// One query and its fate.
struct DnsExchange {
  DnsQuery query;
  bool tcp = false;           ///< transport of the reported attempt
  bool udp_truncated = false; ///< UDP answered with TC, so TCP was used
  std::uint8_t tries = 0;     ///< queries sent over UDP (retries included)
  std::uint16_t id = 0;       ///< DNS ID of the reported attempt
  std::uint16_t sport = 0;    ///< our port of the reported attempt
  std::uint16_t dport = 53;   ///< the server's port (fl-dns -p)
  std::int64_t tx_us = 0;     ///< capture time of the query, µs since the epoch
  DnsOutcome outcome = DnsOutcome::not_sent;
  std::optional<DnsMessage> response;
  std::int64_t rtt_us = 0;    ///< response capture time - tx_us
  std::size_t response_bytes = 0;  ///< DNS message size, without TCP framing
  std::optional<IcmpError> icmp;
  /// Responses to this query that were not trusted: wrong question, unparseable.
  std::uint32_t rejected = 0;
  std::string rejected_reason;  ///< the first one's reason
};

/// A nameserver's health within a zone check.
enum class ServerStatus : std::uint8_t {
  ok,            ///< authoritative SOA with a serial, NS set equal to the parent's
  unreachable,   ///< answered neither over UDP nor over TCP
  lame,          ///< answered, but not authoritatively for the zone (or no serial)
  inconsistent,  ///< authoritative, but its NS set differs from the parent's
  unresolved,    ///< no address found for its name (yet): reported as unreachable
};

/// A zone's delegation health, from the parents' answers and the servers' statuses.
enum class ZoneVerdict : std::uint8_t {
  healthy,         ///< every server ok, one serial
  lame,            ///< no server ok: each one lame or unreachable
  unreachable,     ///< no parent answered, or no server did
  inconsistent,    ///< NS sets or serials differ between servers
  partially_lame,  ///< some servers lame or unreachable, others ok
  no_delegation,   ///< the parents answered without an NS set for the zone
};

/// What an fl-dns run does.
enum class DnsMode : std::uint8_t {
  query,  ///< ask the given questions
  zone,   ///< check a zone's delegation (--check-zone)
  trace,  ///< TTL-limited DNS probes toward the servers (--trace)
};

/// Per-server health within a zone check.
struct ZoneServer {
  std::string name;           ///< nameserver name from the parent's NS set
  Address addr;
  bool glue = false;          ///< the address came as glue from the parent
  bool udp = false;           ///< answered over UDP
  bool tcp = false;           ///< answered over TCP
  bool authoritative = false; ///< AA set on the SOA answer
  std::string rcode;          ///< of the SOA answer, "" without one
  std::optional<std::uint32_t> serial;
  std::vector<std::string> ns;  ///< the NS set it serves for the zone, sorted
  bool ns_match = false;      ///< equal to the parent's
  ServerStatus status = ServerStatus::unreachable;
};

struct ZoneReport {
  std::string zone;
  std::vector<Address> parents;
  bool parent_answered = false;
  std::vector<std::string> parent_ns;  ///< the delegation, sorted
  std::vector<ZoneServer> servers;
  ZoneVerdict verdict = ZoneVerdict::unreachable;
};

}  // namespace probe::model
