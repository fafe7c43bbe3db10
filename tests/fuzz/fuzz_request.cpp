// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: what a client writes on fl-probed's control socket.
// The bytes go through the line reader in two pieces (a read boundary
// anywhere), every line is read as a request (verb trace or dns), and what
// comes back (the request line of an accepted request, the refusal line of
// a refused one) must read back as what it says.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "probe/serve/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace probe::serve;
  // A small limit, so that the fuzzer reaches the too-long path too.
  LineReader reader(size > 0 && (data[0] & 1) ? 64 : kMaxLine);
  const char* bytes = reinterpret_cast<const char*>(data);
  std::size_t cut = size > 1 ? data[1] % size : 0;
  reader.feed(bytes, cut);
  reader.feed(bytes + cut, size - cut);
  while (auto line = reader.next()) {
    if (line->too_long) {
      if (!line->text.empty()) std::abort();
      continue;
    }
    auto r = parse_request(line->text);
    if (auto* req = std::get_if<Request>(&r)) {
      if (req->verb == Verb::dns) {
        auto again = parse_request(request_line(req->id, req->dns));
        if (!std::holds_alternative<Request>(again)) std::abort();
        const auto& back = std::get<Request>(again).dns;
        if (back.queries.size() != req->dns.queries.size()) std::abort();
        for (std::size_t i = 0; i < back.queries.size(); ++i)
          if (back.queries[i].qname != req->dns.queries[i].qname || back.queries[i].server != req->dns.queries[i].server ||
              back.queries[i].qtype != req->dns.queries[i].qtype)
            std::abort();
        continue;
      }
      auto again = parse_request(request_line(req->id, req->trace));
      if (!std::holds_alternative<Request>(again)) std::abort();
      if (std::get<Request>(again).trace.targets != req->trace.targets) std::abort();
    } else {
      auto back = parse_reply(refusal_line(std::get<Refusal>(r)));
      if (!std::holds_alternative<Refusal>(back)) std::abort();
    }
  }
  return 0;
}
