// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// What fl-locate concludes, as values: the verdict on a country (or one of
/// its prefixes), how sure it is, and how a prefix's targets fared. Their
/// words are in probe/model/words.h.

#include <cstdint>

namespace probe::model {

/// Where connectivity to the country breaks, or that it does not.
enum class Verdict : std::uint8_t {
  reachable,     ///< every national target probed to the end answers
  upstream,      ///< the paths end before the national network (a transit AS)
  internal,      ///< the paths end inside the national network or at its border
  dns,           ///< the targets answer but the zone's delegation is broken
  partial,       ///< some national prefixes answer, others do not
  local,         ///< the vantage point's own network fails
  inconclusive,  ///< the evidence says nothing either way
};

enum class Confidence : std::uint8_t { high, medium, low };

/// How a prefix's targets fared, of those probed to the end.
enum class PrefixStatus : std::uint8_t {
  reachable,     ///< all of them answered
  unreachable,   ///< none answered
  partial,       ///< some answered
  inconclusive,  ///< none was probed to the end
};

}  // namespace probe::model
