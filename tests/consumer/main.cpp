// SPDX-License-Identifier: BSD-2-Clause
// Counts what a capture holds with an installed libprobe: the frames, and
// the traceroutes rebuilt from them, then prints the traces as fl-json(5).
// Output: "frames N traces M", then one JSON line per trace.

#include <probe/engine/foreign_trace.h>
#include <probe/format/trace_json.h>
#include <probe/io/packet_source.h>
#include <probe/sched/clock.h>

#include <cstdint>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer CAPTURE\n";
    return 2;
  }
  auto source = probe::io::open_file(argv[1]);
  if (!source) {
    std::cerr << "consumer: " << source.error().message << "\n";
    return 1;
  }
  probe::engine::ForeignTraceBuilder builder;
  std::uint64_t frames = 0;
  while (auto p = (*source)->next(probe::sched::kNever)) {
    ++frames;
    builder.add(*p);
  }
  auto traces = builder.finish();
  std::cout << "frames " << frames << " traces " << traces.size() << "\n";
  probe::format::JsonLinesWriter writer(std::cout);
  for (const auto& t : traces) writer.write(t);
  return 0;
}
