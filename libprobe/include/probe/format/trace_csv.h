// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// fl-trace -o csv: one row per hop, for spreadsheets and scripts that do not
/// read JSON. RFC 4180: a header row, CRLF line ends, fields quoted when
/// they hold a comma, a quote or a line end.
///
/// Columns: target, ttl, addr (every address that answered at this TTL, in
/// order, space-separated; empty when none did), rtt1_ms ... rttN_ms (the
/// round-trip time of each probe at this TTL in milliseconds, 3 decimals;
/// empty for a probe without an answer or not sent), flags (space-separated:
/// traceroute's unreachable marks "!H", "!N"...; "reached" for the
/// destination's answer; "inferred" for a Doubletree hop listed from another
/// trace), stop (how the trace ended, on each of its rows).

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

#include "probe/model/trace.h"

namespace probe::format {

/// One CSV field, quoted as RFC 4180 wants when it must be.
std::string csv_field(std::string_view text);

class CsvWriter {
 public:
  /// `probes_per_hop`: the rttN_ms columns (fl-trace -q, else --attempts).
  CsvWriter(std::ostream& out, std::size_t probes_per_hop) : out_(out), probes_(probes_per_hop) {}
  /// The header row comes before the first trace's rows.
  void write(const model::Trace& trace);

 private:
  std::ostream& out_;
  std::size_t probes_;
  bool header_done_ = false;
};

}  // namespace probe::format
