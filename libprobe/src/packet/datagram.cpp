// SPDX-License-Identifier: BSD-2-Clause
#include "probe/packet/datagram.h"

#include "probe/packet/checksum.h"

namespace probe::packet {

namespace {

using model::Address;
using model::Family;

std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

bool is_icmp4_error(std::uint8_t type) { return type == 3 || type == 11 || type == 12; }
bool is_icmp6_error(std::uint8_t type) { return type >= 1 && type <= 4; }

void parse_transport(std::uint8_t proto, const std::uint8_t* p, std::size_t len, Transport& t) {
  t = Transport{};
  t.length = len;
  if (proto == kProtoIcmp || proto == kProtoIcmp6) {
    if (len >= 1) t.icmp_type = p[0];
    if (len >= 2) t.icmp_code = p[1];
    if (len >= 4) t.icmp_checksum = be16(p + 2);
    if (len >= 6) t.icmp_id = be16(p + 4);
    if (len >= 8) t.icmp_seq = be16(p + 6);
  } else if (proto == kProtoUdp || proto == kProtoTcp) {
    if (len >= 2) t.sport = be16(p);
    if (len >= 4) t.dport = be16(p + 2);
    if (proto == kProtoUdp) {
      if (len >= 8) t.udp_checksum = be16(p + 6);
      if (len >= 10) t.udp_payload_head = be16(p + 8);
    } else {
      if (len >= 8) t.tcp_seq = be32(p + 4);
      if (len >= 12) t.tcp_ack = be32(p + 8);
      if (len >= 14) t.tcp_flags = p[13];
    }
  }
}

// Parses the IP header at data; `payload` gets the offset of the transport
// header. For quotes the total length field is not trusted (routers rewrite
// it, and the quote is cut short anyway): the bytes at hand bound everything.
// Fills h in place (no struct copies on the per-frame path); false if the
// bytes are not an IP header, h then undefined.
bool parse_header(const std::uint8_t* data, std::size_t len, bool quoted, IpHeader& h,
                  std::size_t& payload, std::size_t& end) {
  if (len < 1) return false;
  int version = data[0] >> 4;
  h.ipid = 0;
  if (version == 4) {
    if (len < 20) return false;
    std::size_t ihl = std::size_t{data[0] & 0x0fu} * 4;
    if (ihl < 20 || ihl > len) return false;
    std::size_t total = be16(data + 2);
    end = len;
    if (!quoted && total >= ihl && total < len) end = total;  // strip link-layer padding
    h.src = Address::from_bytes(Family::v4, data + 12);
    h.dst = Address::from_bytes(Family::v4, data + 16);
    h.proto = data[9];
    h.ttl = data[8];
    h.ipid = be16(data + 4);
    payload = ihl;
    // A non-first fragment carries no transport header.
    if ((be16(data + 6) & 0x1fff) != 0) h.proto = 0;
  } else if (version == 6) {
    if (len < 40) return false;
    std::size_t plen = be16(data + 4);
    end = len;
    if (!quoted && 40 + plen < len) end = 40 + plen;
    h.src = Address::from_bytes(Family::v6, data + 8);
    h.dst = Address::from_bytes(Family::v6, data + 24);
    h.ttl = data[7];
    std::uint8_t next = data[6];
    std::size_t off = 40;
    // Walk the extension headers we can step over; give up on anything else.
    for (int guard = 0; guard < 8; ++guard) {
      if (next == 0 || next == 43 || next == 60) {
        if (off + 2 > end) break;
        std::size_t hlen = (std::size_t{data[off + 1]} + 1) * 8;
        next = data[off];
        off += hlen;
      } else if (next == 44) {
        if (off + 8 > end) break;
        bool first = (be16(data + off + 2) & 0xfff8) == 0;
        next = first ? data[off] : 0;
        off += 8;
      } else {
        break;
      }
    }
    if (off > end) off = end;
    h.proto = next;
    payload = off;
  } else {
    return false;
  }
  parse_transport(h.proto, data + payload, end - payload, h.transport);
  return true;
}

}  // namespace

bool parse_ip(const std::uint8_t* data, std::size_t len, Datagram& d) {
  std::size_t payload = 0;
  std::size_t end = 0;
  d.quote.reset();
  d.mpls.clear();
  if (!parse_header(data, len, false, d.ip, payload, end)) return false;
  d.ip.transport_offset = payload;
  d.ip.end = end;
  const Transport& t = d.ip.transport;
  bool v6 = !d.ip.src.is_v4();
  bool error = (d.ip.proto == kProtoIcmp && !v6 && is_icmp4_error(t.icmp_type)) ||
               (d.ip.proto == kProtoIcmp6 && v6 && is_icmp6_error(t.icmp_type));
  if (error && t.length >= 8) {
    const std::uint8_t* icmp = data + payload;
    std::size_t icmp_len = end - payload;
    std::size_t q_payload = 0;
    std::size_t q_end = 0;
    IpHeader& q = d.quote.emplace();
    if (parse_header(icmp + 8, icmp_len - 8, true, q, q_payload, q_end)) {
      parse_mpls_extension(icmp, icmp_len, v6, d.mpls);
    } else {
      d.quote.reset();
    }
  }
  return true;
}

std::optional<Datagram> parse_ip(const std::uint8_t* data, std::size_t len) {
  Datagram d;
  if (!parse_ip(data, len, d)) return std::nullopt;
  return d;
}

std::vector<model::MplsLabel> parse_mpls_extension(const std::uint8_t* icmp, std::size_t len,
                                                   bool v6) {
  std::vector<model::MplsLabel> labels;
  parse_mpls_extension(icmp, len, v6, labels);
  return labels;
}

void parse_mpls_extension(const std::uint8_t* icmp, std::size_t len, bool v6,
                          std::vector<model::MplsLabel>& labels) {
  if (len < 8) return;
  // RFC 4884: the original-datagram length, in 32-bit words (v4) or 64-bit words (v6).
  std::size_t words = v6 ? icmp[4] : icmp[5];
  std::size_t ext;
  if (words != 0) {
    ext = 8 + words * (v6 ? 8 : 4);
  } else {
    // Non-compliant (pre-RFC 4884) routers put the extension right after a
    // 128-byte quote and leave the length at zero.
    ext = 8 + 128;
  }
  if (ext + 4 > len) return;
  const std::uint8_t* e = icmp + ext;
  std::size_t elen = len - ext;
  if ((e[0] >> 4) != 2) return;
  std::uint16_t csum = be16(e + 2);
  if (csum != 0 && internet_checksum(e, elen) != 0) return;
  std::size_t off = 4;
  while (off + 4 <= elen) {
    std::size_t olen = be16(e + off);
    std::uint8_t cls = e[off + 2];
    std::uint8_t ctype = e[off + 3];
    if (olen < 4 || off + olen > elen) break;
    if (cls == 1 && ctype == 1) {
      for (std::size_t i = off + 4; i + 4 <= off + olen; i += 4) {
        std::uint32_t v = be32(e + i);
        model::MplsLabel l;
        l.label = v >> 12;
        l.exp = static_cast<std::uint8_t>((v >> 9) & 0x7);
        l.bottom = (v >> 8) & 1;
        l.ttl = static_cast<std::uint8_t>(v & 0xff);
        labels.push_back(l);
      }
    }
    off += olen;
  }
}

bool linktype_supported(int linktype) {
  switch (linktype) {
    case 0: case 1: case 9: case 12: case 14: case 101: case 108: case 113: case 228:
    case 229: case 276:
      return true;
    default:
      return false;
  }
}

std::optional<std::size_t> ip_offset(int linktype, const std::uint8_t* data, std::size_t len) {
  auto ether_type_ok = [](std::uint16_t et) { return et == 0x0800 || et == 0x86dd; };
  // Past an MPLS label stack (to the entry with the S bit), when the IP
  // version nibble after it says IPv4 or IPv6.
  auto skip_mpls = [&](std::size_t at) -> std::optional<std::size_t> {
    for (int guard = 0; guard < 16 && at + 4 <= len; ++guard) {
      bool bottom = data[at + 2] & 1;
      at += 4;
      if (bottom) {
        if (at < len && ((data[at] >> 4) == 4 || (data[at] >> 4) == 6)) return at;
        return std::nullopt;
      }
    }
    return std::nullopt;
  };
  std::size_t off = 0;
  switch (linktype) {
    case 1: {  // Ethernet, with any number of 802.1Q / 802.1ad tags
      if (len < 14) return std::nullopt;
      std::uint16_t et = be16(data + 12);
      off = 14;
      for (int guard = 0; guard < 4 && (et == 0x8100 || et == 0x88a8 || et == 0x9100); ++guard) {
        if (off + 4 > len) return std::nullopt;
        et = be16(data + off + 2);
        off += 4;
      }
      if (et == 0x8847 || et == 0x8848) return skip_mpls(off);
      if (!ether_type_ok(et)) return std::nullopt;
      break;
    }
    case 0: case 108: {  // BSD null / loopback: 4-byte family, either byte order
      if (len < 4) return std::nullopt;
      std::uint32_t fam = be32(data);
      std::uint32_t swapped = ((fam & 0xff) << 24) | ((fam & 0xff00) << 8) |
                              ((fam >> 8) & 0xff00) | (fam >> 24);
      auto ip_family = [](std::uint32_t f) { return f == 2 || f == 10 || f == 24 || f == 28 || f == 30; };
      if (!ip_family(fam) && !ip_family(swapped)) return std::nullopt;
      off = 4;
      break;
    }
    case 9: {  // PPP, with or without address/control bytes
      if (len >= 2 && data[0] == 0xff && data[1] == 0x03) off = 2;
      if (off + 2 > len) return std::nullopt;
      std::uint16_t proto = be16(data + off);
      if (proto == 0x0281 || proto == 0x0283) return skip_mpls(off + 2);
      if (proto != 0x0021 && proto != 0x0057) return std::nullopt;
      off += 2;
      break;
    }
    case 12: case 14: case 101: case 228: case 229:
      off = 0;
      break;
    case 113: {  // Linux cooked SLL
      if (len < 16 || !ether_type_ok(be16(data + 14))) return std::nullopt;
      off = 16;
      break;
    }
    case 276: {  // Linux cooked SLL2 (libtins does not know it)
      if (len < 20 || !ether_type_ok(be16(data))) return std::nullopt;
      off = 20;
      break;
    }
    default:
      return std::nullopt;
  }
  if (off >= len) return std::nullopt;
  return off;
}

void parse_frame(int linktype, const std::uint8_t* data, std::size_t caplen, ParsedFrame& out) {
  auto off = ip_offset(linktype, data, caplen);
  out.ip = off.has_value();
  out.ok = off && parse_ip(data + *off, caplen - *off, out.datagram);
}

}  // namespace probe::packet
