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
  return kRunRecordTag + j.dump();
}

Result<RunRecord> parse_run_record(const std::string& comment) {
  std::string tag = kRunRecordTag;
  if (comment.compare(0, tag.size(), tag) != 0)
    return make_error(ErrorKind::input, "not a faultline capture (no run record in its section header)");
  try {
    auto j = nlohmann::json::parse(comment.substr(tag.size()));
    if (j.at("version").get<int>() != kVersion)
      return make_error(ErrorKind::input, "run record version " + j.at("version").dump() + " is not supported");
    RunRecord r;
    auto& c = r.config;
    r.tool = j.at("tool").get<std::string>();
    r.interface = j.value("interface", "");
    auto method = model::parse_method(j.at("method").get<std::string>());
    auto src = model::Address::parse(j.at("src").get<std::string>());
    if (!method || !src) return make_error(ErrorKind::input, "run record: bad method or source address");
    c.method = *method;
    c.src = *src;
    c.sport = j.at("sport").get<std::uint16_t>();
    c.dport = j.at("dport").get<std::uint16_t>();
    c.first_ttl = j.at("first_ttl").get<std::uint8_t>();
    c.max_ttl = j.at("max_ttl").get<std::uint8_t>();
    c.attempts = j.at("attempts").get<std::uint8_t>();
    c.wait_us = j.at("wait_us").get<std::int64_t>();
    c.gaplimit = j.at("gaplimit").get<int>();
    c.pps = j.at("pps").get<double>();
    c.concurrency = j.at("concurrency").get<std::size_t>();
    c.classic = j.at("classic").get<bool>();
    c.run_key = std::stoull(j.at("run_key").get<std::string>());
    r.targets = j.at("targets").get<std::vector<std::string>>();
    return r;
  } catch (const std::exception& e) {
    return make_error(ErrorKind::input, std::string("run record is malformed: ") + e.what());
  }
}

}  // namespace probe::format
