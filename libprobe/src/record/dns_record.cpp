// SPDX-License-Identifier: BSD-2-Clause
#include "probe/record/dns_record.h"

#include <cstdint>
#include <utility>

#include "probe/model/words.h"
#include "probe/packet/dns.h"
#include "fields.h"
#include "record_reader.h"

namespace probe::record {

using detail::FieldReader;

std::string to_comment(const DnsRunRecord& r) {
  const auto& c = r.config;
  nlohmann::json queries = nlohmann::json::array();
  for (const auto& q : r.queries)
    queries.push_back({{"server", q.server.to_string()}, {"qname", q.qname}, {"qtype", q.qtype}, {"rd", q.rd}, {"tcp", q.tcp}});
  nlohmann::json j = {
      {"mode", model::to_word(r.mode)},
      {"queries", queries},
      {"zone", r.zone},
      {"parents", detail::texts(r.parents)},
  };
  detail::FieldWriter fields(j);
  detail::dns_fields(fields, c);
  // Only when not 53: records written before -p existed carry none.
  if (c.dport != packet::kDnsPort) j["dport"] = c.dport;
  return detail::tagged(std::move(j), "fl-dns", r.interface, c.src, c.run_key);
}

Result<DnsRunRecord> parse_dns_run_record(const std::string& comment) {
  return detail::read_record<DnsRunRecord>(comment, [](const FieldReader& f) -> Result<DnsRunRecord> {
    if (f.string("tool") != "fl-dns") return make_error(ErrorKind::input, "run record is not fl-dns's");
    DnsRunRecord r;
    auto& c = r.config;
    const std::string word = f.string("mode");
    auto mode = model::from_word<model::DnsMode>(word);  // --trace runs carry fl-trace's record
    if (!mode || *mode == model::DnsMode::trace) f.fail("mode", "unknown mode '" + word.substr(0, 40) + "'");
    r.mode = *mode;
    r.interface = f.string_or("interface", "");
    c.src = f.address("src");
    detail::dns_fields(f, c);
    if (f.has("dport")) c.dport = f.integer_as<std::uint16_t>("dport", 1, 65535);
    c.run_key = f.run_key();
    for (const auto& q : f.objects("queries")) {
      auto server = q.address("server");
      // One run speaks one family (its raw socket and capture filter).
      if (server.family() != c.src.family())
        q.fail("server", server.to_string() + " is not of the source's family (" + c.src.to_string() + ")");
      const auto qname = q.string("qname");
      auto name = packet::normalize_dns_name(qname);
      if (!name) q.fail("qname", "'" + qname.substr(0, 40) + "' is not a DNS name");
      const auto type = q.integer_as<std::uint16_t>("qtype", 0, 65535);
      r.queries.push_back(model::DnsQuery{server, *name, type, q.boolean("rd"), q.boolean("tcp")});
    }
    r.zone = f.string("zone");
    r.parents = f.addresses("parents");
    // A zone check asks its parents, and the nameservers of their glue, in
    // the source's family.
    for (const auto& p : r.parents)
      if (r.mode == model::DnsMode::zone && p.family() != c.src.family())
        f.fail("parents", p.to_string() + " is not of the source's family (" + c.src.to_string() + ")");
    return r;
  });
}

}  // namespace probe::record
