// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// A simulated network for the trace engine: a paced sink and a live-like
// source on one manual clock. Every ICMP echo probe the engine sends shows
// up in the "capture" at once, and its answer (time exceeded from the hop
// at its TTL, or an echo reply from the destination) a round trip later.
// Topology, per /24: the routers in order, then the destination. A block
// with no routers listed after `dark_after` hops answers nothing further.

#include <cstdint>
#include <map>
#include <queue>
#include <string>
#include <vector>

#include "probe/io/packet_sink.h"
#include "probe/io/packet_source.h"
#include "probe/sched/clock.h"

namespace sim {

struct Block {
  std::vector<probe::model::Address> routers;  ///< hop 1, 2, ...; the destination is one further
  bool dark = false;                           ///< nothing past the routers answers
};

class Network final : public probe::io::PacketSink, public probe::io::PacketSource {
 public:
  /// `rtt_us_per_hop`: the round trip to hop h takes h times this.
  Network(probe::model::Address src, std::int64_t start_us, std::int64_t rtt_us_per_hop)
      : src_(src), clock_(start_us), rtt_per_hop_(rtt_us_per_hop) {}
  /// Traffic toward the /24 of `any_in_block` follows `b`.
  void add_block(const probe::model::Address& any_in_block, Block b);

  bool send(const std::vector<std::uint8_t>& packet, const probe::model::Address& dst) override;
  bool paced() const override { return true; }

  std::optional<probe::io::RawPacket> next(std::int64_t deadline_us) override;
  bool exhausted() const override { return false; }
  int linktype() const override { return 101; }
  probe::sched::Clock& clock() override { return clock_; }
  probe::io::SourceStats stats() override { return {}; }

  std::uint64_t probes() const { return probes_; }

 private:
  struct Frame {
    std::int64_t ts;
    std::uint64_t seq;
    std::vector<std::uint8_t> bytes;
    bool operator>(const Frame& o) const { return ts != o.ts ? ts > o.ts : seq > o.seq; }
  };
  void queue(std::int64_t ts, std::vector<std::uint8_t> bytes);

  probe::model::Address src_;
  probe::sched::ManualClock clock_;
  std::int64_t rtt_per_hop_;
  std::map<std::uint32_t, Block> blocks_;  // by /24
  std::priority_queue<Frame, std::vector<Frame>, std::greater<Frame>> frames_;
  std::vector<std::uint8_t> current_;
  std::uint64_t seq_ = 0;
  std::uint64_t probes_ = 0;
};

}  // namespace sim
