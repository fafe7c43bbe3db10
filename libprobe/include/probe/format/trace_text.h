#pragma once
/// traceroute-like text for people at a terminal.

#include <ostream>

#include "probe/model/trace.h"

namespace probe::format {

class TextWriter {
 public:
  TextWriter(std::ostream& out, int max_ttl) : out_(out), max_ttl_(max_ttl) {}
  void write(const model::Trace& trace);

 private:
  std::ostream& out_;
  int max_ttl_;
};

}  // namespace probe::format
