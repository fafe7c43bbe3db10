#pragma once
// A record's scalar fields, each listed once for both directions, so that
// a writer and its reader cannot drift apart (a name spelled two ways, a
// field written but never read): `io` is a FieldWriter (into a record) or a
// FieldReader (out of one, checked). Here the fields that more than one
// record carries; `c` is the record's TraceConfig, DnsConfig or
// CampaignPlan, whose members carry these names.

#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

#include "record_reader.h"

namespace probe::record::detail {

// Puts the fields into a record's JSON object.
class FieldWriter {
 public:
  explicit FieldWriter(nlohmann::json& object) : object_(object) {}
  template <typename T>
  void field(const char* name, const T& value, std::int64_t, std::int64_t) {
    object_[name] = value;
  }
  void rate(const char* name, double value) { object_[name] = value; }
  void flag(const char* name, bool value) { object_[name] = value; }

 private:
  nlohmann::json& object_;
};

// What a record allows of the shared fields where the records differ.
struct SharedLimits {
  std::int64_t sport_lo;
  std::int64_t sport_hi;
  std::int64_t attempts_hi;
  std::int64_t concurrency_hi;
};

inline constexpr std::int64_t kMaxWaitUs = 3600000000;  // an hour
inline constexpr std::int64_t kUnbounded = std::numeric_limits<std::int64_t>::max();

// Source port 0: an ICMP run has none.
inline constexpr SharedLimits kTraceLimits{0, 65535, 255, kUnbounded};
// A DNS run has no attempts (its tries are its own field).
inline constexpr SharedLimits kDnsLimits{1, 65535, 255, kUnbounded};
// Method i of a campaign uses sport + i, DNS over TCP up to sport + 1016;
// attempts and concurrency as fl-locate allows them.
inline constexpr SharedLimits kCampaignLimits{0, 65535 - 1016, 10, 1 << 20};

// What every run does at its pace: the source port, the wait for a reply,
// the rate and how many run at once.
template <class Io, class Config>
void pacing_fields(Io& io, Config& c, const SharedLimits& limits) {
  io.field("sport", c.sport, limits.sport_lo, limits.sport_hi);
  io.field("wait_us", c.wait_us, 1, kMaxWaitUs);
  io.rate("pps", c.pps);
  io.field("concurrency", c.concurrency, 1, limits.concurrency_hi);
}

// What a run of traceroutes does: its pacing, and how far each trace goes
// (trace and campaign records).
template <class Io, class Config>
void traced_fields(Io& io, Config& c, const SharedLimits& limits) {
  pacing_fields(io, c, limits);
  io.field("max_ttl", c.max_ttl, 1, 255);
  io.field("attempts", c.attempts, 1, limits.attempts_hi);
  io.field("gaplimit", c.gaplimit, 1, 255);
}

}  // namespace probe::record::detail
