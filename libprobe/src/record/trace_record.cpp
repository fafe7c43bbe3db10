#include "probe/record/trace_record.h"

#include <cstdint>
#include <limits>
#include <utility>

#include "record_reader.h"

namespace probe::record {

using detail::FieldReader;

std::string to_comment(const RunRecord& r) {
  const auto& c = r.config;
  nlohmann::json j = {
      {"method", model::to_string(c.method)},
      {"sport", c.sport},
      {"dport", c.dport},
      {"first_ttl", c.first_ttl},
      {"max_ttl", c.max_ttl},
      {"attempts", c.attempts},
      {"wait_us", c.wait_us},
      {"gaplimit", c.gaplimit},
      {"pps", c.pps},
      {"concurrency", c.concurrency},
      {"classic", c.classic},
      {"targets", r.targets},
  };
  // Written only when on, so records of plain runs stay as they were.
  if (c.doubletree) j["doubletree"] = true;
  if (c.method == model::Method::dns) {
    j["dns_qname"] = c.dns_qname;
    j["dns_qtype"] = c.dns_qtype;
    j["dns_rd"] = c.dns_rd;
  }
  return detail::tagged(std::move(j), r.tool, r.interface, c.src, c.run_key);
}

Result<RunRecord> parse_run_record(const std::string& comment) {
  return detail::read_record<RunRecord>(comment, [](const FieldReader& f) -> Result<RunRecord> {
    RunRecord r;
    auto& c = r.config;
    r.tool = f.string("tool");
    if (!f.has("method")) return make_error(ErrorKind::input, "written by " + r.tool + ", and not a traceroute run");
    r.interface = f.string_or("interface", "");
    const auto method = f.string("method");
    auto m = model::parse_method(method);
    if (!m) f.fail("method", "unknown method '" + method.substr(0, 40) + "'");
    c.method = *m;
    c.src = f.address("src");
    c.sport = f.integer_as<std::uint16_t>("sport", 0, 65535);
    c.dport = f.integer_as<std::uint16_t>("dport", 0, 65535);
    c.first_ttl = f.integer_as<std::uint8_t>("first_ttl", 1, 255);
    c.max_ttl = f.integer_as<std::uint8_t>("max_ttl", 1, 255);
    c.attempts = f.integer_as<std::uint8_t>("attempts", 1, 255);
    c.wait_us = f.integer("wait_us", 1, 3600000000);
    c.gaplimit = f.integer_as<int>("gaplimit", 1, 255);
    c.pps = f.rate("pps");
    c.concurrency = f.integer_as<std::size_t>("concurrency", 1, std::numeric_limits<std::int64_t>::max());
    c.classic = f.boolean("classic");
    c.doubletree = f.boolean_or("doubletree", false);
    c.run_key = f.run_key();
    r.targets = f.strings("targets");
    if (c.method == model::Method::dns) {
      c.dns_qname = f.string("dns_qname");
      if (c.dns_qname.empty()) f.fail("dns_qname", "empty");
      c.dns_qtype = f.integer_as<std::uint16_t>("dns_qtype", 0, 65535);
      c.dns_rd = f.boolean("dns_rd");
    }
    return r;
  });
}

}  // namespace probe::record
