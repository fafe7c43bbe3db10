// SPDX-License-Identifier: BSD-2-Clause
// fl-probed: opens the capture and the raw socket once, binds the control
// socket, drops privileges, then serves requests on one event loop until a
// signal; see fl-probed(8).

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli.h"
#include "options.h"
#include "probe/engine/event_loop.h"
#include "probe/io/vantage.h"
#include "server.h"

namespace {

using probe::ErrorKind;

// A route lookup only (nothing is sent): without -S the daemon sends from
// the address the kernel would use toward the rest of the world.
constexpr const char* kToward = "192.0.2.1";

struct Setup {
  probe::io::Vantage vantage;
  probe::io::Fd listener;
  probe::model::Address src;
  std::string interface;
};

probe::Result<Setup> set_up(const flprobed::Options& o) {
  Setup s;
  std::optional<gid_t> group;
  if (!o.group.empty()) {
    auto g = probe::io::group_id(o.group);
    if (!g) return g.error();
    group = *g;
  }
  auto endpoint = probe::io::find_endpoint({o.source, o.interface}, *probe::model::Address::parse(kToward));
  if (!endpoint) return endpoint.error();
  s.src = endpoint->src;
  s.interface = endpoint->interface;
  auto spec = flcommon::live_spec(o, s.src, s.interface);
  // Every request's probes and replies, whatever its method and ports:
  // the engines tell them apart by run key.
  spec.capture.filter = fmt::format("ip and host {}", s.src.to_string());
  if (o.whole_frames) {
    // As a direct fl-dns run captures: TCP answers arrive as offloaded
    // segments of up to 64 KiB, which a cut frame could not reassemble.
    spec.capture.snaplen = 65600;
    spec.capture.buffer_bytes = 64 << 20;
  }
  auto vantage = probe::io::open_vantage(spec);
  if (!vantage) return vantage.error();
  s.vantage = std::move(*vantage);
  auto listener = probe::io::listen_unix(o.socket_path, group);
  if (!listener) return listener.error();
  s.listener = std::move(*listener);
  return s;
}

int run(const flprobed::Options& o, Setup& s, flcommon::Output&) {
  probe::io::Vantage& v = s.vantage;
  flprobed::Server server(std::move(s.listener), s.src, s.interface, *v.source, *v.sink,
                          {o.max_running, o.max_queued, o.max_targets});
  std::cerr << fmt::format("fl-probed: serving {} from {} on {} at {} pps\n", o.socket_path, s.src.to_string(),
                           s.interface, o.pps);
  // A burst of 10 ms worth of probes, as a direct run's (run_together).
  probe::sched::TokenBucket pace(o.pps, std::max(1.0, o.pps / 100.0));
  probe::engine::run_loop({&server.engines(), &server}, *v.source, pace, flcommon::halt_flag());
  // The socket file goes with the daemon when its directory lets the
  // unprivileged user remove it (a RuntimeDirectory does).
  ::unlink(o.socket_path.c_str());
  std::cerr << "fl-probed: stopped\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return flcommon::run_tool(argc, argv, "fl-probed", flprobed::parse_options, flprobed::usage, set_up, run);
}
