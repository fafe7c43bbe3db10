// fl-locate: options -> campaign plan -> run (live or replay) -> analysis ->
// report. The decisions live in libprobe (probe/locate); see fl-locate(1).

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "cli.h"
#include "options.h"
#include "probe/format/locate_report.h"
#include "probe/io/capture_writer.h"
#include "probe/io/privileges.h"
#include "probe/io/route.h"
#include "probe/locate/campaign.h"
#include "probe/model/asn_db.h"
#include "probe/model/targets.h"
#include "probe/packet/datagram.h"
#include "probe/record/campaign_record.h"

namespace {

using probe::ErrorKind;
using probe::make_error;
namespace locate = probe::locate;

int fail(const probe::Error& e) { return flcommon::fail("fl-locate", e); }

struct Setup {
  locate::CampaignPlan plan;
  std::unique_ptr<probe::io::PacketSource> source;
  std::unique_ptr<probe::io::PacketSink> sink;
  std::unique_ptr<probe::io::TcpStreams> streams;
  std::unique_ptr<probe::io::CaptureWriter> writer;
};

probe::Result<std::vector<probe::model::Prefix>> parse_prefixes(const std::vector<std::string>& specs,
                                                               const std::string& where) {
  std::vector<probe::model::Prefix> out;
  for (const auto& s : specs) {
    auto p = probe::model::Prefix::parse(s);
    if (!p) return make_error(ErrorKind::usage, fmt::format("{}bad prefix '{}'", where, s));
    if (!p->base.is_v4()) return make_error(ErrorKind::usage, "IPv6 prefix " + s + ": IPv6 probing is not supported yet");
    out.push_back(*p);
  }
  return out;
}

probe::Result<std::vector<probe::model::Address>> parse_addresses(const std::vector<std::string>& specs,
                                                                 const char* what) {
  std::vector<probe::model::Address> out;
  for (const auto& s : specs) {
    auto a = probe::model::Address::parse(s);
    if (!a || !a->is_v4()) return make_error(ErrorKind::usage, fmt::format("bad {} address '{}' (IPv4)", what, s));
    out.push_back(*a);
  }
  return out;
}

// What to probe: prefixes from -p, --prefix-file, --country and --asn.
probe::Result<bool> national_prefixes(const fllocate::Options& o, const probe::model::AsnDb& asn_db,
                                      locate::CampaignPlan& plan) {
  auto given = parse_prefixes(o.prefixes, "");
  if (!given) return given.error();
  plan.prefixes = *given;
  if (!o.prefix_file.empty()) {
    auto lines = probe::model::read_target_file(o.prefix_file);
    if (!lines) return lines.error();
    auto more = parse_prefixes(*lines, o.prefix_file + ": ");
    if (!more) return make_error(ErrorKind::input, more.error().message);
    plan.prefixes.insert(plan.prefixes.end(), more->begin(), more->end());
  }
  if (!o.country.empty()) {
    const std::string path = o.country_db.empty() ? probe::model::default_country_db_path() : o.country_db;
    auto db = probe::model::CountryDb::load(path);
    if (!db) return db.error();
    std::size_t n = 0;
    for (const auto& p : db->prefixes_of(o.country))
      if (p.base.is_v4()) {
        plan.prefixes.push_back(p);
        ++n;
      }
    if (n == 0) return make_error(ErrorKind::usage, fmt::format("{} has no IPv4 prefixes for country {}", path, o.country));
  }
  for (auto asn : o.asns) {
    std::size_t n = 0;
    for (const auto& p : asn_db.prefixes_of(asn))
      if (p.base.is_v4()) {
        plan.prefixes.push_back(p);
        ++n;
      }
    if (n == 0) return make_error(ErrorKind::usage, fmt::format("the IP->AS table has no IPv4 prefixes for AS{}", asn));
  }
  plan.asns = o.asns;
  plan.country = o.country;
  return true;
}

// A path as the capture records it: absolute, so that a replay from another
// directory finds the same file.
std::string absolute(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

probe::Result<Setup> setup_live(const fllocate::Options& o, const probe::model::AsnDb& asn_db,
                                const std::string& asn_path) {
  Setup s;
  auto& plan = s.plan;
  plan.asn_db = absolute(asn_path);
  if (auto ok = national_prefixes(o, asn_db, plan); !ok) return ok.error();
  std::random_device rd;
  plan.run_key = (std::uint64_t{rd()} << 32) | rd();
  plan.sport = static_cast<std::uint16_t>(40000 + rd() % 20000);
  if (!o.hitlist.empty()) {
    auto lines = probe::model::read_target_file(o.hitlist);
    if (!lines) return lines.error();
    auto addrs = probe::model::expand_targets(*lines);
    if (!addrs) return make_error(ErrorKind::input, o.hitlist + ": " + addrs.error().message);
    auto outside = locate::use_hitlist(plan, *addrs, o.max_targets);
    if (outside > 0)
      std::cerr << fmt::format("fl-locate: {} hitlist addresses lie outside the national prefixes: left out\n", outside);
  } else {
    locate::pick_targets(plan, o.per_block, o.max_targets, plan.run_key);
  }
  if (plan.targets.empty()) return make_error(ErrorKind::usage, "no national target to probe");
  auto controls = parse_addresses(o.controls, "control");
  if (!controls) return controls.error();
  plan.controls = *controls;
  auto parents = parse_addresses(o.parents, "parent");
  if (!parents) return parents.error();
  plan.parents = *parents;
  plan.zone = o.zone;
  plan.methods = o.methods;
  plan.max_ttl = static_cast<std::uint8_t>(o.max_ttl);
  plan.attempts = static_cast<std::uint8_t>(o.attempts);
  plan.gaplimit = o.gaplimit;
  plan.wait_us = o.wait_us;
  plan.pps = o.pps;
  plan.baseline = absolute(o.baseline);

  if (!o.source.empty()) {
    auto src = probe::model::Address::parse(o.source);
    if (!src || !src->is_v4()) return make_error(ErrorKind::usage, "bad source address '" + o.source + "'");
    plan.src = *src;
  } else if (auto src = probe::io::source_for(plan.targets.front())) {
    plan.src = *src;
  } else {
    // No route toward the country: nothing can be sent, and that is the finding.
    plan.no_route = src.error().message;
  }
  plan.interface = o.interface;
  if (plan.no_route.empty() && plan.interface.empty()) {
    auto iface = probe::io::interface_for(plan.src);
    if (!iface) return iface.error();
    plan.interface = *iface;
  }
  int linktype = 1;
  if (plan.no_route.empty()) {
    auto sink = probe::io::open_raw_socket(plan.src.family());
    if (!sink) return sink.error();
    s.sink = std::move(*sink);
    auto source = probe::io::open_live({plan.interface, locate::campaign_filter(plan)});
    if (!source) return source.error();
    s.source = std::move(*source);
    linktype = s.source->linktype();
  }
  s.streams = probe::io::kernel_tcp_streams();
  if (!o.write_path.empty()) {
    auto w = probe::io::CaptureWriter::create(o.write_path, linktype, probe::record::to_comment(plan));
    if (!w) return w.error();
    s.writer = std::move(*w);
    if (s.source) s.source = probe::io::tee(std::move(s.source), *s.writer);
  }
  return s;
}

probe::Result<Setup> open_capture(const std::string& path) {
  Setup s;
  auto source = probe::io::open_file(path);  // first: it says best what is wrong with a file
  if (!source) return source.error();
  auto comment = probe::io::read_section_comment(path);
  if (!comment) return comment.error();
  if (!*comment) return make_error(ErrorKind::input, path + ": not a faultline capture (no run record)");
  auto plan = probe::record::parse_campaign_record(**comment);
  if (!plan) return make_error(ErrorKind::input, path + ": " + plan.error().message);
  s.plan = std::move(*plan);
  if (!probe::packet::linktype_supported((*source)->linktype()))
    return make_error(ErrorKind::input, fmt::format("{}: link type {} ({}) is not supported", path,
                                                    (*source)->linktype(), probe::io::linktype_name((*source)->linktype())));
  s.source = std::move(*source);
  s.sink = probe::io::null_sink();
  s.streams = probe::io::null_tcp_streams();
  return s;
}

locate::AsLookup lookup_in(const probe::model::AsnDb& db) {
  return [&db](const probe::model::Address& a) { return db.lookup(a); };
}

locate::Campaign replay(Setup& s, const std::atomic<int>& halt, locate::CampaignStats& stats) {
  auto quiet = [](const locate::CampaignProgress&) {};
  return locate::run_campaign(s.plan, *s.source, *s.sink, *s.streams, halt, quiet, stats);
}

// A baseline: fl-locate's JSON report, or a capture it wrote (replayed).
probe::Result<locate::Baseline> load_baseline(const std::string& path, const probe::model::AsnDb& db) {
  auto comment = probe::io::read_section_comment(path);
  if (comment && *comment) {
    auto s = open_capture(path);
    if (!s) return s.error();
    std::atomic<int> never{0};
    locate::CampaignStats stats;
    auto campaign = replay(*s, never, stats);
    auto report = locate::analyze(campaign, lookup_in(db), std::nullopt);
    auto b = probe::format::baseline_of(report);
    b.source = path;
    return b;
  }
  std::ifstream in(path);
  if (!in) return make_error(ErrorKind::input, "cannot read baseline " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto b = probe::format::parse_baseline_json(text.str());
  if (!b) return make_error(ErrorKind::input, path + ": " + b.error().message);
  b->source = path;
  return b;
}

// On a terminal: one progress line on stderr, rewritten in place.
class Progress {
 public:
  explicit Progress(bool on) : on_(on) {}
  void operator()(const locate::CampaignProgress& p) {
    if (!on_) return;
    if (p.phase == "dns") std::fputs("\rchecking the zone's delegation... ", stderr);
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

}  // namespace

int main(int argc, char** argv) {
  auto parsed = fllocate::parse_options(argc, argv);
  if (!parsed) return fail(parsed.error());
  const fllocate::Options& o = *parsed;
  if (o.help) {
    std::cout << fllocate::usage();
    return 0;
  }
  if (o.version) {
    std::cout << "fl-locate (faultline) 0.1.0\n";
    return 0;
  }

  // Replay: the capture says what was probed and with which AS table.
  probe::Result<Setup> setup = make_error(ErrorKind::runtime, "");
  std::string asn_path = o.asn_db;
  if (!o.read_path.empty()) {
    setup = open_capture(o.read_path);
    if (!setup) return fail(setup.error());
    if (asn_path.empty()) asn_path = setup->plan.asn_db;
  }
  if (asn_path.empty()) asn_path = probe::model::default_asn_db_path();
  auto asn_db = probe::model::AsnDb::load(asn_path);
  if (!asn_db) return fail(asn_db.error());
  if (o.read_path.empty()) {
    setup = setup_live(o, *asn_db, asn_path);
    if (!setup) return fail(setup.error());
  }
  Setup& s = *setup;

  std::ofstream dot;
  if (!o.dot_file.empty()) {
    dot.open(o.dot_file, std::ios::trunc);
    if (!dot) return fail(make_error(ErrorKind::output, "cannot write " + o.dot_file));
  }

  auto output = flcommon::Output::open(o.output_file, o.user);
  if (!output) return fail(output.error());
  // A baseline capture is replayed, so it is read unprivileged like -r.
  std::string baseline_path = o.baseline;
  if (baseline_path.empty() && !o.read_path.empty() && !s.plan.baseline.empty()) {
    if (access(s.plan.baseline.c_str(), R_OK) == 0) baseline_path = s.plan.baseline;
    else std::cerr << "fl-locate: warning: the run's baseline " << s.plan.baseline << " is gone; replaying without\n";
  }
  std::optional<locate::Baseline> baseline;
  if (!baseline_path.empty()) {
    auto b = load_baseline(baseline_path, *asn_db);
    if (!b) return fail(b.error());
    baseline = std::move(*b);
  }
  flcommon::install_signals();
  std::atomic<int>& halt = flcommon::halt_flag();

  Progress progress(isatty(STDERR_FILENO) != 0 && o.read_path.empty());
  locate::CampaignStats stats;
  locate::Campaign campaign;
  if (s.source) {
    campaign = locate::run_campaign(s.plan, *s.source, *s.sink, *s.streams, halt, std::ref(progress), stats);
  } else {
    campaign.prefixes = s.plan.prefixes;
    campaign.methods = s.plan.methods;
    campaign.no_route = s.plan.no_route;
  }
  progress.clear();
  auto report = locate::analyze(campaign, lookup_in(*asn_db), baseline);

  std::ostream& out = output->stream();
  if (o.output == fllocate::OutputFormat::json) out << probe::format::to_json(report).dump() << '\n';
  else probe::format::write_text(out, report);
  int rc = 0;
  if (dot.is_open()) {
    probe::format::write_dot(dot, report, s.plan.src, lookup_in(*asn_db));
    dot.close();
    if (!dot) rc = fail(make_error(ErrorKind::output, "writing " + o.dot_file + " failed"));
  }
  flcommon::RunEnd end;
  end.tool = "fl-locate";
  end.writer = s.writer.get();
  end.source = s.source.get();
  end.read_path = o.read_path;
  end.covers = "the verdict covers";
  end.send_errors = stats.send_errors;
  end.rc = rc;
  return flcommon::finish_run(end, *output);
}
