// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// DNS over TCP through the kernel's TCP stack: non-blocking connections
/// driven by the engine's loop. The engine reads results from the capture,
/// never from these sockets, so replay (null streams) gives the same answers.

#include <poll.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "probe/error.h"
#include "probe/model/address.h"

namespace probe::io {

class TcpStreams {
 public:
  virtual ~TcpStreams() = default;
  /// Connects src:sport -> dst:dport and, once connected, writes `message`
  /// (already framed with its 2-byte length). False if the kernel refused.
  virtual bool start(std::uint32_t key, const model::Address& src, std::uint16_t sport,
                     const model::Address& dst, std::uint16_t dport,
                     std::vector<std::uint8_t> message) = 0;
  /// Advances every connection without blocking: writes queries, drains replies.
  virtual void pump() = 0;
  /// Closes a connection (idempotent).
  virtual void stop(std::uint32_t key) = 0;
  /// Whether any connection is open.
  virtual bool busy() const = 0;
  /// Appends the sockets whose readiness calls for a pump(): POLLOUT while
  /// a query is not yet written (the connection completing makes it
  /// writable), POLLIN until the peer closed or the connection failed.
  virtual void watch(std::vector<pollfd>& fds) const = 0;
};

/// A UDP socket bound to our query port: the kernel then neither answers
/// responses with ICMP port unreachable nor gives the port to someone else.
/// Its datagrams are never read (responses are read from the capture).
class UdpPortHold {
 public:
  /// Error (runtime) when the port is taken.
  static Result<std::unique_ptr<UdpPortHold>> bind(const model::Address& src, std::uint16_t port);
  ~UdpPortHold();
  UdpPortHold(const UdpPortHold&) = delete;
  UdpPortHold& operator=(const UdpPortHold&) = delete;

 private:
  explicit UdpPortHold(int fd) : fd_(fd) {}
  int fd_;
};

/// Real sockets (live runs).
std::unique_ptr<TcpStreams> kernel_tcp_streams();
/// Does nothing (replay: the capture already holds the exchange).
std::unique_ptr<TcpStreams> null_tcp_streams();

}  // namespace probe::io
