// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Text inside the double quotes of a Graphviz string, for both dot writers.

#include <string>

namespace probe::format::detail {

inline std::string dot_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace probe::format::detail
