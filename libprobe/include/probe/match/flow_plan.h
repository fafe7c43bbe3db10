// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Probe identity: which flow and which probe id every probe of a run carries.
/// A run's random key makes its flows and ids its own, so concurrent runs do
/// not take each other's replies.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "probe/model/splitmix.h"
#include "probe/model/trace.h"

namespace probe::match {

/// The flow fields a probe carries (UDP/TCP ports; ICMP id and checksum).
struct Flow {
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  friend bool operator==(const Flow& a, const Flow& b) {
    return a.sport == b.sport && a.dport == b.dport;
  }
};

/// Deterministic from (run key, options): the live run and its replay derive
/// the same values. The derivation is part of the capture format (run record
/// version 1): changing it makes old captures replay wrong.
class FlowPlan {
 public:
  /// `cycle`: which round of a report (fl-trace --report) the probes
  /// belong to. Only the probe ids change with it, by a stride larger than
  /// any trace's probes, so that a late reply to one round is never taken
  /// for the next round's; the flows stay, so every round follows one path.
  /// Cycle 0 is a plain run's plan.
  FlowPlan(model::Method method, std::uint64_t run_key, std::uint16_t sport, std::uint16_t dport,
           bool classic, std::uint32_t cycle = 0);

  model::Method method() const { return method_; }
  /// The flow of probe `probe` (0-based, in sending order) of trace `trace`.
  /// Paris: the same for every probe of a trace; classic: ports step per probe.
  Flow flow(std::size_t trace, std::size_t probe) const {
    auto step = static_cast<std::uint16_t>(classic_ ? probe : 0);
    switch (method_) {
      case model::Method::icmp:
        // Echo id and the checksum every probe is steered to; classic ICMP lets
        // the checksum follow the sequence number instead.
        // A checksum field of 0xffff needs a one's complement sum of zero,
        // which non-zero data never has: steer only to 0x0000..0xfffe.
        {
          auto checksum = static_cast<std::uint16_t>(mix(trace, 2) + step);
          return Flow{static_cast<std::uint16_t>(mix(trace, 1)),
                      checksum == 0xffff ? std::uint16_t{0} : checksum};
        }
      case model::Method::udp:
      case model::Method::dns:
        return Flow{sport_, static_cast<std::uint16_t>(dport_ + step)};
      case model::Method::tcp:
        return Flow{static_cast<std::uint16_t>(sport_ + step), dport_};
    }
    return {};
  }
  /// The flow reported for a trace (its first probe's).
  Flow trace_flow(std::size_t trace) const { return flow(trace, 0); }
  /// The probe id of probe `probe` of trace `trace`: never 0.
  std::uint16_t token(std::size_t trace, std::size_t probe) const {
    auto base = token_base(trace);
    return static_cast<std::uint16_t>((base + probe) % kTokens + 1);
  }
  /// Inverse of token(): which probe of the trace carries `token`.
  std::size_t probe_index(std::size_t trace, std::uint16_t token) const {
    if (token == 0) return SIZE_MAX;
    auto base = token_base(trace);
    return (std::uint32_t{token} - 1 + kTokens - base) % kTokens;
  }
  /// High 16 bits of every TCP sequence number of the run.
  std::uint16_t tcp_tag() const { return static_cast<std::uint16_t>(key_ >> 48); }
  /// IP ID of every probe of the run.
  std::uint16_t ipid() const { return static_cast<std::uint16_t>(key_ >> 32); }

 private:
  // Per packet, several times: inline.
  std::uint64_t mix(std::size_t trace, std::uint64_t salt) const {
    return model::splitmix64(key_ ^ model::splitmix64(trace * 4 + salt));
  }
  std::uint32_t token_base(std::size_t trace) const {
    return static_cast<std::uint32_t>((mix(trace, 3) + std::uint64_t{cycle_} * kCycleStride) % kTokens);
  }
  static constexpr std::uint32_t kTokens = 65535;  // ids 1..65535
  // More than a trace's probes (255 TTLs, 10 each): consecutive cycles'
  // ids never overlap.
  static constexpr std::uint32_t kCycleStride = 4096;
  model::Method method_;
  std::uint64_t key_;
  std::uint16_t sport_;
  std::uint16_t dport_;
  bool classic_;
  std::uint32_t cycle_;
};

}  // namespace probe::match
