// SPDX-License-Identifier: BSD-2-Clause
// fl-locate's JSON report read back (fl-locate --merge). A DOM under a size
// cap: a merge reads a handful of reports once, and needs most of each.

#include <fmt/format.h>

#include "json_fields.h"
#include "probe/format/locate_report.h"
#include "probe/model/words.h"

namespace probe::format {

namespace {

using detail::address;
using detail::Bad;
using detail::field;
using detail::number;
using detail::text;
using nlohmann::json;

template <class Enum>
Enum word_of(const json& j, const char* name) {
  auto v = model::from_word<Enum>(text(j, name));
  if (!v) throw Bad{fmt::format("\"{}\": unknown value", name)};
  return *v;
}

bool flag(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_boolean()) throw Bad{fmt::format("\"{}\" is not a boolean", name)};
  return v.get<bool>();
}

const json& list(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_array()) throw Bad{fmt::format("\"{}\" is not a list", name)};
  return v;
}

std::optional<locate::HopReport> hop_of(const json& j) {
  if (j.is_null()) return std::nullopt;
  locate::HopReport h;
  h.addr = address(j, "addr");
  h.ttl = number<std::uint8_t>(j, "ttl");
  if (!field(j, "asn").is_null()) {
    const json& name = field(j, "as_name");
    h.as = locate::AsName{number<std::uint32_t>(j, "asn"), name.is_string() ? name.get<std::string>() : ""};
  }
  h.national = flag(j, "national");
  h.border = flag(j, "border");
  if (!field(j, "unreachable_code").is_null()) h.unreachable_code = number<std::uint8_t>(j, "unreachable_code");
  return h;
}

locate::BreakReport break_of(const json& j) {
  return {hop_of(field(j, "after")), hop_of(field(j, "before")), number<std::size_t>(j, "failing"),
          number<std::size_t>(j, "sharing")};
}

locate::TargetReport target_of(const json& j) {
  locate::TargetReport t;
  t.addr = address(j, "addr");
  t.prefix = number<int>(j, "prefix");
  t.reached = flag(j, "reached");
  t.unprobed = j.contains("unprobed") && flag(j, "unprobed");
  t.last_hop = hop_of(field(j, "last_hop"));
  for (const auto& h : list(j, "path")) t.path.push_back({number<std::uint8_t>(h, "ttl"), address(h, "addr")});
  return t;
}

locate::Report report_of(const json& j) {
  if (!j.is_object() || !j.contains("type") || j["type"] != "locate") throw Bad{"not an fl-locate report"};
  locate::Report r;
  if (j.contains("vantage")) {
    const json& v = j["vantage"];
    if (!v.is_object()) throw Bad{"\"vantage\" is not an object"};
    if (!field(v, "name").is_null()) r.vantage.name = text(v, "name");
    if (!field(v, "source").is_null()) r.vantage.source = address(v, "source");
  }
  r.verdict = word_of<model::Verdict>(j, "verdict");
  r.confidence = word_of<model::Confidence>(j, "confidence");
  r.reason = text(j, "reason");
  r.interrupted = j.contains("interrupted") && flag(j, "interrupted");
  r.brk = break_of(field(j, "break"));
  for (const auto& p : list(j, "prefixes")) {
    locate::PrefixReport pr;
    auto prefix = model::Prefix::parse(text(p, "prefix"));
    if (!prefix) throw Bad{"\"prefix\" is not a prefix"};
    pr.prefix = *prefix;
    pr.verdict = word_of<model::Verdict>(p, "verdict");
    pr.status = word_of<model::PrefixStatus>(p, "status");
    pr.targets = number<std::size_t>(p, "targets");
    pr.reached = number<std::size_t>(p, "reached");
    if (p.contains("unprobed")) pr.unprobed = number<std::size_t>(p, "unprobed");
    if (pr.reached > pr.targets || pr.unprobed > pr.targets) throw Bad{"a prefix counts more than its targets"};
    pr.brk = break_of(field(p, "break"));
    r.prefixes.push_back(std::move(pr));
  }
  const json& dns = field(j, "dns");
  if (!dns.is_null()) {
    model::ZoneReport z;
    z.zone = text(dns, "zone");
    z.verdict = word_of<model::ZoneVerdict>(dns, "verdict");
    for (const auto& s : list(dns, "servers")) {
      model::ZoneServer server;
      server.name = text(s, "name");
      server.addr = address(s, "addr");
      server.status = word_of<model::ServerStatus>(s, "status");
      z.servers.push_back(std::move(server));
    }
    r.dns = std::move(z);
  }
  const json& control = field(j, "control");
  r.control.targets = number<std::size_t>(control, "targets");
  r.control.reached = number<std::size_t>(control, "reached");
  r.control.ok = flag(control, "ok");
  for (const auto& t : list(j, "targets")) r.targets.push_back(target_of(t));
  for (const auto& t : list(j, "controls")) r.controls.push_back(target_of(t));
  for (const auto& t : r.targets)
    if (t.prefix < -1 || t.prefix >= static_cast<int>(r.prefixes.size())) throw Bad{"a target's prefix is out of range"};
  return r;
}

}  // namespace

Result<locate::Report> read_locate_report(std::string_view text) {
  if (text.size() > kMaxLocateReportBytes)
    return make_error(ErrorKind::input, fmt::format("report: larger than {} bytes", kMaxLocateReportBytes));
  try {
    return report_of(json::parse(text));
  } catch (const Bad& b) {
    return make_error(ErrorKind::input, "report: " + b.what);
  } catch (const json::exception& e) {
    // Not JSON, or a number out of its field's range.
    return make_error(ErrorKind::input, std::string("report: ") + e.what());
  }
}

}  // namespace probe::format
