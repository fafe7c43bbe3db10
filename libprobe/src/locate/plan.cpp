// SPDX-License-Identifier: BSD-2-Clause
#include "probe/locate/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <unordered_set>
#include <utility>

#include "probe/excerpt.h"
#include "probe/io/privileges.h"
#include "probe/model/targets.h"
#include "probe/record/baseline.h"
#include "probe/record/campaign_record.h"

namespace probe::locate {

namespace {

// A target list the user named, read with the user's rights.
Result<std::vector<std::string>> read_list(const std::string& path) {
  auto file = io::open_as_invoker(path);
  if (!file) return file.error();
  return model::read_target_file(file->fd(), path);
}

// `yes`: host bits set are taken as the block they stand for.
Result<std::vector<model::Prefix>> parse_prefixes(const std::vector<std::string>& specs, const std::string& where,
                                                  bool yes) {
  std::vector<model::Prefix> out;
  for (const auto& s : specs) {
    auto p = model::Prefix::parse(s);
    if (!p) return make_error(ErrorKind::usage, fmt::format("{}bad prefix '{}'", where, excerpt(s)));
    if (!p->base.is_v4()) return make_error(ErrorKind::usage, "IPv6 prefix " + excerpt(s) + ": IPv6 probing is not supported yet");
    // A typo of an address or of the length: say which block it stands for.
    if (!yes && *model::Address::parse(std::string_view(s).substr(0, s.find('/'))) != p->base)
      return make_error(ErrorKind::usage, fmt::format("{}prefix {} has host bits set: the block is {} (give that, or --yes)",
                                                      where, excerpt(s), p->to_string()));
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

// The first national prefix holding `a` (its index), or -1.
int prefix_of(const std::vector<model::Prefix>& prefixes, const model::Address& a) {
  for (std::size_t i = 0; i < prefixes.size(); ++i)
    if (prefixes[i].contains(a)) return static_cast<int>(i);
  return -1;
}

// Takes the addresses of one hitlist line that lie in a national prefix, in
// address order, until plan.targets holds max_targets (false then: enough).
// Only the parts of the line's block inside a national prefix are walked,
// so a line as wide as 0.0.0.0/0 costs what it yields.
bool take_block(const model::Prefix& block, std::size_t max_targets, CampaignPlan& plan,
                std::unordered_set<model::Address>& seen, HitlistUse& use) {
  if (!block.base.is_v4()) {
    use.outside += block.count();  // no national prefix is IPv6
    return true;
  }
  const std::uint64_t lo = block.base.v4_host(), hi = lo + block.count() - 1;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> parts;  // inclusive, inside national prefixes
  for (const auto& n : plan.prefixes) {
    const std::uint64_t nlo = n.base.v4_host(), nhi = nlo + n.count() - 1;
    if (nlo <= hi && lo <= nhi) parts.emplace_back(std::max(lo, nlo), std::min(hi, nhi));
  }
  std::sort(parts.begin(), parts.end());
  std::uint64_t cursor = lo;  // the first address not yet counted
  for (const auto& [from, to] : parts) {
    if (to < cursor) continue;
    std::uint64_t a = std::max(from, cursor);
    use.outside += a - cursor;
    for (; a <= to; ++a) {
      if (plan.targets.size() >= max_targets) return false;
      auto addr = model::Address::v4(static_cast<std::uint32_t>(a));
      if (seen.insert(addr).second) {
        plan.targets.push_back(addr);
        plan.target_prefix.push_back(prefix_of(plan.prefixes, addr));
      }
    }
    cursor = to + 1;
  }
  use.outside += hi + 1 - cursor;
  return plan.targets.size() < max_targets;
}

// --hitlist: its addresses inside a national prefix, in the file's order,
// read only until max_targets are taken.
Result<bool> take_hitlist(const CampaignRequest& r, CampaignPlan& plan, HitlistUse& use) {
  auto file = io::open_as_invoker(r.hitlist);
  if (!file) return file.error();
  std::unordered_set<model::Address> seen;
  std::optional<Error> bad;
  std::size_t last = 0;
  auto read = model::read_target_file(file->fd(), r.hitlist, [&](const std::string& spec, std::size_t line) {
    last = line;
    auto block = model::Prefix::parse(spec);
    if (!block) {
      bad = make_error(ErrorKind::input, fmt::format("{}:{}: bad target '{}': not an address or CIDR block",
                                                     r.hitlist, line, excerpt(spec)));
      return false;
    }
    return take_block(*block, r.max_targets, plan, seen, use);
  });
  if (!read) return read.error();
  if (bad) return *bad;
  if (plan.targets.size() >= r.max_targets) use.stopped_at = last;
  return true;
}

}  // namespace

Result<bool> national_prefixes(const CampaignRequest& r, const model::AsnDb& asn_db, CampaignPlan& plan) {
  auto given = parse_prefixes(r.prefixes, "", r.yes);
  if (!given) return given.error();
  plan.prefixes = *given;
  if (!r.prefix_file.empty()) {
    auto lines = read_list(r.prefix_file);
    if (!lines) return lines.error();
    auto more = parse_prefixes(*lines, r.prefix_file + ": ", r.yes);
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
  if (!r.yes) {
    // Counted, not listed: a typo of a /1 costs nothing.
    std::uint64_t blocks = 0;
    for (const auto& p : plan.prefixes) blocks += p.length >= 24 ? 1 : p.count() / 256;
    if (blocks > kMaxBlocks)
      return make_error(ErrorKind::usage,
                        fmt::format("the national prefixes hold {} /24 blocks, more than {} (a /8): a typo? fl-locate "
                                    "samples --max-targets {} targets from them; give --yes to go on",
                                    blocks, kMaxBlocks, r.max_targets));
  }
  plan.asns = r.asns;
  plan.country = r.country;
  return true;
}

Result<CampaignPlan> plan_campaign(const CampaignRequest& r, const model::AsnDb& asn_db,
                                   const std::string& asn_db_path, const io::RunKey& key,
                                   HitlistUse& hitlist) {
  hitlist = {};
  CampaignPlan plan;
  plan.asn_db = absolute_path(asn_db_path);
  if (auto ok = national_prefixes(r, asn_db, plan); !ok) return ok.error();
  plan.run_key = key.key;
  plan.sport = key.sport;
  if (!r.hitlist.empty()) {
    if (auto ok = take_hitlist(r, plan, hitlist); !ok) return ok.error();
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
  plan.budget_us = r.budget_us;
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
  CampaignCapture c{std::move(*plan), std::move(*v)};
  // The closing annotation holds all the opening one does and what the run
  // learnt after; a cut capture has only the opening one. Another tool's
  // notes are none of ours: left alone.
  const std::string tag = record::kAnnotationTag;
  auto ours = [&tag](const std::string& note) { return note.compare(0, tag.size(), tag) == 0; };
  const std::string* note = nullptr;
  if (c.vantage.closing && ours(*c.vantage.closing)) note = &*c.vantage.closing;
  for (auto it = c.vantage.opening.rbegin(); !note && it != c.vantage.opening.rend(); ++it)
    if (ours(*it)) note = &*it;
  if (note) {
    auto a = record::parse_campaign_annotation(*note);
    if (!a) return make_error(ErrorKind::input, path + ": annotation: " + a.error().message);
    if (a->run_key != c.plan.run_key) return make_error(ErrorKind::input, path + ": annotation of another run");
    c.annotation = std::move(*a);
  }
  return c;
}

namespace {

// What a campaign knows before its first probe: the national prefixes'
// first addresses, targets, controls, parents, and the baseline's hops,
// which are most of the routers this run will meet.
std::vector<model::Address> known_before(const CampaignPlan& plan, const std::optional<Baseline>& baseline) {
  std::vector<model::Address> known;
  for (const auto& p : plan.prefixes) known.push_back(p.base);
  for (const auto* list : {&plan.targets, &plan.controls, &plan.parents})
    known.insert(known.end(), list->begin(), list->end());
  if (baseline)
    for (const auto& p : baseline->paths)
      for (const auto& h : p.hops) known.push_back(h.addr);
  return known;
}

void annotate(io::CaptureWriter& writer, const CampaignPlan& plan, std::vector<model::Address> known,
              const AsLookup& lookup, const std::optional<Baseline>& baseline) {
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  record::CampaignAnnotation a;
  a.run_key = plan.run_key;
  for (const auto& addr : known) a.hosts.emplace_back(addr, lookup(addr));
  a.baseline = baseline;
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  writer.write_comment(record::to_comment(a), now.count());
}

}  // namespace

void annotate_start(io::CaptureWriter& writer, const CampaignPlan& plan, const AsLookup& lookup,
                    const std::optional<Baseline>& baseline) {
  annotate(writer, plan, known_before(plan, baseline), lookup, baseline);
}

void annotate_end(io::CaptureWriter& writer, const CampaignPlan& plan, const Campaign& campaign,
                  const std::vector<model::Address>& looked_up, const AsLookup& lookup,
                  const std::optional<Baseline>& baseline) {
  auto known = known_before(plan, baseline);
  auto seen = record::addresses_of(campaign);
  known.insert(known.end(), seen.begin(), seen.end());
  known.insert(known.end(), looked_up.begin(), looked_up.end());
  annotate(writer, plan, std::move(known), lookup, baseline);
}

Result<Baseline> load_baseline(const std::string& path, const AsLookup& lookup) {
  auto file = io::open_as_invoker(path);
  if (!file) return file.error();
  // The same open file by name, for the capture readers.
  auto comment = io::read_section_comment(file->reopen_name());
  if (comment && *comment) {
    // Replayed whole, every trace held until the analysis: capped as the
    // JSON is, before a packet is read.
    if (auto big = io::refuse_larger(*file, kMaxBaselineCaptureBytes, "a capture baseline")) return *big;
    auto c = open_campaign(path);
    if (!c) return c.error();
    std::atomic<int> never{0};
    CampaignStats stats;
    auto quiet = [](const CampaignProgress&) {};
    auto campaign = run_campaign(c->plan, *c->vantage.source, *c->vantage.sink, *c->vantage.streams, never, quiet, stats);
    auto b = baseline_of(analyze(campaign, lookup, std::nullopt));
    b.source = path;
    return b;
  }
  auto text = io::read_all(*file, kMaxBaselineBytes, "a JSON baseline");
  if (!text) return text.error();
  auto b = record::parse_baseline_json(*text);
  if (!b) return make_error(ErrorKind::input, path + ": " + b.error().message);
  b->source = path;
  return b;
}

}  // namespace probe::locate
