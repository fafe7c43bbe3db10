// SPDX-License-Identifier: BSD-2-Clause
#include "probe/record/campaign_record.h"

#include <cstdint>
#include <limits>
#include <utility>

#include "probe/packet/dns.h"
#include "fields.h"
#include "record_reader.h"

namespace probe::record {

namespace {

using detail::FieldReader;

constexpr std::size_t kMaxMethods = 16;
constexpr std::int64_t kMaxBudgetUs = std::int64_t{3600} * 1000000;

}  // namespace

std::string to_comment(const locate::CampaignPlan& p) {
  std::vector<std::string> methods;
  for (const auto& m : p.methods) methods.push_back(m.label());
  nlohmann::json j = {
      {"methods", methods},
      {"prefixes", detail::texts(p.prefixes)},
      {"targets", detail::texts(p.targets)},
      {"target_prefix", p.target_prefix},
      {"controls", detail::texts(p.controls)},
      {"asns", p.asns},
      {"country", p.country},
      {"zone", p.zone},
      {"parents", detail::texts(p.parents)},
      {"asn_db", p.asn_db},
      {"baseline", p.baseline},
      {"no_route", p.no_route},
  };
  detail::FieldWriter fields(j);
  detail::campaign_fields(fields, p);
  // Absent means 0, as in the records written before the frontier phase:
  // those read and write back the same.
  if (p.budget_us != 0) j["budget_us"] = p.budget_us;
  // Absent means false, as in the records written before the frontier
  // phase asked the controls: a replay of those sends what they hold.
  if (p.ask_controls) j["ask_controls"] = true;
  // Absent means unnamed, as in the records written before reports named
  // their vantage.
  if (!p.vantage.empty()) j["vantage"] = p.vantage;
  return detail::tagged(std::move(j), "fl-locate", p.interface, p.src, p.run_key);
}

Result<locate::CampaignPlan> parse_campaign_record(const std::string& comment) {
  return detail::read_record<locate::CampaignPlan>(comment, [](const FieldReader& f) -> Result<locate::CampaignPlan> {
    const auto tool = f.string("tool");
    if (tool != "fl-locate") return make_error(ErrorKind::input, "written by " + tool + ", not fl-locate");
    locate::CampaignPlan p;
    p.interface = f.string("interface");
    p.src = f.address("src");
    p.run_key = f.run_key();
    detail::campaign_fields(f, p);
    // Optional, unlike the fields above: captures from before the frontier
    // phase have no budget, and replay without the phase.
    p.budget_us = f.has("budget_us") ? f.integer("budget_us", 0, kMaxBudgetUs) : 0;
    p.ask_controls = f.boolean_or("ask_controls", false);
    if (f.has("vantage")) {
      p.vantage = f.string("vantage");
      if (auto why = locate::vantage_name_problem(p.vantage)) f.fail("vantage", *why);
    }
    for (const auto& m : f.strings("methods")) {
      auto spec = locate::MethodSpec::parse(m);
      if (!spec) f.fail("methods", "'" + m.substr(0, 40) + "' is not a method");
      p.methods.push_back(*spec);
    }
    if (p.methods.size() > kMaxMethods) f.fail("methods", "more than " + std::to_string(kMaxMethods));
    for (const auto& s : f.strings("prefixes")) {
      auto pf = model::Prefix::parse(s);
      if (!pf) f.fail("prefixes", "'" + s.substr(0, 40) + "' is not a prefix");
      p.prefixes.push_back(*pf);
    }
    p.targets = f.addresses("targets");
    const auto last_prefix = static_cast<std::int64_t>(p.prefixes.size()) - 1;
    for (auto i : f.integers("target_prefix", 0, last_prefix)) p.target_prefix.push_back(static_cast<int>(i));
    if (p.target_prefix.size() != p.targets.size()) f.fail("target_prefix", "does not match targets");
    p.controls = f.addresses("controls");
    for (auto a : f.integers("asns", 0, std::numeric_limits<std::uint32_t>::max()))
      p.asns.push_back(static_cast<std::uint32_t>(a));
    p.country = f.string("country");
    p.zone = f.string("zone");
    if (!p.zone.empty()) {
      auto z = packet::normalize_dns_name(p.zone);
      if (!z || *z != p.zone) f.fail("zone", "'" + p.zone.substr(0, 40) + "' is not a normalized DNS name");
    }
    p.parents = f.addresses("parents");
    p.asn_db = f.string("asn_db");
    p.baseline = f.string("baseline");
    p.no_route = f.string("no_route");
    return p;
  });
}

}  // namespace probe::record
