#pragma once
/// The JSON form of traces (fl-json(5)), one object per line.

#include <nlohmann/json.hpp>
#include <ostream>

#include "probe/model/trace.h"

namespace probe::format {

/// The fl-json(5) "trace" object.
nlohmann::ordered_json to_json(const model::Trace& trace);

/// Writes traces as JSON Lines, flushing after each so pipes see them at once.
class JsonLinesWriter {
 public:
  explicit JsonLinesWriter(std::ostream& out) : out_(out) {}
  void write(const model::Trace& trace);

 private:
  std::ostream& out_;
};

}  // namespace probe::format
