#pragma once
/// fl-dns's run record: what a capture must carry so that `fl-dns -r FILE`
/// alone replays the run (mode, options, queries or zone, run key). Stored
/// as the pcapng section header comment after kRunRecordTag, like fl-trace's.
/// --trace runs store fl-trace's record (format/run_record.h) instead.

#include <string>
#include <vector>

#include "probe/engine/dns_engine.h"
#include "probe/error.h"
#include "probe/model/dns.h"

namespace probe::format {

struct DnsRunRecord {
  model::DnsMode mode = model::DnsMode::query;  ///< query or zone
  std::string interface;                 ///< where the live run captured
  engine::DnsConfig config;
  std::vector<model::DnsQuery> queries;  ///< mode query
  std::string zone;                      ///< mode zone
  std::vector<model::Address> parents;   ///< mode zone
};

std::string to_comment(const DnsRunRecord& record);
/// Parses a section comment; an input error if it is not an fl-dns record.
Result<DnsRunRecord> parse_dns_run_record(const std::string& comment);
/// The "tool" and whether it carries a trace ("method"), without validating the rest.
Result<std::pair<std::string, bool>> run_record_kind(const std::string& comment);

}  // namespace probe::format
