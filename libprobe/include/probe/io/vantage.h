// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// What a run reads packets from and sends probes through, opened in one
/// place for every tool: live (raw socket, capture on the interface, the -w
/// file) or a capture to replay. Every tool opens the same handles in the
/// same order and refuses the same captures with the same words.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probe/error.h"
#include "probe/io/capture_writer.h"
#include "probe/io/packet_sink.h"
#include "probe/io/packet_source.h"
#include "probe/io/tcp_streams.h"
#include "probe/model/address.h"

namespace probe::io {

/// What tells this run's probes from anyone else's.
struct RunKey {
  std::uint64_t key = 0;    ///< random per run; engines encode it in every probe
  std::uint16_t sport = 0;  ///< source port: the one given, else random in [40000, 60000)
};

/// A fresh random run key, with `sport` as the source port when given.
RunKey draw_run_key(std::optional<std::uint16_t> sport);

/// Where a live run sends from, as the command line asks.
struct EndpointRequest {
  std::string source;        ///< -S; "" = the address the kernel would use toward the first target
  std::string interface;     ///< -i; "" = the interface that holds the source address
  bool no_route_ok = false;  ///< no route toward the target is a finding (Endpoint::no_route), not an error
};

struct Endpoint {
  model::Address src;
  std::string interface;
  std::string no_route;  ///< with no_route_ok: why nothing can be sent ("" = it can)
};

/// Resolves the source address and the capture interface toward `toward`.
/// A usage error for a malformed -S or one of another family than `toward`.
Result<Endpoint> find_endpoint(const EndpointRequest& request, const model::Address& toward);

/// What a live run opens.
struct VantageSpec {
  model::Address src;                          ///< the raw socket's family, the UDP port hold's address
  LiveOptions capture;                         ///< interface, BPF filter, snaplen, buffer
  std::optional<std::uint16_t> hold_udp_port;  ///< bind src:port so the kernel leaves our DNS answers alone
  bool tcp = false;                            ///< kernel TCP streams (DNS over TCP); else none
  bool offline = false;                        ///< no route: neither raw socket nor capture (the -w file still)
  std::string write_path;                      ///< -w; "" = none
  std::string record;                          ///< the -w file's section comment (the run record)
  bool capture_all = false;                    ///< --capture-all: -w keeps every frame the filter passed, not only the run's
  std::atomic<int>* halt = nullptr;            ///< raised to 2 when the -w file cannot be written
};

/// The handles of one run, live or replayed; each closes on destruction.
struct Vantage {
  std::unique_ptr<CaptureWriter> writer;   ///< -w, if any (first: the source tees into it)
  std::unique_ptr<PacketSource> source;    ///< null only offline
  std::unique_ptr<PacketSink> sink;        ///< raw socket, null sink in replay; null offline
  std::unique_ptr<TcpStreams> streams;     ///< kernel streams, or ones that do nothing
  std::unique_ptr<UdpPortHold> port_hold;  ///< live DNS only
  std::optional<std::string> record;       ///< replay: the capture's section comment, if it has one
  std::vector<std::string> opening;        ///< replay: the capture's opening notes (CaptureNotes)
  std::optional<std::string> closing;      ///< replay: the capture's closing note, if it has one
};

/// Opens, in this order, the raw socket, the UDP port hold, the capture on
/// the interface, the TCP streams and the -w file (teed from the capture:
/// the frames the run's engines keep, or with capture_all every one).
/// The first failure is returned: privilege, runtime or output.
Result<Vantage> open_vantage(const VantageSpec& spec);

/// A live run's raw socket and capture ring, kept by a caller that makes
/// many runs (fl-monitor's rounds): setting up a ring costs some 40 ms of
/// kernel time, and a run that reuses one misses nothing while it starts.
struct Ring {
  model::Address src;
  std::string interface;
  std::unique_ptr<PacketSink> sink;
  std::unique_ptr<PacketSource> source;
};

/// As open_vantage, over `ring`: the ring is opened if it is not yet, or
/// if it is for another source address or interface; otherwise it takes
/// the spec's filter (PacketSource::set_filter: what it captured before is
/// thrown away). The vantage lends the ring's socket and capture (it must
/// not outlive the ring) and owns the rest: UDP port hold, TCP streams, -w.
Result<Vantage> open_vantage(const VantageSpec& spec, Ring& ring);

/// Opens a capture to replay, once: takes its notes, and
/// refuses link types we cannot parse ("FILE: link type N (NAME) is not
/// supported"). Input errors name the file. Sink and streams do nothing.
Result<Vantage> open_replay(const std::string& path);

}  // namespace probe::io
