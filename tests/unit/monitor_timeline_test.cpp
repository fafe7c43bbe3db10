// SPDX-License-Identifier: BSD-2-Clause
// fl-monitor's timeline over hand-made rounds: where an outage starts and
// ends, what it was called, and the vantage's outages kept apart.

#include <gtest/gtest.h>

#include "probe/format/monitor_json.h"
#include "probe/monitor/timeline.h"

namespace {

using namespace probe::monitor;
using probe::model::Verdict;

constexpr const char* kA = "198.18.128.0/22";
constexpr const char* kB = "198.18.136.0/24";

// Round n runs from n*10 s to n*10 s + 2 s.
RoundRef R(std::int64_t n) { return {n, n * 10'000'000, n * 10'000'000 + 2'000'000}; }

RoundObservation round(std::int64_t n, std::vector<Observation> keys, bool controls_ok = true,
                       RoundKind kind = RoundKind::cheap) {
  return {R(n), kind, controls_ok, std::move(keys)};
}

Observation at(const char* key, State s) { return {key, Scope::prefix, s, std::nullopt}; }
Observation found(const char* key, State s, std::int64_t n, Verdict v, const char* hop) {
  return {key, Scope::prefix, s, Finding{n, v, hop}};
}

std::vector<EventKind> kinds(const RoundResult& r) {
  std::vector<EventKind> k;
  for (const auto& e : r.events) k.push_back(e.kind);
  return k;
}

TEST(MonitorTimeline, OutageIsBoundedByTheLastGoodAndFirstFailingRounds) {
  Timeline t;
  EXPECT_TRUE(t.observe(round(1, {at(kA, State::up)})).events.empty());
  EXPECT_TRUE(t.observe(round(2, {at(kA, State::up)})).events.empty());
  auto r3 = t.observe(round(3, {at(kA, State::down)}));
  ASSERT_EQ(r3.events.size(), 1u);
  const Outage& o = r3.events[0].outage;
  EXPECT_EQ(r3.events[0].kind, EventKind::start);
  EXPECT_EQ(o.key, kA);
  ASSERT_TRUE(o.last_good);
  EXPECT_EQ(*o.last_good, R(2));
  EXPECT_EQ(o.first_bad, R(3));
  EXPECT_TRUE(o.open());
  EXPECT_EQ(r3.changed, std::vector<std::string>{kA});

  EXPECT_TRUE(t.observe(round(4, {at(kA, State::down)})).events.empty());
  auto r5 = t.observe(round(5, {at(kA, State::up)}));
  ASSERT_EQ(kinds(r5), std::vector<EventKind>{EventKind::end});
  const Outage& e = r5.events[0].outage;
  EXPECT_EQ(e.last_bad, R(4));
  ASSERT_TRUE(e.first_good);
  EXPECT_EQ(*e.first_good, R(5));
  EXPECT_EQ(e.rounds, 2);
  EXPECT_EQ(e.start_us(), R(3).start_us);
  EXPECT_EQ(e.duration_us(), R(5).start_us - R(3).start_us);
  EXPECT_FALSE(t.keys().at(kA).outage);
}

TEST(MonitorTimeline, UnknownRoundsNeitherStartNorEndAnOutageButAreSpanned) {
  Timeline t;
  t.observe(round(1, {at(kA, State::up)}));
  auto r2 = t.observe(round(2, {at(kA, State::unknown)}));
  EXPECT_TRUE(r2.events.empty());
  EXPECT_TRUE(r2.changed.empty());
  t.observe(round(3, {at(kA, State::down)}));
  EXPECT_EQ(*t.keys().at(kA).outage->last_good, R(1));
  EXPECT_TRUE(t.observe(round(4, {})).events.empty());  // missing: unknown
  auto r5 = t.observe(round(5, {at(kA, State::up)}));
  ASSERT_EQ(r5.events.size(), 1u);
  EXPECT_EQ(r5.events[0].outage.rounds, 2);  // round 3 and the unknown round 4
}

TEST(MonitorTimeline, FailingFromTheFirstRoundHasNoLastGoodRound) {
  Timeline t;
  auto r = t.observe(round(1, {at(kA, State::partial), at(kB, State::up)}));
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_FALSE(r.events[0].outage.last_good);
  EXPECT_EQ(r.events[0].outage.worst, State::partial);
  // Seeing B up for the first time is no change; A failing at once is.
  EXPECT_EQ(r.changed, std::vector<std::string>{kA});
  t.observe(round(2, {at(kA, State::down), at(kB, State::up)}));
  EXPECT_EQ(t.keys().at(kA).outage->worst, State::down);
}

TEST(MonitorTimeline, VerdictAtDetectionAndLaterChangesComeFromFullRounds) {
  Timeline t;
  t.observe(round(1, {at(kA, State::up)}));
  auto cheap = t.observe(round(2, {at(kA, State::down)}));
  EXPECT_FALSE(cheap.events[0].outage.detected);
  auto full = t.observe(round(3, {found(kA, State::down, 3, Verdict::internal, "198.18.0.14")}, true, RoundKind::full));
  ASSERT_EQ(kinds(full), std::vector<EventKind>{EventKind::verdict});
  ASSERT_TRUE(full.events[0].outage.detected);
  EXPECT_EQ(full.events[0].outage.detected->verdict, Verdict::internal);
  EXPECT_EQ(full.events[0].outage.detected->break_hop, "198.18.0.14");
  // The same finding again is no news; another break is.
  EXPECT_TRUE(t.observe(round(4, {found(kA, State::down, 4, Verdict::internal, "198.18.0.14")}, true,
                              RoundKind::full)).events.empty());
  auto moved = t.observe(round(5, {found(kA, State::down, 5, Verdict::upstream, "198.18.0.6")}, true, RoundKind::full));
  ASSERT_EQ(kinds(moved), std::vector<EventKind>{EventKind::verdict});
  ASSERT_EQ(moved.events[0].outage.changes.size(), 1u);
  EXPECT_EQ(moved.events[0].outage.changes[0].verdict, Verdict::upstream);
  EXPECT_EQ(moved.events[0].outage.detected->verdict, Verdict::internal);
}

TEST(MonitorTimeline, AFullRoundThatOpensAnOutageNamesItsVerdictInTheStart) {
  Timeline t;
  t.observe(round(1, {at(kA, State::up)}));
  auto r = t.observe(round(2, {found(kA, State::down, 2, Verdict::upstream, "198.18.0.6")}, true, RoundKind::full));
  ASSERT_EQ(kinds(r), std::vector<EventKind>{EventKind::start});
  ASSERT_TRUE(r.events[0].outage.detected);
  EXPECT_EQ(r.events[0].outage.detected->verdict, Verdict::upstream);
}

TEST(MonitorTimeline, FailingControlsAreTheVantagesOutageNotTheCountrys) {
  Timeline t;
  t.observe(round(1, {at(kA, State::up)}));
  auto r2 = t.observe(round(2, {at(kA, State::down)}, false));
  ASSERT_EQ(r2.events.size(), 1u);
  EXPECT_EQ(r2.events[0].outage.key, kLocalKey);
  EXPECT_EQ(r2.events[0].outage.scope, Scope::local);
  EXPECT_FALSE(t.keys().at(kA).outage);
  auto r3 = t.observe(round(3, {at(kA, State::up)}));
  ASSERT_EQ(kinds(r3), std::vector<EventKind>{EventKind::end});
  EXPECT_EQ(r3.events[0].outage.key, kLocalKey);
}

TEST(MonitorTimeline, ARestoredTimelineClosesTheOutageItWasGiven) {
  Timeline first;
  first.observe(round(1, {at(kA, State::up)}));
  first.observe(round(2, {at(kA, State::down)}));
  Timeline again(first.keys());
  auto r = again.observe(round(4, {at(kA, State::up)}));
  ASSERT_EQ(kinds(r), std::vector<EventKind>{EventKind::end});
  EXPECT_EQ(r.events[0].outage.first_bad, R(2));
  EXPECT_EQ(*r.events[0].outage.last_good, R(1));
}

TEST(MonitorTimeline, IntervalsMergeRunsOfOneStatePerKey) {
  std::vector<StateRow> rows = {{kA, R(1), State::up},   {kB, R(1), State::up}, {kA, R(2), State::up},
                                {kB, R(2), State::down}, {kA, R(3), State::down}, {kB, R(3), State::down}};
  auto iv = intervals_of(rows);
  ASSERT_EQ(iv.size(), 4u);
  EXPECT_EQ(iv[0].key, kA);
  EXPECT_EQ(iv[0].last, R(2));
  EXPECT_EQ(iv[2].key, kB);
  EXPECT_EQ(iv[2].state, State::down);
  EXPECT_EQ(iv[2].first, R(2));
  EXPECT_EQ(iv[2].last, R(3));
  EXPECT_EQ(iv[3].state, State::down);
  EXPECT_EQ(iv[3].first, R(3));
}

TEST(MonitorTimeline, StatesFromTheAnalysis) {
  using probe::model::PrefixStatus;
  EXPECT_EQ(state_of(PrefixStatus::reachable), State::up);
  EXPECT_EQ(state_of(PrefixStatus::unreachable), State::down);
  EXPECT_EQ(state_of(PrefixStatus::inconclusive), State::unknown);
  // The country: from its prefixes, whatever a cheap round's verdict says.
  EXPECT_EQ(country_state({State::down, State::down}, Verdict::inconclusive), State::down);
  EXPECT_EQ(country_state({State::up, State::unknown}, Verdict::reachable), State::up);
  EXPECT_EQ(country_state({State::up, State::down}, Verdict::partial), State::partial);
  EXPECT_EQ(country_state({State::up, State::up}, Verdict::dns), State::partial);
  EXPECT_EQ(country_state({State::unknown}, Verdict::inconclusive), State::unknown);
  EXPECT_EQ(state_from_word("partial"), State::partial);
  EXPECT_FALSE(state_from_word("sideways"));
}

// An event line names the monitor's vantage when it has a name, so the lines
// of several monitors in one log or collector can be told apart.
TEST(MonitorTimeline, EventLineNamesTheVantageWhenThereIsOne) {
  Timeline t;
  t.observe(round(1, {at(kA, State::up)}));
  auto r = t.observe(round(2, {at(kA, State::down)}));
  ASSERT_EQ(r.events.size(), 1u);
  auto named = probe::format::to_json(r.events[0], "KP", "ams-1");
  EXPECT_EQ(named["event"], "start");
  EXPECT_EQ(named["country"], "KP");
  EXPECT_EQ(named["vantage"], "ams-1");
  EXPECT_EQ(named["outage"]["key"], kA);
  auto unnamed = probe::format::to_json(r.events[0], "KP");
  EXPECT_FALSE(unnamed.contains("vantage"));
  EXPECT_EQ(unnamed.dump().find("vantage"), std::string::npos);
}

}  // namespace
