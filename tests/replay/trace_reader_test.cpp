// SPDX-License-Identifier: BSD-2-Clause
// fl-trace --via prints what fl-probed streams back by reading each trace
// object into a model::Trace: every trace of the golden replays (MPLS
// stacks, inferred hops, quoted TTLs, every stop reason there is) must read
// back to the same object, byte for byte, or a --via run would print
// something a direct run does not.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "probe/format/trace_json.h"

namespace {

namespace fs = std::filesystem;

TEST(TraceReader, EveryGoldenTraceReadsBackToItself) {
  std::size_t traces = 0;
  for (const auto& f : fs::directory_iterator(FL_CAPTURES_DIR)) {
    if (f.path().extension() != ".json") continue;
    std::ifstream in(f.path());
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || j.value("type", "") != "trace") continue;
      auto t = probe::format::trace_from_json(j);
      ASSERT_TRUE(t) << f.path() << ": " << t.error().message;
      EXPECT_EQ(probe::format::to_json(*t).dump(), nlohmann::ordered_json::parse(line).dump()) << f.path();
      ++traces;
    }
  }
  EXPECT_GT(traces, 50u) << "the golden replays were not found";
}

}  // namespace
