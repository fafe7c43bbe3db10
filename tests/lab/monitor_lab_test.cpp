// SPDX-License-Identifier: BSD-2-Clause
// fl-monitor against the lab country with Linux's default ICMP rate limits
// (country-ratelimit, README "The country"), one lab for the whole test:
// the border b starts dropping everything toward the nation at time t and
// stops at t+D, on a schedule, while the monitor runs rounds every I. The
// timeline must put the outage's start within a round of t and its end
// within a round of t+D, with the verdict and break hop of the escalated
// full round (the first, healthy, full round is its baseline); a second
// monitor on the same database refuses; kill -9 mid-round and a restart
// keep every committed round and mark the killed one aborted, and the
// restarted monitor keeps the database's cadence of full rounds. The rounds
// share one capture ring, and each round's capture replays to its report.

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "lab_test_util.h"
#include "scenarios.h"

#ifndef FL_COUNTRY_ASN
#define FL_COUNTRY_ASN ""
#endif
#ifndef FL_MONITOR_BIN
#define FL_MONITOR_BIN ""
#endif


namespace probe::lab::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* BR = "198.18.0.14";
constexpr std::int64_t kIntervalUs = 2'000'000;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The lab's campaign, small and fast: one target per /24 of prefix B and a
// few of A, short waits, a short frontier.
std::vector<std::string> monitor_args(const std::string& db, const std::vector<std::string>& extra) {
  std::vector<std::string> a = {FL_MONITOR_BIN, "--db", db, "-p", "198.18.128.0/22", "-p", "198.18.136.0/24",
                                "--zone", "lab.test", "--parent", "192.0.2.53", "--control", "192.0.2.99",
                                "--asn-db", FL_COUNTRY_ASN, "-W", "0.5", "--pps", "500", "--per-block", "1",
                                "--max-targets", "3", "--budget", "1", "--interval", "2s", "--full-every", "0"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// Rows of `sql` (first column, as text) read from the database.
std::vector<std::string> query(const std::string& db, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return rows;
  }
  sqlite3_busy_timeout(h, 2000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK)
    while (sqlite3_step(st) == SQLITE_ROW) {
      auto t = sqlite3_column_text(st, 0);
      rows.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
    }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return rows;
}

// b drops everything toward the nation (country-core-dark's fault), in a
// table of its own so that lifting it is deleting the table.
void set_fault(const Lab& lab, bool on) {
  if (on) {
    ASSERT_EQ(lab.exec("b", {"nft", "add table inet fault"}).exit_code, 0);
    ASSERT_EQ(lab.exec("b", {"nft", "add chain inet fault cut { type filter hook forward priority filter ; }"}).exit_code, 0);
    ASSERT_EQ(lab.exec("b", {"nft", "add rule inet fault cut ip daddr 198.18.128.0/17 drop"}).exit_code, 0);
  } else {
    ASSERT_EQ(lab.exec("b", {"nft", "delete table inet fault"}).exit_code, 0);
  }
}

// The inodes of the packet sockets (capture rings) open in the vantage's
// namespace now (/proc/net/packet: the last column).
void add_packet_sockets(const Lab& lab, std::set<std::string>& inodes) {
  std::istringstream lines(lab.exec(kVantage, {"cat", "/proc/net/packet"}).out);
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string field, last;
    while (fields >> field) last = field;
    if (!last.empty()) inodes.insert(last);
  }
}

TEST(MonitorLab, OutageOnAScheduleKillNineAndASecondMonitor) {
  FL_REQUIRE_DNS_LAB();
  if (std::string(FL_MONITOR_BIN).empty()) GTEST_SKIP() << "fl-monitor not built";
  Lab lab = make_lab("country-ratelimit");
  TempDir dir;
  const std::string db = dir.file("m.db");
  const std::string events = dir.file("events.jsonl");

  // 1. Rounds every 2 s; the fault from t (~5 s in) to t+D (D ~10 s).
  ExecResult first;
  std::thread monitor([&] {
    first = lab.exec(kVantage, monitor_args(db, {"--rounds", "13", "--events", events, "--keep-captures", "2"}), 90s);
  });
  std::set<std::string> rings;  // seen while the rounds run
  auto watch_for = [&](std::chrono::milliseconds d) {
    for (auto until = std::chrono::steady_clock::now() + d; std::chrono::steady_clock::now() < until;) {
      add_packet_sockets(lab, rings);
      std::this_thread::sleep_for(200ms);
    }
  };
  watch_for(1500ms);
  // While it runs, a second monitor on the same file refuses.
  auto second = lab.exec(kVantage, monitor_args(db, {"--rounds", "1"}), 20s);
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_NE(second.err.find("is in use by another fl-monitor (pid "), std::string::npos) << second.err;
  watch_for(3500ms);
  const std::int64_t t = now_us();
  set_fault(lab, true);
  watch_for(10s);
  const std::int64_t t_end = now_us();
  set_fault(lab, false);
  monitor.join();
  ASSERT_EQ(first.exit_code, 0) << first.err;

  auto rep = lab.exec(kVantage, {FL_MONITOR_BIN, "report", "--db", db, "-o", "json"}, 20s);
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  json r = json::parse(rep.out);
  json country;
  for (const auto& o : r["outages"])
    if (o["scope"] == "country") country = o;
  ASSERT_TRUE(country.is_object()) << r["outages"].dump();
  // The fault began between the last good round's start and the first
  // failing round's end, and was seen within an interval (plus a round).
  ASSERT_TRUE(country["last_good"].is_object()) << country.dump();
  EXPECT_LE(country["last_good"]["start_us"].get<std::int64_t>(), t) << country.dump();
  EXPECT_GE(country["first_bad"]["end_us"].get<std::int64_t>(), t) << country.dump();
  EXPECT_LE(country["start_us"].get<std::int64_t>(), t + kIntervalUs) << country.dump();
  ASSERT_TRUE(country["first_good"].is_object()) << country.dump();
  EXPECT_LE(country["last_bad"]["start_us"].get<std::int64_t>(), t_end) << country.dump();
  EXPECT_GE(country["first_good"]["end_us"].get<std::int64_t>(), t_end) << country.dump();
  EXPECT_LE(country["end_us"].get<std::int64_t>(), t_end + 2 * kIntervalUs) << country.dump();
  // At detection: the escalated full round, against the first round's baseline.
  ASSERT_TRUE(country["detected"].is_object()) << country.dump();
  EXPECT_EQ(country["detected"]["verdict"], "internal") << country.dump();
  EXPECT_EQ(country["detected"]["break"], BR) << country.dump();
  // The same outage went out as events: start, then end.
  const std::string lines = read_file(events);
  EXPECT_NE(lines.find("\"event\":\"start\""), std::string::npos) << lines;
  EXPECT_NE(lines.find("\"event\":\"end\""), std::string::npos) << lines;
  EXPECT_TRUE(query(db, "SELECT id FROM rounds WHERE status <> 'ok'").empty());
  // One capture ring for all 13 rounds: none set up per round.
  EXPECT_EQ(rings.size(), 1u) << rings.size() << " packet sockets seen over the rounds";
  // The last round's capture (written through the shared ring) replays alone
  // to the report the round stored.
  const auto kept = query(db, "SELECT capture FROM rounds WHERE capture IS NOT NULL ORDER BY id DESC LIMIT 1");
  ASSERT_EQ(kept.size(), 1u);
  const auto stored = query(db, "SELECT report FROM reports WHERE round = (SELECT max(id) FROM rounds WHERE capture IS "
                                "NOT NULL)");
  ASSERT_EQ(stored.size(), 1u);
  auto replayed = run_command({fl_locate_path(), "-r", kept[0], "-o", "json"}, 30s);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_EQ(replayed.out, stored[0] + "\n");

  // 2. kill -9 during a round: the pid is in the lock file, the round in
  // the database as running.
  const auto committed = query(db, "SELECT id FROM rounds WHERE status = 'ok' ORDER BY id");
  ExecResult killed;
  std::thread victim([&] { killed = lab.exec(kVantage, monitor_args(db, {"--events", events}), 60s); });
  bool running = false;
  for (int i = 0; i < 200 && !running; ++i) {
    std::this_thread::sleep_for(25ms);
    running = !query(db, "SELECT id FROM rounds WHERE status = 'running'").empty();
  }
  const std::string pid = read_file(db + ".lock");
  if (running && !pid.empty()) kill(std::stoi(pid), SIGKILL);
  victim.join();
  ASSERT_TRUE(running) << "no round seen running";
  EXPECT_EQ(killed.exit_code, 128 + SIGKILL) << killed.err;

  auto again = lab.exec(kVantage, monitor_args(db, {"--rounds", "1", "--events", events}), 30s);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("1 round(s) interrupted"), std::string::npos) << again.err;
  EXPECT_EQ(query(db, "SELECT id FROM rounds WHERE status = 'aborted'").size(), 1u);
  // A new process's round follows the database's cadence, as under cron:
  // the database has its full round (--full-every 0), so this one is cheap.
  EXPECT_EQ(query(db, "SELECT kind FROM rounds WHERE status = 'ok' ORDER BY id DESC LIMIT 1"),
            std::vector<std::string>{"cheap"});
  auto still = query(db, "SELECT id FROM rounds WHERE status = 'ok' ORDER BY id");
  ASSERT_EQ(still.size(), committed.size() + 1);
  EXPECT_TRUE(std::equal(committed.begin(), committed.end(), still.begin()));
}

}  // namespace
}  // namespace probe::lab::test
