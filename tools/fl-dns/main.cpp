// SPDX-License-Identifier: BSD-2-Clause
// fl-dns: options -> libprobe engines -> writers -> exit code. No logic here
// beyond wiring; see fl-dns(1).

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <optional>

#include "options.h"
#include "via.h"
#include "cli.h"
#include "probe/engine/capture_filter.h"
#include "probe/engine/dns_engine.h"
#include "probe/engine/dns_trace.h"
#include "probe/engine/trace_engine.h"
#include "probe/engine/zone_check.h"
#include "probe/format/dns_json.h"
#include "probe/record/dns_record.h"
#include "probe/format/dns_text.h"
#include "probe/record/trace_record.h"
#include "probe/format/trace_json.h"
#include "probe/format/trace_text.h"
#include "probe/io/privileges.h"
#include "probe/io/vantage.h"
#include "probe/model/targets.h"

namespace {

using probe::ErrorKind;

class Printer final : public probe::engine::DnsObserver, public probe::engine::TraceObserver {
 public:
  Printer(std::ostream& out, bool json, bool short_answers, int max_ttl)
      : out_(out), json_(json), short_(short_answers), trace_text_(out, max_ttl) {}
  void on_exchange(const probe::model::DnsExchange& e) override {
    if (json_) out_ << probe::format::to_json(e).dump() << '\n' << std::flush;
    else if (short_) probe::format::write_short(out_, e);
    else probe::format::write_text(out_, e);
  }
  void on_trace(const probe::model::Trace& t) override {
    if (json_) out_ << probe::format::to_json(t).dump() << '\n' << std::flush;
    else trace_text_.write(t);
  }
  void zone(const probe::model::ZoneReport& r) {
    if (json_) out_ << probe::format::to_json(r).dump() << '\n' << std::flush;
    else probe::format::write_text(out_, r);
  }

 private:
  std::ostream& out_;
  bool json_;
  bool short_;  // +short, text only
  probe::format::TextWriter trace_text_;
};

// What a run is, whether live or from a capture.
struct Plan {
  fldns::Mode mode = fldns::Mode::query;
  probe::record::DnsRunRecord dns;     // query and zone modes
  probe::record::RunRecord trace;      // trace mode
  std::vector<probe::model::Address> trace_targets;
};

struct Setup {
  Plan plan;
  probe::io::Vantage vantage;
  flcommon::ViaConnection via;  // --via: the connection to fl-probed, and -w's file for it to write
};

probe::Result<Setup> setup_replay(const fldns::Options& o) {
  Setup s;
  auto vantage = probe::io::open_replay(o.read_path);
  if (!vantage) return vantage.error();
  s.vantage = std::move(*vantage);
  const auto& comment = s.vantage.record;
  if (!comment) return probe::make_error(ErrorKind::input, o.read_path + ": not a faultline capture (no run record)");
  auto kind = probe::record::run_record_kind(*comment);
  if (!kind) return probe::make_error(ErrorKind::input, o.read_path + ": " + kind.error().message);
  if (kind->first != "fl-dns")
    return probe::make_error(ErrorKind::input, o.read_path + ": written by " + kind->first + ", not fl-dns");
  if (kind->second) {
    auto record = probe::record::parse_run_record(*comment);
    if (!record) return probe::make_error(ErrorKind::input, o.read_path + ": " + record.error().message);
    auto targets = probe::model::expand_targets(record->targets, record->config.run_key);
    if (!targets) return probe::make_error(ErrorKind::input, o.read_path + ": run record: " + targets.error().message);
    s.plan.mode = fldns::Mode::trace;
    s.plan.trace = std::move(*record);
    s.plan.trace_targets = std::move(*targets);
  } else {
    auto record = probe::record::parse_dns_run_record(*comment);
    if (!record) return probe::make_error(ErrorKind::input, o.read_path + ": " + record.error().message);
    s.plan.mode = record->mode;
    s.plan.dns = std::move(*record);
  }
  return s;
}

// dig's habit: names without @SERVER go to the first nameserver of
// resolv.conf, read with the invoking user's rights like every input.
probe::Result<std::vector<probe::model::DnsQuery>> ask_resolv_conf(const fldns::Options& o) {
  auto text = probe::io::read_file_as_invoker(o.resolv_conf, fldns::kMaxResolvConfBytes, "a resolv.conf");
  if (!text) return probe::make_error(ErrorKind::usage, "no @SERVER given, and " + text.error().message);
  const auto family = o.family.value_or(probe::model::Family::v4);
  auto server = fldns::first_nameserver(*text, family);
  if (!server)
    return probe::make_error(ErrorKind::usage, "no @SERVER given, and " + o.resolv_conf + " names no " +
                                                   std::string(probe::model::to_string(family)) + " nameserver");
  auto queries = o.serverless;
  for (auto& q : queries) q.server = *server;
  return queries;
}

// The queries of the command line, -T and resolv.conf, and the zone: the
// same for a direct run and one through fl-probed.
std::optional<probe::Error> plan_queries(const fldns::Options& o, Plan& p) {
  p.mode = o.mode;
  auto& c = p.dns.config;
  c = o.config;
  p.dns.queries = o.queries;
  if (o.mode != fldns::Mode::zone && p.dns.queries.empty() && o.query_file.empty()) {
    auto asked = ask_resolv_conf(o);
    if (!asked) return asked.error();
    p.dns.queries = std::move(*asked);
  }
  if (!o.query_file.empty()) {
    auto text = probe::io::read_file_as_invoker(o.query_file, fldns::kMaxQueryFileBytes, "a query file");
    if (!text) return probe::make_error(ErrorKind::usage, text.error().message);
    auto more = fldns::parse_query_lines(*text, o.rd, o.tcp);
    if (!more) return probe::make_error(ErrorKind::usage, o.query_file + ": " + more.error().message);
    p.dns.queries.insert(p.dns.queries.end(), more->begin(), more->end());
    if (auto e = fldns::one_family(p.dns.queries, o.family)) return *e;
  }
  p.dns.mode = o.mode == fldns::Mode::zone ? fldns::Mode::zone : fldns::Mode::query;
  p.dns.zone = o.zone;
  p.dns.parents = o.parents;
  if (o.mode != fldns::Mode::zone && p.dns.queries.empty()) return probe::make_error(ErrorKind::usage, "no queries given");
  return std::nullopt;
}

probe::Result<Setup> setup_via(const fldns::Options& o) {
  Setup s;
  if (auto e = plan_queries(o, s.plan)) return *e;
  auto via = flcommon::connect_via(o.via, o.write_path);
  if (!via) return via.error();
  s.via = std::move(*via);
  return s;
}

probe::Result<Setup> setup_live(const fldns::Options& o) {
  Setup s;
  Plan& p = s.plan;
  if (auto e = plan_queries(o, p)) return *e;
  auto& c = p.dns.config;
  probe::model::Address first = o.mode == fldns::Mode::zone ? o.parents.front() : p.dns.queries.front().server;

  auto live = flcommon::start_live(o, o.sport_given, first, c);
  if (!live) return live.error();
  probe::io::VantageSpec& spec = *live;
  p.dns.interface = spec.capture.interface;
  // Whole frames: TCP answers arrive as offloaded segments of up to 64 KiB,
  // and a cut one could not be reassembled (here or in replay).
  spec.capture.filter = probe::engine::dns_capture_filter(c.src, c.dport);
  spec.capture.snaplen = 65600;
  spec.capture.buffer_bytes = 64 << 20;
  spec.hold_udp_port = c.sport;
  spec.tcp = true;
  if (o.mode == fldns::Mode::trace) {
    auto& t = p.trace;
    t.tool = "fl-dns";
    t.interface = p.dns.interface;
    const auto& q = p.dns.queries.front();
    t.config = probe::engine::dns_trace_config(c, q, static_cast<std::uint8_t>(o.max_ttl), o.gaplimit);
    t.targets = {q.server.to_string()};
    p.trace_targets = {q.server};
    spec.capture.filter = probe::engine::capture_filter(t.config);
    spec.record = probe::record::to_comment(t);
  } else {
    spec.record = probe::record::to_comment(p.dns);
  }
  auto vantage = probe::io::open_vantage(spec);
  if (!vantage) return vantage.error();
  s.vantage = std::move(*vantage);
  return s;
}

// --via: the queries go to fl-probed, and the exchanges it streams back
// go to the printer as a direct run's would.
probe::Result<probe::engine::DnsStats> dns_via(const fldns::Options& o, Setup& s, Printer& printer) {
  probe::serve::DnsRequest request;
  request.config = s.plan.dns.config;
  if (o.sport_given) request.sport = s.plan.dns.config.sport;
  request.queries = s.plan.dns.queries;
  request.capture = static_cast<bool>(s.via.capture);
  auto end = flcommon::request_via(o.via, s.via, probe::serve::request_line(getpid(), request),
                                   [&printer](flcommon::ViaReply& r) {
                                     if (auto* d = std::get_if<probe::serve::DnsReply>(&r)) printer.on_exchange(d->exchange);
                                   });
  if (!end) return end.error();
  return end->dns_stats;
}

// The run, privileges dropped: the engine of the mode, then the results.
int run(const fldns::Options& o, Setup& s, flcommon::Output& output) {
  probe::io::Vantage& v = s.vantage;
  std::ostream& out = output.stream();
  std::atomic<int>& g_halt = flcommon::halt_flag();
  bool json = o.output == fldns::OutputFormat::json;
  Printer printer(out, json, o.short_answers, s.plan.trace.config.max_ttl);
  probe::engine::DnsStats stats;
  std::uint64_t send_errors = 0;
  int via_rc = 0;
  switch (o.via.empty() ? s.plan.mode : fldns::Mode::query) {
    case fldns::Mode::query: {
      if (!o.via.empty()) {
        auto via = dns_via(o, s, printer);
        if (via) stats = *via;
        else via_rc = flcommon::fail("fl-dns", via.error());
        send_errors = stats.send_errors;
        break;
      }
      probe::engine::DnsEngine engine(s.plan.dns.config, s.plan.dns.queries, *v.source, *v.sink, *v.streams, printer);
      stats = engine.run(g_halt);
      send_errors = stats.send_errors;
      break;
    }
    case fldns::Mode::zone: {
      probe::engine::ZoneCheckConfig zc{s.plan.dns.config, s.plan.dns.zone, s.plan.dns.parents};
      std::vector<probe::model::DnsExchange> exchanges;
      auto report = probe::engine::check_zone(zc, *v.source, *v.sink, *v.streams, g_halt, exchanges, stats);
      if (json)
        for (const auto& e : exchanges) printer.on_exchange(e);
      printer.zone(report);
      send_errors = stats.send_errors;
      break;
    }
    case fldns::Mode::trace: {
      probe::engine::TraceEngine engine(s.plan.trace.config, s.plan.trace_targets, *v.source, *v.sink, printer);
      auto ts = engine.run(g_halt);
      send_errors = ts.send_errors;
      break;
    }
  }

  auto end = flcommon::RunEnd::of("fl-dns", o, v);
  end.send_errors = send_errors;
  end.rc = via_rc;
  int rc = flcommon::finish_run(end, output);
  std::uint64_t hostile = stats.wrong_id + stats.wrong_source + stats.malformed_dns + stats.mismatched;
  if (hostile > 0)
    std::cerr << fmt::format("fl-dns: {} untrusted responses ignored ({} wrong id, {} wrong source, {} malformed, "
                             "{} not answering our question)\n",
                             hostile, stats.wrong_id, stats.wrong_source, stats.malformed_dns, stats.mismatched);
  return rc;
}

// --via opens only the connection, while privileged (the socket may be
// root's and a group's): fl-probed holds the capture and raw socket.
probe::Result<Setup> set_up(const fldns::Options& o) {
  return !o.via.empty() ? setup_via(o) : o.read_path.empty() ? setup_live(o) : setup_replay(o);
}

}  // namespace

int main(int argc, char** argv) {
  return flcommon::run_tool(argc, argv, "fl-dns", fldns::parse_options, fldns::usage, set_up, run);
}
