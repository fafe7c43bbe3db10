// SPDX-License-Identifier: BSD-2-Clause
#include "probe/monitor/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "probe/format/monitor_json.h"
#include "probe/model/words.h"

namespace probe::monitor {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE rounds (
  id       INTEGER PRIMARY KEY,
  start_us INTEGER NOT NULL,
  end_us   INTEGER,
  kind     TEXT NOT NULL CHECK (kind IN ('cheap', 'full')),
  status   TEXT NOT NULL CHECK (status IN ('running', 'ok', 'aborted')),
  probes   INTEGER NOT NULL DEFAULT 0,
  replies  INTEGER NOT NULL DEFAULT 0,
  capture  TEXT,
  verdict  TEXT
);
CREATE TABLE states (
  round     INTEGER NOT NULL REFERENCES rounds (id),
  key       TEXT NOT NULL,
  scope     TEXT NOT NULL,
  state     TEXT NOT NULL,
  verdict   TEXT,
  break_hop TEXT,
  PRIMARY KEY (round, key)
);
CREATE TABLE outages (
  key         TEXT NOT NULL,
  first_round INTEGER NOT NULL,
  scope       TEXT NOT NULL,
  start_us    INTEGER NOT NULL,
  end_us      INTEGER,
  outage      TEXT NOT NULL,
  PRIMARY KEY (key, first_round)
);
CREATE TABLE events (
  id    INTEGER PRIMARY KEY,
  round INTEGER NOT NULL REFERENCES rounds (id),
  kind  TEXT NOT NULL,
  key   TEXT NOT NULL,
  event TEXT NOT NULL
);
CREATE TABLE reports (
  round  INTEGER PRIMARY KEY REFERENCES rounds (id),
  report TEXT NOT NULL
);
CREATE TABLE timeline (
  key   TEXT PRIMARY KEY,
  state TEXT NOT NULL
);
)sql";

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }
  bool ok() const { return stmt_ != nullptr; }
  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind_null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  /// true: a row is there; false: done (or failed: see done()).
  bool step() {
    rc_ = stmt_ ? sqlite3_step(stmt_) : SQLITE_ERROR;
    return rc_ == SQLITE_ROW;
  }
  bool done() const { return rc_ == SQLITE_DONE; }
  /// `row(*this)` for every row; false when stepping failed.
  template <class Row>
  bool each(Row row) {
    while (step()) row(*this);
    return done();
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) const {
    auto p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

}  // namespace

struct Store::Impl {
  std::string path;
  sqlite3* db = nullptr;
  int lock_fd = -1;

  ~Impl() {
    sqlite3_close(db);
    if (lock_fd >= 0) close(lock_fd);  // releases the flock
  }

  Error error(const std::string& what) const {
    return make_error(ErrorKind::runtime, path + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "no database"));
  }
  bool exec(const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

namespace {

// The lock file beside the database says who holds it, so that the second
// monitor's error can name the first.
Result<int> take_lock(const std::string& db_path) {
  const std::string path = db_path + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(ErrorKind::output, "cannot open " + path + ": " + std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {};
    const auto n = pread(fd, pid, sizeof pid - 1, 0);
    close(fd);
    std::string who = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : std::string("unknown");
    while (!who.empty() && (who.back() == '\n' || who.back() == ' ')) who.pop_back();
    return make_error(ErrorKind::runtime, db_path + " is in use by another fl-monitor (pid " + who + ", lock " + path +
                                              "): one monitor per database");
  }
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    close(fd);
    return make_error(ErrorKind::output, "cannot write " + path + ": " + std::strerror(errno));
  }
  return fd;
}

}  // namespace

Result<Store> Store::open_for_writing(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  auto fd = take_lock(path);
  if (!fd) return fd.error();
  impl->lock_fd = *fd;
  if (sqlite3_open_v2(path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    return make_error(ErrorKind::output, impl->error("cannot open").message);
  sqlite3_busy_timeout(impl->db, 5000);  // a concurrent `fl-monitor report` reads briefly
  // WAL: readers (report) never block the monitor's round commits, and a
  // commit is durable once its WAL frame is synced.
  if (!impl->exec("PRAGMA journal_mode=WAL") || !impl->exec("PRAGMA synchronous=NORMAL") ||
      !impl->exec("PRAGMA foreign_keys=ON"))
    return impl->error("cannot set up");
  Statement version(impl->db, "PRAGMA user_version");
  if (!version.step()) return impl->error("cannot read the schema version");
  const auto v = version.integer(0);
  if (v == 0) {
    if (!impl->exec("BEGIN") || !impl->exec(kSchema) ||
        !impl->exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str()) || !impl->exec("COMMIT"))
      return impl->error("cannot create the schema");
  } else if (v != kSchemaVersion) {
    return make_error(ErrorKind::input, path + " has schema version " + std::to_string(v) + "; this fl-monitor knows " +
                                            std::to_string(kSchemaVersion));
  }
  Store s(std::move(impl));
  Statement mark(s.impl_->db, "UPDATE rounds SET status = 'aborted' WHERE status = 'running'");
  mark.step();
  if (!mark.done()) return s.impl_->error("cannot mark interrupted rounds");
  s.aborted_ = sqlite3_changes(s.impl_->db);
  return s;
}

Result<Store> Store::open_for_reading(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  if (sqlite3_open_v2(path.c_str(), &impl->db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    return make_error(ErrorKind::input, impl->error("cannot open").message);
  sqlite3_busy_timeout(impl->db, 5000);
  Statement version(impl->db, "PRAGMA user_version");
  if (!version.step() || version.integer(0) != kSchemaVersion)
    return make_error(ErrorKind::input, path + " is not an fl-monitor database of schema version " +
                                            std::to_string(kSchemaVersion));
  return Store(std::move(impl));
}

Result<std::int64_t> Store::begin_round(RoundKind kind, std::int64_t start_us) {
  Statement st(impl_->db, "INSERT INTO rounds (start_us, kind, status) VALUES (?, ?, 'running')");
  st.bind(1, start_us).bind(2, std::string(to_word(kind))).step();
  if (!st.done()) return impl_->error("cannot insert a round");
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(impl_->db));
}

Result<bool> Store::commit_round(const RoundRecord& r) {
  sqlite3* db = impl_->db;
  if (!impl_->exec("BEGIN IMMEDIATE")) return impl_->error("cannot begin a round's transaction");
  auto fail = [this](const char* what) -> Result<bool> {
    Error e = impl_->error(what);
    impl_->exec("ROLLBACK");
    return e;
  };
  {
    Statement st(db,
                 "UPDATE rounds SET end_us = ?, status = 'ok', probes = ?, replies = ?, capture = ?, verdict = ?"
                 " WHERE id = ?");
    st.bind(1, r.row.end_us)
        .bind(2, static_cast<std::int64_t>(r.row.probes))
        .bind(3, static_cast<std::int64_t>(r.row.replies));
    if (r.row.capture.empty()) st.bind_null(4);
    else st.bind(4, r.row.capture);
    st.bind(5, r.row.verdict).bind(6, r.row.id).step();
    if (!st.done()) return fail("cannot update a round");
  }
  for (const auto& k : r.keys) {
    Statement st(db, "INSERT INTO states (round, key, scope, state, verdict, break_hop) VALUES (?, ?, ?, ?, ?, ?)");
    st.bind(1, r.row.id).bind(2, k.key).bind(3, std::string(to_word(k.scope))).bind(4, std::string(to_word(k.state)));
    if (k.finding) {
      st.bind(5, std::string(model::to_word(k.finding->verdict)));
      if (k.finding->break_hop.empty()) st.bind_null(6);
      else st.bind(6, k.finding->break_hop);
    } else {
      st.bind_null(5).bind_null(6);
    }
    st.step();
    if (!st.done()) return fail("cannot insert a state");
  }
  for (const auto& e : r.events) {
    Statement ev(db, "INSERT INTO events (round, kind, key, event) VALUES (?, ?, ?, ?)");
    ev.bind(1, r.row.id).bind(2, std::string(to_word(e.kind))).bind(3, e.outage.key)
        .bind(4, format::to_json(e, "").dump()).step();
    if (!ev.done()) return fail("cannot insert an event");
    Statement out(db,
                  "INSERT INTO outages (key, first_round, scope, start_us, end_us, outage) VALUES (?, ?, ?, ?, ?, ?)"
                  " ON CONFLICT (key, first_round) DO UPDATE SET end_us = excluded.end_us, outage = excluded.outage");
    out.bind(1, e.outage.key).bind(2, e.outage.first_bad.id).bind(3, std::string(to_word(e.outage.scope)))
        .bind(4, e.outage.start_us());
    if (auto end = e.outage.end_us()) out.bind(5, *end);
    else out.bind_null(5);
    out.bind(6, format::to_json(e.outage).dump()).step();
    if (!out.done()) return fail("cannot write an outage");
  }
  {
    Statement st(db, "INSERT INTO reports (round, report) VALUES (?, ?)");
    st.bind(1, r.row.id).bind(2, r.report_json).step();
    if (!st.done()) return fail("cannot insert a report");
  }
  for (const auto& [key, ks] : r.timeline) {
    Statement st(db, "INSERT OR REPLACE INTO timeline (key, state) VALUES (?, ?)");
    st.bind(1, key).bind(2, format::to_json(ks).dump()).step();
    if (!st.done()) return fail("cannot write the timeline");
  }
  if (!impl_->exec("COMMIT")) return fail("cannot commit a round");
  return true;
}

Result<bool> Store::abort_round(std::int64_t id) {
  Statement st(impl_->db, "UPDATE rounds SET status = 'aborted' WHERE id = ? AND status = 'running'");
  st.bind(1, id).step();
  if (!st.done()) return impl_->error("cannot mark a round aborted");
  return true;
}

Result<bool> Store::forget_capture(const std::string& path) {
  Statement st(impl_->db, "UPDATE rounds SET capture = NULL WHERE capture = ?");
  st.bind(1, path).step();
  if (!st.done()) return impl_->error("cannot clear a capture");
  return true;
}

Result<std::map<std::string, KeyState>> Store::timeline() {
  std::map<std::string, KeyState> keys;
  Statement st(impl_->db, "SELECT key, state FROM timeline");
  while (st.step()) {
    auto k = format::key_state_from_json(nlohmann::json::parse(st.text(1), nullptr, false));
    if (!k) return make_error(ErrorKind::input, impl_->path + ": malformed timeline row for " + st.text(0));
    keys.emplace(st.text(0), std::move(*k));
  }
  if (!st.done()) return impl_->error("cannot read the timeline");
  return keys;
}

Result<std::string> Store::last_good_full_report() {
  Statement st(impl_->db,
               "SELECT report FROM reports JOIN rounds ON rounds.id = reports.round WHERE rounds.kind = 'full' AND"
               " rounds.status = 'ok' AND rounds.verdict = 'reachable' ORDER BY rounds.id DESC LIMIT 1");
  if (st.step()) return st.text(0);
  if (!st.done()) return impl_->error("cannot read the baseline");
  return std::string();
}

Result<std::vector<RoundRow>> Store::rounds(std::int64_t since_us, std::int64_t until_us) {
  std::vector<RoundRow> rows;
  Statement st(impl_->db,
               "SELECT id, start_us, coalesce(end_us, 0), kind, status, probes, replies, coalesce(capture, ''),"
               " coalesce(verdict, '') FROM rounds WHERE start_us BETWEEN ? AND ? ORDER BY id");
  st.bind(1, since_us).bind(2, until_us);
  const bool read = st.each([&rows](const Statement& row) {
    RoundRow r;
    r.id = row.integer(0);
    r.start_us = row.integer(1);
    r.end_us = row.integer(2);
    r.kind = row.text(3) == "full" ? RoundKind::full : RoundKind::cheap;
    r.status = row.text(4);
    r.probes = static_cast<std::uint64_t>(row.integer(5));
    r.replies = static_cast<std::uint64_t>(row.integer(6));
    r.capture = row.text(7);
    r.verdict = row.text(8);
    rows.push_back(std::move(r));
  });
  if (!read) return impl_->error("cannot read rounds");
  return rows;
}

Result<std::vector<StateRow>> Store::states(std::int64_t since_us, std::int64_t until_us) {
  std::vector<StateRow> rows;
  Statement st(impl_->db,
               "SELECT states.key, rounds.id, rounds.start_us, rounds.end_us, states.state FROM states JOIN rounds ON"
               " rounds.id = states.round WHERE rounds.start_us BETWEEN ? AND ? ORDER BY rounds.id, states.key");
  st.bind(1, since_us).bind(2, until_us);
  const bool read = st.each([&rows](const Statement& row) {
    auto state = state_from_word(row.text(4));
    rows.push_back({row.text(0), {row.integer(1), row.integer(2), row.integer(3)}, state ? *state : State::unknown});
  });
  if (!read) return impl_->error("cannot read states");
  return rows;
}

Result<std::vector<Outage>> Store::outages(std::int64_t since_us, std::int64_t until_us) {
  std::vector<Outage> out;
  Statement st(impl_->db,
               "SELECT outage FROM outages WHERE start_us <= ? AND (end_us IS NULL OR end_us >= ?)"
               " ORDER BY start_us, key");
  st.bind(1, until_us).bind(2, since_us);
  bool malformed = false;
  const bool read = st.each([&out, &malformed](const Statement& row) {
    auto o = format::outage_from_json(nlohmann::json::parse(row.text(0), nullptr, false));
    if (o) out.push_back(std::move(*o));
    else malformed = true;
  });
  if (!read) return impl_->error("cannot read outages");
  if (malformed) return make_error(ErrorKind::input, impl_->path + ": malformed outage row");
  return out;
}

}  // namespace probe::monitor
