// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Rebuilding traceroutes from a capture made by another tool (Linux
/// traceroute, tcptraceroute, mtr, scamper, Dublin Traceroute, ...): probes
/// are inferred from outgoing packets, replies matched through their quotes.

#include <cstdint>
#include <memory>
#include <vector>

#include "probe/io/packet_source.h"
#include "probe/model/trace.h"

namespace probe::engine {

/// Counters over a foreign capture.
struct ForeignStats {
  std::uint64_t packets = 0;     ///< frames read
  std::uint64_t not_ip = 0;      ///< frames of other protocols or unknown link layers
  std::uint64_t malformed = 0;   ///< frames that claimed to be IP but did not parse
  std::uint64_t probes = 0;      ///< probe candidates seen (UDP, TCP SYN, ICMP echo request)
  std::uint64_t replies = 0;     ///< replies matched to a probe candidate
  std::uint64_t unmatched = 0;   ///< ICMP errors / echo replies / TCP answers matching nothing
};

/// Reads the whole source and returns the traces found in it, ordered by the
/// time of their first probe. A group of packets counts as a trace when an
/// ICMP error quoted one of its probes, or its TTLs walk up from 5 or less
/// (three in a row at least): mid-path traffic arrives with large TTLs.
class ForeignTraceBuilder {
 public:
  ForeignTraceBuilder();
  ~ForeignTraceBuilder();
  // Move-only: it owns its state through impl_.
  ForeignTraceBuilder(ForeignTraceBuilder&&) noexcept;
  ForeignTraceBuilder& operator=(ForeignTraceBuilder&&) noexcept;

  /// Feeds one captured frame.
  void add(const io::RawPacket& packet);
  /// The traces rebuilt from everything fed so far.
  std::vector<model::Trace> finish();
  const ForeignStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace probe::engine
