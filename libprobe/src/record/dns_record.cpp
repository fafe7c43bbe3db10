#include "probe/record/dns_record.h"

#include <cstdint>
#include <limits>
#include <utility>

#include "probe/model/words.h"
#include "probe/packet/dns.h"
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
      {"sport", c.sport},
      {"wait_us", c.wait_us},
      {"tries", c.tries},
      {"pps", c.pps},
      {"concurrency", c.concurrency},
      {"edns", c.edns},
      {"edns_size", c.edns_size},
      {"dnssec_ok", c.dnssec_ok},
      {"tcp_fallback", c.tcp_fallback},
      {"queries", queries},
      {"zone", r.zone},
      {"parents", detail::texts(r.parents)},
  };
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
    if (!c.src.is_v4()) f.fail("src", c.src.to_string() + " is not an IPv4 address");
    c.sport = f.integer_as<std::uint16_t>("sport", 1, 65535);
    c.wait_us = f.integer("wait_us", 1, 3600000000);
    c.tries = f.integer_as<std::uint8_t>("tries", 1, 255);
    c.pps = f.rate("pps");
    c.concurrency = f.integer_as<std::size_t>("concurrency", 1, std::numeric_limits<std::int64_t>::max());
    c.edns = f.boolean("edns");
    c.edns_size = f.integer_as<std::uint16_t>("edns_size", 0, 65535);
    c.dnssec_ok = f.boolean("dnssec_ok");
    c.tcp_fallback = f.boolean("tcp_fallback");
    c.run_key = f.run_key();
    for (const auto& q : f.objects("queries")) {
      auto server = q.address("server");
      const auto qname = q.string("qname");
      auto name = packet::normalize_dns_name(qname);
      if (!name) q.fail("qname", "'" + qname.substr(0, 40) + "' is not a DNS name");
      const auto type = q.integer_as<std::uint16_t>("qtype", 0, 65535);
      r.queries.push_back(model::DnsQuery{server, *name, type, q.boolean("rd"), q.boolean("tcp")});
    }
    r.zone = f.string("zone");
    r.parents = f.addresses("parents");
    return r;
  });
}

}  // namespace probe::record
