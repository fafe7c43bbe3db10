// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// fl-probed's control protocol (fl-probed(8)): one JSON object per line
/// each way. A request carries an `id` (a string or a number, echoed in
/// every line about it), a `verb` ("trace" or "dns") and the verb's options;
/// the daemon answers with a line per finished trace or DNS exchange, then
/// one end line, or with one refusal.
/// Parsing is a pure function over the line, fuzzed (tests/fuzz).

#include <nlohmann/json.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "probe/engine/dns_engine.h"
#include "probe/engine/trace_engine.h"
#include "probe/model/dns.h"
#include "probe/model/trace.h"

namespace probe::serve {

/// The longest request line the daemon reads, newline excluded: a longer
/// one is refused and skipped, so that no client makes it buffer without end.
inline constexpr std::size_t kMaxLine = 1 << 16;

/// A trace request: what fl-trace's options say about the probes. The
/// daemon fills in the rest (source address, run key, source port unless
/// `sport` is given) and paces it with its own global budget.
struct TraceRequest {
  engine::TraceConfig config;
  std::optional<std::uint16_t> sport;  ///< "sport": fixed source port (udp, tcp)
  std::vector<std::string> targets;    ///< addresses or CIDR blocks, as fl-trace takes them
  /// "capture": the request's -w. The file comes as a descriptor passed
  /// with the request line (SCM_RIGHTS): the daemon writes the frames of
  /// this request's run key to it, a capture fl-trace -r replays.
  bool capture = false;
};

/// A dns request: fl-dns's queries (servers x names, in order) and the
/// options that shape them. The daemon fills in the source address, run
/// key and source port (unless `sport` is given) and paces the queries
/// with its own global budget.
struct DnsRequest {
  /// dport, wait_us, tries, concurrency, edns, edns_size, dnssec_ok,
  /// tcp_fallback as fl-dns's options set them; src, sport, run_key, pps
  /// are the daemon's.
  engine::DnsConfig config;
  std::optional<std::uint16_t> sport;    ///< "sport": fixed UDP source port (TCP: the 1,000 above it)
  std::vector<model::DnsQuery> queries;  ///< "queries": at least one
  /// "capture": as TraceRequest's; the file replays with fl-dns -r.
  bool capture = false;
};

enum class Verb { trace, dns };

struct Request {
  nlohmann::json id;  ///< as the client sent it: a string or a number
  Verb verb = Verb::trace;
  TraceRequest trace; ///< verb "trace"
  DnsRequest dns;     ///< verb "dns"
};

/// Why a line was not taken. `id` is null when none could be read.
struct Refusal {
  nlohmann::json id;
  std::string error;
};

/// One request line (without its newline) read into a Request, or the
/// refusal to send back: malformed JSON, no id, an unknown verb or option,
/// a value out of range. Never throws.
std::variant<Request, Refusal> parse_request(std::string_view line);

/// The line fl-trace --via sends for `r` (without the newline).
std::string request_line(const nlohmann::json& id, const TraceRequest& r);
/// The line fl-dns --via sends for `r` (without the newline).
std::string request_line(const nlohmann::json& id, const DnsRequest& r);

/// How a request ended, as its end line says.
enum class EndStatus { ok, halted, cancelled };

/// What the daemon sends back, each without the newline.
std::string trace_line(const nlohmann::json& id, const model::Trace& trace);
/// `queued_us`: from the request's arrival to its first turn at the budget;
/// `run_us`: from then to its end.
std::string end_line(const nlohmann::json& id, EndStatus status, const engine::TraceStats& stats,
                     std::int64_t queued_us, std::int64_t run_us);
/// A finished exchange: the fl-json(5) "dns" object, and beside it the
/// response's header fields that object leaves out, so that the client
/// prints fl-dns's text exactly as a direct run does.
std::string dns_line(const nlohmann::json& id, const model::DnsExchange& exchange);
/// A dns request's end line; `exchanges`: how many dns lines it sent.
std::string end_line(const nlohmann::json& id, EndStatus status, const engine::DnsStats& stats,
                     std::uint64_t exchanges, std::int64_t queued_us, std::int64_t run_us);
std::string refusal_line(const Refusal& refusal);

/// A line the daemon sent, as the client reads it.
struct TraceReply {
  nlohmann::json id;
  model::Trace trace;
};
struct DnsReply {
  nlohmann::json id;
  model::DnsExchange exchange;
};
struct EndReply {
  nlohmann::json id;
  std::string status;  ///< "ok", "halted" or "cancelled"
  engine::TraceStats stats;      ///< a trace request's
  bool dns = false;              ///< a dns request's end: dns_stats and exchanges, not stats
  engine::DnsStats dns_stats;
  std::uint64_t exchanges = 0;
  std::int64_t queued_us = 0;
  std::int64_t run_us = 0;
};
/// A reply line read back; a Refusal for a refusal line, or (with a null
/// id and the reason) for a line that is none of these.
std::variant<TraceReply, DnsReply, EndReply, Refusal> parse_reply(std::string_view line);

/// The exchange of a dns line's "dns" and "message" objects (dns_line);
/// an input error naming what is missing or wrong.
Result<model::DnsExchange> exchange_from_json(const nlohmann::json& dns, const nlohmann::json& message);

/// Splits a byte stream into lines of at most `max_line` bytes. A longer
/// line is reported once as too long and skipped up to its newline, without
/// being kept.
class LineReader {
 public:
  explicit LineReader(std::size_t max_line = kMaxLine) : max_(max_line) {}
  void feed(const char* data, std::size_t n);
  struct Line {
    bool too_long = false;
    std::string text;  ///< empty when too_long
  };
  /// The next complete line, in order, or nullopt until more is fed.
  std::optional<Line> next();
  /// Bytes held for the line not yet complete (at most max_line).
  std::size_t pending() const { return buf_.size(); }

 private:
  std::size_t max_;
  std::string buf_;         // the line being read
  bool skipping_ = false;   // inside a line already reported too long
  std::deque<Line> ready_;  // complete lines not yet taken
};

}  // namespace probe::serve
