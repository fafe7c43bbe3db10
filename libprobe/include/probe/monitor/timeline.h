// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// fl-monitor's timeline: from one round's state per prefix (and for the
/// country and the vantage) to outage events. A pure state machine, no I/O,
/// no clock: times come with each round.
///
/// Words, after Trinocular and IODA:
/// - a *round* probes every watched prefix once; it is *cheap* (direct
///   probes to a sample of each prefix, the controls, the zone check) or
///   *full* (the whole fl-locate campaign, with verdicts and break hops);
/// - a prefix is *up* in a round when every target probed to the end
///   answered, *down* when none did, *partial* when some did, *unknown* when
///   none was probed to the end; unknown neither starts nor ends an outage;
/// - an *outage* of a key is a run of rounds in which it is down or partial:
///   it starts after the last round in which it was up and no later than
///   the first failing round, and ends likewise at the first round in which
///   it is up again;
/// - a round whose controls fail is the vantage's outage (key `local`): the
///   country's prefixes are unknown in it, not down.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "probe/model/verdict.h"

namespace probe::monitor {

enum class State : std::uint8_t { up, down, partial, unknown };
/// The watched thing an outage belongs to.
enum class Scope : std::uint8_t { prefix, country, local };
enum class RoundKind : std::uint8_t { cheap, full };

/// The key of the vantage's own outage.
inline constexpr const char* kLocalKey = "local";

/// A round, as the timeline refers to it.
struct RoundRef {
  std::int64_t id = 0;        ///< the store's round number
  std::int64_t start_us = 0;  ///< wall clock, microseconds since the epoch
  std::int64_t end_us = 0;
  bool operator==(const RoundRef& o) const { return id == o.id && start_us == o.start_us && end_us == o.end_us; }
};

/// What a full round concluded about an outage's key.
struct Finding {
  std::int64_t round = 0;
  model::Verdict verdict = model::Verdict::inconclusive;
  std::string break_hop;  ///< the last responsive hop shared by the failing paths; "" when none
};

/// One key's state in one round.
struct Observation {
  std::string key;  ///< a prefix (CIDR text) or the country's label
  Scope scope = Scope::prefix;
  State state = State::unknown;
  /// Full rounds only: the verdict and break on this key. Cheap rounds
  /// probe directly and see no break, so they name none.
  std::optional<Finding> finding;
};

struct RoundObservation {
  RoundRef round;
  RoundKind kind = RoundKind::cheap;
  bool controls_ok = true;  ///< false: the vantage's own network failed this round
  std::vector<Observation> keys;
};

struct Outage {
  std::string key;
  Scope scope = Scope::prefix;
  State worst = State::down;          ///< down once any round said down, else partial
  std::optional<RoundRef> last_good;  ///< last round up before it; none: failing since monitoring began
  RoundRef first_bad;
  RoundRef last_bad;
  std::optional<RoundRef> first_good;  ///< the round up again; none: in progress
  std::int64_t rounds = 0;             ///< rounds it spans, unknown ones included, the good ones not
  std::optional<Finding> detected;     ///< the first full round's verdict and break within it
  std::vector<Finding> changes;        ///< later full rounds that named another verdict or break

  bool open() const { return !first_good.has_value(); }
  /// Start and end estimates: the first failing round's and the first good
  /// round's start. The true start lies in (last_good.start, first_bad.end].
  std::int64_t start_us() const { return first_bad.start_us; }
  std::optional<std::int64_t> end_us() const;
  std::optional<std::int64_t> duration_us() const;
};

enum class EventKind : std::uint8_t {
  start,    ///< an outage opened
  verdict,  ///< its verdict or break became known or changed
  end,      ///< it closed
};

struct Event {
  EventKind kind = EventKind::start;
  Outage outage;  ///< as it stands after the round
};

/// One key's state as the timeline carries it between rounds; what a
/// restarted monitor restores.
struct KeyState {
  Scope scope = Scope::prefix;
  State state = State::unknown;       ///< the last known one (unknown rounds leave it)
  std::optional<RoundRef> last_good;  ///< last round it was up
  std::optional<Outage> outage;       ///< open outage
};

struct RoundResult {
  std::vector<Event> events;
  /// Keys whose state differs from the previous known one (unknown rounds
  /// change nothing): the monitor escalates to a full round for these.
  std::vector<std::string> changed;
};

class Timeline {
 public:
  Timeline() = default;
  explicit Timeline(std::map<std::string, KeyState> keys) : keys_(std::move(keys)) {}

  /// One round. Rounds come in order; a key missing from a round is
  /// unknown in it.
  RoundResult observe(const RoundObservation& round);

  const std::map<std::string, KeyState>& keys() const { return keys_; }

 private:
  void observe_key(const RoundObservation& round, const Observation& o, RoundResult& out);

  std::map<std::string, KeyState> keys_;
};

/// A run of rounds with one state for one key.
struct Interval {
  std::string key;
  State state = State::unknown;
  RoundRef first;
  RoundRef last;
};

/// A key's state per round, in round order.
struct StateRow {
  std::string key;
  RoundRef round;
  State state = State::unknown;
};

/// Rows merged into intervals, per key in the order keys first appear.
std::vector<Interval> intervals_of(const std::vector<StateRow>& rows);

/// A prefix's state from how its targets fared (analysis.h).
State state_of(model::PrefixStatus status);
/// The country's state from its prefixes' (unknown ones left out): up when
/// all are up, down when all are down, partial for a mix, unknown when none
/// is known; up with a `dns` verdict (the targets answer, names do not) is
/// partial. From the prefixes, not the verdict, because a cheap round sees
/// whether targets answer but no break to name a verdict by.
State country_state(const std::vector<State>& prefixes, model::Verdict verdict);

const char* to_word(State s);
const char* to_word(Scope s);
const char* to_word(RoundKind k);
const char* to_word(EventKind k);
std::optional<State> state_from_word(const std::string& w);
std::optional<Scope> scope_from_word(const std::string& w);

}  // namespace probe::monitor
