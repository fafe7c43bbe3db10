// SPDX-License-Identifier: BSD-2-Clause
// fl-monitor's database in a temporary directory: rounds committed whole,
// interrupted ones marked aborted, one monitor per file, the timeline and
// the baseline read back.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "probe/monitor/store.h"

namespace {

using namespace probe::monitor;
namespace fs = std::filesystem;

class MonitorStore : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fl-monitor-store-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_ = (dir_ / "m.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A round committed with one prefix in `state`.
  void commit(Store& s, std::int64_t start_us, State state, const std::string& verdict, RoundKind kind,
              Timeline& t) {
    auto id = s.begin_round(kind, start_us);
    ASSERT_TRUE(id) << id.error().message;
    RoundRecord r;
    r.row.id = *id;
    r.row.start_us = start_us;
    r.row.end_us = start_us + 1000;
    r.row.kind = kind;
    r.row.probes = 10;
    r.row.replies = 7;
    r.row.verdict = verdict;
    RoundObservation obs{{*id, start_us, start_us + 1000}, kind, true, {{"198.18.128.0/22", Scope::prefix, state, {}}}};
    r.keys = obs.keys;
    r.events = t.observe(obs).events;
    r.timeline = t.keys();
    r.report_json = R"({"verdict":")" + verdict + R"("})";
    auto ok = s.commit_round(r);
    ASSERT_TRUE(ok) << ok.error().message;
  }

  fs::path dir_;
  std::string db_;
};

TEST_F(MonitorStore, ASecondMonitorOnTheSameDatabaseRefusesNamingTheFirst) {
  auto first = Store::open_for_writing(db_);
  ASSERT_TRUE(first) << first.error().message;
  auto second = Store::open_for_writing(db_);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("in use by another fl-monitor (pid " + std::to_string(getpid())),
            std::string::npos)
      << second.error().message;
}

TEST_F(MonitorStore, RoundsSurviveAReopenAndARunningOneIsMarkedAborted) {
  {
    auto s = Store::open_for_writing(db_);
    ASSERT_TRUE(s) << s.error().message;
    Timeline t;
    commit(*s, 1'000, State::up, "reachable", RoundKind::full, t);
    commit(*s, 2'000, State::down, "internal", RoundKind::cheap, t);
    ASSERT_TRUE(s->begin_round(RoundKind::cheap, 3'000));  // killed here
  }
  auto s = Store::open_for_writing(db_);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->aborted_at_open(), 1);
  auto rounds = s->rounds(0, 10'000);
  ASSERT_TRUE(rounds);
  ASSERT_EQ(rounds->size(), 3u);
  EXPECT_EQ((*rounds)[0].status, "ok");
  EXPECT_EQ((*rounds)[0].kind, RoundKind::full);
  EXPECT_EQ((*rounds)[1].probes, 10u);
  EXPECT_EQ((*rounds)[1].verdict, "internal");
  EXPECT_EQ((*rounds)[2].status, "aborted");

  // The timeline resumes with the open outage; the baseline is the full
  // round that was reachable.
  auto keys = s->timeline();
  ASSERT_TRUE(keys);
  ASSERT_TRUE(keys->at("198.18.128.0/22").outage);
  EXPECT_EQ(keys->at("198.18.128.0/22").outage->first_bad.start_us, 2'000);
  auto base = s->last_good_full_report();
  ASSERT_TRUE(base);
  EXPECT_EQ(*base, R"({"verdict":"reachable"})");
  auto outages = s->outages(0, 10'000);
  ASSERT_TRUE(outages);
  ASSERT_EQ(outages->size(), 1u);  // the prefix's; the vantage stayed up
}

TEST_F(MonitorStore, AnOutageRowIsUpdatedWhenItEnds) {
  auto s = Store::open_for_writing(db_);
  ASSERT_TRUE(s);
  Timeline t;
  commit(*s, 1'000, State::up, "reachable", RoundKind::cheap, t);
  commit(*s, 2'000, State::down, "internal", RoundKind::cheap, t);
  commit(*s, 3'000, State::up, "reachable", RoundKind::cheap, t);
  auto outages = s->outages(0, 10'000);
  ASSERT_TRUE(outages);
  ASSERT_EQ(outages->size(), 1u);
  EXPECT_EQ((*outages)[0].end_us(), 3'000);
  auto states = s->states(0, 10'000);
  ASSERT_TRUE(states);
  EXPECT_EQ(states->size(), 3u);
  EXPECT_EQ(intervals_of(*states).size(), 3u);
}

TEST_F(MonitorStore, TheSchemaVersionIsRecordedAndAnotherOneRefused) {
  { ASSERT_TRUE(Store::open_for_writing(db_)); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), kSchemaVersion);
  sqlite3_finalize(st);
  sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto again = Store::open_for_writing(db_);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("schema version 99"), std::string::npos);
  EXPECT_FALSE(Store::open_for_reading(db_));
}

}  // namespace
