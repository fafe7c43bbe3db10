// SPDX-License-Identifier: BSD-2-Clause
// Reading an fl-locate JSON report back as a baseline, with nlohmann's SAX
// interface: only the fields a baseline keeps are built, so memory stays
// near the baseline's own size instead of a DOM of the whole report (about
// 12 times the file).

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probe/record/baseline.h"

namespace probe::record {

namespace {

// Where the parser is: the containers a baseline looks into.
enum class At { root, list, target, path, hop };

class BaselineSax {
 public:
  using json = nlohmann::json;

  bool null() { return scalar(Value::null); }
  bool boolean(bool v) {
    bool_ = v;
    return scalar(Value::boolean);
  }
  bool number_integer(json::number_integer_t v) { return number(static_cast<double>(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return number(static_cast<double>(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return number(std::trunc(v)); }
  bool string(json::string_t& v) {
    string_ = std::move(v);
    return scalar(Value::string);
  }
  bool binary(json::binary_t&) { return scalar(Value::other); }
  bool start_object(std::size_t) { return open(true); }
  bool start_array(std::size_t) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    if (skip_ > 0) return true;
    key_ = std::move(k);
    if (stack_.size() == 1) {
      has_verdict_ |= key_ == "verdict";
      has_targets_ |= key_ == "targets";
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) { return fail(e.what()); }

  // The baseline, or the error that stopped the parse.
  Result<locate::Baseline> finish(bool parsed) {
    if (!error_.empty()) return make_error(ErrorKind::input, "not an fl-locate JSON report: " + error_);
    if (!parsed || !root_object_ || !has_verdict_ || !has_targets_)
      return make_error(ErrorKind::input, "not an fl-locate JSON report (no verdict and targets)");
    locate::Baseline b;
    b.paths = std::move(lists_[0]);
    for (auto& p : lists_[1]) b.paths.push_back(std::move(p));
    return b;
  }

 private:
  enum class Value { null, boolean, number, string, other };

  bool fail(std::string what) {
    if (error_.empty()) error_ = std::move(what);
    return false;
  }

  bool number(double v) {
    number_ = v;
    return scalar(Value::number);
  }

  // A TTL as the DOM reader took it (get<int>, then 1..255).
  std::optional<std::uint8_t> ttl() const {
    if (!(number_ >= 1 && number_ <= 255)) return std::nullopt;
    return static_cast<std::uint8_t>(number_);
  }

  bool scalar(Value v) {
    if (skip_ > 0 || stack_.empty()) return true;
    switch (stack_.back()) {
      case At::root:
        // A list that is null holds nothing; any other scalar is no list.
        if (list_index() >= 0 && v != Value::null) return fail("'" + key_ + "' is not a list");
        return true;
      case At::list: return fail("a target is not an object");
      case At::path: return fail("a hop is not an object");
      case At::target:
        if (key_ == "addr") {
          auto a = v == Value::string ? model::Address::parse(string_) : std::nullopt;
          if (!a) return fail("bad target address");
          target_.target = *a;
          seen_ |= kAddr;
        } else if (key_ == "reached") {
          if (v != Value::boolean) return fail("'reached' is not a boolean");
          target_.reached = bool_;
          seen_ |= kReached;
        } else if (key_ == "reached_ttl" && v != Value::null) {
          if (v != Value::number || !ttl()) return fail("bad reached_ttl");
          target_.reached_ttl = *ttl();
        } else if (key_ == "path") {
          if (v != Value::null) return fail("'path' is not a list");
          seen_ |= kPath;
        }
        return true;
      case At::hop:
        if (key_ == "addr") {
          hop_addr_ = v == Value::string ? model::Address::parse(string_) : std::nullopt;
          if (!hop_addr_) return fail("bad hop in a path");
        } else if (key_ == "ttl") {
          hop_ttl_ = v == Value::number ? ttl() : std::nullopt;
          if (!hop_ttl_) return fail("bad hop in a path");
        }
        return true;
    }
    return true;
  }

  bool open(bool object) {
    if (skip_ > 0) {
      ++skip_;
      return true;
    }
    if (stack_.empty()) {
      root_object_ = object;
      if (!object) ++skip_;
      else stack_.push_back(At::root);
      return true;
    }
    switch (stack_.back()) {
      case At::root:
        if (list_index() < 0) break;
        if (object) return fail("'" + key_ + "' is not a list");
        list_ = list_index();
        lists_[list_].clear();  // a repeated key: the last one counts
        stack_.push_back(At::list);
        return true;
      case At::list:
        if (!object) return fail("a target is not an object");
        target_ = {};
        seen_ = 0;
        stack_.push_back(At::target);
        return true;
      case At::target:
        if (key_ != "path") break;
        if (object) return fail("'path' is not a list");
        target_.hops.clear();
        seen_ |= kPath;
        stack_.push_back(At::path);
        return true;
      case At::path:
        if (!object) return fail("a hop is not an object");
        hop_addr_.reset();
        hop_ttl_.reset();
        stack_.push_back(At::hop);
        return true;
      case At::hop: break;
    }
    ++skip_;  // a field the baseline does not keep
    return true;
  }

  bool close() {
    if (skip_ > 0) {
      --skip_;
      return true;
    }
    At done = stack_.back();
    stack_.pop_back();
    if (done == At::target) {
      for (auto [bit, name] : {std::pair{kAddr, "addr"}, {kReached, "reached"}, {kPath, "path"}})
        if ((seen_ & bit) == 0) return fail(std::string("key '") + name + "' not found");
      lists_[list_].push_back(std::move(target_));
    } else if (done == At::hop) {
      if (!hop_addr_ || !hop_ttl_) return fail("bad hop in a path");
      target_.hops.push_back({*hop_ttl_, *hop_addr_});
    }
    return true;
  }

  // Which list the root's current key names: 0 targets, 1 controls, -1 neither.
  int list_index() const { return key_ == "targets" ? 0 : key_ == "controls" ? 1 : -1; }

  static constexpr unsigned kAddr = 1, kReached = 2, kPath = 4;

  std::vector<At> stack_;
  std::size_t skip_ = 0;  // depth inside a skipped value
  std::string key_;       // the last key of the innermost object
  int list_ = 0;          // the list being read (see list_index)
  bool root_object_ = false, has_verdict_ = false, has_targets_ = false;
  std::vector<locate::BaselinePath> lists_[2];
  locate::BaselinePath target_;
  unsigned seen_ = 0;
  std::optional<model::Address> hop_addr_;
  std::optional<std::uint8_t> hop_ttl_;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::string error_;
};

}  // namespace

Result<locate::Baseline> parse_baseline_json(std::string_view text) {
  BaselineSax sax;
  bool parsed = nlohmann::json::sax_parse(text.begin(), text.end(), &sax);
  return sax.finish(parsed);
}

}  // namespace probe::record
