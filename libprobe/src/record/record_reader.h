// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// The one reader of run records. Every field goes through FieldReader, so
// that each codec checks types and ranges the same way: nlohmann's own
// get<int>() would cut 2.5 to 2, wrap 4294967296 to 0 in a uint32 and turn
// 3e43 into undefined behaviour.

#include <cassert>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "probe/error.h"
#include "probe/model/address.h"
#include "probe/record/record.h"

namespace probe::record::detail {

inline constexpr int kVersion = 1;

// What FieldReader throws; its message starts with the field's name.
struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Typed, range-checked reads of one JSON object's fields.
class FieldReader {
 public:
  // `path` is put before every field name in errors ("queries[2].").
  explicit FieldReader(const nlohmann::json& object, std::string path = "");

  bool has(const char* name) const;
  std::int64_t integer(const char* name, std::int64_t lo, std::int64_t hi) const;
  // integer() cast to T; [lo, hi] must fit in T.
  template <typename T>
  T integer_as(const char* name, std::int64_t lo, std::int64_t hi) const {
    static_assert(std::is_integral_v<T> && sizeof(T) <= sizeof(std::int64_t));
    // A range T cannot hold would wrap after the check: a bug in the codec.
    assert(std::is_signed_v<T> ? lo >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) : lo >= 0);
    assert(hi >= 0 && static_cast<std::uint64_t>(hi) <= static_cast<std::uint64_t>(std::numeric_limits<T>::max()));
    return static_cast<T>(integer(name, lo, hi));
  }
  // integer_as<T>(), rate() and boolean() into `out`: the form in which
  // fields.h lists the fields for the reader and the writer alike.
  template <typename T>
  void field(const char* name, T& out, std::int64_t lo, std::int64_t hi) const {
    out = integer_as<T>(name, lo, hi);
  }
  void rate(const char* name, double& out) const { out = rate(name); }
  void flag(const char* name, bool& out) const { out = boolean(name); }
  // An array of integers, each in [lo, hi].
  std::vector<std::int64_t> integers(const char* name, std::int64_t lo, std::int64_t hi) const;
  // A rate (pps): a number above 0, at most 10^7.
  double rate(const char* name) const;
  bool boolean(const char* name) const;
  bool boolean_or(const char* name, bool fallback) const;
  std::string string(const char* name) const;
  std::string string_or(const char* name, const std::string& fallback) const;
  std::vector<std::string> strings(const char* name) const;
  model::Address address(const char* name) const;
  std::vector<model::Address> addresses(const char* name) const;
  // "run_key": a decimal string (JSON numbers beyond 2^53 do not survive every reader).
  std::uint64_t run_key() const;
  // The elements of an array of objects, each as a reader of its own.
  std::vector<FieldReader> objects(const char* name) const;
  // An object field as a reader of its own.
  FieldReader object(const char* name) const;

  // Throws FieldError "NAME: what".
  [[noreturn]] void fail(const char* name, const std::string& what) const;

 private:
  const nlohmann::json& at(const char* name) const;
  const nlohmann::json& array(const char* name) const;
  std::string name_of(const char* name) const;

  const nlohmann::json* object_;
  std::string path_;
};

// The JSON object behind the tag, its version checked; an input error if
// the comment has no tag, no JSON object or another version.
Result<nlohmann::json> parse_record(const std::string& comment);
// The same behind another tag (the annotation's); `missing` is the error
// when the comment does not start with it.
Result<nlohmann::json> parse_tagged(const std::string& comment, const std::string& tag, const std::string& missing);

// The text of each address or prefix, as the writers store lists of them.
template <typename List>
std::vector<std::string> texts(const List& list) {
  std::vector<std::string> out;
  for (const auto& x : list) out.push_back(x.to_string());
  return out;
}

// What every writer returns: the tag, then `fields` with the fields every
// record has added (version, tool, interface, src, run_key).
std::string tagged(nlohmann::json fields, const std::string& tool, const std::string& interface,
                   const model::Address& src, std::uint64_t run_key);

Error malformed(const std::string& what);

// Parses a record and hands it to `read` (FieldReader -> Result<T>); what
// the reader throws becomes an input error.
template <typename T, typename Read>
Result<T> read_json(Result<nlohmann::json> j, Read&& read) {
  if (!j) return j.error();
  try {
    return read(FieldReader(*j));
  } catch (const std::exception& e) {
    return malformed(e.what());
  }
}
template <typename T, typename Read>
Result<T> read_record(const std::string& comment, Read&& read) {
  return read_json<T>(parse_record(comment), std::forward<Read>(read));
}

}  // namespace probe::record::detail
