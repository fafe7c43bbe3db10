#include "probe/format/trace_json.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <chrono>
#include <iterator>

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

namespace {

using Buffer = fmt::memory_buffer;

void put(Buffer& out, std::string_view s) { out.append(s.data(), s.data() + s.size()); }

// Decimal digits of an unsigned value.
void put_uint(Buffer& out, std::uint64_t v) { fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}"), v); }

void put_int(Buffer& out, std::int64_t v) { fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}"), v); }

// ,"key":value
void put_key(Buffer& out, std::string_view key) {
  put(out, ",\"");
  put(out, key);
  put(out, "\":");
}
void uint_field(Buffer& out, std::string_view key, std::uint64_t v) {
  put_key(out, key);
  put_uint(out, v);
}
void int_field(Buffer& out, std::string_view key, std::int64_t v) {
  put_key(out, key);
  put_int(out, v);
}
void name_field(Buffer& out, std::string_view key, std::string_view name) {
  put_key(out, key);
  out.push_back('"');
  put(out, name);
  out.push_back('"');
}

// A JSON string as nlohmann's dump() writes it (UTF-8 passed through).
void put_string(Buffer& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': put(out, "\\\""); break;
      case '\\': put(out, "\\\\"); break;
      case '\b': put(out, "\\b"); break;
      case '\f': put(out, "\\f"); break;
      case '\n': put(out, "\\n"); break;
      case '\r': put(out, "\\r"); break;
      case '\t': put(out, "\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          fmt::format_to(std::back_inserter(out), FMT_COMPILE("\\u{:04x}"), static_cast<unsigned>(c));
        else out.push_back(c);
    }
  }
  out.push_back('"');
}

// Dotted quads without inet_ntop's printf; IPv6 through to_string().
void put_address(Buffer& out, const model::Address& a) {
  out.push_back('"');
  if (a.is_v4()) {
    for (int i = 0; i < 4; ++i) {
      if (i) out.push_back('.');
      put_uint(out, a.data()[i]);
    }
  } else {
    put(out, a.to_string());
  }
  out.push_back('"');
}

void put_probe(Buffer& out, const model::ProbeRecord& p) {
  put(out, "{\"tx_us\":");
  put_int(out, p.tx_us);
  uint_field(out, "attempt", p.attempt);
  if (!p.reply) {
    out.push_back('}');
    return;
  }
  const model::Reply& r = *p.reply;
  int_field(out, "rtt_us", p.rtt_us());
  put_key(out, "addr");
  put_address(out, r.addr);
  name_field(out, "kind", kind_name(r.kind));
  bool tcp = r.kind == model::ReplyKind::tcp_synack || r.kind == model::ReplyKind::tcp_rst;
  if (tcp) {
    uint_field(out, "tcp_flags", r.tcp_flags);
  } else {
    uint_field(out, "icmp_type", r.icmp_type);
    uint_field(out, "icmp_code", r.icmp_code);
  }
  uint_field(out, "reply_ttl", r.reply_ttl);
  uint_field(out, "reply_ipid", r.reply_ipid);
  if (r.quoted_ttl) uint_field(out, "quoted_ttl", *r.quoted_ttl);
  put(out, ",\"mpls\":[");
  for (std::size_t i = 0; i < r.mpls.size(); ++i) {
    const auto& l = r.mpls[i];
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}{{\"label\":{},\"exp\":{},\"s\":{},\"ttl\":{}}}"),
                   i ? "," : "", l.label, l.exp, l.bottom ? 1 : 0, l.ttl);
  }
  put(out, "]}");
}

void put_trace(Buffer& out, const model::Trace& t) {
  put(out, "{\"type\":\"trace\",\"method\":\"");
  put(out, model::to_string(t.method));
  out.push_back('"');
  put_key(out, "src");
  put_address(out, t.src);
  put_key(out, "dst");
  put_address(out, t.dst);
  uint_field(out, "sport", t.sport);
  uint_field(out, "dport", t.dport);
  int_field(out, "start_us", t.start_us);
  name_field(out, "stop_reason", model::to_string(t.stop_reason));
  if (t.inferred) {
    put(out, ",\"inferred\":{\"scheme\":");
    put_string(out, t.inferred->scheme);
    put(out, ",\"tool\":");
    put_string(out, t.inferred->tool);
    put(out, t.inferred->paris ? ",\"paris\":true}" : ",\"paris\":false}");
  }
  put(out, ",\"hops\":[");
  for (std::size_t i = 0; i < t.hops.size(); ++i) {
    const model::Hop& h = t.hops[i];
    put(out, i ? ",{\"ttl\":" : "{\"ttl\":");
    put_uint(out, h.ttl);
    if (h.inferred_addr) {
      put(out, ",\"addr\":");
      put_address(out, *h.inferred_addr);
      put(out, ",\"inferred\":true");
    }
    put(out, ",\"probes\":[");
    for (std::size_t k = 0; k < h.probes.size(); ++k) {
      if (k) out.push_back(',');
      put_probe(out, h.probes[k]);
    }
    put(out, "]}");
  }
  put(out, "]}");
}

}  // namespace

void append_json(std::string& out, const model::Trace& t) {
  Buffer b;
  put_trace(b, t);
  out.append(b.data(), b.size());
}

JsonLinesWriter::~JsonLinesWriter() { flush(); }

void JsonLinesWriter::write(const model::Trace& trace) {
  fmt::memory_buffer line;
  put_trace(line, trace);
  line.push_back('\n');
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::steady_clock::now().time_since_epoch()).count();
  if (now - last_flush_us_ >= 100000) {
    out_.flush();
    last_flush_us_ = now;
  }
}

void JsonLinesWriter::flush() { out_.flush(); }

}  // namespace probe::format
