#include "probe/format/dns_record.h"

#include <nlohmann/json.hpp>

#include "probe/format/run_record.h"
#include "probe/format/words.h"
#include "probe/packet/dns.h"

namespace probe::format {

namespace {
constexpr int kVersion = 1;
}

std::string to_comment(const DnsRunRecord& r) {
  const auto& c = r.config;
  nlohmann::json queries = nlohmann::json::array();
  for (const auto& q : r.queries)
    queries.push_back({{"server", q.server.to_string()}, {"qname", q.qname}, {"qtype", q.qtype}, {"rd", q.rd}, {"tcp", q.tcp}});
  nlohmann::json parents = nlohmann::json::array();
  for (const auto& p : r.parents) parents.push_back(p.to_string());
  nlohmann::json j = {
      {"version", kVersion},
      {"tool", "fl-dns"},
      {"mode", to_word(r.mode)},
      {"interface", r.interface},
      {"src", c.src.to_string()},
      {"sport", c.sport},
      {"wait_us", c.wait_us},
      {"tries", c.tries},
      {"pps", c.pps},
      {"concurrency", c.concurrency},
      {"edns", c.edns},
      {"edns_size", c.edns_size},
      {"dnssec_ok", c.dnssec_ok},
      {"tcp_fallback", c.tcp_fallback},
      {"run_key", std::to_string(c.run_key)},
      {"queries", queries},
      {"zone", r.zone},
      {"parents", parents},
  };
  return kRunRecordTag + j.dump();
}

Result<std::pair<std::string, bool>> run_record_kind(const std::string& comment) {
  std::string tag = kRunRecordTag;
  if (comment.compare(0, tag.size(), tag) != 0)
    return make_error(ErrorKind::input, "not a faultline capture (no run record in its section header)");
  try {
    auto j = nlohmann::json::parse(comment.substr(tag.size()));
    return std::make_pair(j.at("tool").get<std::string>(), j.contains("method"));
  } catch (const std::exception& e) {
    return make_error(ErrorKind::input, std::string("run record is malformed: ") + e.what());
  }
}

Result<DnsRunRecord> parse_dns_run_record(const std::string& comment) {
  std::string tag = kRunRecordTag;
  if (comment.compare(0, tag.size(), tag) != 0)
    return make_error(ErrorKind::input, "not a faultline capture (no run record in its section header)");
  try {
    auto j = nlohmann::json::parse(comment.substr(tag.size()));
    if (j.at("version").get<int>() != kVersion)
      return make_error(ErrorKind::input, "run record version " + j.at("version").dump() + " is not supported");
    if (j.at("tool").get<std::string>() != "fl-dns") return make_error(ErrorKind::input, "run record is not fl-dns's");
    DnsRunRecord r;
    auto& c = r.config;
    const auto word = j.at("mode").get<std::string>();
    auto mode = from_word<model::DnsMode>(word);  // --trace runs carry fl-trace's record
    if (!mode || *mode == model::DnsMode::trace) throw std::out_of_range("unknown mode " + word);
    r.mode = *mode;
    r.interface = j.value("interface", "");
    auto src = model::Address::parse(j.at("src").get<std::string>());
    if (!src || !src->is_v4()) throw std::out_of_range("bad source address");
    c.src = *src;
    auto number = [&j](const char* name, std::int64_t lo, std::int64_t hi) {
      auto v = j.at(name).get<std::int64_t>();
      if (v < lo || v > hi) throw std::out_of_range(std::string(name) + " out of range");
      return v;
    };
    c.sport = static_cast<std::uint16_t>(number("sport", 1, 65535));
    c.wait_us = number("wait_us", 1, 3600000000);
    c.tries = static_cast<std::uint8_t>(number("tries", 1, 255));
    c.pps = j.at("pps").get<double>();
    c.concurrency = static_cast<std::size_t>(number("concurrency", 1, INT64_MAX));
    c.edns = j.at("edns").get<bool>();
    c.edns_size = static_cast<std::uint16_t>(number("edns_size", 0, 65535));
    c.dnssec_ok = j.at("dnssec_ok").get<bool>();
    c.tcp_fallback = j.at("tcp_fallback").get<bool>();
    auto key = j.at("run_key").get<std::string>();
    if (key.empty() || key.size() > 20 || key.find_first_not_of("0123456789") != std::string::npos)
      throw std::out_of_range("run_key is not a number");
    c.run_key = std::stoull(key);
    for (const auto& q : j.at("queries")) {
      auto server = model::Address::parse(q.at("server").get<std::string>());
      auto name = packet::normalize_dns_name(q.at("qname").get<std::string>());
      auto type = q.at("qtype").get<std::int64_t>();
      if (!server || !name || type < 0 || type > 65535) throw std::out_of_range("bad query");
      r.queries.push_back(model::DnsQuery{*server, *name, static_cast<std::uint16_t>(type), q.at("rd").get<bool>(),
                                          q.at("tcp").get<bool>()});
    }
    r.zone = j.at("zone").get<std::string>();
    for (const auto& p : j.at("parents")) {
      auto a = model::Address::parse(p.get<std::string>());
      if (!a) throw std::out_of_range("bad parent address");
      r.parents.push_back(*a);
    }
    return r;
  } catch (const std::exception& e) {
    return make_error(ErrorKind::input, std::string("run record is malformed: ") + e.what());
  }
}

}  // namespace probe::format
