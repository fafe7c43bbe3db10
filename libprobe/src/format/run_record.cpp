#include "probe/format/run_record.h"

#include <nlohmann/json.hpp>

namespace probe::format {

namespace {
constexpr int kVersion = 1;
}

std::string to_comment(const RunRecord& r) {
  const auto& c = r.config;
  nlohmann::json j = {
      {"version", kVersion},
      {"tool", r.tool},
      {"interface", r.interface},
      {"method", model::to_string(c.method)},
      {"src", c.src.to_string()},
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
      // A string: JSON numbers beyond 2^53 do not survive every reader.
      {"run_key", std::to_string(c.run_key)},
      {"targets", r.targets},
  };
  // Written only when on, so records of plain runs stay as they were.
  if (c.doubletree) j["doubletree"] = true;
  if (c.method == model::Method::dns) {
    j["dns_qname"] = c.dns_qname;
    j["dns_qtype"] = c.dns_qtype;
    j["dns_rd"] = c.dns_rd;
  }
  return kRunRecordTag + j.dump();
}

Result<RunRecord> parse_run_record(const std::string& comment) {
  std::string tag = kRunRecordTag;
  if (comment.compare(0, tag.size(), tag) != 0)
    return make_error(ErrorKind::input, "not a faultline capture (no run record in its section header)");
  try {
    auto j = nlohmann::json::parse(comment.substr(tag.size()));
    // Integers are checked to be integers before they are read: get<int>() of
    // 3e43 is a float-to-integer conversion out of range (undefined), and
    // 24.5 would quietly replay as 24.
    auto integer = [&j](const char* name) {
      const auto& v = j.at(name);
      if (!v.is_number_integer()) throw std::invalid_argument(std::string(name) + " is not an integer");
      return v.get<std::int64_t>();
    };
    if (integer("version") != kVersion)
      return make_error(ErrorKind::input, "run record version " + j.at("version").dump() + " is not supported");
    RunRecord r;
    auto& c = r.config;
    r.tool = j.at("tool").get<std::string>();
    if (!j.contains("method"))
      return make_error(ErrorKind::input, "written by " + r.tool + ", and not a traceroute run");
    r.interface = j.value("interface", "");
    auto method = model::parse_method(j.at("method").get<std::string>());
    auto src = model::Address::parse(j.at("src").get<std::string>());
    if (!method || !src) return make_error(ErrorKind::input, "run record: bad method or source address");
    c.method = *method;
    c.src = *src;
    // Every number is checked against its range: a damaged record must not
    // replay as a different run.
    auto number = [&integer](const char* name, std::int64_t lo, std::int64_t hi) {
      auto v = integer(name);
      if (v < lo || v > hi) throw std::out_of_range(std::string(name) + " out of range");
      return v;
    };
    c.sport = static_cast<std::uint16_t>(number("sport", 0, 65535));
    c.dport = static_cast<std::uint16_t>(number("dport", 0, 65535));
    c.first_ttl = static_cast<std::uint8_t>(number("first_ttl", 1, 255));
    c.max_ttl = static_cast<std::uint8_t>(number("max_ttl", 1, 255));
    c.attempts = static_cast<std::uint8_t>(number("attempts", 1, 255));
    c.wait_us = number("wait_us", 1, 3600000000);
    c.gaplimit = static_cast<int>(number("gaplimit", 1, 255));
    c.pps = j.at("pps").get<double>();
    c.concurrency = static_cast<std::size_t>(number("concurrency", 1, INT64_MAX));
    c.classic = j.at("classic").get<bool>();
    c.doubletree = j.value("doubletree", false);
    auto key = j.at("run_key").get<std::string>();
    if (key.empty() || key.size() > 20 || key.find_first_not_of("0123456789") != std::string::npos)
      throw std::out_of_range("run_key is not a number");
    c.run_key = std::stoull(key);
    r.targets = j.at("targets").get<std::vector<std::string>>();
    if (c.method == model::Method::dns) {
      c.dns_qname = j.at("dns_qname").get<std::string>();
      c.dns_qtype = static_cast<std::uint16_t>(number("dns_qtype", 0, 65535));
      c.dns_rd = j.at("dns_rd").get<bool>();
      if (c.dns_qname.empty()) throw std::out_of_range("dns_qname is empty");
    }
    return r;
  } catch (const std::exception& e) {
    return make_error(ErrorKind::input, std::string("run record is malformed: ") + e.what());
  }
}

}  // namespace probe::format
