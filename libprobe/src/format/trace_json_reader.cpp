// SPDX-License-Identifier: BSD-2-Clause
#include <array>
#include <utility>

#include "json_fields.h"
#include "probe/format/trace_json.h"

namespace probe::format {

namespace {

using nlohmann::json;

using detail::address;
using detail::Bad;
using detail::field;
using detail::number;
using detail::text;
using detail::word;

constexpr std::array<std::pair<const char*, model::ReplyKind>, 6> kKinds{{
    {"time_exceeded", model::ReplyKind::time_exceeded},
    {"unreachable", model::ReplyKind::unreachable},
    {"echo_reply", model::ReplyKind::echo_reply},
    {"tcp_synack", model::ReplyKind::tcp_synack},
    {"tcp_rst", model::ReplyKind::tcp_rst},
    {"dns_response", model::ReplyKind::dns_response},
}};

constexpr std::array<std::pair<const char*, model::StopReason>, 7> kStops{{
    {"none", model::StopReason::none},
    {"completed", model::StopReason::completed},
    {"unreachable", model::StopReason::unreachable},
    {"gaplimit", model::StopReason::gaplimit},
    {"loop", model::StopReason::loop},
    {"hoplimit", model::StopReason::hoplimit},
    {"halted", model::StopReason::halted},
}};

model::ProbeRecord probe_of(const json& j, std::uint8_t ttl) {
  model::ProbeRecord p;
  p.ttl = ttl;
  p.tx_us = number<std::int64_t>(j, "tx_us");
  p.attempt = number<std::uint8_t>(j, "attempt");
  if (!j.contains("addr")) return p;
  model::Reply r;
  r.addr = address(j, "addr");
  r.kind = word(j, "kind", kKinds);
  r.rx_us = p.tx_us + number<std::int64_t>(j, "rtt_us");
  if (r.kind == model::ReplyKind::tcp_synack || r.kind == model::ReplyKind::tcp_rst) {
    r.tcp_flags = number<std::uint8_t>(j, "tcp_flags");
  } else {
    r.icmp_type = number<std::uint8_t>(j, "icmp_type");
    r.icmp_code = number<std::uint8_t>(j, "icmp_code");
  }
  r.reply_ttl = number<std::uint8_t>(j, "reply_ttl");
  r.reply_ipid = number<std::uint16_t>(j, "reply_ipid");
  if (j.contains("quoted_ttl")) r.quoted_ttl = number<std::uint8_t>(j, "quoted_ttl");
  const json& mpls = field(j, "mpls");
  if (!mpls.is_array()) throw Bad{"\"mpls\" is not an array"};
  for (const auto& l : mpls)
    r.mpls.push_back({number<std::uint32_t>(l, "label"), number<std::uint8_t>(l, "exp"), number<int>(l, "s") != 0,
                      number<std::uint8_t>(l, "ttl")});
  p.reply = std::move(r);
  return p;
}

model::Trace read_trace(const json& j) {
  if (!j.is_object() || !j.contains("type") || j["type"] != "trace") throw Bad{"not a trace object"};
  model::Trace t;
  auto method = model::parse_method(text(j, "method"));
  if (!method) throw Bad{"\"method\": unknown value"};
  t.method = *method;
  t.src = address(j, "src");
  t.dst = address(j, "dst");
  t.sport = number<std::uint16_t>(j, "sport");
  t.dport = number<std::uint16_t>(j, "dport");
  t.start_us = number<std::int64_t>(j, "start_us");
  t.stop_reason = word(j, "stop_reason", kStops);
  if (j.contains("inferred")) {
    const json& inf = j["inferred"];
    t.inferred = model::Inference{text(inf, "scheme"), text(inf, "tool"), field(inf, "paris").get<bool>()};
  }
  const json& hops = field(j, "hops");
  if (!hops.is_array()) throw Bad{"\"hops\" is not an array"};
  for (const auto& h : hops) {
    model::Hop hop(number<std::uint8_t>(h, "ttl"));
    if (h.contains("addr")) hop.inferred_addr = address(h, "addr");
    const json& probes = field(h, "probes");
    if (!probes.is_array()) throw Bad{"\"probes\" is not an array"};
    for (const auto& p : probes) hop.probes.push_back(probe_of(p, hop.ttl));
    t.hops.push_back(std::move(hop));
  }
  return t;
}

}  // namespace

Result<model::Trace> trace_from_json(const nlohmann::json& j) {
  try {
    return read_trace(j);
  } catch (const Bad& b) {
    return make_error(ErrorKind::input, "trace: " + b.what);
  } catch (const json::exception& e) {
    // get<> of a value out of its type's range, or of the wrong kind.
    return make_error(ErrorKind::input, std::string("trace: ") + e.what());
  }
}

}  // namespace probe::format
