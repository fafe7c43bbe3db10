// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Run record tests: a valid record with one field changed, and the check
// that a codec refuses it as an input error naming that field.

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "probe/error.h"
#include "probe/record/record.h"

namespace recordtest {

// `comment` (a run record) after `edit` changed its JSON.
inline std::string edited(const std::string& comment, const std::function<void(nlohmann::json&)>& edit) {
  const std::string tag = probe::record::kRunRecordTag;
  auto j = nlohmann::json::parse(comment.substr(tag.size()));
  edit(j);
  return tag + j.dump();
}

// `comment` with its top-level field `name` set to `value`.
inline std::string with(const std::string& comment, const std::string& name, const nlohmann::json& value) {
  return edited(comment, [&](nlohmann::json& j) { j[name] = value; });
}

// A field and the value that must be refused in it.
struct BadField {
  std::string field;  // as the error names it: "sport", "queries[0].qtype"
  nlohmann::json value;
};

template <typename Parse>
void expect_refused(Parse parse, const std::string& comment, const std::string& field) {
  auto r = parse(comment);
  ASSERT_FALSE(r) << field << " read back from " << comment;
  EXPECT_EQ(r.error().kind, probe::ErrorKind::input) << comment;
  EXPECT_NE(r.error().message.find(field), std::string::npos) << "the error does not name " << field << ": "
                                                              << r.error().message;
}

}  // namespace recordtest
