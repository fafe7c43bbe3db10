// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Many DNS queries at once under one global rate, over any PacketSource,
/// PacketSink and TcpStreams: live (capture + raw socket + kernel TCP) and
/// replay (capture file + null sink + null streams) are the same code. Every
/// result is read from the capture: tx times, responses, ICMP errors, TCP
/// segments.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "probe/engine/event_loop.h"
#include "probe/io/packet_sink.h"
#include "probe/io/packet_source.h"
#include "probe/io/tcp_streams.h"
#include "probe/model/dns.h"

namespace probe::engine {

struct DnsConfig {
  model::Address src;               ///< our source address
  std::uint16_t sport = 0;          ///< UDP source port of every query; TCP uses sport+1...sport+1000
  std::uint16_t dport = 53;         ///< the servers' port (UDP and TCP)
  std::int64_t wait_us = 2000000;   ///< per try
  std::uint8_t tries = 2;           ///< UDP queries per exchange at most
  double pps = 100;                 ///< global queries (and TCP connects) per second, paced sinks only
  std::size_t concurrency = 256;    ///< exchanges in flight (paced sinks only)
  bool edns = true;
  std::uint16_t edns_size = 1232;   ///< bytes
  bool dnssec_ok = false;
  bool tcp_fallback = true;         ///< retry over TCP when UDP comes back truncated
  std::uint64_t run_key = 0;        ///< makes DNS IDs this run's own
  std::uint32_t phase = 0;          ///< several engines on one capture (zone checks) use distinct phases
};

/// Counters over a run; the hostile ones are reported, never trusted.
struct DnsStats {
  std::uint64_t packets = 0;        ///< frames the source delivered
  std::uint64_t malformed_ip = 0;   ///< frames that were not parseable IP
  std::uint64_t queries_sent = 0;   ///< UDP queries and TCP connects handed out
  std::uint64_t send_errors = 0;
  std::uint64_t responses = 0;      ///< accepted responses
  std::uint64_t late = 0;           ///< responses to a try already given up, or duplicates
  std::uint64_t wrong_id = 0;       ///< to our port with an ID we never used
  std::uint64_t wrong_source = 0;   ///< with one of our IDs, from an address we did not query
  std::uint64_t malformed_dns = 0;  ///< responses the parser rejected
  std::uint64_t mismatched = 0;     ///< well-formed but not answering our question
  std::uint64_t icmp_errors = 0;
};

class DnsObserver {
 public:
  virtual ~DnsObserver() = default;
  /// Finished exchanges, in query order.
  virtual void on_exchange(const model::DnsExchange& exchange) = 0;
};

/// The DNS ID of try `attempt` (0-based) of query `index` in a phase.
std::uint16_t dns_query_id(std::uint64_t run_key, std::uint32_t phase, std::size_t index,
                           std::size_t attempt, std::size_t tries);
/// Our TCP port for query `index` in a phase.
std::uint16_t dns_tcp_port(std::uint16_t sport, std::uint32_t phase, std::size_t index);

class DnsEngine {
 public:
  DnsEngine(DnsConfig config, std::vector<model::DnsQuery> queries, io::PacketSource& source,
            io::PacketSink& sink, io::TcpStreams& streams, DnsObserver& observer);
  ~DnsEngine();
  DnsEngine(const DnsEngine&) = delete;
  DnsEngine& operator=(const DnsEngine&) = delete;

  /// Runs every exchange to its end. `halt`: 1 stops sending and waits for
  /// queries in flight; 2 or more ends now (unfinished: not_sent/timeout).
  DnsStats run(const std::atomic<int>& halt);
  /// Counters so far (final once the engine's loop ended).
  const DnsStats& stats() const;
  /// The engine's side of the event loop, for a caller that runs it beside
  /// others on one source (fl-probed's EngineSet). Its TCP streams' sockets
  /// are watched (LoopClient::watch), not polled on a timer. DNS matches by
  /// its IDs and ports, not by match::classify, so it brings no identity.
  LoopClient& loop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Collects exchanges in order (for callers that decide on the results).
class DnsCollector final : public DnsObserver {
 public:
  void on_exchange(const model::DnsExchange& e) override { exchanges.push_back(e); }
  std::vector<model::DnsExchange> exchanges;
};

}  // namespace probe::engine
