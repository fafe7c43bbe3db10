// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// fl-dns's run record: what a capture must carry so that `fl-dns -r FILE`
/// alone replays the run (mode, options, queries or zone, run key). Framed
/// like every run record (record.h); --trace runs store the trace record
/// (trace_record.h) instead.

#include <string>
#include <vector>

#include "probe/engine/dns_engine.h"
#include "probe/error.h"
#include "probe/model/dns.h"
#include "probe/record/record.h"

namespace probe::record {

struct DnsRunRecord {
  model::DnsMode mode = model::DnsMode::query;  ///< query or zone
  std::string interface;                 ///< where the live run captured
  engine::DnsConfig config;
  std::vector<model::DnsQuery> queries;  ///< mode query
  std::string zone;                      ///< mode zone
  std::vector<model::Address> parents;   ///< mode zone
};

std::string to_comment(const DnsRunRecord& record);
/// Parses a section comment; an input error, naming the field, if it is not
/// a valid fl-dns record.
Result<DnsRunRecord> parse_dns_run_record(const std::string& comment);

}  // namespace probe::record
