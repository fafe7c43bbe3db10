// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// traceroute-like text for people at a terminal.

#include <cstdint>
#include <ostream>
#include <string>

#include "probe/model/trace.h"

namespace probe::format {

/// traceroute's mark for an ICMP destination unreachable code: "!N", "!H",
/// "!X"..., "!<code>" for codes without a letter, "" for port unreachable.
std::string unreachable_mark(std::uint8_t icmp_code, bool v6);

class TextWriter {
 public:
  /// classic: the traces were sent with per-probe ports (--classic), not Paris.
  TextWriter(std::ostream& out, int max_ttl, bool classic = false)
      : out_(out), max_ttl_(max_ttl), classic_(classic) {}
  void write(const model::Trace& trace);

 private:
  std::ostream& out_;
  int max_ttl_;
  bool classic_;
};

}  // namespace probe::format
