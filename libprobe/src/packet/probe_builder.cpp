// SPDX-License-Identifier: BSD-2-Clause
#include "probe/packet/probe_builder.h"

#include <tins/icmp.h>
#include <tins/ip.h>
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

// The two payload bytes that make the one's complement sum of everything else
// (`rest`) plus them equal `want`: Paris keeps the checksum a flow constant.
void steer(std::vector<std::uint8_t>& payload, std::uint32_t rest, std::uint16_t want_checksum) {
  std::uint16_t x = ones_sub(static_cast<std::uint16_t>(~want_checksum), fold(rest));
  payload[0] = static_cast<std::uint8_t>(x >> 8);
  payload[1] = static_cast<std::uint8_t>(x);
}

std::uint32_t pseudo_header_sum(const model::Address& src, const model::Address& dst,
                                std::uint8_t proto, std::uint16_t length) {
  std::uint32_t s = sum_words(src.data(), 4);
  s = sum_words(dst.data(), 4, s);
  return s + proto + length;
}

}  // namespace

std::vector<std::uint8_t> build_probe(const ProbeSpec& spec) {
  if (!spec.dst.is_v4() || !spec.src.is_v4())
    throw std::invalid_argument("IPv6 probes are not supported yet");
  if (spec.token == 0) throw std::invalid_argument("probe token 0 cannot be carried");
  if (spec.method == model::Method::icmp && spec.dport == 0xffff)
    throw std::invalid_argument("ICMP checksum 0xffff cannot be carried");
  Tins::IP ip(to_tins(spec.dst), to_tins(spec.src));
  ip.ttl(spec.ttl);
  ip.id(spec.ipid);
  std::uint16_t plen = spec.payload_len < 2 ? 2 : spec.payload_len;
  std::vector<std::uint8_t> payload(plen, 0);
  for (std::size_t i = 2; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>('f' + i % 8);

  switch (spec.method) {
    case model::Method::icmp: {
      // ICMP checksum = ~(type/code + id + seq + payload): hold it at spec.dport.
      std::uint32_t rest = 0x0800u + spec.sport + spec.token + sum_words(payload.data() + 2, plen - 2);
      steer(payload, rest, spec.dport);
      Tins::ICMP icmp(Tins::ICMP::ECHO_REQUEST);
      icmp.id(spec.sport);
      icmp.sequence(spec.token);
      ip /= icmp / Tins::RawPDU(payload.data(), static_cast<std::uint32_t>(payload.size()));
      break;
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
      ip /= udp / Tins::RawPDU(payload.data(), static_cast<std::uint32_t>(payload.size()));
      break;
    }
    case model::Method::tcp: {
      Tins::TCP tcp(spec.dport, spec.sport);
      tcp.flags(Tins::TCP::SYN);
      tcp.seq(tcp_sequence(spec.tcp_tag, spec.token));
      tcp.window(65535);
      tcp.mss(1460);
      ip /= tcp;
      break;
    }
  }
  return ip.serialize();
}

}  // namespace probe::packet
