// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The words of the model's decisions: the one place where a verdict, a
/// status, a confidence or a mode becomes the word that reports, run
/// records and fl-json(5) carry, and where such a word is read back. They
/// sit beside the enums, not in format, because more than the writers need
/// them: the verdict rules (locate) name a zone's verdict in the reason
/// sentence with the word the report's `dns.verdict` carries, and run
/// records store the DNS mode by its word.

#include <cstddef>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>

#include "probe/model/dns.h"
#include "probe/model/verdict.h"

namespace probe::model {

/// The value's word; "" for a number that names no value of the enum.
std::string_view to_word(Verdict v);
std::string_view to_word(Confidence c);
std::string_view to_word(PrefixStatus s);
std::string_view to_word(ServerStatus s);
std::string_view to_word(ZoneVerdict v);
std::string_view to_word(DnsMode m);

/// The value whose word (to_word) is `word`; nullopt for any other text.
template <class Enum>
std::optional<Enum> from_word(std::string_view word) {
  // The enums above number their values from 0 without gaps.
  using Number = std::underlying_type_t<Enum>;
  for (std::size_t i = 0; i <= std::numeric_limits<Number>::max(); ++i) {
    const std::string_view w = to_word(static_cast<Enum>(static_cast<Number>(i)));
    if (w.empty()) break;
    if (w == word) return static_cast<Enum>(static_cast<Number>(i));
  }
  return std::nullopt;
}

}  // namespace probe::model
