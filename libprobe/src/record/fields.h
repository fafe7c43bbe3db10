// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// The records' scalar fields, each listed once for both directions, so
// that a writer and its reader cannot drift apart (a name spelled two ways,
// a field written but never read): `io` is a FieldWriter (into a record) or
// a FieldReader (out of one, checked). Side by side, so that what the
// records share is written once and where they differ shows: `c` is the
// record's TraceConfig, DnsConfig or CampaignPlan, whose members carry the
// same names. Lists, addresses and words stay with each codec.

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

// fl-trace's record (and fl-dns --trace's).
template <class Io, class Config>
void trace_fields(Io& io, Config& c) {
  traced_fields(io, c, kTraceLimits);
  io.field("dport", c.dport, 0, 65535);
  io.field("first_ttl", c.first_ttl, 1, 255);
  io.flag("classic", c.classic);
}

// fl-dns's record of queries or a zone check.
template <class Io, class Config>
void dns_fields(Io& io, Config& c) {
  pacing_fields(io, c, kDnsLimits);
  io.field("tries", c.tries, 1, 255);
  io.flag("edns", c.edns);
  io.field("edns_size", c.edns_size, 0, 65535);
  io.flag("dnssec_ok", c.dnssec_ok);
  io.flag("tcp_fallback", c.tcp_fallback);
}

// fl-locate's record of a campaign.
template <class Io, class Plan>
void campaign_fields(Io& io, Plan& p) {
  traced_fields(io, p, kCampaignLimits);
}

}  // namespace probe::record::detail
