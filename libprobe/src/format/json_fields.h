// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Reading fields of a JSON object the tools wrote (traces, locate reports),
// shared by the readers: a missing or mistyped field throws Bad, which the
// reader's one entry point turns into an input error.

#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "probe/model/address.h"

namespace probe::format::detail {

using nlohmann::json;

// A field missing or of the wrong type ends the read with its name: the
// lines come from a daemon of another version, perhaps.
struct Bad {
  std::string what;
};

inline const json& field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) throw Bad{fmt::format("no \"{}\"", name)};
  return *it;
}

template <class T>
T number(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_number_integer()) throw Bad{fmt::format("\"{}\" is not an integer", name)};
  return v.get<T>();
}

inline std::string text(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_string()) throw Bad{fmt::format("\"{}\" is not a string", name)};
  return v.get<std::string>();
}

inline model::Address address(const json& j, const char* name) {
  auto a = model::Address::parse(text(j, name));
  if (!a) throw Bad{fmt::format("\"{}\" is not an address", name)};
  return *a;
}

template <class E, std::size_t N>
E word(const json& j, const char* name, const std::array<std::pair<const char*, E>, N>& words) {
  std::string w = text(j, name);
  for (const auto& [k, v] : words)
    if (w == k) return v;
  throw Bad{fmt::format("\"{}\": unknown value \"{}\"", name, w)};
}

}  // namespace probe::format::detail
