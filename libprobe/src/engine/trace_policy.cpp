// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/trace_policy.h"

#include <limits>

#include "doubletree_policy.h"
#include "probe/engine/start_order.h"

namespace probe::engine {

namespace {

// Every trace goes forward from the first TTL, in target order.
class PlainPolicy final : public TracePolicy {
 public:
  PlainPolicy(const TraceConfig& c, const TargetList& targets)
      : limits_{c.max_ttl, c.attempts, c.gaplimit, c.first_ttl, c.queries}, order_(targets, false, 0) {}

  bool can_start() override { return order_.can_start(); }
  std::uint32_t take_start() override { return order_.take(); }
  void close() override { order_.close(); }
  bool open_start() const override { return false; }
  std::uint8_t start_ttl(const model::Address&) const override { return limits_.first_ttl; }
  Step after_reply(std::uint32_t, const model::Trace& trace, const Cursor& cursor,
                   const model::Reply& reply) override {
    if (limits_.queries) return engine::after_query(trace, cursor, limits_);
    return engine::after_reply(trace, cursor, reply, limits_);
  }
  Step after_silence(std::uint32_t, model::Trace& trace, const Cursor& cursor, std::int64_t) override {
    if (limits_.queries) return engine::after_query(trace, cursor, limits_);
    return engine::after_silence(cursor, limits_);
  }
  void on_finish(std::uint32_t, model::Trace&) override {}
  std::int64_t print_after(std::uint32_t) const override { return std::numeric_limits<std::int64_t>::min(); }
  bool complete(std::uint32_t, model::Trace&, const Cursor&) override { return true; }
  void forget(std::uint32_t) override {}
  bool ends_before_printing() const override { return false; }
  std::uint64_t inferred_hops() const override { return 0; }

 private:
  Limits limits_;
  StartOrder order_;
};

}  // namespace

std::unique_ptr<TracePolicy> make_trace_policy(const TraceConfig& config, const TargetList& targets) {
  if (config.doubletree) return std::make_unique<DoubletreePolicy>(config, targets);
  return std::make_unique<PlainPolicy>(config, targets);
}

}  // namespace probe::engine
