// SPDX-License-Identifier: BSD-2-Clause
// FlowPlan: probe ids and flows derived from the run key.

#include "probe/match/flow_plan.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>

#include "packet_helpers.h"
#include "probe/match/classify.h"
#include "probe/packet/probe_builder.h"

namespace {

using probe::match::Flow;
using probe::match::FlowPlan;
using probe::model::Method;

constexpr std::uint64_t kKeys[] = {0, 1, 0x0123456789abcdefULL, 0xffffffffffffffffULL,
                                   0x8000000000000000ULL};

TEST(FlowPlan, TokensAreNeverZero) {
  for (std::uint64_t key : kKeys) {
    FlowPlan plan(Method::udp, key, 40000, 33434, false);
    for (std::size_t trace = 0; trace < 64; ++trace) {
      for (std::size_t probe = 0; probe < 70000; probe += (probe < 400 ? 1 : 997)) {
        ASSERT_NE(plan.token(trace, probe), 0) << "key " << key << " trace " << trace
                                               << " probe " << probe;
      }
    }
  }
}

TEST(FlowPlan, ProbeIndexInvertsToken) {
  for (std::uint64_t key : kKeys) {
    FlowPlan plan(Method::icmp, key, 0, 0, false);
    for (std::size_t trace : {std::size_t{0}, std::size_t{1}, std::size_t{77}, std::size_t{1u << 20}}) {
      for (std::size_t probe = 0; probe < 65535; probe += 7) {
        ASSERT_EQ(plan.probe_index(trace, plan.token(trace, probe)), probe)
            << "key " << key << " trace " << trace;
      }
      ASSERT_EQ(plan.probe_index(trace, plan.token(trace, 65534)), 65534u);
    }
  }
  FlowPlan plan(Method::icmp, 5, 0, 0, false);
  EXPECT_EQ(plan.probe_index(3, 0), SIZE_MAX);  // 0 is no probe's token
}

TEST(FlowPlan, ConsecutiveProbesOfATraceHaveDistinctTokens) {
  FlowPlan plan(Method::udp, 0xfeedface, 40000, 33434, false);
  for (std::size_t trace = 0; trace < 16; ++trace) {
    std::set<std::uint16_t> seen;
    for (std::size_t probe = 0; probe < 600; ++probe) seen.insert(plan.token(trace, probe));
    EXPECT_EQ(seen.size(), 600u);
  }
}

// fl-trace --report: a late reply to one round must not be taken for the
// next round's probe, and every round must follow the same path.
TEST(FlowPlan, ReportCyclesChangeIdsNotFlows) {
  for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
    FlowPlan plain(m, 0xfeedface, 40000, 33434, false);
    FlowPlan first(m, 0xfeedface, 40000, 33434, false, 0);
    for (std::uint32_t cycle : {1u, 2u, 15u, 16u, 9999u}) {
      FlowPlan next(m, 0xfeedface, 40000, 33434, false, cycle);
      FlowPlan before(m, 0xfeedface, 40000, 33434, false, cycle - 1);
      for (std::size_t trace = 0; trace < 16; ++trace) {
        EXPECT_EQ(next.trace_flow(trace), plain.trace_flow(trace));
        EXPECT_EQ(first.token(trace, 0), plain.token(trace, 0));  // cycle 0 is the plain plan
        // Every probe a trace can send (255 TTLs, 10 each) in two adjacent rounds.
        std::set<std::uint16_t> ids;
        for (std::size_t probe = 0; probe < 2550; ++probe) {
          ids.insert(before.token(trace, probe));
          ids.insert(next.token(trace, probe));
          ASSERT_EQ(next.probe_index(trace, next.token(trace, probe)), probe);
        }
        EXPECT_EQ(ids.size(), 2u * 2550) << "cycle " << cycle << " trace " << trace;
      }
    }
  }
}

TEST(FlowPlan, SameKeySameValuesSoReplayMatchesLive) {
  FlowPlan live(Method::icmp, 0xabcdef, 0, 0, false);
  FlowPlan replay(Method::icmp, 0xabcdef, 0, 0, false);
  for (std::size_t trace = 0; trace < 100; ++trace) {
    EXPECT_EQ(live.trace_flow(trace), replay.trace_flow(trace));
    EXPECT_EQ(live.token(trace, 3), replay.token(trace, 3));
  }
}

TEST(FlowPlan, DistinctRunKeysGiveDistinctIcmpIdsAndTokens) {
  FlowPlan a(Method::icmp, 0x1111111111111111ULL, 0, 0, false);
  FlowPlan b(Method::icmp, 0x1111111111111112ULL, 0, 0, false);
  int same_id = 0, same_sum = 0, same_token = 0;
  for (std::size_t trace = 0; trace < 1000; ++trace) {
    same_id += a.flow(trace, 0).sport == b.flow(trace, 0).sport;
    same_sum += a.flow(trace, 0).dport == b.flow(trace, 0).dport;
    same_token += a.token(trace, 0) == b.token(trace, 0);
  }
  // By chance about 1000/65536 each.
  EXPECT_LE(same_id, 3);
  EXPECT_LE(same_sum, 3);
  EXPECT_LE(same_token, 3);
}

TEST(FlowPlan, TracesOfOneRunGetDistinctIcmpIds) {
  FlowPlan plan(Method::icmp, 42, 0, 0, false);
  std::set<std::uint16_t> ids;
  for (std::size_t trace = 0; trace < 256; ++trace) ids.insert(plan.trace_flow(trace).sport);
  EXPECT_GE(ids.size(), 250u);  // a handful of birthday collisions at most
}

TEST(FlowPlan, TagAndIpIdComeFromTheKey) {
  FlowPlan plan(Method::tcp, 0x6999abcd00000000ULL, 0, 80, false);
  EXPECT_EQ(plan.tcp_tag(), 0x6999);
  EXPECT_EQ(plan.ipid(), 0xabcd);
}

TEST(FlowPlan, ParisFlowIsConstantAcrossProbes) {
  for (Method m : {Method::icmp, Method::udp, Method::tcp}) {
    FlowPlan plan(m, 0x5eed, 41000, m == Method::tcp ? 80 : 33434, false);
    for (std::size_t trace = 0; trace < 20; ++trace) {
      const Flow f = plan.trace_flow(trace);
      for (std::size_t probe = 0; probe < 90; ++probe)
        ASSERT_EQ(plan.flow(trace, probe), f) << probe::model::to_string(m) << " " << probe;
    }
  }
  FlowPlan udp(Method::udp, 0x5eed, 41000, 33434, false);
  EXPECT_EQ(udp.trace_flow(9), (Flow{41000, 33434}));
  FlowPlan tcp(Method::tcp, 0x5eed, 41000, 443, false);
  EXPECT_EQ(tcp.trace_flow(9), (Flow{41000, 443}));
}

TEST(FlowPlan, ClassicFlowChangesPerProbe) {
  FlowPlan udp(Method::udp, 9, 41000, 33434, true);
  FlowPlan tcp(Method::tcp, 9, 41000, 80, true);
  FlowPlan icmp(Method::icmp, 9, 0, 0, true);
  for (std::size_t probe = 0; probe < 30; ++probe) {
    EXPECT_EQ(udp.flow(2, probe), (Flow{41000, static_cast<std::uint16_t>(33434 + probe)}));
    EXPECT_EQ(tcp.flow(2, probe), (Flow{static_cast<std::uint16_t>(41000 + probe), 80}));
    EXPECT_EQ(icmp.flow(2, probe).sport, icmp.flow(2, 0).sport);
    if (probe > 0) {
      EXPECT_NE(icmp.flow(2, probe).dport, icmp.flow(2, probe - 1).dport);
    }
  }
}

// The plan never asks for the ICMP checksum 0xffff, which cannot be carried,
// and what it asks for comes back from the wire as the same flow.
TEST(FlowPlan, EveryPlannedIcmpFlowSurvivesTheWire) {
  for (bool classic : {false, true}) {
    FlowPlan plan(Method::icmp, 0x0123456789abcdefULL, 0, 0, classic);
    for (std::size_t trace = 0; trace < 200000; ++trace)
      ASSERT_NE(plan.flow(trace, classic ? trace % 40 : 0).dport, 0xffff) << "trace " << trace;
    for (std::size_t trace = 0; trace < 2000; trace += 7) {
      probe::packet::ProbeSpec s;
      s.src = testing_packets::addr("198.18.0.1");
      s.dst = testing_packets::addr("198.18.200.1");
      s.sport = plan.flow(trace, 3).sport;
      s.dport = plan.flow(trace, 3).dport;
      s.token = plan.token(trace, 3);
      auto p = probe::packet::build_probe(s);
      auto d = probe::packet::parse_ip(p.data(), p.size());
      ASSERT_TRUE(d);
      auto e = probe::match::classify(*d, probe::match::Identity{Method::icmp, s.src, 0});
      ASSERT_TRUE(e);
      EXPECT_EQ(e->flow, plan.flow(trace, 3)) << "trace " << trace;
    }
  }
}

// The one splitmix64 (model/splitmix.h) gives the reference generator's
// outputs, and its n-th output is what campaign keys were derived with.
TEST(Splitmix, IsTheReferenceGenerator) {
  using probe::model::splitmix64;
  using probe::model::splitmix64_at;
  EXPECT_EQ(splitmix64(0), 0xE220A8397B1DCDAFULL);  // the first output seeded with 0
  EXPECT_EQ(splitmix64_at(0, 1), 0x6E789E6AA1B965F4ULL);
  const std::uint64_t key = 0x0123456789ABCDEFULL;
  for (std::uint64_t n : {0ULL, 1ULL, 7ULL, 1000ULL}) {
    std::uint64_t z = key + 0x9e3779b97f4a7c15ULL * (n + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    EXPECT_EQ(splitmix64_at(key, n), z ^ (z >> 31)) << n;
  }
}

}  // namespace
