// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/monitor_json.h"

#include "probe/model/words.h"

namespace probe::format {

using nlohmann::json;
using namespace probe::monitor;

namespace {

json to_json(const RoundRef& r) { return {{"round", r.id}, {"start_us", r.start_us}, {"end_us", r.end_us}}; }

json to_json(const Finding& f) {
  return {{"round", f.round},
          {"verdict", std::string(model::to_word(f.verdict))},
          {"break", f.break_hop.empty() ? json() : json(f.break_hop)}};
}

// A malformed row is reported as such (nullopt), never thrown past here.
std::optional<RoundRef> round_from(const json& j) {
  if (!j.is_object()) return std::nullopt;
  return RoundRef{j.at("round").get<std::int64_t>(), j.at("start_us").get<std::int64_t>(),
                  j.at("end_us").get<std::int64_t>()};
}

std::optional<Finding> finding_from(const json& j) {
  if (!j.is_object()) return std::nullopt;
  auto v = model::from_word<model::Verdict>(j.at("verdict").get<std::string>());
  if (!v) throw json::other_error::create(501, "verdict", nullptr);
  return Finding{j.at("round").get<std::int64_t>(), *v, j.at("break").is_string() ? j["break"].get<std::string>() : ""};
}

json optional_round(const std::optional<RoundRef>& r) { return r ? to_json(*r) : json(); }

}  // namespace

json to_json(const Outage& o) {
  json changes = json::array();
  for (const auto& c : o.changes) changes.push_back(to_json(c));
  return {{"key", o.key},
          {"scope", to_word(o.scope)},
          {"state", to_word(o.worst)},
          {"start_us", o.start_us()},
          {"end_us", o.end_us() ? json(*o.end_us()) : json()},
          {"duration_us", o.duration_us() ? json(*o.duration_us()) : json()},
          {"last_good", optional_round(o.last_good)},
          {"first_bad", to_json(o.first_bad)},
          {"last_bad", to_json(o.last_bad)},
          {"first_good", optional_round(o.first_good)},
          {"rounds", o.rounds},
          {"detected", o.detected ? to_json(*o.detected) : json()},
          {"changes", changes}};
}

json to_json(const Event& e, const std::string& country, const std::string& vantage) {
  json j = {{"event", to_word(e.kind)}};
  if (!country.empty()) j["country"] = country;
  if (!vantage.empty()) j["vantage"] = vantage;
  j["outage"] = to_json(e.outage);
  return j;
}

json to_json(const KeyState& k) {
  return {{"scope", to_word(k.scope)},
          {"state", to_word(k.state)},
          {"last_good", optional_round(k.last_good)},
          {"outage", k.outage ? to_json(*k.outage) : json()}};
}

std::optional<Outage> outage_from_json(const json& j) {
  try {
    Outage o;
    o.key = j.at("key").get<std::string>();
    auto scope = scope_from_word(j.at("scope").get<std::string>());
    auto worst = state_from_word(j.at("state").get<std::string>());
    auto first = round_from(j.at("first_bad"));
    auto last = round_from(j.at("last_bad"));
    if (!scope || !worst || !first || !last) return std::nullopt;
    o.scope = *scope;
    o.worst = *worst;
    o.first_bad = *first;
    o.last_bad = *last;
    o.last_good = round_from(j.at("last_good"));
    o.first_good = round_from(j.at("first_good"));
    o.rounds = j.at("rounds").get<std::int64_t>();
    o.detected = finding_from(j.at("detected"));
    for (const auto& c : j.at("changes"))
      if (auto f = finding_from(c)) o.changes.push_back(*f);
    return o;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::optional<KeyState> key_state_from_json(const json& j) {
  try {
    KeyState k;
    auto scope = scope_from_word(j.at("scope").get<std::string>());
    auto state = state_from_word(j.at("state").get<std::string>());
    if (!scope || !state) return std::nullopt;
    k.scope = *scope;
    k.state = *state;
    k.last_good = round_from(j.at("last_good"));
    if (!j.at("outage").is_null()) {
      k.outage = outage_from_json(j["outage"]);
      if (!k.outage) return std::nullopt;
    }
    return k;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace probe::format
