// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Where probes go: a raw socket, or nowhere (replay).

#include <cstdint>
#include <memory>
#include <vector>

#include "probe/error.h"
#include "probe/model/address.h"

namespace probe::io {

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  /// Sends a complete IP packet (header included) toward dst. False if the
  /// kernel refused it (errno is left for the caller's message).
  virtual bool send(const std::vector<std::uint8_t>& packet, const model::Address& dst) = 0;
  /// Whether sends cost anything: a null sink is not paced by the rate limiter.
  virtual bool paced() const = 0;
};

/// A raw IPv4 socket with IP_HDRINCL. Needs root or CAP_NET_RAW.
Result<std::unique_ptr<PacketSink>> open_raw_socket(model::Family family);

/// Discards everything: replay's sink.
std::unique_ptr<PacketSink> null_sink();

}  // namespace probe::io
