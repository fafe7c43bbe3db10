// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/dns_json.h"

#include "probe/model/words.h"
#include "probe/packet/dns.h"

namespace probe::format {

namespace {

nlohmann::ordered_json records(const std::vector<model::DnsRecord>& rs) {
  auto a = nlohmann::ordered_json::array();
  for (const auto& r : rs)
    a.push_back({{"name", r.name}, {"type", packet::dns_type_name(r.type)}, {"ttl", r.ttl}, {"data", r.data}});
  return a;
}

nlohmann::ordered_json flags(const model::DnsMessage& m) {
  auto f = nlohmann::ordered_json::array();
  if (m.qr) f.push_back("qr");
  if (m.aa) f.push_back("aa");
  if (m.tc) f.push_back("tc");
  if (m.rd) f.push_back("rd");
  if (m.ra) f.push_back("ra");
  if (m.ad) f.push_back("ad");
  if (m.cd) f.push_back("cd");
  return f;
}

}  // namespace

nlohmann::ordered_json to_json(const model::DnsExchange& e) {
  nlohmann::ordered_json j;
  j["type"] = "dns";
  j["server"] = e.query.server.to_string();
  j["qname"] = e.query.qname;
  j["qtype"] = packet::dns_type_name(e.query.qtype);
  j["transport"] = e.tcp ? "tcp" : "udp";
  j["outcome"] = model::to_string(e.outcome);
  j["rcode"] = e.response ? nlohmann::ordered_json(packet::dns_rcode_name(e.response->rcode)) : nlohmann::ordered_json();
  j["flags"] = e.response ? flags(*e.response) : nlohmann::ordered_json::array();
  j["rd_sent"] = e.query.rd;
  j["udp_truncated"] = e.udp_truncated;
  j["tries"] = e.tries;
  j["id"] = e.id;
  j["sport"] = e.sport;
  if (e.dport != packet::kDnsPort) j["dport"] = e.dport;  // absent: 53, as in every run before -p
  j["tx_us"] = e.tx_us;
  if (e.response) {
    j["rtt_us"] = e.rtt_us;
    j["size"] = e.response_bytes;
    const auto& m = *e.response;
    if (m.edns_udp_size) j["edns"] = {{"udp_size", *m.edns_udp_size}, {"do", m.edns_do}};
    j["answer"] = records(m.answers);
    j["authority"] = records(m.authority);
    j["additional"] = records(m.additional);
  }
  if (e.icmp)
    j["icmp"] = {{"addr", e.icmp->addr.to_string()}, {"type", e.icmp->type}, {"code", e.icmp->code}};
  j["rejected"] = e.rejected;
  if (e.rejected > 0) j["rejected_reason"] = e.rejected_reason;
  return j;
}

nlohmann::ordered_json to_json(const model::ZoneReport& r) {
  nlohmann::ordered_json j;
  j["type"] = "zone";
  j["zone"] = r.zone;
  j["verdict"] = to_word(r.verdict);
  auto parents = nlohmann::ordered_json::array();
  for (const auto& p : r.parents) parents.push_back(p.to_string());
  j["parents"] = parents;
  j["parent_answered"] = r.parent_answered;
  j["parent_ns"] = r.parent_ns;
  auto servers = nlohmann::ordered_json::array();
  for (const auto& s : r.servers) {
    nlohmann::ordered_json o;
    o["addr"] = s.addr.to_string();
    o["name"] = s.name;
    o["status"] = to_word(s.status);
    o["glue"] = s.glue;
    o["udp"] = s.udp;
    o["tcp"] = s.tcp;
    o["aa"] = s.authoritative;
    o["rcode"] = s.rcode.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s.rcode);
    o["serial"] = s.serial ? nlohmann::ordered_json(*s.serial) : nlohmann::ordered_json();
    o["ns"] = s.ns;
    o["ns_match"] = s.ns_match;
    servers.push_back(o);
  }
  j["servers"] = servers;
  return j;
}

}  // namespace probe::format
