// SPDX-License-Identifier: BSD-2-Clause
#include "probe/match/flow_plan.h"

namespace probe::match {

FlowPlan::FlowPlan(model::Method method, std::uint64_t run_key, std::uint16_t sport,
                   std::uint16_t dport, bool classic, std::uint32_t cycle)
    : method_(method), key_(run_key), sport_(sport), dport_(dport), classic_(classic), cycle_(cycle) {}

}  // namespace probe::match
