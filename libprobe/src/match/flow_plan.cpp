#include "probe/match/flow_plan.h"

namespace probe::match {

namespace {

// splitmix64 finaliser: spreads the key over per-trace values.
std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

constexpr std::uint32_t kTokens = 65535;  // ids 1..65535

}  // namespace

FlowPlan::FlowPlan(model::Method method, std::uint64_t run_key, std::uint16_t sport,
                   std::uint16_t dport, bool classic)
    : method_(method), key_(run_key), sport_(sport), dport_(dport), classic_(classic) {}

std::uint64_t FlowPlan::mix(std::size_t trace, std::uint64_t salt) const {
  return splitmix(key_ ^ splitmix(trace * 4 + salt));
}

Flow FlowPlan::flow(std::size_t trace, std::size_t probe) const {
  auto step = static_cast<std::uint16_t>(classic_ ? probe : 0);
  switch (method_) {
    case model::Method::icmp:
      // Echo id and the checksum every probe is steered to; classic ICMP lets
      // the checksum follow the sequence number instead.
      // A checksum field of 0xffff needs a one's complement sum of zero,
      // which non-zero data never has: steer only to 0x0000..0xfffe.
      {
        auto checksum = static_cast<std::uint16_t>(mix(trace, 2) + step);
        return Flow{static_cast<std::uint16_t>(mix(trace, 1)),
                    checksum == 0xffff ? std::uint16_t{0} : checksum};
      }
    case model::Method::udp:
    case model::Method::dns:
      return Flow{sport_, static_cast<std::uint16_t>(dport_ + step)};
    case model::Method::tcp:
      return Flow{static_cast<std::uint16_t>(sport_ + step), dport_};
  }
  return {};
}

std::uint16_t FlowPlan::token(std::size_t trace, std::size_t probe) const {
  auto base = static_cast<std::uint32_t>(mix(trace, 3) % kTokens);
  return static_cast<std::uint16_t>((base + probe) % kTokens + 1);
}

std::size_t FlowPlan::probe_index(std::size_t trace, std::uint16_t token) const {
  if (token == 0) return SIZE_MAX;
  auto base = static_cast<std::uint32_t>(mix(trace, 3) % kTokens);
  return (std::uint32_t{token} - 1 + kTokens - base) % kTokens;
}

}  // namespace probe::match
