#include "probe/locate/plan.h"

#include <fmt/format.h>

#include <atomic>
#include <filesystem>

#include "probe/excerpt.h"
#include "probe/format/locate_report.h"
#include "probe/io/privileges.h"
#include "probe/model/targets.h"
#include "probe/record/campaign_record.h"

namespace probe::locate {

namespace {

// A target list the user named, read with the user's rights.
Result<std::vector<std::string>> read_list(const std::string& path) {
  auto file = io::open_as_invoker(path);
  if (!file) return file.error();
  return model::read_target_file(file->fd(), path);
}

Result<std::vector<model::Prefix>> parse_prefixes(const std::vector<std::string>& specs, const std::string& where) {
  std::vector<model::Prefix> out;
  for (const auto& s : specs) {
    auto p = model::Prefix::parse(s);
    if (!p) return make_error(ErrorKind::usage, fmt::format("{}bad prefix '{}'", where, excerpt(s)));
    if (!p->base.is_v4()) return make_error(ErrorKind::usage, "IPv6 prefix " + excerpt(s) + ": IPv6 probing is not supported yet");
    out.push_back(*p);
  }
  return out;
}

Result<std::vector<model::Address>> parse_addresses(const std::vector<std::string>& specs, const char* what) {
  std::vector<model::Address> out;
  for (const auto& s : specs) {
    auto a = model::Address::parse(s);
    if (!a || !a->is_v4()) return make_error(ErrorKind::usage, fmt::format("bad {} address '{}' (IPv4)", what, excerpt(s)));
    out.push_back(*a);
  }
  return out;
}

// Appends the IPv4 ones of `prefixes`; how many.
std::size_t add_v4(const std::vector<model::Prefix>& prefixes, std::vector<model::Prefix>& to) {
  std::size_t n = 0;
  for (const auto& p : prefixes)
    if (p.base.is_v4()) {
      to.push_back(p);
      ++n;
    }
  return n;
}

}  // namespace

Result<bool> national_prefixes(const CampaignRequest& r, const model::AsnDb& asn_db, CampaignPlan& plan) {
  auto given = parse_prefixes(r.prefixes, "");
  if (!given) return given.error();
  plan.prefixes = *given;
  if (!r.prefix_file.empty()) {
    auto lines = read_list(r.prefix_file);
    if (!lines) return lines.error();
    auto more = parse_prefixes(*lines, r.prefix_file + ": ");
    if (!more) return make_error(ErrorKind::input, more.error().message);
    plan.prefixes.insert(plan.prefixes.end(), more->begin(), more->end());
  }
  if (!r.country.empty()) {
    const std::string path = r.country_db.empty() ? model::default_country_db_path() : r.country_db;
    auto db = r.country_db.empty() ? model::CountryDb::load(path) : io::load_as_invoker<model::CountryDb>(path);
    if (!db) return db.error();
    if (add_v4(db->prefixes_of(r.country), plan.prefixes) == 0)
      return make_error(ErrorKind::usage, fmt::format("{} has no IPv4 prefixes for country {}", path, r.country));
  }
  for (auto asn : r.asns)
    if (add_v4(asn_db.prefixes_of(asn), plan.prefixes) == 0)
      return make_error(ErrorKind::usage, fmt::format("the IP->AS table has no IPv4 prefixes for AS{}", asn));
  plan.asns = r.asns;
  plan.country = r.country;
  return true;
}

Result<CampaignPlan> plan_campaign(const CampaignRequest& r, const model::AsnDb& asn_db,
                                   const std::string& asn_db_path, const io::RunKey& key,
                                   std::size_t& hitlist_outside) {
  hitlist_outside = 0;
  CampaignPlan plan;
  plan.asn_db = absolute_path(asn_db_path);
  if (auto ok = national_prefixes(r, asn_db, plan); !ok) return ok.error();
  plan.run_key = key.key;
  plan.sport = key.sport;
  if (!r.hitlist.empty()) {
    auto lines = read_list(r.hitlist);
    if (!lines) return lines.error();
    auto addrs = model::expand_targets(*lines);
    if (!addrs) return make_error(ErrorKind::input, r.hitlist + ": " + addrs.error().message);
    hitlist_outside = use_hitlist(plan, *addrs, r.max_targets);
  } else {
    pick_targets(plan, r.per_block, r.max_targets, plan.run_key);
  }
  if (plan.targets.empty()) return make_error(ErrorKind::usage, "no national target to probe");
  auto controls = parse_addresses(r.controls, "control");
  if (!controls) return controls.error();
  plan.controls = *controls;
  auto parents = parse_addresses(r.parents, "parent");
  if (!parents) return parents.error();
  plan.parents = *parents;
  plan.zone = r.zone;
  plan.methods = r.methods;
  plan.max_ttl = static_cast<std::uint8_t>(r.max_ttl);
  plan.attempts = static_cast<std::uint8_t>(r.attempts);
  plan.gaplimit = r.gaplimit;
  plan.wait_us = r.wait_us;
  plan.pps = r.pps;
  plan.baseline = absolute_path(r.baseline);
  return plan;
}

std::string absolute_path(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

AsLookup lookup_in(const model::AsnDb& db) {
  return [&db](const model::Address& a) { return db.lookup(a); };
}

Result<CampaignCapture> open_campaign(const std::string& path) {
  auto v = io::open_replay(path);
  if (!v) return v.error();
  if (!v->record) return make_error(ErrorKind::input, path + ": not a faultline capture (no run record)");
  auto plan = record::parse_campaign_record(*v->record);
  if (!plan) return make_error(ErrorKind::input, path + ": " + plan.error().message);
  return CampaignCapture{std::move(*plan), std::move(*v)};
}

Result<Baseline> load_baseline(const std::string& path, const model::AsnDb& asn_db) {
  auto file = io::open_as_invoker(path);
  if (!file) return file.error();
  // The same open file by name, for the capture readers.
  auto comment = io::read_section_comment(file->reopen_name());
  if (comment && *comment) {
    auto c = open_campaign(path);
    if (!c) return c.error();
    std::atomic<int> never{0};
    CampaignStats stats;
    auto quiet = [](const CampaignProgress&) {};
    auto campaign = run_campaign(c->plan, *c->vantage.source, *c->vantage.sink, *c->vantage.streams, never, quiet, stats);
    auto b = format::baseline_of(analyze(campaign, lookup_in(asn_db), std::nullopt));
    b.source = path;
    return b;
  }
  auto text = io::read_all(*file, kMaxBaselineBytes, "a JSON baseline");
  if (!text) return text.error();
  auto b = format::parse_baseline_json(*text);
  if (!b) return make_error(ErrorKind::input, path + ": " + b.error().message);
  b->source = path;
  return b;
}

}  // namespace probe::locate
