#include "probe/format/trace_json.h"

namespace probe::format {

namespace {

std::string_view kind_name(model::ReplyKind k) {
  switch (k) {
    case model::ReplyKind::time_exceeded: return "time_exceeded";
    case model::ReplyKind::unreachable: return "unreachable";
    case model::ReplyKind::echo_reply: return "echo_reply";
    case model::ReplyKind::tcp_synack: return "tcp_synack";
    case model::ReplyKind::tcp_rst: return "tcp_rst";
    case model::ReplyKind::dns_response: return "dns_response";
  }
  return "?";
}

nlohmann::ordered_json probe_json(const model::ProbeRecord& p) {
  nlohmann::ordered_json j;
  j["tx_us"] = p.tx_us;
  j["attempt"] = p.attempt;
  if (!p.reply) return j;
  const model::Reply& r = *p.reply;
  j["rtt_us"] = p.rtt_us();
  j["addr"] = r.addr.to_string();
  j["kind"] = kind_name(r.kind);
  bool tcp = r.kind == model::ReplyKind::tcp_synack || r.kind == model::ReplyKind::tcp_rst;
  if (tcp) {
    j["tcp_flags"] = r.tcp_flags;
  } else {
    j["icmp_type"] = r.icmp_type;
    j["icmp_code"] = r.icmp_code;
  }
  j["reply_ttl"] = r.reply_ttl;
  j["reply_ipid"] = r.reply_ipid;
  if (r.quoted_ttl) j["quoted_ttl"] = *r.quoted_ttl;
  nlohmann::ordered_json mpls = nlohmann::ordered_json::array();
  for (const auto& l : r.mpls)
    mpls.push_back({{"label", l.label}, {"exp", l.exp}, {"s", l.bottom ? 1 : 0}, {"ttl", l.ttl}});
  j["mpls"] = std::move(mpls);
  return j;
}

}  // namespace

nlohmann::ordered_json to_json(const model::Trace& t) {
  nlohmann::ordered_json hops = nlohmann::ordered_json::array();
  for (const auto& h : t.hops) {
    nlohmann::ordered_json probes = nlohmann::ordered_json::array();
    for (const auto& p : h.probes) probes.push_back(probe_json(p));
    nlohmann::ordered_json hop = {{"ttl", h.ttl}};
    if (h.inferred_addr) {
      hop["addr"] = h.inferred_addr->to_string();
      hop["inferred"] = true;
    }
    hop["probes"] = std::move(probes);
    hops.push_back(std::move(hop));
  }
  nlohmann::ordered_json j;
  j["type"] = "trace";
  j["method"] = model::to_string(t.method);
  j["src"] = t.src.to_string();
  j["dst"] = t.dst.to_string();
  j["sport"] = t.sport;
  j["dport"] = t.dport;
  j["start_us"] = t.start_us;
  j["stop_reason"] = model::to_string(t.stop_reason);
  if (t.inferred)
    j["inferred"] = {{"scheme", t.inferred->scheme}, {"tool", t.inferred->tool}, {"paris", t.inferred->paris}};
  j["hops"] = std::move(hops);
  return j;
}

void JsonLinesWriter::write(const model::Trace& trace) {
  out_ << to_json(trace).dump() << '\n';
  out_.flush();
}

}  // namespace probe::format
