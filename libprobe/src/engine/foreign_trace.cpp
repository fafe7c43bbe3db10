// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/foreign_trace.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

#include "probe/engine/trace_logic.h"
#include "probe/packet/datagram.h"

namespace probe::engine {

namespace {

using model::Address;
using packet::IpHeader;
using packet::kTcpAck;
using packet::kTcpRst;
using packet::kTcpSyn;

// A reply more than this after its probe is not matched (and the probe's
// keys are forgotten, which keeps memory flat over long captures).
constexpr std::int64_t kMatchWindowUs = 60'000'000;

// What identifies one probe in the headers a reply quotes or echoes.
struct Key {
  Address src, dst;
  std::uint8_t proto = 0;
  std::uint16_t a = 0;  // UDP/TCP source port; ICMP id
  std::uint16_t b = 0;  // UDP/TCP destination port; ICMP sequence
  std::uint32_t c = 0;  // IP ID (first index) or UDP checksum / TCP sequence (second index)
  bool operator==(const Key& o) const {
    return proto == o.proto && a == o.a && b == o.b && c == o.c && src == o.src && dst == o.dst;
  }
};

struct KeyHash {
  std::size_t operator()(const Key& k) const {
    std::size_t h = k.src.hash() * 31 + k.dst.hash();
    h = h * 1000003 ^ (std::size_t{k.proto} << 48 | std::size_t{k.a} << 32 | std::size_t{k.b} << 16);
    return h * 1000003 ^ k.c;
  }
};

struct Probe {
  std::int64_t tx_us = 0;
  std::uint8_t ttl = 0;
  std::uint16_t flow_a = 0;  // sport / ICMP id
  std::uint16_t flow_b = 0;  // dport / ICMP checksum
  std::optional<model::Reply> reply;
};

struct Group {
  Address src, dst;
  model::Method method = model::Method::udp;
  std::vector<Probe> probes;
};

struct Ref {
  std::uint32_t group;
  std::uint32_t probe;
};

std::optional<model::Method> method_of(std::uint8_t proto) {
  switch (proto) {
    case packet::kProtoIcmp: case packet::kProtoIcmp6: return model::Method::icmp;
    case packet::kProtoUdp: return model::Method::udp;
    case packet::kProtoTcp: return model::Method::tcp;
    default: return std::nullopt;
  }
}

// The two lookup keys of a probe header (outgoing or quoted).
std::pair<Key, Key> keys_of(const IpHeader& h) {
  const auto& t = h.transport;
  Key k{h.src, h.dst, h.proto, 0, 0, 0};
  std::uint32_t ident = 0;
  if (h.proto == packet::kProtoIcmp || h.proto == packet::kProtoIcmp6) {
    k.a = t.icmp_id;
    k.b = t.icmp_seq;
  } else {
    k.a = t.sport;
    k.b = t.dport;
    ident = h.proto == packet::kProtoTcp ? t.tcp_seq : t.udp_checksum;
  }
  Key by_ipid = k;
  by_ipid.c = h.ipid;
  Key by_ident = k;
  by_ident.c = ident;
  return {by_ipid, by_ident};
}

bool is_probe(const IpHeader& h) {
  const auto& t = h.transport;
  if (t.length < 8) return false;
  switch (h.proto) {
    case packet::kProtoUdp: return true;
    case packet::kProtoTcp: return t.length >= 14 && (t.tcp_flags & (kTcpSyn | kTcpAck | kTcpRst)) == kTcpSyn;
    case packet::kProtoIcmp: return t.icmp_type == 8;
    case packet::kProtoIcmp6: return t.icmp_type == 128;
    default: return false;
  }
}

bool walks_up(const std::set<std::uint8_t>& ttls) {
  if (ttls.empty() || *ttls.begin() > 5) return false;
  int run = 1;
  for (auto it = std::next(ttls.begin()); it != ttls.end(); ++it) {
    run = *it == *std::prev(it) + 1 ? run + 1 : 1;
    if (run >= 3) return true;
  }
  return false;
}

}  // namespace

struct ForeignTraceBuilder::Impl {
  ForeignStats stats;
  std::vector<Group> groups;
  std::map<std::tuple<Address, Address, std::uint8_t>, std::uint32_t> group_of;
  std::unordered_map<Key, Ref, KeyHash> by_ipid;
  std::unordered_map<Key, Ref, KeyHash> by_ident;
  std::deque<std::tuple<std::int64_t, Key, Key>> expiry;

  void expire(std::int64_t now) {
    while (!expiry.empty() && std::get<0>(expiry.front()) + kMatchWindowUs < now) {
      by_ipid.erase(std::get<1>(expiry.front()));
      by_ident.erase(std::get<2>(expiry.front()));
      expiry.pop_front();
    }
  }

  void add_probe(const IpHeader& h, std::int64_t ts) {
    ++stats.probes;
    auto method = method_of(h.proto);
    auto gk = std::make_tuple(h.src, h.dst, h.proto);
    auto [it, fresh] = group_of.emplace(gk, static_cast<std::uint32_t>(groups.size()));
    if (fresh) groups.push_back(Group{h.src, h.dst, *method, {}});
    Group& g = groups[it->second];
    Probe p;
    p.tx_us = ts;
    p.ttl = h.ttl;
    if (*method == model::Method::icmp) {
      p.flow_a = h.transport.icmp_id;
      p.flow_b = h.transport.icmp_checksum;
    } else {
      p.flow_a = h.transport.sport;
      p.flow_b = h.transport.dport;
    }
    g.probes.push_back(p);
    Ref ref{it->second, static_cast<std::uint32_t>(g.probes.size() - 1)};
    auto [k1, k2] = keys_of(h);
    if (h.src.is_v4()) by_ipid[k1] = ref;
    by_ident[k2] = ref;
    expiry.emplace_back(ts, k1, k2);
  }

  void attach(const Ref& ref, model::Reply reply, std::int64_t ts) {
    Probe& p = groups[ref.group].probes[ref.probe];
    if (p.reply || ts - p.tx_us > kMatchWindowUs || ts < p.tx_us) {
      ++stats.unmatched;
      return;
    }
    reply.rx_us = ts;
    p.reply = std::move(reply);
    ++stats.replies;
  }

  void add(const io::RawPacket& raw) {
    ++stats.packets;
    expire(raw.ts_us);
    auto off = packet::ip_offset(raw.linktype, raw.data, raw.caplen);
    if (!off) {
      ++stats.not_ip;
      return;
    }
    auto d = packet::parse_ip(raw.data + *off, raw.caplen - *off);
    if (!d) {
      ++stats.malformed;
      return;
    }
    const IpHeader& ip = d->ip;
    const auto& t = ip.transport;
    model::Reply r;
    r.addr = ip.src;
    r.reply_ttl = ip.ttl;
    r.reply_ipid = ip.ipid;
    bool v6 = !ip.src.is_v4();

    if (d->is_icmp_error()) {
      bool exceeded = v6 ? t.icmp_type == 3 : t.icmp_type == 11;
      bool unreach = v6 ? t.icmp_type == 1 : t.icmp_type == 3;
      if (!exceeded && !unreach) return;
      // The probe id fields first; the IP ID when a middlebox rewrote the
      // quoted checksum (IPv6 has no IP ID).
      auto [k1, k2] = keys_of(*d->quote);
      const Ref* ref = nullptr;
      if (auto it = by_ident.find(k2); it != by_ident.end()) ref = &it->second;
      if (auto it = by_ipid.find(k1); !ref && !v6 && it != by_ipid.end()) ref = &it->second;
      if (!ref) {
        ++stats.unmatched;
        return;
      }
      r.kind = exceeded ? model::ReplyKind::time_exceeded : model::ReplyKind::unreachable;
      r.icmp_type = t.icmp_type;
      r.icmp_code = t.icmp_code;
      r.quoted_ttl = d->quote->ttl;
      r.mpls = d->mpls;
      attach(*ref, std::move(r), raw.ts_us);
      return;
    }
    bool echo_reply = (ip.proto == packet::kProtoIcmp && t.icmp_type == 0) ||
                      (ip.proto == packet::kProtoIcmp6 && t.icmp_type == 129);
    if (echo_reply && t.length >= 8) {
      Key k{ip.dst, ip.src, ip.proto, t.icmp_id, t.icmp_seq, 0};
      auto it = by_ident.find(k);
      if (it == by_ident.end()) {
        ++stats.unmatched;
        return;
      }
      r.kind = model::ReplyKind::echo_reply;
      r.icmp_type = t.icmp_type;
      attach(it->second, std::move(r), raw.ts_us);
      return;
    }
    if (ip.proto == packet::kProtoTcp && t.length >= 14 &&
        ((t.tcp_flags & (kTcpSyn | kTcpAck)) == (kTcpSyn | kTcpAck) || (t.tcp_flags & kTcpRst))) {
      Key k{ip.dst, ip.src, ip.proto, t.dport, t.sport, t.tcp_ack - 1};
      auto it = by_ident.find(k);
      if (it != by_ident.end()) {
        r.kind = (t.tcp_flags & kTcpRst) ? model::ReplyKind::tcp_rst : model::ReplyKind::tcp_synack;
        r.tcp_flags = t.tcp_flags;
        attach(it->second, std::move(r), raw.ts_us);
        return;
      }
    }
    if (is_probe(ip)) add_probe(ip, raw.ts_us);
  }

  static model::Trace assemble(const Group& g, const std::vector<const Probe*>& probes) {
    model::Trace t;
    t.method = g.method;
    t.src = g.src;
    t.dst = g.dst;
    t.sport = probes.front()->flow_a;
    t.dport = probes.front()->flow_b;
    t.start_us = probes.front()->tx_us;
    std::map<std::uint8_t, model::Hop> hops;
    for (const Probe* p : probes) {
      model::Hop& h = hops[p->ttl];
      h.ttl = p->ttl;
      model::ProbeRecord rec;
      rec.ttl = p->ttl;
      rec.attempt = static_cast<std::uint8_t>(std::min<std::size_t>(h.probes.size() + 1, 255));
      rec.tx_us = p->tx_us;
      rec.reply = p->reply;
      h.probes.push_back(std::move(rec));
    }
    for (auto& [ttl, hop] : hops) {
      bool reached = std::any_of(hop.probes.begin(), hop.probes.end(), [&](const model::ProbeRecord& p) {
        return p.reply && reached_destination(*p.reply, t.dst);
      });
      t.hops.push_back(std::move(hop));
      // Tools that send many TTLs at once (traceroute -N, Dublin) overshoot:
      // the trace ends where the destination first answered.
      if (reached) break;
    }
    t.stop_reason = infer_stop(t);
    return t;
  }

  static model::StopReason infer_stop(const model::Trace& t) {
    bool unreachable = false;
    std::map<Address, std::uint8_t> first_seen;
    bool loop = false;
    for (const auto& h : t.hops) {
      for (const auto& p : h.probes) {
        if (!p.reply) continue;
        if (reached_destination(*p.reply, t.dst)) return model::StopReason::completed;
        if (p.reply->kind == model::ReplyKind::unreachable) unreachable = true;
        auto [it, fresh] = first_seen.emplace(p.reply->addr, h.ttl);
        if (!fresh && it->second + 1 < h.ttl) loop = true;
      }
    }
    if (unreachable) return model::StopReason::unreachable;
    if (loop) return model::StopReason::loop;
    if (!t.hops.empty() && !t.hops.back().reply()) return model::StopReason::gaplimit;
    return model::StopReason::hoplimit;
  }

  // Names what the probes look like: which fields moved, how TTLs advanced.
  static model::Inference infer_scheme(const Group& g, const std::vector<const Probe*>& probes,
                                       bool multipath) {
    model::Inference inf;
    std::set<std::pair<std::uint16_t, std::uint16_t>> flows;
    for (const Probe* p : probes) flows.emplace(p->flow_a, p->flow_b);
    inf.paris = flows.size() == 1;
    inf.scheme = multipath ? "multipath-paris" : inf.paris ? "paris" : "classic";
    bool ttl_restarts = false;
    for (std::size_t i = 1; i < probes.size(); ++i)
      if (probes[i]->ttl < probes[i - 1]->ttl) ttl_restarts = true;
    bool sport_moves = false;
    bool dport_moves = false;
    for (const Probe* p : probes) {
      sport_moves |= p->flow_a != probes.front()->flow_a;
      dport_moves |= p->flow_b != probes.front()->flow_b;
    }
    switch (g.method) {
      case model::Method::udp:
        if (multipath) inf.tool = "dublin-traceroute";
        else if (inf.paris) inf.tool = "scamper or paris-traceroute";
        else if (ttl_restarts) inf.tool = "mtr";
        else inf.tool = "traceroute";
        break;
      case model::Method::icmp:
        if (ttl_restarts) inf.tool = "mtr";
        else if (inf.paris) inf.tool = "scamper or paris-traceroute";
        else inf.tool = "traceroute -I";
        break;
      case model::Method::tcp:
        if (ttl_restarts) inf.tool = "mtr";
        else if (inf.paris && !sport_moves && !dport_moves) inf.tool = "tcptraceroute or scamper";
        else inf.tool = "traceroute -T";
        break;
      case model::Method::dns:
        // Foreign captures are never read as DNS traces; fl-dns's own carry a run record.
        inf.tool = "unknown";
        break;
    }
    return inf;
  }

  std::vector<model::Trace> finish() {
    std::vector<model::Trace> out;
    for (const Group& g : groups) {
      std::set<std::uint8_t> ttls;
      bool icmp_error = false;
      for (const Probe& p : g.probes) {
        ttls.insert(p.ttl);
        icmp_error |= p.reply && (p.reply->kind == model::ReplyKind::time_exceeded ||
                                  p.reply->kind == model::ReplyKind::unreachable);
      }
      // Without an ICMP error quoting one of them, the probes must walk up
      // from a small TTL (1, 2, 3... at least three in a row, starting at 5
      // or below): packets seen mid-path arrive with TTLs of 50 and more.
      if (!icmp_error && !walks_up(ttls)) continue;
      // Several flows, each walking the TTLs itself: one trace per flow
      // (Dublin Traceroute's multipath). Otherwise one trace for the group.
      std::map<std::pair<std::uint16_t, std::uint16_t>, std::vector<const Probe*>> flows;
      for (const Probe& p : g.probes) flows[{p.flow_a, p.flow_b}].push_back(&p);
      bool multipath = flows.size() > 1 && g.method != model::Method::icmp;
      for (const auto& [flow, ps] : flows) {
        std::set<std::uint8_t> flow_ttls;
        for (const Probe* p : ps) flow_ttls.insert(p->ttl);
        if (flow_ttls.size() < 2) multipath = false;
      }
      if (multipath) {
        for (const auto& [flow, ps] : flows) {
          out.push_back(assemble(g, ps));
          out.back().inferred = infer_scheme(g, ps, true);
        }
      } else {
        std::vector<const Probe*> ps;
        for (const Probe& p : g.probes) ps.push_back(&p);
        out.push_back(assemble(g, ps));
        out.back().inferred = infer_scheme(g, ps, false);
      }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const model::Trace& a, const model::Trace& b) { return a.start_us < b.start_us; });
    return out;
  }
};

ForeignTraceBuilder::ForeignTraceBuilder() : impl_(std::make_unique<Impl>()) {}
ForeignTraceBuilder::~ForeignTraceBuilder() = default;
ForeignTraceBuilder::ForeignTraceBuilder(ForeignTraceBuilder&&) noexcept = default;
ForeignTraceBuilder& ForeignTraceBuilder::operator=(ForeignTraceBuilder&&) noexcept = default;
void ForeignTraceBuilder::add(const io::RawPacket& packet) { impl_->add(packet); }
std::vector<model::Trace> ForeignTraceBuilder::finish() { return impl_->finish(); }
const ForeignStats& ForeignTraceBuilder::stats() const { return impl_->stats; }

}  // namespace probe::engine
