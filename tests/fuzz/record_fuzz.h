// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// What the three run record targets share: the input as a section comment,
// and again behind the tag so that the JSON path is reached without the
// fuzzer having to find the tag first. A record that parses must write back
// to one that parses again: the reader takes nothing the writer cannot say.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "probe/record/record.h"

template <typename Parse, typename Write>
void fuzz_record(const std::uint8_t* data, std::size_t size, Parse parse, Write write) {
  const std::string comment(reinterpret_cast<const char*>(data), size);
  for (const std::string& c : {comment, probe::record::kRunRecordTag + comment}) {
    auto r = parse(c);
    if (r && !parse(write(*r))) std::abort();
  }
}
