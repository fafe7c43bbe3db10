// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// traceroute-like text for people at a terminal.

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "probe/model/trace.h"

namespace probe::format {

/// traceroute's mark for an ICMP destination unreachable code: "!N", "!H",
/// "!X"..., "!<code>" for codes without a letter, "" for port unreachable.
std::string unreachable_mark(std::uint8_t icmp_code, bool v6);

/// The AS of an address, if a table knows it.
using AsnLookup = std::function<std::optional<std::uint32_t>(const model::Address&)>;

/// What the text shows besides traceroute's default.
struct TextStyle {
  bool classic = false;          ///< the traces were sent with per-probe ports (--classic), not Paris
  bool traceroute_mpls = false;  ///< -e: label stacks as traceroute -e, "<MPLS:L=24,E=0,S=1,T=1>"
  AsnLookup asn_of;              ///< -A: "[AS64510]" after each address, "[AS?]" when unknown; empty: none
  /// Names as traceroute shows them, "name (addr)", "addr (addr)" for an
  /// address without one ("" from the lookup); empty: addresses only (-n).
  std::function<std::string(const model::Address&)> name_of;
};

class TextWriter {
 public:
  /// classic: the traces were sent with per-probe ports (--classic), not Paris.
  TextWriter(std::ostream& out, int max_ttl, bool classic = false)
      : TextWriter(out, max_ttl, TextStyle{classic, false, {}, {}}) {}
  TextWriter(std::ostream& out, int max_ttl, TextStyle style)
      : out_(out), max_ttl_(max_ttl), style_(std::move(style)) {}
  void write(const model::Trace& trace);

 private:
  std::ostream& out_;
  int max_ttl_;
  TextStyle style_;
};

}  // namespace probe::format
