// SPDX-License-Identifier: BSD-2-Clause
#include "probe/packet/dns.h"

#include <tins/dns.h>
#include <tins/ip.h>
#include <tins/ipv6.h>
#include <tins/rawpdu.h>
#include <tins/udp.h>

#include <array>
#include <cctype>
#include <cstdio>

#include "probe/packet/probe_builder.h"

namespace probe::packet {

namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

struct TypeName {
  std::uint16_t type;
  const char* name;
};

constexpr std::array<TypeName, 27> kTypes{{
    {1, "A"},       {2, "NS"},        {5, "CNAME"},  {6, "SOA"},     {12, "PTR"},
    {13, "HINFO"},  {15, "MX"},       {16, "TXT"},   {17, "RP"},     {18, "AFSDB"},
    {28, "AAAA"},   {29, "LOC"},      {33, "SRV"},   {35, "NAPTR"},  {39, "DNAME"},
    {41, "OPT"},    {43, "DS"},       {46, "RRSIG"}, {47, "NSEC"},   {48, "DNSKEY"},
    {50, "NSEC3"},  {51, "NSEC3PARAM"}, {52, "TLSA"}, {64, "SVCB"},  {65, "HTTPS"},
    {255, "ANY"},   {257, "CAA"},
}};

constexpr std::array<const char*, 11> kRcodes{{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
                                               "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
                                               "NOTZONE"}};

// A reader that fails instead of reading past the end; the first failure sticks.
class Reader {
 public:
  Reader(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
  DnsParseError error = DnsParseError::none;
  std::size_t error_at = 0;

  bool fail(DnsParseError e, std::size_t at) {
    if (error == DnsParseError::none) {
      error = e;
      error_at = at;
    }
    return false;
  }
  bool ok() const { return error == DnsParseError::none; }

  // Reads a possibly compressed name starting at `pos`; `pos` moves past the
  // name as it appears in place. Pointers must point strictly backwards
  // (before the pointer itself), which rules out every loop.
  bool name(std::size_t& pos, std::string& out) {
    out.clear();
    std::size_t p = pos;
    bool jumped = false;
    std::size_t wire_len = 1;
    for (int guard = 0; guard < 256; ++guard) {
      if (p >= n_) return fail(DnsParseError::truncated, p);
      std::uint8_t len = d_[p];
      if ((len & 0xc0) == 0xc0) {
        if (p + 1 >= n_) return fail(DnsParseError::truncated, p);
        std::size_t target = ((len & 0x3fu) << 8) | d_[p + 1];
        if (target >= n_) return fail(DnsParseError::pointer_past_end, p);
        if (target >= p) return fail(DnsParseError::pointer_loop, p);
        if (!jumped) pos = p + 2;
        jumped = true;
        p = target;
        continue;
      }
      if ((len & 0xc0) != 0) return fail(DnsParseError::bad_label, p);
      if (len == 0) {
        if (!jumped) pos = p + 1;
        if (out.empty()) out = ".";
        return true;
      }
      if (p + 1 + len > n_) return fail(DnsParseError::truncated, p);
      wire_len += 1u + len;
      if (wire_len > 255) return fail(DnsParseError::name_too_long, p);
      for (std::size_t i = 0; i < len; ++i) {
        unsigned char c = d_[p + 1 + i];
        if (c == '.' || c == '\\') {
          out += '\\';
          out += static_cast<char>(c);
        } else if (c > 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03u", c);
          out += buf;
        }
      }
      out += '.';
      p += 1u + len;
    }
    return fail(DnsParseError::pointer_loop, p);
  }

  bool need(std::size_t pos, std::size_t k) {
    if (pos > n_ || n_ - pos < k) return fail(DnsParseError::truncated, pos);
    return true;
  }
  const std::uint8_t* at(std::size_t pos) const { return d_ + pos; }
  std::size_t size() const { return n_; }

 private:
  const std::uint8_t* d_;
  std::size_t n_;
};

std::string hex(const std::uint8_t* p, std::size_t n) {
  static const char* digits = "0123456789ABCDEF";
  std::string s;
  s.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

std::string base64(const std::uint8_t* p, std::size_t n) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s;
  for (std::size_t i = 0; i < n; i += 3) {
    std::uint32_t v = std::uint32_t{p[i]} << 16;
    if (i + 1 < n) v |= std::uint32_t{p[i + 1]} << 8;
    if (i + 2 < n) v |= p[i + 2];
    s += t[(v >> 18) & 63];
    s += t[(v >> 12) & 63];
    s += i + 1 < n ? t[(v >> 6) & 63] : '=';
    s += i + 2 < n ? t[v & 63] : '=';
  }
  return s;
}

std::string generic(const std::uint8_t* p, std::size_t n) {
  return "\\# " + std::to_string(n) + (n ? " " + hex(p, n) : "");
}

std::string character_string(const std::uint8_t* p, std::size_t n) {
  std::string s = "\"";
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char c = p[i];
    if (c == '"' || c == '\\') {
      s += '\\';
      s += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      s += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03u", c);
      s += buf;
    }
  }
  return s + "\"";
}

// RDATA in presentation form. Names inside RDATA may be compressed; anything
// that does not fit its length falls back to the RFC 3597 generic form.
std::string rdata_text(Reader& r, std::uint16_t type, std::size_t pos, std::size_t len) {
  const std::uint8_t* p = r.at(pos);
  std::size_t end = pos + len;
  Reader sub = r;  // name errors inside RDATA do not poison the message
  auto name_at = [&](std::size_t& q, std::string& out) { return sub.name(q, out) && q <= end; };
  switch (type) {
    case 1:
      if (len == 4) return std::to_string(p[0]) + "." + std::to_string(p[1]) + "." + std::to_string(p[2]) + "." + std::to_string(p[3]);
      break;
    case 28:
      if (len == 16) return model::Address::from_bytes(model::Family::v6, p).to_string();
      break;
    case 2: case 5: case 12: case 39: {
      std::size_t q = pos;
      std::string n;
      if (name_at(q, n) && q == end) return n;
      break;
    }
    case 15: {
      if (len < 3) break;
      std::size_t q = pos + 2;
      std::string n;
      if (name_at(q, n) && q == end) return std::to_string(be16(p)) + " " + n;
      break;
    }
    case 6: {
      std::size_t q = pos;
      std::string m, rn;
      if (!name_at(q, m) || !name_at(q, rn) || end - q != 20) break;
      const std::uint8_t* v = r.at(q);
      return m + " " + rn + " " + std::to_string(be32(v)) + " " + std::to_string(be32(v + 4)) + " " +
             std::to_string(be32(v + 8)) + " " + std::to_string(be32(v + 12)) + " " + std::to_string(be32(v + 16));
    }
    case 16: {
      std::string s;
      std::size_t q = 0;
      bool good = len > 0;
      while (q < len) {
        std::size_t n = p[q];
        if (q + 1 + n > len) {
          good = false;
          break;
        }
        if (!s.empty()) s += ' ';
        s += character_string(p + q + 1, n);
        q += 1 + n;
      }
      if (good) return s;
      break;
    }
    case 33: {
      if (len < 7) break;
      std::size_t q = pos + 6;
      std::string n;
      if (name_at(q, n) && q == end)
        return std::to_string(be16(p)) + " " + std::to_string(be16(p + 2)) + " " + std::to_string(be16(p + 4)) + " " + n;
      break;
    }
    case 43:
      if (len >= 4) return std::to_string(be16(p)) + " " + std::to_string(p[2]) + " " + std::to_string(p[3]) + " " + hex(p + 4, len - 4);
      break;
    case 48:
      if (len >= 4) return std::to_string(be16(p)) + " " + std::to_string(p[2]) + " " + std::to_string(p[3]) + " " + base64(p + 4, len - 4);
      break;
    default:
      break;
  }
  return generic(p, len);
}

bool read_records(Reader& r, std::size_t& pos, std::size_t count, std::vector<DnsRecord>& out,
                  DnsMessage& m, bool additional) {
  for (std::size_t i = 0; i < count; ++i) {
    DnsRecord rec;
    if (!r.name(pos, rec.name)) return false;
    if (!r.need(pos, 10)) return false;
    const std::uint8_t* h = r.at(pos);
    rec.type = be16(h);
    rec.klass = be16(h + 2);
    rec.ttl = be32(h + 4);
    std::size_t rdlen = be16(h + 8);
    pos += 10;
    if (!r.need(pos, rdlen)) return false;
    if (additional && rec.type == 41) {
      m.edns_udp_size = rec.klass;
      m.rcode = static_cast<std::uint16_t>(m.rcode | ((rec.ttl >> 24) << 4));
      m.edns_do = (rec.ttl & 0x8000u) != 0;
    } else {
      rec.data = rdata_text(r, rec.type, pos, rdlen);
      out.push_back(std::move(rec));
    }
    pos += rdlen;
  }
  return true;
}

}  // namespace

std::string_view to_string(DnsParseError e) {
  switch (e) {
    case DnsParseError::none: return "none";
    case DnsParseError::short_header: return "short_header";
    case DnsParseError::truncated: return "truncated";
    case DnsParseError::pointer_past_end: return "pointer_past_end";
    case DnsParseError::pointer_loop: return "pointer_loop";
    case DnsParseError::bad_label: return "bad_label";
    case DnsParseError::name_too_long: return "name_too_long";
    case DnsParseError::too_many_records: return "too_many_records";
  }
  return "unknown";
}

DnsParse parse_dns(const std::uint8_t* data, std::size_t len) noexcept {
  DnsParse result;
  try {
    if (data == nullptr || len < 12) {
      result.error = DnsParseError::short_header;
      return result;
    }
    DnsMessage m;
    m.id = be16(data);
    std::uint16_t flags = be16(data + 2);
    m.qr = (flags & 0x8000) != 0;
    m.opcode = static_cast<std::uint8_t>((flags >> 11) & 15);
    m.aa = (flags & 0x0400) != 0;
    m.tc = (flags & 0x0200) != 0;
    m.rd = (flags & 0x0100) != 0;
    m.ra = (flags & 0x0080) != 0;
    m.ad = (flags & 0x0020) != 0;
    m.cd = (flags & 0x0010) != 0;
    m.rcode = flags & 15;
    std::size_t counts[4] = {be16(data + 4), be16(data + 6), be16(data + 8), be16(data + 10)};
    for (std::size_t c : counts) {
      if (c > kDnsMaxRecords) {
        result.error = DnsParseError::too_many_records;
        result.offset = 4;
        return result;
      }
    }
    Reader r(data, len);
    std::size_t pos = 12;
    for (std::size_t i = 0; i < counts[0] && r.ok(); ++i) {
      DnsQuestion q;
      if (!r.name(pos, q.name) || !r.need(pos, 4)) break;
      q.type = be16(data + pos);
      q.klass = be16(data + pos + 2);
      pos += 4;
      m.questions.push_back(std::move(q));
    }
    if (r.ok()) read_records(r, pos, counts[1], m.answers, m, false);
    if (r.ok()) read_records(r, pos, counts[2], m.authority, m, false);
    if (r.ok()) read_records(r, pos, counts[3], m.additional, m, true);
    if (!r.ok()) {
      result.error = r.error;
      result.offset = r.error_at;
      return result;
    }
    result.message = std::move(m);
  } catch (...) {
    // Only allocation can throw here; report it as a message we could not read.
    result.message.reset();
    result.error = DnsParseError::truncated;
  }
  return result;
}

std::optional<std::uint16_t> dns_id(const std::uint8_t* data, std::size_t len) {
  if (data == nullptr || len < 2) return std::nullopt;
  return be16(data);
}

std::optional<std::uint16_t> dns_type_from_name(std::string_view name) {
  std::string up;
  for (char c : name) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& t : kTypes)
    if (up == t.name) return t.type;
  if (up.size() > 4 && up.size() <= 9 && up.compare(0, 4, "TYPE") == 0 &&
      up.find_first_not_of("0123456789", 4) == std::string::npos) {
    unsigned long v = std::stoul(up.substr(4));
    if (v <= 65535) return static_cast<std::uint16_t>(v);
  }
  return std::nullopt;
}

std::string dns_type_name(std::uint16_t type) {
  for (const auto& t : kTypes)
    if (t.type == type) return t.name;
  return "TYPE" + std::to_string(type);
}

std::string dns_rcode_name(std::uint16_t rcode) {
  if (rcode < kRcodes.size()) return kRcodes[rcode];
  if (rcode == 16) return "BADVERS";
  if (rcode == 23) return "BADCOOKIE";
  return "RCODE" + std::to_string(rcode);
}

std::optional<std::string> normalize_dns_name(std::string_view name) {
  if (name.empty()) return std::nullopt;
  if (name == ".") return std::string(".");
  std::string out;
  std::size_t label = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '.') {
      if (label == 0) return std::nullopt;  // empty label
      out += '.';
      label = 0;
      continue;
    }
    unsigned char u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-' && c != '_' && c != '*') return std::nullopt;
    if (++label > 63) return std::nullopt;
    out += static_cast<char>(std::tolower(u));
  }
  if (out.back() != '.') out += '.';
  if (out.size() > 254) return std::nullopt;
  return out;
}

std::string reverse_dns_name(const model::Address& address) {
  std::string out;
  const std::uint8_t* b = address.data();
  for (std::size_t i = address.size(); i-- > 0;) {
    if (address.is_v4()) {
      out += std::to_string(b[i]) + '.';
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += {kHex[b[i] & 0x0f], '.', kHex[b[i] >> 4], '.'};
    }
  }
  return out + (address.is_v4() ? "in-addr.arpa." : "ip6.arpa.");
}

std::vector<std::uint8_t> build_dns_query(const DnsQuerySpec& spec) {
  Tins::DNS dns;
  dns.id(spec.id);
  dns.type(Tins::DNS::QUERY);
  dns.recursion_desired(spec.rd ? 1 : 0);
  std::string name = spec.qname;
  if (!name.empty() && name.back() == '.') name.pop_back();
  dns.add_query(Tins::DNS::query(name, static_cast<Tins::DNS::QueryType>(spec.qtype), Tins::DNS::INTERNET));
  auto bytes = dns.serialize();
  if (spec.edns) {
    // The OPT pseudo-record (RFC 6891) appended by hand: libtins' resource
    // encoder wants a data string for every type and has no OPT form.
    const std::uint8_t opt[11] = {0,    0, 41, static_cast<std::uint8_t>(spec.edns_size >> 8),
                                  static_cast<std::uint8_t>(spec.edns_size),
                                  0,    0, static_cast<std::uint8_t>(spec.dnssec_ok ? 0x80 : 0), 0,
                                  0,    0};
    bytes.insert(bytes.end(), opt, opt + sizeof opt);
    bytes[11] = 1;  // ARCOUNT
  }
  return bytes;
}

std::vector<std::uint8_t> build_udp_packet(const model::Address& src, const model::Address& dst,
                                           std::uint8_t ttl, std::uint16_t sport,
                                           std::uint16_t dport, std::uint16_t ipid,
                                           const std::vector<std::uint8_t>& payload) {
  auto udp = Tins::UDP(dport, sport) / Tins::RawPDU(payload.data(), static_cast<std::uint32_t>(payload.size()));
  if (!dst.is_v4()) {
    // libtins sums the IPv6 pseudo header into the UDP checksum (RFC 8200
    // 8.1, where 0 is not allowed). The flow label is the one fl-trace's
    // probes of these ports carry: constant for the run, so per-flow load
    // balancers keep every query and retry on one path.
    Tins::IPv6 ip(Tins::IPv6Address(dst.data()), Tins::IPv6Address(src.data()));
    ip.hop_limit(ttl);
    ip.flow_label(flow_label(sport, dport));
    ip /= udp;
    return ip.serialize();
  }
  Tins::IP ip(Tins::IPv4Address(Tins::Endian::host_to_be(dst.v4_host())),
              Tins::IPv4Address(Tins::Endian::host_to_be(src.v4_host())));
  ip.ttl(ttl);
  ip.id(ipid);
  ip /= udp;
  return ip.serialize();
}

}  // namespace probe::packet
