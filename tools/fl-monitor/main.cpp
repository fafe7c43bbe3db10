// SPDX-License-Identifier: BSD-2-Clause
// fl-monitor: rounds of fl-locate campaigns -> timeline -> database, events
// and metrics; `fl-monitor report` reads the database back. The decisions
// live in libprobe (probe/monitor); see fl-monitor(1).

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <iostream>
#include <limits>

#include "cli.h"
#include "options.h"
#include "probe/format/locate_report.h"
#include "probe/format/monitor_json.h"
#include "probe/format/monitor_report.h"
#include "probe/io/privileges.h"
#include "probe/locate/plan.h"
#include "probe/model/asn_db.h"
#include "probe/model/words.h"
#include "probe/monitor/store.h"
#include "probe/monitor/timeline.h"
#include "probe/record/baseline.h"
#include "probe/record/campaign_annotation.h"
#include "run.h"

namespace {

using probe::ErrorKind;
using probe::make_error;
namespace locate = probe::locate;
namespace monitor = probe::monitor;
using monitor::RoundKind;

int fail(const probe::Error& e) { return flcommon::fail("fl-monitor", e); }

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sleeps until `t_us` (wall clock) or a signal: the handlers are installed
// without SA_RESTART, so nanosleep returns at once on SIGINT or SIGTERM.
void wait_until(std::int64_t t_us, const std::atomic<int>& halt) {
  while (halt.load() == 0) {
    const std::int64_t left = t_us - now_us();
    if (left <= 0) return;
    timespec ts{static_cast<std::time_t>(left / 1'000'000), static_cast<long>(left % 1'000'000) * 1000};
    nanosleep(&ts, nullptr);
  }
}

// The cheap round's methods: the TTL-64 twin of every method, once each.
std::vector<locate::MethodSpec> direct_methods(const std::vector<locate::MethodSpec>& methods) {
  std::vector<locate::MethodSpec> out;
  for (auto m : methods) {
    m.direct = true;
    if (std::none_of(out.begin(), out.end(), [&m](const auto& x) { return x.label() == m.label(); }))
      out.push_back(m);
  }
  return out;
}

// What the watched prefixes are called in events and metrics.
std::string country_label(const flmonitor::Options& o) {
  if (!o.country.empty()) return o.country;
  if (!o.asns.empty()) return "AS" + std::to_string(o.asns.front());
  return "prefixes";
}

// Writes `text` to `path` so that a reader sees the old file or the new
// one, never half of one: node_exporter's textfile collector reads at any
// moment.
probe::Result<bool> write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << text;
    f.close();
    if (!f) return make_error(ErrorKind::output, "cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return make_error(ErrorKind::output, "cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  return true;
}

class Monitor {
 public:
  Monitor(const flmonitor::Options& o, monitor::Store store, probe::model::AsnDb asn_db, std::string asn_path)
      : o_(o), store_(std::move(store)), asn_db_(std::move(asn_db)), asn_path_(std::move(asn_path)),
        country_(country_label(o)) {}

  // Restores the timeline, the baseline and the kept captures from the
  // database; opens the events file.
  probe::Result<bool> resume();
  // Rounds until --rounds or a signal; the exit code.
  int run();

 private:
  struct Outcome {
    monitor::RoundResult result;
    bool interrupted = false;
  };
  probe::Result<Outcome> round(RoundKind kind);
  // A committed round, for the choice of the next one's kind.
  void count_round(RoundKind kind) {
    had_full_ = had_full_ || kind == RoundKind::full;
    cheap_since_full_ = kind == RoundKind::full ? 0 : cheap_since_full_ + 1;
  }
  void publish(const monitor::Event& e);
  void rotate(const std::string& capture);

  const flmonitor::Options& o_;
  monitor::Store store_;
  probe::model::AsnDb asn_db_;
  std::string asn_path_;
  std::string country_;
  monitor::Timeline timeline_;
  std::optional<locate::Baseline> baseline_;
  std::deque<std::string> captures_;
  std::ofstream events_file_;
  // The raw socket and the capture ring, opened by the first round that
  // has a route and kept by the next ones: each round sets its own filter.
  probe::io::Ring ring_;
  bool had_full_ = false;     // the database holds a committed full round
  int cheap_since_full_ = 0;  // committed cheap rounds since the last full one
};

probe::Result<bool> Monitor::resume() {
  if (store_.aborted_at_open() > 0)
    std::cerr << "fl-monitor: " << o_.db << ": " << store_.aborted_at_open()
              << " round(s) interrupted before they were committed: marked aborted\n";
  auto keys = store_.timeline();
  if (!keys) return keys.error();
  timeline_ = monitor::Timeline(std::move(*keys));
  auto good = store_.last_good_full_report();
  if (!good) return good.error();
  if (!good->empty()) {
    auto b = probe::record::parse_baseline_json(*good);
    if (!b) return b.error();
    baseline_ = std::move(*b);
  } else if (!o_.baseline.empty()) {
    auto b = locate::load_baseline(o_.baseline, locate::lookup_in(asn_db_));
    if (!b) return b.error();
    baseline_ = std::move(*b);
  }
  auto rows = store_.rounds(0, std::numeric_limits<std::int64_t>::max());
  if (!rows) return rows.error();
  for (const auto& r : *rows) {
    if (!r.capture.empty()) captures_.push_back(r.capture);
    if (r.status == "ok") count_round(r.kind);
  }
  if (o_.keep_captures > 0) {
    const std::string dir = o_.db + ".captures";
    if (mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST)
      return make_error(ErrorKind::output, "cannot create " + dir + ": " + std::strerror(errno));
  }
  if (!o_.events_file.empty()) {
    events_file_.open(o_.events_file, std::ios::app);
    if (!events_file_) return make_error(ErrorKind::output, "cannot write " + o_.events_file);
  }
  return true;
}

int Monitor::run() {
  std::atomic<int>& halt = flcommon::halt_flag();
  const std::int64_t first = now_us();
  for (long n = 0; o_.rounds == 0 || n < o_.rounds; ++n) {
    // A fixed cadence: a round that overruns its interval is followed at once.
    wait_until(first + n * o_.interval_us, halt);
    if (halt.load() > 0) break;
    // Which round is full follows the database, not this process: under
    // cron every process makes one round, and it is not always the first.
    const bool full = !had_full_ || (o_.full_every > 0 && cheap_since_full_ + 1 >= o_.full_every);
    auto out = round(full ? RoundKind::full : RoundKind::cheap);
    if (!out) return fail(out.error());
    if (out->interrupted) break;
    count_round(full ? RoundKind::full : RoundKind::cheap);
    // A state changed in a cheap round: the full campaign now, for the
    // verdict and the break hop while the outage is fresh.
    if (!full && !out->result.changed.empty()) {
      auto escalated = round(RoundKind::full);
      if (!escalated) return fail(escalated.error());
      if (escalated->interrupted) break;
      count_round(RoundKind::full);
    }
  }
  return halt.load() > 0 ? flcommon::kExitInterrupted : 0;
}

probe::Result<Monitor::Outcome> Monitor::round(RoundKind kind) {
  const std::int64_t start = now_us();
  auto id = store_.begin_round(kind, start);
  if (!id) return id.error();
  fllocate::Options ro = o_;
  if (kind == RoundKind::cheap) {
    // Trinocular's cheap round: whether a sample of each prefix answers.
    ro.methods = direct_methods(o_.methods);
    ro.per_block = 1;
    ro.budget_us = 0;
  }
  if (o_.keep_captures > 0) ro.write_path = o_.db + ".captures/round-" + std::to_string(*id) + ".pcapng";
  auto capture = fllocate::setup_live("fl-monitor", ro, asn_db_, asn_path_, &ring_);
  if (!capture) {
    store_.abort_round(*id);
    return capture.error();
  }
  locate::CampaignCapture& s = *capture;
  probe::io::Vantage& v = s.vantage;
  auto located = fllocate::locate_campaign(s, locate::lookup_in(asn_db_), baseline_, flcommon::halt_flag(),
                                          [](const locate::CampaignProgress&) {});
  if (flcommon::halt_flag().load() > 0) {
    // Half a round would read as an outage of what it did not reach.
    if (auto a = store_.abort_round(*id); !a) return a.error();
    return Outcome{{}, true};
  }
  const locate::Report& report = located.report;
  if (v.writer && !v.writer->flush()) return make_error(ErrorKind::output, v.writer->error());

  const std::int64_t end = now_us();
  monitor::RoundObservation obs;
  obs.round = {*id, start, end};
  obs.kind = kind;
  obs.controls_ok = report.verdict != probe::model::Verdict::local && report.control.ok;
  auto finding = [&](probe::model::Verdict verdict, const locate::BreakReport& brk) -> std::optional<monitor::Finding> {
    if (kind != RoundKind::full) return std::nullopt;
    return monitor::Finding{*id, verdict, brk.after ? brk.after->addr.to_string() : std::string()};
  };
  std::vector<monitor::State> states;
  for (const auto& p : report.prefixes) {
    states.push_back(monitor::state_of(p.status));
    obs.keys.push_back({p.prefix.to_string(), monitor::Scope::prefix, states.back(), finding(p.verdict, p.brk)});
  }
  obs.keys.push_back({country_, monitor::Scope::country, monitor::country_state(states, report.verdict),
                      finding(report.verdict, report.brk)});
  Outcome out{timeline_.observe(obs), false};

  monitor::RoundRecord rec;
  rec.row.id = *id;
  rec.row.start_us = start;
  rec.row.end_us = end;
  rec.row.kind = kind;
  rec.row.probes = report.probes;
  rec.row.replies = report.replies;
  rec.row.capture = v.writer ? ro.write_path : std::string();
  rec.row.verdict = std::string(probe::model::to_word(report.verdict));
  rec.keys = obs.keys;
  rec.events = out.result.events;
  rec.timeline = timeline_.keys();
  rec.report_json = probe::format::to_json(report).dump();
  if (auto c = store_.commit_round(rec); !c) return c.error();

  if (kind == RoundKind::full && report.verdict == probe::model::Verdict::reachable)
    baseline_ = locate::baseline_of(report);
  for (const auto& e : out.result.events) publish(e);
  if (!o_.metrics_file.empty()) {
    probe::format::RoundMetrics m{country_, &report, kind, end - start, now_us(), &timeline_.keys()};
    if (auto w = write_atomically(o_.metrics_file, probe::format::to_prometheus(m)); !w) return w.error();
  }
  if (v.writer) rotate(rec.row.capture);
  return out;
}

void Monitor::publish(const monitor::Event& e) {
  const std::string line = probe::format::to_json(e, country_, o_.vantage).dump() + "\n";
  std::ostream& out = events_file_.is_open() ? static_cast<std::ostream&>(events_file_) : std::cout;
  out << line << std::flush;
  if (o_.on_change.empty()) return;
  // Waited for: the next round starts after the hook, so hooks never pile up.
  FILE* hook = popen(o_.on_change.c_str(), "w");
  if (!hook) {
    std::cerr << "fl-monitor: cannot run --on-change: " << std::strerror(errno) << "\n";
    return;
  }
  std::fwrite(line.data(), 1, line.size(), hook);
  const int status = pclose(hook);
  if (status != 0) std::cerr << "fl-monitor: --on-change exited with status " << status << "\n";
}

void Monitor::rotate(const std::string& capture) {
  captures_.push_back(capture);
  while (captures_.size() > static_cast<std::size_t>(o_.keep_captures)) {
    const std::string old = captures_.front();
    captures_.pop_front();
    if (std::remove(old.c_str()) != 0 && errno != ENOENT)
      std::cerr << "fl-monitor: cannot remove " << old << ": " << std::strerror(errno) << "\n";
    if (auto f = store_.forget_capture(old); !f) std::cerr << "fl-monitor: " << f.error().message << "\n";
  }
}

int watch(const flmonitor::Options& o) {
  std::string asn_path = o.asn_db;
  auto db = flcommon::load_asn_table(asn_path);
  if (!db) return fail(db.error());
  auto store = monitor::Store::open_for_writing(o.db);
  if (!store) return fail(store.error());
  Monitor m(o, std::move(*store), std::move(*db), asn_path);
  if (auto r = m.resume(); !r) return fail(r.error());
  return m.run();
}

int report(const flmonitor::Options& o) {
  auto store = monitor::Store::open_for_reading(o.db);
  if (!store) return fail(store.error());
  probe::format::TimelineReport t;
  t.db = o.db;
  auto rounds = store->rounds(o.since_us, o.until_us);
  if (!rounds) return fail(rounds.error());
  auto states = store->states(o.since_us, o.until_us);
  if (!states) return fail(states.error());
  auto outages = store->outages(o.since_us, o.until_us);
  if (!outages) return fail(outages.error());
  t.rounds = std::move(*rounds);
  t.intervals = monitor::intervals_of(*states);
  t.outages = std::move(*outages);
  if (o.output == flcommon::OutputFormat::json) std::cout << probe::format::to_json(t).dump() << '\n';
  else probe::format::write_text(std::cout, t);
  if (!o.svg_file.empty()) {
    std::ofstream svg(o.svg_file, std::ios::trunc);
    probe::format::write_svg(svg, t);
    svg.close();
    if (!svg) return fail(make_error(ErrorKind::output, "cannot write " + o.svg_file));
  }
  std::cout.flush();
  if (!std::cout) return fail(make_error(ErrorKind::output, "writing the report failed"));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  flcommon::install_signals();
  // An --on-change command that does not read its stdin must not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  auto parsed = flmonitor::parse_options(argc, argv);
  if (!parsed) return fail(parsed.error());
  if (auto rc = flcommon::answer_help(*parsed, "fl-monitor", flmonitor::usage)) return *rc;
  return parsed->report ? report(*parsed) : watch(*parsed);
}
