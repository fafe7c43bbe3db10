// SPDX-License-Identifier: BSD-2-Clause
// fl-locate: options -> campaign plan -> run (live or replay) -> analysis ->
// report. The decisions live in libprobe (probe/locate); see fl-locate(1).

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "cli.h"
#include "options.h"
#include "run.h"
#include "probe/format/joint_report.h"
#include "probe/format/locate_report.h"
#include "probe/io/privileges.h"
#include "probe/io/vantage.h"
#include "probe/locate/campaign.h"
#include "probe/locate/merge.h"
#include "probe/locate/plan.h"
#include "probe/record/campaign_annotation.h"
#include "probe/record/campaign_record.h"
#include "probe/model/asn_db.h"

namespace {

using probe::ErrorKind;
using probe::make_error;
namespace locate = probe::locate;
using fllocate::setup_live;

int fail(const probe::Error& e) { return flcommon::fail("fl-locate", e); }

// On a terminal: one progress line on stderr, rewritten in place.
class Progress {
 public:
  explicit Progress(bool on) : on_(on) {}
  void operator()(const locate::CampaignProgress& p) {
    if (!on_) return;
    if (p.phase == "dns") std::fputs("\rchecking the zone's delegation... ", stderr);
    else if (p.phase == "frontier")
      std::fprintf(stderr, "\r\033[Kasking again, paced, where the answers ran out: %llu probes ",
                   static_cast<unsigned long long>(p.probes));
    else
      std::fprintf(stderr, "\r\033[K%llu/%llu traces, %llu probes, %llu replies ",
                   static_cast<unsigned long long>(p.traces_done), static_cast<unsigned long long>(p.traces_total),
                   static_cast<unsigned long long>(p.probes), static_cast<unsigned long long>(p.replies));
    shown_ = true;
  }
  void clear() {
    if (shown_) std::fputs("\r\033[K", stderr);
    shown_ = false;
  }

 private:
  bool on_;
  bool shown_ = false;
};

// What a campaign reads and writes, opened while still privileged.
struct Setup {
  locate::CampaignCapture campaign;
  std::optional<probe::model::AsnDb> asn_db;  // none: a replay answered from the capture's annotation
  std::ofstream dot;                          // --dot
  std::vector<locate::Report> reports;        // --merge: the reports read
};

// --merge: every report, read with the user's rights, each under the size
// cap; two that name one vantage are a usage error (a merge counts vantages).
probe::Result<std::vector<locate::Report>> read_reports(const std::vector<std::string>& paths) {
  std::vector<locate::Report> reports;
  constexpr const char* what = "an fl-locate report";
  for (const auto& path : paths) {
    auto text = path == "-" ? probe::io::read_all(probe::io::InputFile(STDIN_FILENO, "stdin", false),
                                                  probe::format::kMaxLocateReportBytes, what)
                            : probe::io::read_file_as_invoker(path, probe::format::kMaxLocateReportBytes, what);
    if (!text) return text.error();
    auto report = probe::format::read_locate_report(*text);
    if (!report) return make_error(ErrorKind::input, (path == "-" ? "stdin" : path) + ": " + report.error().message);
    reports.push_back(std::move(*report));
  }
  if (auto name = locate::vantage_clash(reports))
    return make_error(ErrorKind::usage, name->empty() ? "two reports name no vantage: give each run --vantage NAME"
                                                      : "two reports name the vantage '" + *name + "'");
  return reports;
}

probe::Result<Setup> set_up(const fllocate::Options& o) {
  if (!o.merge.empty()) {
    auto reports = read_reports(o.merge);
    if (!reports) return reports.error();
    Setup s;
    s.reports = std::move(*reports);
    if (!o.dot_file.empty()) {
      s.dot.open(o.dot_file, std::ios::trunc);
      if (!s.dot) return make_error(ErrorKind::output, "cannot write " + o.dot_file);
    }
    return s;
  }
  // Replay: the capture says what was probed and, if it carries an
  // annotation, what the AS table said; older captures name the table.
  probe::Result<locate::CampaignCapture> capture = make_error(ErrorKind::runtime, "");
  std::string asn_path = o.asn_db;
  bool annotated = false;
  if (!o.read_path.empty()) {
    capture = locate::open_campaign(o.read_path);
    if (!capture) return capture.error();
    annotated = capture->annotation.has_value();
    // --vantage names a replay (a capture from before names were recorded,
    // or one renamed for a merge); without it the capture's name stands.
    if (!o.vantage.empty()) capture->plan.vantage = o.vantage;
    if (annotated && !asn_path.empty())
      std::cerr << "fl-locate: re-annotating with --asn-db " << asn_path << ", not the ASes the capture recorded\n";
    if (!annotated && asn_path.empty()) {
      asn_path = capture->plan.asn_db;
      if (!asn_path.empty() && access(asn_path.c_str(), R_OK) != 0)
        return make_error(ErrorKind::input, o.read_path +
                                                " carries no AS annotation (written before they were recorded) and its"
                                                " AS table " + asn_path + " cannot be read: give --asn-db FILE");
    }
  }
  std::optional<probe::model::AsnDb> asn_db;
  if (!annotated || !asn_path.empty()) {
    auto db = flcommon::load_asn_table(asn_path);
    if (!db) return db.error();
    asn_db = std::move(*db);
  }
  if (o.read_path.empty()) {
    capture = setup_live("fl-locate", o, *asn_db, asn_path);
    if (!capture) return capture.error();
  }
  Setup s{std::move(*capture), std::move(asn_db), {}, {}};
  if (!o.dot_file.empty()) {
    s.dot.open(o.dot_file, std::ios::trunc);
    if (!s.dot) return make_error(ErrorKind::output, "cannot write " + o.dot_file);
  }
  return s;
}

// The baseline a run compares against: --baseline; on replay without it,
// the one the capture's annotation carries, or (older captures) the file
// its record names.
probe::Result<std::optional<locate::Baseline>> pick_baseline(const fllocate::Options& o,
                                                             const locate::CampaignCapture& s,
                                                             const locate::AsLookup& lookup) {
  const auto& recorded = s.annotation ? s.annotation->baseline : std::nullopt;
  std::string path = o.baseline;
  if (!path.empty() && s.annotation)
    std::cerr << "fl-locate: comparing with --baseline " << path
              << (recorded ? ", not the baseline the capture recorded (" + probe::record::baseline_digest(*recorded) + ")"
                           : std::string("; the capture's run had none"))
              << "\n";
  if (path.empty() && !o.read_path.empty()) {
    if (s.annotation) return recorded;
    path = s.plan.baseline;
    if (!path.empty() && access(path.c_str(), R_OK) != 0)
      return make_error(ErrorKind::input, o.read_path +
                                              " carries no baseline (written before they were recorded) and its"
                                              " baseline " + path + " cannot be read: give --baseline FILE");
  }
  if (path.empty()) return std::optional<locate::Baseline>();
  auto b = locate::load_baseline(path, lookup);
  if (!b) return b.error();
  return std::optional<locate::Baseline>(std::move(*b));
}

// The campaign, privileges dropped: baseline, run, analysis, report.
int run(const fllocate::Options& o, Setup& setup, flcommon::Output& output) {
  if (!o.merge.empty()) {
    const auto joint = locate::merge(setup.reports);
    if (o.output == fllocate::OutputFormat::json) output.stream() << probe::format::to_json(joint).dump() << '\n';
    else probe::format::write_text(output.stream(), joint);
    if (setup.dot.is_open()) {
      probe::format::write_dot(setup.dot, joint, setup.reports);
      setup.dot.close();
      if (!setup.dot) return fail(make_error(ErrorKind::output, "writing " + o.dot_file + " failed"));
    }
    if (auto done = output.finish(); !done) return fail(done.error());
    return 0;
  }
  locate::CampaignCapture& s = setup.campaign;
  probe::io::Vantage& v = s.vantage;
  std::ofstream& dot = setup.dot;
  locate::AsLookup table =
      setup.asn_db ? locate::lookup_in(*setup.asn_db) : probe::record::lookup_in(*s.annotation);
  // A baseline capture is replayed, so it is read unprivileged like -r.
  auto baseline = pick_baseline(o, s, table);
  if (!baseline) return fail(baseline.error());

  Progress progress(isatty(STDERR_FILENO) != 0 && o.read_path.empty());
  auto located = fllocate::locate_campaign(s, table, *baseline, flcommon::halt_flag(), std::ref(progress));
  progress.clear();
  const locate::Report& report = located.report;

  std::ostream& out = output.stream();
  if (o.output == fllocate::OutputFormat::json) out << probe::format::to_json(report).dump() << '\n';
  else probe::format::write_text(out, report);
  int rc = 0;
  if (dot.is_open()) {
    // Its hops are the campaign's and the baseline's: their ASes are in the
    // capture's closing annotation, so a replay draws the same picture.
    probe::format::write_dot(dot, report, s.plan.src, table, locate::campaign_start_us(located.campaign));
    dot.close();
    if (!dot) rc = fail(make_error(ErrorKind::output, "writing " + o.dot_file + " failed"));
  }
  auto end = flcommon::RunEnd::of("fl-locate", o, v);
  end.covers = "the verdict covers";
  end.send_errors = located.stats.send_errors;
  end.rc = rc;
  return flcommon::finish_run(end, output);
}

}  // namespace

int main(int argc, char** argv) {
  return flcommon::run_tool(argc, argv, "fl-locate", fllocate::parse_options, fllocate::usage, set_up, run);
}
