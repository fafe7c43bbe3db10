// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The JSON form of traces (fl-json(5)), one object per line.

#include <nlohmann/json.hpp>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "probe/error.h"
#include "probe/model/trace.h"

namespace probe::format {

/// The fl-json(5) "trace" object.
nlohmann::ordered_json to_json(const model::Trace& trace);

/// The trace a "trace" object describes (to_json's inverse, for what
/// fl-probed streams back to fl-trace --via). An input error names the
/// first field that is missing or wrong.
Result<model::Trace> trace_from_json(const nlohmann::json& j);

/// Appends the same object as to_json(trace).dump(), byte for byte, without
/// building it first: replaying a campaign prints megabytes of these.
/// Held to that by tests/unit/trace_json_property_test.cpp. Strings
/// (Inference) must be UTF-8: dump() throws on others, this copies them.
void append_json(std::string& out, const model::Trace& trace);

/// Writes traces as JSON Lines. Output is flushed when a trace follows the
/// last flush by 100 ms or more, on flush() and at the end, not after every
/// trace: replay writes thousands per second. Callers that may go quiet
/// for long call flush() now and then (fl-trace: with its progress ticks).
class JsonLinesWriter {
 public:
  explicit JsonLinesWriter(std::ostream& out);
  ~JsonLinesWriter();
  JsonLinesWriter(const JsonLinesWriter&) = delete;
  JsonLinesWriter& operator=(const JsonLinesWriter&) = delete;
  void write(const model::Trace& trace);
  void flush();

 private:
  struct Buffer;  // the line being written; its type stays out of the public interface
  std::ostream& out_;
  std::unique_ptr<Buffer> buf_;
  std::int64_t last_flush_us_ = 0;
};

}  // namespace probe::format
