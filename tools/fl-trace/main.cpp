// SPDX-License-Identifier: BSD-2-Clause
// fl-trace: options -> libprobe engine -> writers -> exit code. No logic here
// beyond wiring; see fl-trace(1).

#include <fmt/format.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <optional>

#include "options.h"
#include "via.h"
#include "probe/engine/capture_filter.h"
#include "probe/excerpt.h"
#include "probe/engine/foreign_trace.h"
#include "probe/engine/target_list.h"
#include "probe/engine/trace_engine.h"
#include "probe/record/trace_record.h"
#include "probe/format/trace_csv.h"
#include "probe/format/trace_json.h"
#include "probe/format/trace_output_thread.h"
#include "probe/format/trace_report.h"
#include "probe/format/trace_text.h"
#include "probe/io/privileges.h"
#include "probe/io/reverse_names.h"
#include "probe/io/unix_socket.h"
#include "probe/io/vantage.h"
#include "probe/model/asn_db.h"
#include "probe/model/targets.h"
#include "probe/model/trace_report.h"
#include "probe/serve/protocol.h"
#include "cli.h"

namespace {

using probe::ErrorKind;

// Reverse lookups at once, and the most a run waits for names in all.
constexpr std::size_t kNameLookups = 4;
constexpr std::int64_t kNameBudgetUs = 5000000;

// Prints finished traces and, on a terminal, a progress line on stderr.
// With `threaded`, traces the engine hands over are formatted and written on
// an output thread (not with results on a terminal, which share it with the
// progress line, unless names are looked up: then there is no progress
// line); traces rebuilt from another tool's capture are printed directly.
class Printer final : public probe::engine::TraceObserver {
 public:
  // `csv_columns`: the most probes a hop has (CsvWriter). With `names` (text
  // names, which `style` looks up there), a trace's lookups start when the
  // engine hands it over.
  Printer(std::ostream& out, fltrace::OutputFormat format, const probe::engine::TraceConfig& c,
          probe::format::TextStyle style, std::size_t csv_columns, probe::io::ReverseNames* names, bool progress,
          bool threaded)
      : json_(out),
        text_(out, c.max_ttl, std::move(style)),
        csv_(out, csv_columns),
        format_(format),
        names_(names),
        progress_(progress) {
    if (threaded) thread_.emplace([this](const probe::model::Trace& t) { write(t); }, [this] { json_.flush(); });
  }
  void on_trace(const probe::model::Trace& t) override {
    clear_progress();
    write(t);
  }
  void take_trace(std::unique_ptr<probe::model::Trace> t) override {
    if (names_)
      for (const auto& hop : t->hops)
        for (const auto& p : hop.probes)
          if (p.reply) names_->want(p.reply->addr);
    if (thread_) thread_->push(std::move(t));
    else on_trace(*t);
  }
  void on_progress(const probe::engine::TraceStats& s) override {
    // JSON lines batch their writes: none waits longer than this.
    if (thread_) thread_->request_flush();
    else json_.flush();
    if (!progress_) return;
    std::fprintf(stderr, "\r%llu/%llu traces, %llu probes, %llu replies ",
                 static_cast<unsigned long long>(s.traces_done), static_cast<unsigned long long>(s.traces_total),
                 static_cast<unsigned long long>(s.probes_sent), static_cast<unsigned long long>(s.replies));
    shown_ = true;
  }
  // Everything handed over is written (before the results are committed).
  void finish() {
    if (thread_) thread_->finish();
    clear_progress();
  }

 private:
  void write(const probe::model::Trace& t) {
    switch (format_) {
      case fltrace::OutputFormat::json: json_.write(t); break;
      case fltrace::OutputFormat::csv: csv_.write(t); break;
      case fltrace::OutputFormat::text: text_.write(t); break;
    }
  }
  void clear_progress() {
    if (shown_) std::fputs("\r\033[K", stderr);
    shown_ = false;
  }

  probe::format::JsonLinesWriter json_;
  probe::format::TextWriter text_;
  probe::format::CsvWriter csv_;
  fltrace::OutputFormat format_;
  probe::io::ReverseNames* names_;
  bool progress_;
  bool shown_ = false;
  std::optional<probe::format::TraceOutputThread> thread_;  // last: it ends before the writers go
};

struct Setup {
  probe::record::RunRecord record;
  /// The run's targets, computed as traces start (a /12 is not listed).
  std::shared_ptr<const probe::engine::TargetList> targets;
  /// A direct run's specs (record.targets), parsed once by read_targets().
  std::vector<probe::model::Prefix> blocks;
  probe::io::Vantage vantage;
  bool foreign = false;  ///< another tool's capture: no run record, traces inferred
  std::optional<probe::model::AsnDb> asn_db;  ///< -A's table
  flcommon::ViaConnection via;  ///< --via: the connection to fl-probed, and -w's file for it to write
};

// -A's table, read while privileged and before anything is opened.
probe::Result<std::optional<probe::model::AsnDb>> load_asn_db(const fltrace::Options& o) {
  if (!o.show_asn) return std::optional<probe::model::AsnDb>();
  std::string path = o.asn_db;
  auto db = flcommon::load_asn_table(path);
  if (!db) return db.error();
  return std::optional<probe::model::AsnDb>(std::move(*db));
}

probe::Result<Setup> setup_replay(const fltrace::Options& o) {
  Setup s;
  auto vantage = probe::io::open_replay(o.read_path);
  if (!vantage) return vantage.error();
  s.vantage = std::move(*vantage);
  auto& comment = s.vantage.record;
  if (comment && comment->rfind(probe::record::kRunRecordTag, 0) != 0) comment.reset();  // someone else's comment
  if (!comment) {
    s.foreign = true;  // another tool's capture: traces are inferred from its packets
    return s;
  }
  auto record = probe::record::parse_run_record(*comment);
  if (!record) return probe::make_error(ErrorKind::input, o.read_path + ": " + record.error().message);
  if (record->tool != "fl-trace")
    return probe::make_error(ErrorKind::input, o.read_path + ": written by " + record->tool + ", not fl-trace");
  auto targets = probe::engine::target_list(record->targets, record->config.run_key);
  if (!targets) return probe::make_error(ErrorKind::input, o.read_path + ": run record: " + targets.error().message);
  if (record->report_cycles && o.output == fltrace::OutputFormat::csv)
    return probe::make_error(ErrorKind::usage, o.read_path + " holds a --report run: -o text or json");
  s.record = std::move(*record);
  s.targets = std::move(*targets);
  return s;
}

// The target specs of the command line and -T, checked: the same for a
// direct run and one through fl-probed.
probe::Result<Setup> read_targets(const fltrace::Options& o) {
  Setup s;
  s.record.tool = "fl-trace";
  s.record.config = o.config;
  s.record.targets = o.targets;
  s.record.report_cycles = o.report_cycles;
  s.record.report_interval_us = o.report_interval_us;
  if (!o.target_file.empty()) {
    auto file = probe::io::open_as_invoker(o.target_file);
    if (!file) return file.error();
    auto more = probe::model::read_target_file(file->fd(), o.target_file);
    if (!more) return more.error();
    s.record.targets.insert(s.record.targets.end(), more->begin(), more->end());
  }
  // Counted before anything is expanded or opened: a typo of a /8 is
  // refused at once.
  auto blocks = probe::model::checked_targets(s.record.targets, o.limits);
  if (!blocks) return blocks.error();
  if (blocks->empty()) return probe::make_error(ErrorKind::usage, "no targets given");
  // One run traces one family: its raw socket, source address and capture
  // filter are that family's.
  using probe::model::to_string;
  const std::string& first = s.record.targets.front();
  const auto family = o.family ? *o.family : blocks->front().base.family();
  for (std::size_t i = 0; i < blocks->size(); ++i) {
    const auto spec_family = (*blocks)[i].base.family();
    if (spec_family == family) continue;
    const std::string& spec = s.record.targets[i];
    if (o.family)
      return probe::make_error(ErrorKind::usage, fmt::format("{} target {} with {}", to_string(spec_family),
                                                             probe::excerpt(spec), family == probe::model::Family::v4 ? "-4" : "-6"));
    return probe::make_error(ErrorKind::usage,
                             fmt::format("{} target {} and {} target {}: a run traces one family; run once with -4 "
                                         "and once with -6",
                                         to_string(family), probe::excerpt(first), to_string(spec_family), probe::excerpt(spec)));
  }
  s.blocks = std::move(*blocks);
  return s;
}

probe::Result<Setup> setup_via(const fltrace::Options& o) {
  auto s = read_targets(o);
  if (!s) return s;
  auto via = flcommon::connect_via(o.via, o.write_path);
  if (!via) return via.error();
  s->via = std::move(*via);
  return s;
}

probe::Result<Setup> setup_live(const fltrace::Options& o) {
  auto read = read_targets(o);
  if (!read) return read.error();
  Setup s = std::move(*read);

  // The run key orders a large list (targets.h), so it comes first; the
  // route toward the first spec's block is the route toward all of them.
  auto spec = flcommon::start_live(o, o.sport_given, s.blocks.front().base, s.record.config);
  if (!spec) return spec.error();
  auto targets = probe::engine::target_list(std::move(s.blocks), s.record.config.run_key, &flcommon::halt_flag());
  if (!targets) return targets.error();
  s.targets = std::move(*targets);
  s.record.interface = spec->capture.interface;
  spec->capture.filter = probe::engine::capture_filter(s.record.config);
  spec->record = probe::record::to_comment(s.record);
  auto vantage = probe::io::open_vantage(*spec);
  if (!vantage) return vantage.error();
  s.vantage = std::move(*vantage);
  return s;
}

// Another tool's capture: rebuild its traces from the packets alone.
std::vector<probe::model::Trace> replay_foreign(probe::io::PacketSource& source, probe::engine::TraceStats& stats) {
  probe::engine::ForeignTraceBuilder builder;
  while (auto p = source.next(probe::sched::kNever)) builder.add(*p);
  auto traces = builder.finish();
  const auto& f = builder.stats();
  // A damaged record gets its own message in main(): one line, not two.
  if (traces.empty() && source.error().empty())
    std::cerr << fmt::format("fl-trace: no traceroute found in the capture ({} packets, {} probe-like)\n",
                             f.packets, f.probes);
  stats.packets = f.packets;
  stats.malformed = f.malformed;
  stats.probes_seen = f.probes;
  stats.replies = f.replies;
  stats.foreign = f.unmatched;
  stats.traces_done = stats.traces_total = traces.size();
  return traces;
}

// The most probes a hop of these traces has: another tool sent as many as it liked.
std::size_t most_probes_per_hop(const std::vector<probe::model::Trace>& traces) {
  std::size_t most = 1;
  for (const auto& t : traces)
    for (const auto& h : t.hops) most = std::max(most, h.probes.size());
  return most;
}

probe::format::TextStyle text_style(const fltrace::Options& o, const Setup& s, probe::io::ReverseNames* names) {
  probe::format::TextStyle style;
  if (names) style.name_of = [names](const probe::model::Address& a) { return names->name_of(a); };
  style.classic = s.record.config.classic;
  style.traceroute_mpls = o.traceroute_mpls;
  if (s.asn_db) {
    const probe::model::AsnDb& db = *s.asn_db;
    style.asn_of = [&db](const probe::model::Address& a) -> std::optional<std::uint32_t> {
      auto as = db.lookup(a);
      if (!as) return std::nullopt;
      return as->asn;
    };
  }
  return style;
}

// Commits the results and the capture; on a terminal, the run in one line.
// rc: a failure the run already reported (--via's connection).
int end_run(const fltrace::Options& o, Setup& s, flcommon::Output& output, const probe::engine::TraceStats& stats,
            int rc = 0) {
  auto end = flcommon::RunEnd::of("fl-trace", o, s.vantage);
  end.send_errors = stats.send_errors;
  end.rc = rc;
  rc = flcommon::finish_run(end, output);
  if (isatty(STDERR_FILENO))
    std::cerr << fmt::format("fl-trace: {} traces, {} probes, {} replies ({} late, {} not ours){}\n",
                             stats.traces_done, stats.probes_sent, stats.replies, stats.late, stats.foreign,
                             s.record.config.doubletree ? fmt::format(", {} hops inferred", stats.inferred_hops) : "");
  return rc;
}

// --via: the request goes to fl-probed, and the traces it streams back go
// to the printer as a direct run's would.
probe::Result<probe::engine::TraceStats> trace_via(const fltrace::Options& o, Setup& s, Printer& printer) {
  probe::serve::TraceRequest request;
  request.config = s.record.config;
  if (o.sport_given) request.sport = s.record.config.sport;
  request.targets = s.record.targets;
  request.capture = static_cast<bool>(s.via.capture);
  auto end = flcommon::request_via(o.via, s.via, probe::serve::request_line(getpid(), request),
                                   [&printer](flcommon::ViaReply& r) {
                                     if (auto* t = std::get_if<probe::serve::TraceReply>(&r))
                                       printer.take_trace(std::make_unique<probe::model::Trace>(std::move(t->trace)));
                                   });
  if (!end) return end.error();
  return end->stats;
}

// The run, privileges dropped: the engine (or the foreign capture's
// rebuild), then the results.
int run(const fltrace::Options& o, Setup& s, flcommon::Output& output) {
  probe::io::Vantage& v = s.vantage;
  std::ostream& out = output.stream();
  std::atomic<int>& g_halt = flcommon::halt_flag();
  bool results_on_terminal = o.output_file.empty() && isatty(STDOUT_FILENO);
  // Names only for a live run's text (a replay must not depend on a
  // resolver), waited for on the output thread: never by the probes. The
  // progress line would share a terminal with that thread's results.
  const bool names = !o.numeric && !s.foreign && o.read_path.empty() && o.output == fltrace::OutputFormat::text;
  std::optional<probe::io::ReverseNames> resolver;
  if (names) resolver.emplace(kNameLookups, kNameBudgetUs);
  const bool progress = isatty(STDERR_FILENO) != 0 && !(names && results_on_terminal);
  const auto& c = s.record.config;
  probe::engine::TraceStats stats;
  std::vector<probe::model::Trace> foreign;
  if (s.foreign) foreign = replay_foreign(*v.source, stats);
  std::size_t csv_columns = s.foreign ? most_probes_per_hop(foreign) : (c.queries ? c.queries : c.attempts);
  probe::io::ReverseNames* lookups = resolver ? &*resolver : nullptr;
  Printer printer(out, o.output, c, text_style(o, s, lookups), csv_columns, lookups, progress,
                  names || !results_on_terminal);
  int rc = 0;
  if (!o.via.empty()) {
    auto via = trace_via(o, s, printer);
    if (via) stats = *via;
    else rc = flcommon::fail("fl-trace", via.error());
  } else if (!s.foreign) {
    probe::engine::TraceEngine engine(c, s.targets, *v.source, *v.sink, printer);
    stats = engine.run(g_halt);
  } else {
    for (const auto& t : foreign) printer.on_trace(t);
  }
  printer.finish();
  return end_run(o, s, output, stats, rc);
}

// --report's rounds: each round's trace toward a target goes to its report,
// unless a signal ended the round before it sent a probe: unprobed is no
// round. (Its replay cannot tell a round stopped before its first probe
// from one the capture ends before, so neither counts.)
class ReportCollector final : public probe::engine::TraceObserver {
 public:
  explicit ReportCollector(std::vector<probe::model::TraceReport>& reports) : reports_(reports) {}
  void on_trace(const probe::model::Trace& t) override {
    auto& report = reports_[next_++];
    if (t.hops.empty() && t.stop_reason == probe::model::StopReason::halted) return;
    report.add(t);
  }

 private:
  std::vector<probe::model::TraceReport>& reports_;
  std::size_t next_ = 0;  // traces come in target order
};

// Waits on the capture until `until_us` or a signal. What arrives meanwhile
// (late replies to the round before) is no round's: not kept, so not in -w's
// capture either, and the replay never waits.
void pause_until(probe::io::PacketSource& source, std::int64_t until_us, const std::atomic<int>& halt) {
  constexpr std::int64_t kHaltCheckUs = 100000;
  while (halt.load() == 0 && source.clock().now_us() < until_us)
    source.next(std::min(until_us, source.clock().now_us() + kHaltCheckUs));
}

// --report: the targets traced once per round, every round with its own
// probe ids (TraceConfig::cycle) and the same flows, then one summary per
// target. A signal ends the rounds; the summary covers those traced.
int run_report(const fltrace::Options& o, Setup& s, flcommon::Output& output) {
  probe::io::Vantage& v = s.vantage;
  std::atomic<int>& g_halt = flcommon::halt_flag();
  const bool replay = !o.read_path.empty();
  // One summary per target, whatever its size: the report is printed at the end.
  std::vector<probe::model::TraceReport> reports(s.targets->size());
  probe::engine::TraceStats stats;
  std::int64_t round_start = 0;
  for (std::uint32_t k = 0; k < s.record.report_cycles && g_halt.load() == 0; ++k) {
    if (replay && v.source->exhausted()) break;  // the live run was cut short
    if (k > 0 && !replay) pause_until(*v.source, round_start + s.record.report_interval_us, g_halt);
    if (g_halt.load() != 0) break;
    round_start = v.source->clock().now_us();
    auto c = s.record.config;
    c.cycle = k;
    ReportCollector collector(reports);
    probe::engine::TraceEngine engine(c, s.targets, *v.source, *v.sink, collector);
    stats += engine.run(g_halt);
  }

  // Names as for traces: a live run's text only, within the run's budget.
  std::optional<probe::io::ReverseNames> resolver;
  if (!o.numeric && !replay && o.output == fltrace::OutputFormat::text) {
    resolver.emplace(kNameLookups, kNameBudgetUs);
    for (const auto& r : reports)
      for (const auto& h : r.hops)
        for (const auto& a : h.addrs) resolver->want(a.first);
  }
  const auto style = text_style(o, s, resolver ? &*resolver : nullptr);
  std::ostream& out = output.stream();
  for (const auto& r : reports) {
    if (r.cycles == 0) continue;
    if (o.output == fltrace::OutputFormat::json) out << probe::format::to_json(r).dump() << '\n';
    else probe::format::write_report_text(out, r, style);
  }
  return end_run(o, s, output, stats);
}

int run_trace_or_report(const fltrace::Options& o, Setup& s, flcommon::Output& output) {
  return s.record.report_cycles ? run_report(o, s, output) : run(o, s, output);
}

probe::Result<Setup> set_up(const fltrace::Options& o) {
  auto db = load_asn_db(o);
  if (!db) return db.error();
  // --via opens only the connection, while privileged (the socket may be
  // root's and a group's): fl-probed holds the capture and raw socket.
  auto s = !o.via.empty() ? setup_via(o) : o.read_path.empty() ? setup_live(o) : setup_replay(o);
  if (s) s->asn_db = std::move(*db);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  return flcommon::run_tool(argc, argv, "fl-trace", fltrace::parse_options, fltrace::usage, set_up, run_trace_or_report);
}
