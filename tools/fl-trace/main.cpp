// SPDX-License-Identifier: BSD-2-Clause
// fl-trace: options -> libprobe engine -> writers -> exit code. No logic here
// beyond wiring; see fl-trace(1).

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <optional>

#include "options.h"
#include "probe/engine/capture_filter.h"
#include "probe/engine/foreign_trace.h"
#include "probe/engine/trace_engine.h"
#include "probe/record/trace_record.h"
#include "probe/format/trace_json.h"
#include "probe/format/trace_output_thread.h"
#include "probe/format/trace_text.h"
#include "probe/io/privileges.h"
#include "probe/io/vantage.h"
#include "probe/model/targets.h"
#include "cli.h"

namespace {

using probe::ErrorKind;

// Prints finished traces and, on a terminal, a progress line on stderr.
// With `threaded`, traces the engine hands over are formatted and written on
// an output thread (not with results on a terminal, which share it with the
// progress line); traces rebuilt from another tool's capture are printed
// directly.
class Printer final : public probe::engine::TraceObserver {
 public:
  Printer(std::ostream& out, fltrace::OutputFormat format, const probe::engine::TraceConfig& c, bool progress,
          bool threaded)
      : json_(out), text_(out, c.max_ttl, c.classic), format_(format), progress_(progress) {
    if (threaded) thread_.emplace([this](const probe::model::Trace& t) { write(t); }, [this] { json_.flush(); });
  }
  void on_trace(const probe::model::Trace& t) override {
    clear_progress();
    write(t);
  }
  void take_trace(std::unique_ptr<probe::model::Trace> t) override {
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
    if (format_ == fltrace::OutputFormat::json) json_.write(t);
    else text_.write(t);
  }
  void clear_progress() {
    if (shown_) std::fputs("\r\033[K", stderr);
    shown_ = false;
  }

  probe::format::JsonLinesWriter json_;
  probe::format::TextWriter text_;
  fltrace::OutputFormat format_;
  bool progress_;
  bool shown_ = false;
  std::optional<probe::format::TraceOutputThread> thread_;  // last: it ends before the writers go
};

struct Setup {
  probe::record::RunRecord record;
  std::vector<probe::model::Address> targets;
  probe::io::Vantage vantage;
  bool foreign = false;  ///< another tool's capture: no run record, traces inferred
};

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
  auto targets = probe::model::expand_targets(record->targets);
  if (!targets) return probe::make_error(ErrorKind::input, o.read_path + ": run record: " + targets.error().message);
  s.record = std::move(*record);
  s.targets = std::move(*targets);
  return s;
}

probe::Result<Setup> setup_live(const fltrace::Options& o) {
  Setup s;
  s.record.tool = "fl-trace";
  s.record.config = o.config;
  s.record.targets = o.targets;
  if (!o.target_file.empty()) {
    auto file = probe::io::open_as_invoker(o.target_file);
    if (!file) return file.error();
    auto more = probe::model::read_target_file(file->fd(), o.target_file);
    if (!more) return more.error();
    s.record.targets.insert(s.record.targets.end(), more->begin(), more->end());
  }
  auto targets = probe::model::expand_targets(s.record.targets);
  if (!targets) return targets.error();
  if (targets->empty()) return probe::make_error(ErrorKind::usage, "no targets given");
  for (const auto& t : *targets)
    if (!t.is_v4()) return probe::make_error(ErrorKind::usage, "IPv6 target " + t.to_string() + ": IPv6 probing is not supported yet");
  s.targets = std::move(*targets);

  auto spec = flcommon::start_live(o, o.sport_given, s.targets.front(), s.record.config);
  if (!spec) return spec.error();
  s.record.interface = spec->capture.interface;
  spec->capture.filter = probe::engine::capture_filter(s.record.config);
  spec->record = probe::record::to_comment(s.record);
  auto vantage = probe::io::open_vantage(*spec);
  if (!vantage) return vantage.error();
  s.vantage = std::move(*vantage);
  return s;
}

// Another tool's capture: rebuild its traces from the packets alone.
probe::engine::TraceStats replay_foreign(probe::io::PacketSource& source, Printer& printer) {
  probe::engine::ForeignTraceBuilder builder;
  while (auto p = source.next(probe::sched::kNever)) builder.add(*p);
  auto traces = builder.finish();
  for (const auto& t : traces) printer.on_trace(t);
  const auto& f = builder.stats();
  // A damaged record gets its own message in main(): one line, not two.
  if (traces.empty() && source.error().empty())
    std::cerr << fmt::format("fl-trace: no traceroute found in the capture ({} packets, {} probe-like)\n",
                             f.packets, f.probes);
  probe::engine::TraceStats stats;
  stats.packets = f.packets;
  stats.malformed = f.malformed;
  stats.probes_seen = f.probes;
  stats.replies = f.replies;
  stats.foreign = f.unmatched;
  stats.traces_done = stats.traces_total = traces.size();
  return stats;
}

// The run, privileges dropped: the engine (or the foreign capture's
// rebuild), then the results.
int run(const fltrace::Options& o, Setup& s, flcommon::Output& output) {
  probe::io::Vantage& v = s.vantage;
  std::ostream& out = output.stream();
  std::atomic<int>& g_halt = flcommon::halt_flag();
  bool results_on_terminal = o.output_file.empty() && isatty(STDOUT_FILENO);
  Printer printer(out, o.output, s.record.config, isatty(STDERR_FILENO) != 0, !results_on_terminal);
  probe::engine::TraceStats stats;
  if (!s.foreign) {
    probe::engine::TraceEngine engine(s.record.config, s.targets, *v.source, *v.sink, printer);
    stats = engine.run(g_halt);
  } else {
    stats = replay_foreign(*v.source, printer);
  }
  printer.finish();

  auto end = flcommon::RunEnd::of("fl-trace", o, v);
  end.send_errors = stats.send_errors;
  int rc = flcommon::finish_run(end, output);
  if (isatty(STDERR_FILENO))
    std::cerr << fmt::format("fl-trace: {} traces, {} probes, {} replies ({} late, {} not ours){}\n",
                             stats.traces_done, stats.probes_sent, stats.replies, stats.late, stats.foreign,
                             s.record.config.doubletree ? fmt::format(", {} hops inferred", stats.inferred_hops) : "");
  return rc;
}

probe::Result<Setup> set_up(const fltrace::Options& o) { return o.read_path.empty() ? setup_live(o) : setup_replay(o); }

}  // namespace

int main(int argc, char** argv) {
  return flcommon::run_tool(argc, argv, "fl-trace", fltrace::parse_options, fltrace::usage, set_up, run);
}
