// SPDX-License-Identifier: BSD-2-Clause
#include "probe/match/classify.h"


namespace probe::match {

namespace {

using model::Method;
using model::ReplyKind;
using packet::IpHeader;
using packet::Transport;
using packet::kTcpAck;
using packet::kTcpRst;
using packet::kTcpSyn;

std::uint8_t proto_of(Method m, bool v6) {
  switch (m) {
    case Method::icmp: return v6 ? packet::kProtoIcmp6 : packet::kProtoIcmp;
    case Method::udp:
    case Method::dns: return packet::kProtoUdp;
    case Method::tcp: return packet::kProtoTcp;
  }
  return 0;
}

std::uint8_t echo_request(bool v6) { return v6 ? 128 : 8; }
std::uint8_t echo_reply(bool v6) { return v6 ? 129 : 0; }

// The probe identity carried in a header we sent (outgoing, or quoted back).
// Quotes may hold only 8 transport bytes: enough for every field used here.
bool probe_fields(const IpHeader& h, const Identity& id, Evidence& e) {
  bool v6 = !h.src.is_v4();
  if (h.proto != proto_of(id.method, v6) || h.transport.length < 8) return false;
  const Transport& t = h.transport;
  e.target = h.dst;
  switch (id.method) {
    case Method::icmp:
      if (t.icmp_type != echo_request(v6) || t.icmp_code != 0) return false;
      e.flow = Flow{t.icmp_id, t.icmp_checksum};
      e.token = t.icmp_seq;
      return true;
    case Method::udp:
    case Method::dns:
      e.flow = Flow{t.sport, t.dport};
      e.token = t.udp_checksum;
      return true;
    case Method::tcp:
      if ((t.tcp_seq >> 16) != id.tcp_tag) return false;
      e.flow = Flow{t.sport, t.dport};
      e.token = static_cast<std::uint16_t>(t.tcp_seq);
      return true;
  }
  return false;
}

void fill_reply_header(const packet::Datagram& d, Evidence& e) {
  e.kind = Evidence::Kind::reply;
  e.reply.addr = d.ip.src;
  e.reply.reply_ttl = d.ip.ttl;
  e.reply.reply_ipid = d.ip.ipid;
}

}  // namespace

std::optional<Evidence> classify(const packet::Datagram& d, const Identity& id) {
  Evidence e;
  const IpHeader& ip = d.ip;
  const Transport& t = ip.transport;
  bool v6 = !ip.src.is_v4();

  if (ip.src == id.src && !d.is_icmp_error()) {
    // One of our own probes, as it left.
    if (id.method == Method::tcp && (t.tcp_flags & (kTcpSyn | kTcpAck | kTcpRst)) != kTcpSyn)
      return std::nullopt;
    if (!probe_fields(ip, id, e)) return std::nullopt;
    e.kind = Evidence::Kind::probe;
    e.probe_ttl = ip.ttl;
    return e;
  }
  if (ip.dst != id.src) return std::nullopt;

  if (d.is_icmp_error()) {
    const IpHeader& q = *d.quote;
    if (q.src != id.src || !probe_fields(q, id, e)) return std::nullopt;
    fill_reply_header(d, e);
    e.reply.icmp_type = t.icmp_type;
    e.reply.icmp_code = t.icmp_code;
    bool exceeded = v6 ? t.icmp_type == 3 : t.icmp_type == 11;
    bool unreach = v6 ? t.icmp_type == 1 : t.icmp_type == 3;
    if (!exceeded && !unreach) return std::nullopt;  // parameter problem, too big: not ours to read
    e.reply.kind = exceeded ? ReplyKind::time_exceeded : ReplyKind::unreachable;
    e.reply.quoted_ttl = q.ttl;
    e.reply.mpls = d.mpls;
    return e;
  }

  switch (id.method) {
    case Method::icmp:
      if (ip.proto != proto_of(Method::icmp, v6) || t.length < 8 || t.icmp_type != echo_reply(v6))
        return std::nullopt;
      fill_reply_header(d, e);
      e.target = ip.src;
      e.flow = Flow{t.icmp_id, 0};
      e.flow_dport_known = false;  // the reply's checksum differs from the request's
      e.token = t.icmp_seq;
      e.reply.kind = ReplyKind::echo_reply;
      e.reply.icmp_type = t.icmp_type;
      e.reply.icmp_code = t.icmp_code;
      return e;
    case Method::tcp: {
      if (ip.proto != packet::kProtoTcp || t.length < 14) return std::nullopt;
      bool synack = (t.tcp_flags & (kTcpSyn | kTcpAck)) == (kTcpSyn | kTcpAck);
      bool rst = (t.tcp_flags & kTcpRst) != 0;
      if (!synack && !rst) return std::nullopt;
      // Both answer our SYN with ack = seq + 1.
      std::uint32_t seq = t.tcp_ack - 1;
      if ((seq >> 16) != id.tcp_tag) return std::nullopt;
      fill_reply_header(d, e);
      e.target = ip.src;
      e.flow = Flow{t.dport, t.sport};
      e.token = static_cast<std::uint16_t>(seq);
      e.reply.kind = synack ? ReplyKind::tcp_synack : ReplyKind::tcp_rst;
      e.reply.tcp_flags = t.tcp_flags;
      return e;
    }
    case Method::udp:
      return std::nullopt;  // UDP probes are answered by ICMP only
    case Method::dns: {
      // A DNS response from the server's port 53 to our port: the ID says which probe.
      if (ip.proto != packet::kProtoUdp || t.length < 8 || t.sport != 53 || !t.udp_payload_head)
        return std::nullopt;
      fill_reply_header(d, e);
      e.target = ip.src;
      e.flow = Flow{t.dport, t.sport};
      e.token = 0;
      e.dns_id = t.udp_payload_head;
      e.reply.kind = ReplyKind::dns_response;
      return e;
    }
  }
  return std::nullopt;
}

}  // namespace probe::match
