// SPDX-License-Identifier: BSD-2-Clause
#include "probe/io/vantage.h"

#include <fmt/format.h>

#include <random>

#include "probe/io/privileges.h"
#include "probe/io/route.h"
#include "probe/packet/datagram.h"

namespace probe::io {

RunKey draw_run_key(std::optional<std::uint16_t> sport) {
  std::random_device rd;
  RunKey k;
  k.key = (std::uint64_t{rd()} << 32) | rd();
  k.sport = sport ? *sport : static_cast<std::uint16_t>(40000 + rd() % 20000);
  return k;
}

Result<Endpoint> find_endpoint(const EndpointRequest& request, const model::Address& toward) {
  Endpoint e;
  if (!request.source.empty()) {
    auto src = model::Address::parse(request.source);
    if (!src) return make_error(ErrorKind::usage, "bad source address '" + request.source + "'");
    if (src->family() != toward.family())
      return make_error(ErrorKind::usage, "bad source address '" + request.source + "' (not of the targets' family, " +
                                              std::string(model::to_string(toward.family())) + ")");
    e.src = *src;
  } else if (auto src = source_for(toward)) {
    e.src = *src;
  } else if (request.no_route_ok) {
    e.no_route = src.error().message;
  } else {
    return src.error();
  }
  e.interface = request.interface;
  if (e.no_route.empty() && e.interface.empty()) {
    auto iface = interface_for(e.src);
    if (!iface) return iface.error();
    e.interface = *iface;
  }
  return e;
}

namespace {

// A ring's socket or capture lent to one run.
class BorrowedSink final : public PacketSink {
 public:
  explicit BorrowedSink(PacketSink& s) : s_(s) {}
  bool send(const std::vector<std::uint8_t>& packet, const model::Address& dst) override { return s_.send(packet, dst); }
  bool paced() const override { return s_.paced(); }

 private:
  PacketSink& s_;
};

class BorrowedSource final : public PacketSource {
 public:
  explicit BorrowedSource(PacketSource& s) : s_(s) {}
  std::optional<RawPacket> next(std::int64_t deadline_us) override { return s_.next(deadline_us); }
  std::optional<RawPacket> next_or_wake(std::int64_t deadline_us, std::vector<pollfd>& wake) override {
    return s_.next_or_wake(deadline_us, wake);
  }
  Result<bool> set_filter(const std::string& expr) override { return s_.set_filter(expr); }
  bool exhausted() const override { return s_.exhausted(); }
  int linktype() const override { return s_.linktype(); }
  sched::Clock& clock() override { return s_.clock(); }
  SourceStats stats() override { return s_.stats(); }
  void keep() override { s_.keep(); }

 private:
  PacketSource& s_;
};

Result<std::unique_ptr<UdpPortHold>> hold_port(const VantageSpec& spec) {
  if (spec.offline || !spec.hold_udp_port) return std::unique_ptr<UdpPortHold>();
  return UdpPortHold::bind(spec.src, *spec.hold_udp_port);
}

// The rest of a vantage, once its sink, port hold and source (none offline)
// are open: the TCP streams and the -w file.
Result<Vantage> finish_vantage(const VantageSpec& spec, Vantage v) {
  v.streams = spec.tcp ? kernel_tcp_streams() : null_tcp_streams();
  if (!spec.write_path.empty()) {
    // Offline there is no capture to ask: Ethernet, as a live one would be.
    const int linktype = v.source ? v.source->linktype() : 1;
    auto w = CaptureWriter::create(spec.write_path, linktype, spec.record);
    if (!w) return w.error();
    v.writer = std::move(*w);
    if (spec.halt) v.writer->halt_on_failure(*spec.halt);
    if (v.source) v.source = tee(std::move(v.source), *v.writer, spec.capture_all);
  }
  return v;
}

}  // namespace

Result<Vantage> open_vantage(const VantageSpec& spec) {
  Vantage v;
  if (!spec.offline) {
    auto sink = open_raw_socket(spec.src.family());
    if (!sink) return sink.error();
    v.sink = std::move(*sink);
    auto hold = hold_port(spec);
    if (!hold) return hold.error();
    v.port_hold = std::move(*hold);
    auto source = open_live(spec.capture);
    if (!source) return source.error();
    v.source = std::move(*source);
  }
  return finish_vantage(spec, std::move(v));
}

Result<Vantage> open_vantage(const VantageSpec& spec, Ring& ring) {
  Vantage v;
  if (!spec.offline) {
    if (!ring.source || ring.src != spec.src || ring.interface != spec.capture.interface) {
      ring = Ring{};  // the old one closed before the new one opens
      auto sink = open_raw_socket(spec.src.family());
      if (!sink) return sink.error();
      auto source = open_live(spec.capture);
      if (!source) return source.error();
      ring = Ring{spec.src, spec.capture.interface, std::move(*sink), std::move(*source)};
    } else if (auto set = ring.source->set_filter(spec.capture.filter); !set) {
      return set.error();
    }
    v.sink = std::make_unique<BorrowedSink>(*ring.sink);
    auto hold = hold_port(spec);
    if (!hold) return hold.error();
    v.port_hold = std::move(*hold);
    v.source = std::make_unique<BorrowedSource>(*ring.source);
  }
  return finish_vantage(spec, std::move(v));
}

Result<Vantage> open_replay(const std::string& path) {
  Vantage v;
  // -r names the user's capture: opened with the user's rights, then read
  // by name through that open file.
  auto file = open_as_invoker(path);
  if (!file) return file.error();
  const std::string name = file->reopen_name();
  auto named = [&](Error e) {
    for (auto at = e.message.find(name); at != std::string::npos; at = e.message.find(name, at + path.size()))
      e.message.replace(at, name.size(), path);
    return e;
  };
  auto capture = open_capture(name);
  if (!capture) return named(capture.error());
  const int linktype = capture->source->linktype();
  if (!packet::linktype_supported(linktype))
    return make_error(ErrorKind::input,
                      fmt::format("{}: link type {} ({}) is not supported", path, linktype, linktype_name(linktype)));
  v.record = std::move(capture->notes.section);
  v.opening = std::move(capture->notes.opening);
  v.closing = std::move(capture->notes.closing);
  v.source = std::move(capture->source);
  v.sink = null_sink();
  v.streams = null_tcp_streams();
  return v;
}

}  // namespace probe::io
