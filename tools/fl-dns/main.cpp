// fl-dns: options -> libprobe engines -> writers -> exit code. No logic here
// beyond wiring; see fl-dns(1).

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>

#include "options.h"
#include "cli.h"
#include "probe/engine/capture_filter.h"
#include "probe/engine/dns_engine.h"
#include "probe/engine/trace_engine.h"
#include "probe/engine/zone_check.h"
#include "probe/format/dns_json.h"
#include "probe/format/dns_text.h"
#include "probe/format/trace_json.h"
#include "probe/format/trace_text.h"
#include "probe/io/capture_writer.h"
#include "probe/io/privileges.h"
#include "probe/io/route.h"
#include "probe/io/tcp_streams.h"
#include "probe/model/targets.h"
#include "probe/record/dns_record.h"
#include "probe/record/trace_record.h"

namespace {

using probe::ErrorKind;

using flcommon::kExitInterrupted;

int fail(const probe::Error& e) { return flcommon::fail("fl-dns", e); }

class Printer final : public probe::engine::DnsObserver, public probe::engine::TraceObserver {
 public:
  Printer(std::ostream& out, bool json, int max_ttl) : out_(out), json_(json), trace_text_(out, max_ttl) {}
  void on_exchange(const probe::model::DnsExchange& e) override {
    if (json_) out_ << probe::format::to_json(e).dump() << '\n' << std::flush;
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
  std::unique_ptr<probe::io::PacketSource> source;
  std::unique_ptr<probe::io::PacketSink> sink;
  std::unique_ptr<probe::io::TcpStreams> streams;
  std::unique_ptr<probe::io::CaptureWriter> writer;
  std::unique_ptr<probe::io::UdpPortHold> port_hold;
};

probe::Result<Setup> setup_replay(const fldns::Options& o) {
  Setup s;
  auto comment = probe::io::read_section_comment(o.read_path);
  if (!comment) return comment.error();
  auto source = probe::io::open_file(o.read_path);
  if (!source) return source.error();
  if (!*comment)
    return probe::make_error(ErrorKind::input, o.read_path + ": not a faultline capture (no run record)");
  auto kind = probe::record::run_record_kind(**comment);
  if (!kind) return probe::make_error(ErrorKind::input, o.read_path + ": " + kind.error().message);
  if (kind->first != "fl-dns")
    return probe::make_error(ErrorKind::input, o.read_path + ": written by " + kind->first + ", not fl-dns");
  if (kind->second) {
    auto record = probe::record::parse_run_record(**comment);
    if (!record) return probe::make_error(ErrorKind::input, o.read_path + ": " + record.error().message);
    auto targets = probe::model::expand_targets(record->targets);
    if (!targets) return probe::make_error(ErrorKind::input, o.read_path + ": run record: " + targets.error().message);
    s.plan.mode = fldns::Mode::trace;
    s.plan.trace = std::move(*record);
    s.plan.trace_targets = std::move(*targets);
  } else {
    auto record = probe::record::parse_dns_run_record(**comment);
    if (!record) return probe::make_error(ErrorKind::input, o.read_path + ": " + record.error().message);
    s.plan.mode = record->mode;
    s.plan.dns = std::move(*record);
  }
  s.source = std::move(*source);
  s.sink = probe::io::null_sink();
  s.streams = probe::io::null_tcp_streams();
  return s;
}

probe::Result<Setup> setup_live(const fldns::Options& o) {
  Setup s;
  Plan& p = s.plan;
  p.mode = o.mode;
  auto& c = p.dns.config;
  c = o.config;
  p.dns.queries = o.queries;
  if (!o.query_file.empty()) {
    std::ifstream in(o.query_file);
    if (!in) return probe::make_error(ErrorKind::usage, "cannot read query file " + o.query_file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto more = fldns::parse_query_lines(text, o.rd, o.tcp);
    if (!more) return probe::make_error(ErrorKind::usage, o.query_file + ": " + more.error().message);
    p.dns.queries.insert(p.dns.queries.end(), more->begin(), more->end());
  }
  p.dns.mode = o.mode == fldns::Mode::zone ? fldns::Mode::zone : fldns::Mode::query;
  p.dns.zone = o.zone;
  p.dns.parents = o.parents;
  if (o.mode != fldns::Mode::zone && p.dns.queries.empty()) return probe::make_error(ErrorKind::usage, "no queries given");
  probe::model::Address first = o.mode == fldns::Mode::zone ? o.parents.front() : p.dns.queries.front().server;

  std::random_device rd;
  c.run_key = (std::uint64_t{rd()} << 32) | rd();
  if (!o.sport_given) c.sport = static_cast<std::uint16_t>(40000 + rd() % 20000);
  if (!o.source.empty()) {
    auto src = probe::model::Address::parse(o.source);
    if (!src || !src->is_v4()) return probe::make_error(ErrorKind::usage, "bad source address '" + o.source + "'");
    c.src = *src;
  } else {
    auto src = probe::io::source_for(first);
    if (!src) return src.error();
    c.src = *src;
  }
  p.dns.interface = o.interface;
  if (p.dns.interface.empty()) {
    auto iface = probe::io::interface_for(c.src);
    if (!iface) return iface.error();
    p.dns.interface = *iface;
  }
  std::string filter = probe::engine::dns_capture_filter(c.src);
  std::string comment;
  if (o.mode == fldns::Mode::trace) {
    auto& t = p.trace;
    t.tool = "fl-dns";
    t.interface = p.dns.interface;
    t.config.method = probe::model::Method::dns;
    t.config.src = c.src;
    t.config.sport = c.sport;
    t.config.dport = 53;
    t.config.max_ttl = static_cast<std::uint8_t>(o.max_ttl);
    t.config.attempts = c.tries;
    t.config.wait_us = c.wait_us;
    t.config.gaplimit = o.gaplimit;
    t.config.pps = c.pps;
    t.config.run_key = c.run_key;
    t.config.dns_qname = o.queries.front().qname;
    t.config.dns_qtype = o.queries.front().qtype;
    t.config.dns_rd = o.queries.front().rd;
    t.targets = {o.queries.front().server.to_string()};
    p.trace_targets = {o.queries.front().server};
    filter = probe::engine::capture_filter(t.config);
    comment = probe::record::to_comment(t);
  } else {
    comment = probe::record::to_comment(p.dns);
  }
  auto sink = probe::io::open_raw_socket(c.src.family());
  if (!sink) return sink.error();
  s.sink = std::move(*sink);
  auto hold = probe::io::UdpPortHold::bind(c.src, c.sport);
  if (!hold) return hold.error();
  s.port_hold = std::move(*hold);
  s.streams = probe::io::kernel_tcp_streams();
  // Whole frames: TCP answers arrive as offloaded segments of up to 64 KiB,
  // and a cut one could not be reassembled (here or in replay).
  probe::io::LiveOptions live{p.dns.interface, filter};
  live.snaplen = 65600;
  live.buffer_bytes = 64 << 20;
  auto source = probe::io::open_live(live);
  if (!source) return source.error();
  s.source = std::move(*source);
  if (!o.write_path.empty()) {
    auto w = probe::io::CaptureWriter::create(o.write_path, s.source->linktype(), comment);
    if (!w) return w.error();
    s.writer = std::move(*w);
    s.source = probe::io::tee(std::move(s.source), *s.writer);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = fldns::parse_options(argc, argv);
  if (!parsed) return fail(parsed.error());
  const fldns::Options& o = *parsed;
  if (o.help) {
    std::cout << fldns::usage();
    return 0;
  }
  if (o.version) {
    std::cout << "fl-dns (faultline) 0.1.0\n";
    return 0;
  }

  auto setup = o.read_path.empty() ? setup_live(o) : setup_replay(o);
  if (!setup) return fail(setup.error());
  Setup& s = *setup;

  // Sockets, capture and files are open: nothing after this runs privileged.
  auto output = flcommon::Output::open(o.output_file, o.user);
  if (!output) return fail(output.error());
  std::ostream& out = output->stream();

  flcommon::install_signals();
  std::atomic<int>& g_halt = flcommon::halt_flag();
  bool json = o.output == fldns::OutputFormat::json;
  Printer printer(out, json, s.plan.trace.config.max_ttl);
  probe::engine::DnsStats stats;
  std::uint64_t send_errors = 0;
  switch (s.plan.mode) {
    case fldns::Mode::query: {
      probe::engine::DnsEngine engine(s.plan.dns.config, s.plan.dns.queries, *s.source, *s.sink, *s.streams, printer);
      stats = engine.run(g_halt);
      send_errors = stats.send_errors;
      break;
    }
    case fldns::Mode::zone: {
      probe::engine::ZoneCheckConfig zc{s.plan.dns.config, s.plan.dns.zone, s.plan.dns.parents};
      std::vector<probe::model::DnsExchange> exchanges;
      auto report = probe::engine::check_zone(zc, *s.source, *s.sink, *s.streams, g_halt, exchanges, stats);
      if (json)
        for (const auto& e : exchanges) printer.on_exchange(e);
      printer.zone(report);
      send_errors = stats.send_errors;
      break;
    }
    case fldns::Mode::trace: {
      probe::engine::TraceEngine engine(s.plan.trace.config, s.plan.trace_targets, *s.source, *s.sink, printer);
      auto ts = engine.run(g_halt);
      send_errors = ts.send_errors;
      break;
    }
  }

  flcommon::RunEnd end;
  end.tool = "fl-dns";
  end.writer = s.writer.get();
  end.source = s.source.get();
  end.read_path = o.read_path;
  end.send_errors = send_errors;
  int rc = flcommon::finish_run(end, *output);
  std::uint64_t hostile = stats.wrong_id + stats.wrong_source + stats.malformed_dns + stats.mismatched;
  if (hostile > 0)
    std::cerr << fmt::format("fl-dns: {} untrusted responses ignored ({} wrong id, {} wrong source, {} malformed, "
                             "{} not answering our question)\n",
                             hostile, stats.wrong_id, stats.wrong_source, stats.malformed_dns, stats.mismatched);
  return rc;
}
