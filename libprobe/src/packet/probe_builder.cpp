// SPDX-License-Identifier: BSD-2-Clause
#include "probe/packet/probe_builder.h"

#include <tins/icmp.h>
#include <tins/icmpv6.h>
#include <tins/ip.h>
#include <tins/ipv6.h>
#include <tins/rawpdu.h>
#include <tins/tcp.h>
#include <tins/udp.h>

#include <stdexcept>

#include "probe/packet/checksum.h"

namespace probe::packet {

namespace {

Tins::IPv4Address to_tins(const model::Address& a) {
  return Tins::IPv4Address(Tins::Endian::host_to_be(a.v4_host()));
}

Tins::IPv6Address to_tins6(const model::Address& a) { return Tins::IPv6Address(a.data()); }

// The two payload bytes that make the one's complement sum of everything else
// (`rest`) plus them equal `want`: Paris keeps the checksum a flow constant.
void steer(std::vector<std::uint8_t>& payload, std::uint32_t rest, std::uint16_t want_checksum) {
  std::uint16_t x = ones_sub(static_cast<std::uint16_t>(~want_checksum), fold(rest));
  payload[0] = static_cast<std::uint8_t>(x >> 8);
  payload[1] = static_cast<std::uint8_t>(x);
}

std::uint32_t pseudo_header_sum(const model::Address& src, const model::Address& dst,
                                std::uint8_t proto, std::uint16_t length) {
  // RFC 768 / RFC 8200 8.1: the same sum for both families, over 4 or 16 address bytes.
  std::uint32_t s = sum_words(src.data(), src.size());
  s = sum_words(dst.data(), dst.size(), s);
  return s + proto + length;
}

// The transport (with its payload) inside the family's IP header. IPv6 has
// no IP ID; its flow label is a flow constant like the ports.
std::vector<std::uint8_t> in_ip(const ProbeSpec& spec, const Tins::PDU& transport) {
  if (spec.dst.is_v4()) {
    Tins::IP ip(to_tins(spec.dst), to_tins(spec.src));
    ip.ttl(spec.ttl);
    ip.id(spec.ipid);
    ip /= transport;
    return ip.serialize();
  }
  Tins::IPv6 ip(to_tins6(spec.dst), to_tins6(spec.src));
  ip.hop_limit(spec.ttl);
  ip.flow_label(flow_label(spec.sport, spec.dport));
  ip /= transport;
  return ip.serialize();
}

}  // namespace

std::vector<std::uint8_t> build_probe(const ProbeSpec& spec) {
  if (spec.dst.family() != spec.src.family())
    throw std::invalid_argument("probe source and destination are of different families");
  if (spec.token == 0) throw std::invalid_argument("probe token 0 cannot be carried");
  if (spec.method == model::Method::icmp && spec.dport == 0xffff)
    throw std::invalid_argument("ICMP checksum 0xffff cannot be carried");
  const bool v6 = !spec.dst.is_v4();
  std::uint16_t plen = spec.payload_len < 2 ? 2 : spec.payload_len;
  std::vector<std::uint8_t> payload(plen, 0);
  for (std::size_t i = 2; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>('f' + i % 8);

  switch (spec.method) {
    case model::Method::icmp: {
      if (v6) {
        // The ICMPv6 checksum also covers the pseudo header (RFC 4443 2.3):
        // constant within a flow, so the steering holds it all the same.
        std::uint16_t len = static_cast<std::uint16_t>(8 + plen);
        std::uint32_t rest = pseudo_header_sum(spec.src, spec.dst, 58, len) + 0x8000u + spec.sport +
                             spec.token + sum_words(payload.data() + 2, plen - 2);
        steer(payload, rest, spec.dport);
        Tins::ICMPv6 icmp(Tins::ICMPv6::ECHO_REQUEST);
        icmp.identifier(spec.sport);
        icmp.sequence(spec.token);
        return in_ip(spec, icmp / Tins::RawPDU(payload.data(), static_cast<std::uint32_t>(payload.size())));
      }
      // ICMP checksum = ~(type/code + id + seq + payload): hold it at spec.dport.
      std::uint32_t rest = 0x0800u + spec.sport + spec.token + sum_words(payload.data() + 2, plen - 2);
      steer(payload, rest, spec.dport);
      Tins::ICMP icmp(Tins::ICMP::ECHO_REQUEST);
      icmp.id(spec.sport);
      icmp.sequence(spec.token);
      return in_ip(spec, icmp / Tins::RawPDU(payload.data(), static_cast<std::uint32_t>(payload.size())));
    }
    case model::Method::dns:
      // The DNS ID is the steering field: the message replaces the payload.
      if (spec.dns_message.size() < 12) throw std::invalid_argument("DNS probe without a DNS message");
      payload = spec.dns_message;
      plen = static_cast<std::uint16_t>(payload.size());
      [[fallthrough]];
    case model::Method::udp: {
      // UDP checksum = ~(pseudo header + header + payload): make it the token.
      std::uint16_t ulen = static_cast<std::uint16_t>(8 + plen);
      std::uint32_t rest = pseudo_header_sum(spec.src, spec.dst, 17, ulen) +
                           spec.sport + spec.dport + ulen + sum_words(payload.data() + 2, plen - 2);
      steer(payload, rest, spec.token);
      Tins::UDP udp(spec.dport, spec.sport);
      return in_ip(spec, udp / Tins::RawPDU(payload.data(), static_cast<std::uint32_t>(payload.size())));
    }
    case model::Method::tcp: {
      Tins::TCP tcp(spec.dport, spec.sport);
      tcp.flags(Tins::TCP::SYN);
      tcp.seq(tcp_sequence(spec.tcp_tag, spec.token));
      tcp.window(65535);
      tcp.mss(1460);
      return in_ip(spec, tcp);
    }
  }
  throw std::invalid_argument("unknown probe method");
}

std::uint32_t flow_label(std::uint16_t sport, std::uint16_t dport) {
  // The top 20 bits of a multiplicative hash of the ports: flows of one run
  // get labels as different as their ports. Never 0, which RFC 6437 reserves
  // for "no label" (routers then hash the 5-tuple instead).
  std::uint32_t h = ((std::uint32_t{sport} << 16) | dport) * 2654435761u;
  std::uint32_t label = h >> 12;
  return label == 0 ? 1 : label;
}

}  // namespace probe::packet
