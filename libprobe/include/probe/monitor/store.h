// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// fl-monitor's database: SQLite in WAL mode, one transaction per round.
/// The schema (version in PRAGMA user_version) is documented in
/// fl-monitor(1). A round is inserted as `running` when it starts and
/// committed with everything it produced when it ends; opening the store
/// marks any round still `running` (a monitor killed mid-round) `aborted`.
///
/// One monitor per database: open_for_writing() takes an exclusive flock on
/// FILE.lock beside the database (and writes its pid there) for the
/// store's lifetime; a second one gets an error naming that pid.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probe/error.h"
#include "probe/monitor/timeline.h"

namespace probe::monitor {

inline constexpr int kSchemaVersion = 1;

/// A round as the rounds table holds it.
struct RoundRow {
  std::int64_t id = 0;
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;     ///< 0 while running or when aborted
  RoundKind kind = RoundKind::cheap;
  std::string status;          ///< running, ok or aborted
  std::uint64_t probes = 0;
  std::uint64_t replies = 0;
  std::string capture;         ///< its pcapng (--keep-captures), "" when none or rotated away
  std::string verdict;         ///< the report's verdict word
};

/// Everything a finished round adds, written in one transaction.
struct RoundRecord {
  RoundRow row;                  ///< id and start as begin_round() gave them
  std::vector<Observation> keys;  ///< the round's state per key, as the timeline was given it
  std::vector<Event> events;
  std::map<std::string, KeyState> timeline;  ///< the timeline after the round
  std::string report_json;       ///< the round's fl-locate report
};

class Store {
 public:
  /// The monitor's store: locked, schema created or checked, running rounds
  /// marked aborted (how many: aborted_at_open()).
  static Result<Store> open_for_writing(const std::string& path);
  /// `fl-monitor report`: no lock, read only.
  static Result<Store> open_for_reading(const std::string& path);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  int aborted_at_open() const { return aborted_; }

  /// Inserts the round as running, committed at once: a crash leaves it to
  /// be marked aborted.
  Result<std::int64_t> begin_round(RoundKind kind, std::int64_t start_us);
  /// The round's row set to ok with its figures, and its states, events,
  /// outages, report and the timeline, in one transaction.
  Result<bool> commit_round(const RoundRecord& r);
  /// A round that was stopped (SIGTERM) before it finished: aborted.
  Result<bool> abort_round(std::int64_t id);
  /// A rotated-away capture: its path is cleared.
  Result<bool> forget_capture(const std::string& path);

  /// The timeline as the last committed round left it.
  Result<std::map<std::string, KeyState>> timeline();
  /// The report of the last ok full round whose verdict was reachable: the
  /// automatic baseline. "" when there is none.
  Result<std::string> last_good_full_report();

  /// Between since_us and until_us (inclusive, by start), in order.
  Result<std::vector<RoundRow>> rounds(std::int64_t since_us, std::int64_t until_us);
  Result<std::vector<StateRow>> states(std::int64_t since_us, std::int64_t until_us);
  /// Outages overlapping the span, by start.
  Result<std::vector<Outage>> outages(std::int64_t since_us, std::int64_t until_us);

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  int aborted_ = 0;
};

}  // namespace probe::monitor
