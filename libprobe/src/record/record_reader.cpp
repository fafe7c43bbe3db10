// SPDX-License-Identifier: BSD-2-Clause
#include "record_reader.h"

#include "probe/excerpt.h"

#include <cmath>

namespace probe::record {

namespace detail {

namespace {

constexpr double kMaxRate = 1e7;

// A value as it appears in an error: short, whatever the record holds.
std::string shown(const nlohmann::json& v) { return excerpt(v.dump()); }

const char* type_of(const nlohmann::json& v) {
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

[[noreturn]] void fail_at(const std::string& name, const std::string& what) { throw FieldError(name + ": " + what); }

[[noreturn]] void wrong_type(const std::string& name, const nlohmann::json& v, const char* want) {
  fail_at(name, std::string(type_of(v)) + " (" + shown(v) + "), not " + want);
}

// Unsigned JSON integers are compared as such: get<std::int64_t>() of one
// above 2^63 would wrap to a negative number.
std::int64_t checked_integer(const nlohmann::json& v, const std::string& name, std::int64_t lo, std::int64_t hi) {
  if (!v.is_number_integer()) {
    if (v.is_number()) fail_at(name, shown(v) + " is not an integer");
    wrong_type(name, v, "an integer");
  }
  bool in = false;
  std::int64_t x = 0;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    in = hi >= 0 && u <= static_cast<std::uint64_t>(hi);
    x = in ? static_cast<std::int64_t>(u) : 0;
    in = in && x >= lo;
  } else {
    x = v.get<std::int64_t>();
    in = x >= lo && x <= hi;
  }
  if (!in) fail_at(name, shown(v) + " is out of range (" + std::to_string(lo) + " to " + std::to_string(hi) + ")");
  return x;
}

model::Address checked_address(const nlohmann::json& v, const std::string& name) {
  if (!v.is_string()) wrong_type(name, v, "an address");
  auto a = model::Address::parse(v.get_ref<const std::string&>());
  if (!a) fail_at(name, shown(v) + " is not an address");
  return *a;
}

}  // namespace

FieldReader::FieldReader(const nlohmann::json& object, std::string path) : object_(&object), path_(std::move(path)) {
  // An element's path ends in the dot its fields follow.
  if (!object.is_object())
    throw FieldError((path_.empty() ? std::string("record") : path_.substr(0, path_.size() - 1)) + " is not an object");
}

std::string FieldReader::name_of(const char* name) const { return path_ + name; }

void FieldReader::fail(const char* name, const std::string& what) const { fail_at(name_of(name), what); }

bool FieldReader::has(const char* name) const { return object_->contains(name); }

const nlohmann::json& FieldReader::at(const char* name) const {
  auto it = object_->find(name);
  if (it == object_->end()) fail(name, "missing");
  return *it;
}

const nlohmann::json& FieldReader::array(const char* name) const {
  const auto& v = at(name);
  if (!v.is_array()) wrong_type(name_of(name), v, "an array");
  return v;
}

std::int64_t FieldReader::integer(const char* name, std::int64_t lo, std::int64_t hi) const {
  return checked_integer(at(name), name_of(name), lo, hi);
}

std::vector<std::int64_t> FieldReader::integers(const char* name, std::int64_t lo, std::int64_t hi) const {
  std::vector<std::int64_t> out;
  const auto& a = array(name);
  for (std::size_t i = 0; i < a.size(); ++i)
    out.push_back(checked_integer(a[i], name_of(name) + "[" + std::to_string(i) + "]", lo, hi));
  return out;
}

double FieldReader::rate(const char* name) const {
  const auto& v = at(name);
  if (!v.is_number()) wrong_type(name_of(name), v, "a number");
  const double x = v.get<double>();
  if (!(std::isfinite(x) && x > 0 && x <= kMaxRate)) fail(name, shown(v) + " is out of range (above 0, at most 1e7)");
  return x;
}

bool FieldReader::boolean(const char* name) const {
  const auto& v = at(name);
  if (!v.is_boolean()) wrong_type(name_of(name), v, "a boolean");
  return v.get<bool>();
}

bool FieldReader::boolean_or(const char* name, bool fallback) const { return has(name) ? boolean(name) : fallback; }

std::string FieldReader::string(const char* name) const {
  const auto& v = at(name);
  if (!v.is_string()) wrong_type(name_of(name), v, "a string");
  return v.get<std::string>();
}

std::string FieldReader::string_or(const char* name, const std::string& fallback) const {
  return has(name) ? string(name) : fallback;
}

std::vector<std::string> FieldReader::strings(const char* name) const {
  std::vector<std::string> out;
  const auto& a = array(name);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) wrong_type(name_of(name) + "[" + std::to_string(i) + "]", a[i], "a string");
    out.push_back(a[i].get<std::string>());
  }
  return out;
}

model::Address FieldReader::address(const char* name) const { return checked_address(at(name), name_of(name)); }

std::vector<model::Address> FieldReader::addresses(const char* name) const {
  std::vector<model::Address> out;
  const auto& a = array(name);
  for (std::size_t i = 0; i < a.size(); ++i)
    out.push_back(checked_address(a[i], name_of(name) + "[" + std::to_string(i) + "]"));
  return out;
}

std::uint64_t FieldReader::run_key() const {
  const std::string key = string("run_key");
  if (key.empty() || key.size() > 20 || key.find_first_not_of("0123456789") != std::string::npos)
    fail("run_key", "'" + key.substr(0, 40) + "' is not a decimal number");
  std::uint64_t x = 0;
  for (char c : key) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (x > (std::numeric_limits<std::uint64_t>::max() - d) / 10) fail("run_key", key + " is out of range");
    x = x * 10 + d;
  }
  return x;
}

std::vector<FieldReader> FieldReader::objects(const char* name) const {
  std::vector<FieldReader> out;
  const auto& a = array(name);
  for (std::size_t i = 0; i < a.size(); ++i) out.emplace_back(a[i], name_of(name) + "[" + std::to_string(i) + "].");
  return out;
}

FieldReader FieldReader::object(const char* name) const { return FieldReader(at(name), name_of(name) + "."); }

Error malformed(const std::string& what) { return make_error(ErrorKind::input, "run record is malformed: " + what); }

std::string tagged(nlohmann::json fields, const std::string& tool, const std::string& interface,
                   const model::Address& src, std::uint64_t run_key) {
  fields["version"] = kVersion;
  fields["tool"] = tool;
  fields["interface"] = interface;
  fields["src"] = src.to_string();
  // A string: JSON numbers beyond 2^53 do not survive every reader.
  fields["run_key"] = std::to_string(run_key);
  return kRunRecordTag + fields.dump();
}

Result<nlohmann::json> parse_record(const std::string& comment) {
  return parse_tagged(comment, kRunRecordTag, "not a faultline capture (no run record in its section header)");
}

Result<nlohmann::json> parse_tagged(const std::string& comment, const std::string& tag, const std::string& missing) {
  if (comment.compare(0, tag.size(), tag) != 0) return make_error(ErrorKind::input, missing);
  try {
    auto j = nlohmann::json::parse(comment.substr(tag.size()));
    if (FieldReader(j).integer("version", std::numeric_limits<std::int64_t>::min(),
                               std::numeric_limits<std::int64_t>::max()) != kVersion)
      return make_error(ErrorKind::input, "run record version " + shown(j.at("version")) + " is not supported");
    return j;
  } catch (const std::exception& e) {
    return malformed(e.what());
  }
}

}  // namespace detail

Result<std::pair<std::string, bool>> run_record_kind(const std::string& comment) {
  return detail::read_record<std::pair<std::string, bool>>(
      comment, [](const detail::FieldReader& r) { return std::make_pair(r.string("tool"), r.has("method")); });
}

}  // namespace probe::record
