// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Run records: the JSON a tool stores as its capture's pcapng section header
/// comment, after kRunRecordTag, so that `-r FILE` alone rebuilds the run.
/// One codec per record, all reading through one checked reader:
/// trace_record.h (fl-trace, fl-dns --trace), dns_record.h (fl-dns),
/// campaign_record.h (fl-locate). A field of the wrong type, a fraction where
/// an integer belongs or a value out of the field's range is an input error
/// that names the field; nothing is narrowed, wrapped or rounded.

#include <string>
#include <utility>

#include "probe/error.h"

namespace probe::record {

inline constexpr const char* kRunRecordTag = "faultline-run ";

/// The "tool" that wrote a record and whether it carries a trace ("method"),
/// without validating the rest; an input error if it is no run record.
Result<std::pair<std::string, bool>> run_record_kind(const std::string& comment);

}  // namespace probe::record
