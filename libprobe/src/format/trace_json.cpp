// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/trace_json.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <string>

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

// The writer behind append_json and JsonLinesWriter. A replayed campaign
// prints a hundred megabytes of these lines, so it writes through a raw
// pointer into room reserved ahead (need()), copies keys as fixed-size
// literals and turns integers into digits two at a time.
class Out {
 public:
  explicit Out(fmt::memory_buffer& b) : b_(b), p_(b.data() + b.size()), end_(p_) {}
  ~Out() { b_.resize(static_cast<std::size_t>(p_ - b_.data())); }
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;

  // Room for n more bytes: every put below writes into room asked for first.
  void need(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) >= n) return;
    std::size_t at = static_cast<std::size_t>(p_ - b_.data());
    b_.resize(std::max(at + n, 2 * b_.size() + 4096));
    p_ = b_.data() + at;
    end_ = b_.data() + b_.size();
  }

  template <std::size_t N>
  void lit(const char (&s)[N]) {
    std::memcpy(p_, s, N - 1);
    p_ += N - 1;
  }
  void str(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void ch(char c) { *p_++ = c; }
  // A literal (",\"key\":") and a number after it.
  template <std::size_t N>
  void uint(const char (&key)[N], std::uint64_t v) {
    lit(key);
    uint(v);
  }
  template <std::size_t N>
  void sint(const char (&key)[N], std::int64_t v) {
    lit(key);
    sint(v);
  }

  void uint(std::uint64_t v) {
    int n = digits(v);
    char* at = p_ + n;
    while (v >= 100) {
      at -= 2;
      std::memcpy(at, kPairs + (v % 100) * 2, 2);
      v /= 100;
    }
    if (v >= 10) std::memcpy(at - 2, kPairs + v * 2, 2);
    else at[-1] = static_cast<char>('0' + v);
    p_ += n;
  }
  void sint(std::int64_t v) {
    if (v < 0) {
      ch('-');
      uint(0 - static_cast<std::uint64_t>(v));
    } else {
      uint(static_cast<std::uint64_t>(v));
    }
  }

  // Dotted quads without inet_ntop's printf; IPv6 through to_string().
  void address(const model::Address& a) {
    ch('"');
    if (a.is_v4()) {
      const std::uint8_t* d = a.data();
      for (int i = 0; i < 4; ++i) {
        if (i) ch('.');
        std::memcpy(p_, kOctets[d[i]].text, 4);
        p_ += kOctets[d[i]].size;
      }
    } else {
      str(a.to_string());
    }
    ch('"');
  }

  // A JSON string as nlohmann's dump() writes it (UTF-8 passed through).
  void string(std::string_view s) {
    need(2 + 6 * s.size());
    ch('"');
    for (char c : s) {
      switch (c) {
        case '"': lit("\\\""); break;
        case '\\': lit("\\\\"); break;
        case '\b': lit("\\b"); break;
        case '\f': lit("\\f"); break;
        case '\n': lit("\\n"); break;
        case '\r': lit("\\r"); break;
        case '\t': lit("\\t"); break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            lit("\\u00");
            ch("0123456789abcdef"[(c >> 4) & 0xf]);
            ch("0123456789abcdef"[c & 0xf]);
          } else {
            ch(c);
          }
      }
    }
    ch('"');
  }

 private:
  static int digits(std::uint64_t v) {
    int n = 1;
    for (;;) {
      if (v < 10) return n;
      if (v < 100) return n + 1;
      if (v < 1000) return n + 2;
      if (v < 10000) return n + 3;
      v /= 10000;
      n += 4;
    }
  }

  struct Octet {
    char text[4];
    std::uint8_t size;
  };
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  static const std::array<Octet, 256> kOctets;

  fmt::memory_buffer& b_;
  char* p_;
  char* end_;
};

const std::array<Out::Octet, 256> Out::kOctets = [] {
  std::array<Octet, 256> t{};
  for (int v = 0; v < 256; ++v) {
    std::string s = std::to_string(v);
    std::memcpy(t[v].text, s.data(), s.size());
    t[v].size = static_cast<std::uint8_t>(s.size());
  }
  return t;
}();

// Upper bounds of what one piece prints, for Out::need().
constexpr std::size_t kAddressMax = 2 + 45;  // quoted INET6_ADDRSTRLEN - 1
constexpr std::size_t kProbeMax = 256 + kAddressMax;
constexpr std::size_t kLabelMax = 64;
constexpr std::size_t kHopMax = 64 + kAddressMax;
constexpr std::size_t kTraceHeadMax = 256 + 2 * kAddressMax;

void put_probe(Out& out, const model::ProbeRecord& p) {
  std::size_t labels = p.reply ? p.reply->mpls.size() : 0;
  out.need(kProbeMax + labels * kLabelMax);
  out.sint("{\"tx_us\":", p.tx_us);
  out.uint(",\"attempt\":", p.attempt);
  if (!p.reply) {
    out.ch('}');
    return;
  }
  const model::Reply& r = *p.reply;
  out.sint(",\"rtt_us\":", p.rtt_us());
  out.lit(",\"addr\":");
  out.address(r.addr);
  out.lit(",\"kind\":\"");
  out.str(kind_name(r.kind));
  out.ch('"');
  bool tcp = r.kind == model::ReplyKind::tcp_synack || r.kind == model::ReplyKind::tcp_rst;
  if (tcp) {
    out.uint(",\"tcp_flags\":", r.tcp_flags);
  } else {
    out.uint(",\"icmp_type\":", r.icmp_type);
    out.uint(",\"icmp_code\":", r.icmp_code);
  }
  out.uint(",\"reply_ttl\":", r.reply_ttl);
  out.uint(",\"reply_ipid\":", r.reply_ipid);
  if (r.quoted_ttl) {
    out.uint(",\"quoted_ttl\":", *r.quoted_ttl);
  }
  out.lit(",\"mpls\":[");
  for (std::size_t i = 0; i < r.mpls.size(); ++i) {
    const auto& l = r.mpls[i];
    if (i) out.ch(',');
    out.uint("{\"label\":", l.label);
    out.uint(",\"exp\":", l.exp);
    out.lit(",\"s\":");
    out.ch(l.bottom ? '1' : '0');
    out.uint(",\"ttl\":", l.ttl);
    out.ch('}');
  }
  out.lit("]}");
}

void put_trace(Out& out, const model::Trace& t) {
  out.need(kTraceHeadMax);
  out.lit("{\"type\":\"trace\",\"method\":\"");
  out.str(model::to_string(t.method));
  out.lit("\",\"src\":");
  out.address(t.src);
  out.lit(",\"dst\":");
  out.address(t.dst);
  out.uint(",\"sport\":", t.sport);
  out.uint(",\"dport\":", t.dport);
  out.sint(",\"start_us\":", t.start_us);
  out.lit(",\"stop_reason\":\"");
  out.str(model::to_string(t.stop_reason));
  out.ch('"');
  if (t.inferred) {
    out.lit(",\"inferred\":{\"scheme\":");
    out.string(t.inferred->scheme);
    out.need(32);
    out.lit(",\"tool\":");
    out.string(t.inferred->tool);
    out.need(32);
    if (t.inferred->paris) out.lit(",\"paris\":true}");
    else out.lit(",\"paris\":false}");
  }
  out.lit(",\"hops\":[");
  for (std::size_t i = 0; i < t.hops.size(); ++i) {
    const model::Hop& h = t.hops[i];
    out.need(kHopMax);
    if (i) out.ch(',');
    out.uint("{\"ttl\":", h.ttl);
    if (h.inferred_addr) {
      out.lit(",\"addr\":");
      out.address(*h.inferred_addr);
      out.lit(",\"inferred\":true");
    }
    out.lit(",\"probes\":[");
    for (std::size_t k = 0; k < h.probes.size(); ++k) {
      if (k) out.ch(',');
      put_probe(out, h.probes[k]);
    }
    out.need(4);
    out.lit("]}");
  }
  out.need(4);
  out.lit("]}");
}

}  // namespace

void append_json(std::string& out, const model::Trace& t) {
  fmt::memory_buffer b;
  {
    Out o(b);
    put_trace(o, t);
  }
  out.append(b.data(), b.size());
}

struct JsonLinesWriter::Buffer {
  fmt::memory_buffer b;
};

JsonLinesWriter::JsonLinesWriter(std::ostream& out) : out_(out), buf_(std::make_unique<Buffer>()) {}

JsonLinesWriter::~JsonLinesWriter() { flush(); }

void JsonLinesWriter::write(const model::Trace& trace) {
  fmt::memory_buffer& b = buf_->b;
  {
    Out o(b);
    put_trace(o, trace);
    o.need(1);
    o.ch('\n');
  }
  // Each line goes to the stream as it is made (the stream buffers it);
  // buf_ only saves an allocation per line.
  out_.write(b.data(), static_cast<std::streamsize>(b.size()));
  b.clear();
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::steady_clock::now().time_since_epoch()).count();
  if (now - last_flush_us_ >= 100000) {
    flush();
    last_flush_us_ = now;
  }
}

void JsonLinesWriter::flush() { out_.flush(); }

}  // namespace probe::format
