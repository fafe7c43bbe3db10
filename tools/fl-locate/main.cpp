// SPDX-License-Identifier: BSD-2-Clause
// fl-locate: options -> campaign plan -> run (live or replay) -> analysis ->
// report. The decisions live in libprobe (probe/locate); see fl-locate(1).

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli.h"
#include "options.h"
#include "probe/format/locate_report.h"
#include "probe/io/privileges.h"
#include "probe/io/vantage.h"
#include "probe/locate/campaign.h"
#include "probe/locate/plan.h"
#include "probe/record/campaign_record.h"
#include "probe/model/asn_db.h"

namespace {

using probe::ErrorKind;
using probe::make_error;
namespace locate = probe::locate;

int fail(const probe::Error& e) { return flcommon::fail("fl-locate", e); }

probe::Result<locate::CampaignCapture> setup_live(const fllocate::Options& o, const probe::model::AsnDb& asn_db,
                                                  const std::string& asn_path) {
  auto key = probe::io::draw_run_key(std::nullopt);
  locate::HitlistUse hitlist;
  auto planned = locate::plan_campaign(o, asn_db, asn_path, key, hitlist);
  if (hitlist.outside > 0)
    std::cerr << fmt::format("fl-locate: {} hitlist addresses lie outside the national prefixes: left out\n",
                             hitlist.outside);
  if (hitlist.stopped_at > 0)
    std::cerr << fmt::format("fl-locate: {}: --max-targets {} taken by line {}: the rest is not read\n", o.hitlist,
                             o.max_targets, hitlist.stopped_at);
  if (!planned) return planned.error();
  locate::CampaignCapture s{std::move(*planned), {}};
  auto& plan = s.plan;
  // No route toward the country: nothing can be sent, and that is the finding.
  auto endpoint = probe::io::find_endpoint({o.source, o.interface, true}, plan.targets.front());
  if (!endpoint) return endpoint.error();
  plan.src = endpoint->src;
  plan.interface = endpoint->interface;
  plan.no_route = endpoint->no_route;
  auto spec = flcommon::live_spec(o, plan.src, plan.interface);
  spec.offline = !plan.no_route.empty();
  if (!spec.offline) spec.capture.filter = locate::campaign_filter(plan);
  spec.tcp = true;
  spec.record = probe::record::to_comment(plan);
  auto vantage = probe::io::open_vantage(spec);
  if (!vantage) return vantage.error();
  s.vantage = std::move(*vantage);
  return s;
}

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
  probe::model::AsnDb asn_db;
  std::ofstream dot;  // --dot
};

probe::Result<Setup> set_up(const fllocate::Options& o) {
  // Replay: the capture says what was probed and with which AS table.
  probe::Result<locate::CampaignCapture> capture = make_error(ErrorKind::runtime, "");
  std::string asn_path = o.asn_db;
  if (!o.read_path.empty()) {
    capture = locate::open_campaign(o.read_path);
    if (!capture) return capture.error();
    if (asn_path.empty()) asn_path = capture->plan.asn_db;
  }
  // The shipped table is read as it is; one the user (or the capture) named,
  // with the user's rights.
  const bool shipped = asn_path.empty();
  if (shipped) asn_path = probe::model::default_asn_db_path();
  auto asn_db = shipped ? probe::model::AsnDb::load(asn_path)
                        : probe::io::load_as_invoker<probe::model::AsnDb>(asn_path);
  if (!asn_db) return asn_db.error();
  if (o.read_path.empty()) {
    capture = setup_live(o, *asn_db, asn_path);
    if (!capture) return capture.error();
  }
  Setup s{std::move(*capture), std::move(*asn_db), {}};
  if (!o.dot_file.empty()) {
    s.dot.open(o.dot_file, std::ios::trunc);
    if (!s.dot) return make_error(ErrorKind::output, "cannot write " + o.dot_file);
  }
  return s;
}

// The campaign, privileges dropped: baseline, run, analysis, report.
int run(const fllocate::Options& o, Setup& setup, flcommon::Output& output) {
  locate::CampaignCapture& s = setup.campaign;
  probe::io::Vantage& v = s.vantage;
  const probe::model::AsnDb& asn_db = setup.asn_db;
  std::ofstream& dot = setup.dot;
  // A baseline capture is replayed, so it is read unprivileged like -r.
  std::string baseline_path = o.baseline;
  if (baseline_path.empty() && !o.read_path.empty() && !s.plan.baseline.empty()) {
    if (access(s.plan.baseline.c_str(), R_OK) == 0) baseline_path = s.plan.baseline;
    else std::cerr << "fl-locate: warning: the run's baseline " << s.plan.baseline << " is gone; replaying without\n";
  }
  std::optional<locate::Baseline> baseline;
  if (!baseline_path.empty()) {
    auto b = locate::load_baseline(baseline_path, asn_db);
    if (!b) return fail(b.error());
    baseline = std::move(*b);
  }
  std::atomic<int>& halt = flcommon::halt_flag();

  Progress progress(isatty(STDERR_FILENO) != 0 && o.read_path.empty());
  locate::CampaignStats stats;
  locate::Campaign campaign;
  if (v.source) {
    campaign = locate::run_campaign(s.plan, *v.source, *v.sink, *v.streams, halt, std::ref(progress), stats);
  } else {
    campaign.prefixes = s.plan.prefixes;
    campaign.methods = s.plan.methods;
    campaign.no_route = s.plan.no_route;
  }
  progress.clear();
  auto report = locate::analyze(campaign, locate::lookup_in(asn_db), baseline);

  std::ostream& out = output.stream();
  if (o.output == fllocate::OutputFormat::json) out << probe::format::to_json(report).dump() << '\n';
  else probe::format::write_text(out, report);
  int rc = 0;
  if (dot.is_open()) {
    probe::format::write_dot(dot, report, s.plan.src, locate::lookup_in(asn_db));
    dot.close();
    if (!dot) rc = fail(make_error(ErrorKind::output, "writing " + o.dot_file + " failed"));
  }
  auto end = flcommon::RunEnd::of("fl-locate", o, v);
  end.covers = "the verdict covers";
  end.send_errors = stats.send_errors;
  end.rc = rc;
  return flcommon::finish_run(end, output);
}

}  // namespace

int main(int argc, char** argv) {
  return flcommon::run_tool(argc, argv, "fl-locate", fllocate::parse_options, fllocate::usage, set_up, run);
}
