// SPDX-License-Identifier: BSD-2-Clause
// The dns verb's reply lines: the fl-json(5) "dns" object for scripts, and
// what fl-dns's text needs beyond it, so that --via prints what a direct
// run prints.
#include <fmt/format.h>

#include "probe/format/dns_json.h"
#include "probe/packet/dns.h"
#include "probe/serve/protocol.h"

namespace probe::serve {

namespace {

using nlohmann::json;

// What to_json(DnsExchange) leaves out: the query's transport, and the
// response's id, opcode, numeric rcode and questions (the text's header
// and QUERY count).
json message_extras(const model::DnsExchange& e) {
  json m = {{"query_tcp", e.query.tcp}};
  if (!e.response) return m;
  const auto& r = *e.response;
  m["id"] = r.id;
  m["opcode"] = r.opcode;
  m["rcode"] = r.rcode;
  json qs = json::array();
  for (const auto& q : r.questions) qs.push_back({{"name", q.name}, {"type", q.type}, {"class", q.klass}});
  m["questions"] = qs;
  return m;
}

std::uint16_t type_of(const json& v) {
  auto t = packet::dns_type_from_name(v.get<std::string>());
  if (!t) throw std::invalid_argument("unknown type " + v.dump());
  return *t;
}

std::vector<model::DnsRecord> records(const json& a) {
  std::vector<model::DnsRecord> out;
  for (const auto& r : a) {
    model::DnsRecord rec;
    rec.name = r.at("name").get<std::string>();
    rec.type = type_of(r.at("type"));
    rec.ttl = r.at("ttl").get<std::uint32_t>();
    rec.data = r.at("data").get<std::string>();
    out.push_back(std::move(rec));
  }
  return out;
}

model::DnsOutcome outcome_of(const json& v) {
  using model::DnsOutcome;
  for (auto o : {DnsOutcome::answer, DnsOutcome::timeout, DnsOutcome::icmp_error, DnsOutcome::tcp_reset,
                 DnsOutcome::malformed, DnsOutcome::not_sent})
    if (v.get<std::string>() == model::to_string(o)) return o;
  throw std::invalid_argument("unknown outcome " + v.dump());
}

model::Address address_of(const json& v) {
  auto a = model::Address::parse(v.get<std::string>());
  if (!a) throw std::invalid_argument("bad address " + v.dump());
  return *a;
}

}  // namespace

std::string dns_line(const nlohmann::json& id, const model::DnsExchange& e) {
  nlohmann::ordered_json j;
  j["id"] = id;
  j["type"] = "dns";
  j["dns"] = format::to_json(e);
  j["message"] = message_extras(e);
  // Names and record data come from the wire: never a throw over bad UTF-8.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<model::DnsExchange> exchange_from_json(const nlohmann::json& d, const nlohmann::json& m) {
  model::DnsExchange e;
  try {
    e.query.server = address_of(d.at("server"));
    e.query.qname = d.at("qname").get<std::string>();
    e.query.qtype = type_of(d.at("qtype"));
    e.query.rd = d.at("rd_sent").get<bool>();
    e.query.tcp = m.at("query_tcp").get<bool>();
    e.tcp = d.at("transport").get<std::string>() == "tcp";
    e.outcome = outcome_of(d.at("outcome"));
    e.udp_truncated = d.at("udp_truncated").get<bool>();
    e.tries = d.at("tries").get<std::uint8_t>();
    e.id = d.at("id").get<std::uint16_t>();
    e.sport = d.at("sport").get<std::uint16_t>();
    e.dport = d.contains("dport") ? d["dport"].get<std::uint16_t>() : packet::kDnsPort;
    e.tx_us = d.at("tx_us").get<std::int64_t>();
    if (d.contains("rtt_us")) {
      model::DnsMessage r;
      e.rtt_us = d["rtt_us"].get<std::int64_t>();
      e.response_bytes = d.at("size").get<std::size_t>();
      for (const auto& f : d.at("flags")) {
        const std::string w = f.get<std::string>();
        for (auto [name, bit] : {std::pair{"qr", &r.qr}, {"aa", &r.aa}, {"tc", &r.tc}, {"rd", &r.rd}, {"ra", &r.ra},
                                 {"ad", &r.ad}, {"cd", &r.cd}})
          if (w == name) *bit = true;
      }
      if (d.contains("edns")) {
        r.edns_udp_size = d["edns"].at("udp_size").get<std::uint16_t>();
        r.edns_do = d["edns"].at("do").get<bool>();
      }
      r.answers = records(d.at("answer"));
      r.authority = records(d.at("authority"));
      r.additional = records(d.at("additional"));
      r.id = m.at("id").get<std::uint16_t>();
      r.opcode = m.at("opcode").get<std::uint8_t>();
      r.rcode = m.at("rcode").get<std::uint16_t>();
      for (const auto& q : m.at("questions"))
        r.questions.push_back({q.at("name").get<std::string>(), q.at("type").get<std::uint16_t>(),
                               q.at("class").get<std::uint16_t>()});
      e.response = std::move(r);
    }
    if (d.contains("icmp")) {
      const json& i = d["icmp"];
      e.icmp = model::IcmpError{address_of(i.at("addr")), i.at("type").get<std::uint8_t>(), i.at("code").get<std::uint8_t>()};
    }
    e.rejected = d.at("rejected").get<std::uint32_t>();
    if (e.rejected > 0) e.rejected_reason = d.at("rejected_reason").get<std::string>();
  } catch (const std::exception& x) {
    return make_error(ErrorKind::input, std::string("a dns line: ") + x.what());
  }
  return e;
}

}  // namespace probe::serve
