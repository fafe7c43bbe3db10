// SPDX-License-Identifier: BSD-2-Clause
#include "probe/record/trace_record.h"

#include <cstdint>
#include <utility>

#include "fields.h"
#include "record_reader.h"

namespace probe::record {

using detail::FieldReader;

std::string to_comment(const RunRecord& r) {
  const auto& c = r.config;
  nlohmann::json j = {{"method", model::to_string(c.method)}, {"targets", r.targets}};
  detail::FieldWriter fields(j);
  detail::trace_fields(fields, c);
  // Written only when on, so records of plain runs stay as they were.
  if (c.doubletree) j["doubletree"] = true;
  if (c.queries) j["queries"] = c.queries;
  if (r.report_cycles) {
    j["report_cycles"] = r.report_cycles;
    j["report_interval_us"] = r.report_interval_us;
  }
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
    detail::trace_fields(f, c);
    c.doubletree = f.boolean_or("doubletree", false);
    if (f.has("queries")) c.queries = f.integer_as<std::uint8_t>("queries", 1, 10);
    if (c.queries && c.doubletree) f.fail("queries", "cannot be combined with doubletree");
    c.run_key = f.run_key();
    r.targets = f.strings("targets");
    if (f.has("report_cycles")) {
      r.report_cycles = f.integer_as<std::uint32_t>("report_cycles", 1, kMaxReportCycles);
      r.report_interval_us = f.integer("report_interval_us", 0, kMaxReportIntervalUs);
    }
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
