// SPDX-License-Identifier: BSD-2-Clause
#include "probe/serve/protocol.h"

#include <fmt/format.h>

#include <cstring>
#include <set>

#include "probe/format/trace_json.h"
#include "probe/packet/dns.h"

namespace probe::serve {

namespace {

using nlohmann::json;

// A request's options, with the ranges fl-trace's command line has
// (fl-trace(1)), so that --via refuses nothing a direct run takes.
struct Bad {
  std::string what;
};

std::int64_t integer(const json& v, const char* name, std::int64_t lo, std::int64_t hi) {
  if (!v.is_number_integer()) throw Bad{fmt::format("\"{}\" must be an integer", name)};
  auto n = v.get<std::int64_t>();
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) n = hi + 1;
  if (n < lo || n > hi) throw Bad{fmt::format("\"{}\" must be between {} and {}", name, lo, hi)};
  return n;
}

bool flag(const json& v, const char* name) {
  if (!v.is_boolean()) throw Bad{fmt::format("\"{}\" must be true or false", name)};
  return v.get<bool>();
}

TraceRequest read_trace(const json& j) {
  TraceRequest r;
  engine::TraceConfig& c = r.config;
  static const std::set<std::string> kKnown = {"id",     "verb",     "targets",     "method",   "dport",
                                               "sport",  "first_ttl", "max_ttl",    "attempts", "queries",
                                               "wait_us", "gaplimit", "concurrency", "doubletree", "classic",
                                               "capture"};
  for (const auto& [k, v] : j.items())
    if (!kKnown.count(k)) throw Bad{fmt::format("unknown option \"{}\"", k)};
  auto targets = j.find("targets");
  if (targets == j.end() || !targets->is_array() || targets->empty())
    throw Bad{"\"targets\" must be a non-empty array of addresses or CIDR blocks"};
  for (const auto& t : *targets) {
    if (!t.is_string() || !model::Prefix::parse(t.get<std::string>()))
      throw Bad{fmt::format("target {} is not an address or CIDR block", t.dump())};
    if (!model::Prefix::parse(t.get<std::string>())->base.is_v4())
      throw Bad{fmt::format("IPv6 target {}: IPv6 probing is not supported yet", t.get<std::string>())};
    r.targets.push_back(t.get<std::string>());
  }
  if (auto m = j.find("method"); m != j.end()) {
    auto method = m->is_string() ? model::parse_method(m->get<std::string>()) : std::nullopt;
    if (!method || *method == model::Method::dns) throw Bad{"\"method\" must be icmp, udp or tcp"};
    c.method = *method;
  }
  c.dport = c.method == model::Method::icmp ? 0 : c.method == model::Method::tcp ? 80 : 33434;
  auto get = [&](const char* name, std::int64_t lo, std::int64_t hi, auto& out) {
    if (auto v = j.find(name); v != j.end()) out = static_cast<std::decay_t<decltype(out)>>(integer(*v, name, lo, hi));
  };
  get("dport", 1, 65535, c.dport);
  if (auto v = j.find("sport"); v != j.end()) r.sport = static_cast<std::uint16_t>(integer(*v, "sport", 1, 65535));
  get("first_ttl", 1, 255, c.first_ttl);
  get("max_ttl", 1, 255, c.max_ttl);
  if (c.first_ttl > c.max_ttl) throw Bad{"\"first_ttl\" is larger than \"max_ttl\""};
  get("attempts", 1, 10, c.attempts);
  get("queries", 1, 10, c.queries);
  get("wait_us", 1000, 60000000, c.wait_us);
  get("gaplimit", 1, 255, c.gaplimit);
  get("concurrency", 1, 1 << 20, c.concurrency);
  if (auto v = j.find("doubletree"); v != j.end()) c.doubletree = flag(*v, "doubletree");
  if (auto v = j.find("classic"); v != j.end()) c.classic = flag(*v, "classic");
  if (auto v = j.find("capture"); v != j.end()) r.capture = flag(*v, "capture");
  if (c.classic && c.doubletree) throw Bad{"\"doubletree\" needs Paris flows; it cannot be combined with \"classic\""};
  if (c.queries && c.doubletree) throw Bad{"\"doubletree\" stops at a hop's first answer; \"queries\" cannot be combined with it"};
  return r;
}

// One of "queries": {"server", "qname", "qtype", "rd", "tcp"}, as fl-dns
// has it after reading its command line (servers x names).
model::DnsQuery read_query(const json& q) {
  if (!q.is_object()) throw Bad{"a query is an object with \"server\" and \"qname\""};
  static const std::set<std::string> kKnown = {"server", "qname", "qtype", "rd", "tcp"};
  for (const auto& [k, v] : q.items())
    if (!kKnown.count(k)) throw Bad{fmt::format("unknown query option \"{}\"", k)};
  model::DnsQuery out;
  auto server = q.find("server");
  auto addr = server != q.end() && server->is_string() ? model::Address::parse(server->get<std::string>()) : std::nullopt;
  if (!addr || !addr->is_v4()) throw Bad{"a query's \"server\" must be an IPv4 address"};
  out.server = *addr;
  auto qname = q.find("qname");
  auto name = qname != q.end() && qname->is_string() ? packet::normalize_dns_name(qname->get<std::string>()) : std::nullopt;
  if (!name) throw Bad{"a query's \"qname\" must be a domain name"};
  out.qname = *name;
  if (auto v = q.find("qtype"); v != q.end()) out.qtype = static_cast<std::uint16_t>(integer(*v, "qtype", 1, 65535));
  if (auto v = q.find("rd"); v != q.end()) out.rd = flag(*v, "rd");
  if (auto v = q.find("tcp"); v != q.end()) out.tcp = flag(*v, "tcp");
  return out;
}

// The ranges of fl-dns's command line (fl-dns(1)).
DnsRequest read_dns(const json& j) {
  DnsRequest r;
  engine::DnsConfig& c = r.config;
  static const std::set<std::string> kKnown = {"id",      "verb",  "queries",     "dport",  "sport",
                                               "wait_us", "tries", "concurrency", "edns",   "edns_size",
                                               "dnssec_ok", "tcp_fallback", "capture"};
  for (const auto& [k, v] : j.items())
    if (!kKnown.count(k)) throw Bad{fmt::format("unknown option \"{}\"", k)};
  auto queries = j.find("queries");
  if (queries == j.end() || !queries->is_array() || queries->empty())
    throw Bad{"\"queries\" must be a non-empty array of queries"};
  for (const auto& q : *queries) r.queries.push_back(read_query(q));
  auto get = [&](const char* name, std::int64_t lo, std::int64_t hi, auto& out) {
    if (auto v = j.find(name); v != j.end()) out = static_cast<std::decay_t<decltype(out)>>(integer(*v, name, lo, hi));
  };
  get("dport", 1, 65535, c.dport);
  // TCP takes the 1,000 ports above it (dns_tcp_port).
  if (auto v = j.find("sport"); v != j.end()) r.sport = static_cast<std::uint16_t>(integer(*v, "sport", 1, 64000));
  get("wait_us", 1000, 60000000, c.wait_us);
  get("tries", 1, 10, c.tries);
  get("concurrency", 1, 1 << 20, c.concurrency);
  get("edns_size", 512, 65535, c.edns_size);
  if (auto v = j.find("edns"); v != j.end()) c.edns = flag(*v, "edns");
  if (auto v = j.find("dnssec_ok"); v != j.end()) c.dnssec_ok = flag(*v, "dnssec_ok");
  if (auto v = j.find("tcp_fallback"); v != j.end()) c.tcp_fallback = flag(*v, "tcp_fallback");
  if (auto v = j.find("capture"); v != j.end()) r.capture = flag(*v, "capture");
  return r;
}

}  // namespace

std::variant<Request, Refusal> parse_request(std::string_view line) {
  json j = json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded()) return Refusal{nullptr, "malformed JSON"};
  if (!j.is_object()) return Refusal{nullptr, "a request is a JSON object"};
  auto id = j.find("id");
  if (id == j.end() || !(id->is_string() || id->is_number_integer()))
    return Refusal{nullptr, "a request needs an \"id\" (a string or an integer)"};
  Request r;
  r.id = *id;
  auto verb = j.find("verb");
  if (verb == j.end() || !verb->is_string()) return Refusal{r.id, "a request needs a \"verb\""};
  if (*verb != "trace" && *verb != "dns")
    return Refusal{r.id, fmt::format("unknown verb {} (trace, dns)", verb->dump())};
  try {
    if (*verb == "dns") {
      r.verb = Verb::dns;
      r.dns = read_dns(j);
    } else {
      r.trace = read_trace(j);
    }
  } catch (const Bad& b) {
    return Refusal{r.id, b.what};
  }
  return r;
}

std::string request_line(const nlohmann::json& id, const TraceRequest& r) {
  const engine::TraceConfig& c = r.config;
  json j = {{"id", id}, {"verb", "trace"}, {"targets", r.targets}, {"method", model::to_string(c.method)}};
  if (c.method != model::Method::icmp) j["dport"] = c.dport;
  if (r.sport) j["sport"] = *r.sport;
  j["first_ttl"] = c.first_ttl;
  j["max_ttl"] = c.max_ttl;
  j["attempts"] = c.attempts;
  if (c.queries) j["queries"] = c.queries;
  j["wait_us"] = c.wait_us;
  j["gaplimit"] = c.gaplimit;
  j["concurrency"] = c.concurrency;
  if (c.doubletree) j["doubletree"] = true;
  if (c.classic) j["classic"] = true;
  if (r.capture) j["capture"] = true;
  return j.dump();
}

std::string request_line(const nlohmann::json& id, const DnsRequest& r) {
  const engine::DnsConfig& c = r.config;
  json queries = json::array();
  for (const auto& q : r.queries)
    queries.push_back(
        {{"server", q.server.to_string()}, {"qname", q.qname}, {"qtype", q.qtype}, {"rd", q.rd}, {"tcp", q.tcp}});
  json j = {{"id", id}, {"verb", "dns"}, {"queries", queries}, {"dport", c.dport}};
  if (r.sport) j["sport"] = *r.sport;
  j["wait_us"] = c.wait_us;
  j["tries"] = c.tries;
  j["concurrency"] = c.concurrency;
  j["edns"] = c.edns;
  j["edns_size"] = c.edns_size;
  j["dnssec_ok"] = c.dnssec_ok;
  j["tcp_fallback"] = c.tcp_fallback;
  if (r.capture) j["capture"] = true;
  return j.dump();
}

std::string trace_line(const nlohmann::json& id, const model::Trace& trace) {
  // The trace object as fl-json(5) has it, so that a script reads the
  // same fields as from fl-trace -o json.
  std::string out = R"({"id":)" + id.dump() + R"(,"type":"trace","trace":)";
  format::append_json(out, trace);
  out += '}';
  return out;
}

std::string_view to_string(EndStatus s) {
  switch (s) {
    case EndStatus::ok: return "ok";
    case EndStatus::halted: return "halted";
    case EndStatus::cancelled: return "cancelled";
  }
  return "?";
}

std::string end_line(const nlohmann::json& id, EndStatus status, const engine::TraceStats& s, std::int64_t queued_us,
                     std::int64_t run_us) {
  nlohmann::ordered_json j;
  j["id"] = id;
  j["type"] = "end";
  j["status"] = to_string(status);
  j["traces"] = s.traces_done;
  j["probes_sent"] = s.probes_sent;
  j["replies"] = s.replies;
  j["late"] = s.late;
  j["foreign"] = s.foreign;
  j["send_errors"] = s.send_errors;
  j["queued_us"] = queued_us;
  j["run_us"] = run_us;
  return j.dump();
}

std::string end_line(const nlohmann::json& id, EndStatus status, const engine::DnsStats& s, std::uint64_t exchanges,
                     std::int64_t queued_us, std::int64_t run_us) {
  nlohmann::ordered_json j;
  j["id"] = id;
  j["type"] = "end";
  j["status"] = to_string(status);
  j["exchanges"] = exchanges;
  j["queries_sent"] = s.queries_sent;
  j["responses"] = s.responses;
  j["late"] = s.late;
  j["wrong_id"] = s.wrong_id;
  j["wrong_source"] = s.wrong_source;
  j["malformed_dns"] = s.malformed_dns;
  j["mismatched"] = s.mismatched;
  j["icmp_errors"] = s.icmp_errors;
  j["send_errors"] = s.send_errors;
  j["queued_us"] = queued_us;
  j["run_us"] = run_us;
  return j.dump();
}

std::string refusal_line(const Refusal& r) {
  nlohmann::ordered_json j;
  j["id"] = r.id;
  j["type"] = "refused";
  j["error"] = r.error;
  // Invalid UTF-8 a client sent comes back replaced, never as a throw.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::variant<TraceReply, DnsReply, EndReply, Refusal> parse_reply(std::string_view line) {
  json j = json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("type") || !j.contains("id"))
    return Refusal{nullptr, "not a reply line: " + std::string(line.substr(0, 80))};
  const json& type = j["type"];
  try {
    if (type == "trace") {
      auto t = format::trace_from_json(j.at("trace"));
      if (!t) return Refusal{nullptr, t.error().message};
      return TraceReply{j["id"], std::move(*t)};
    }
    if (type == "dns") {
      auto x = exchange_from_json(j.at("dns"), j.at("message"));
      if (!x) return Refusal{nullptr, x.error().message};
      return DnsReply{j["id"], std::move(*x)};
    }
    if (type == "end") {
      EndReply e;
      e.id = j["id"];
      e.status = j.at("status").get<std::string>();
      e.queued_us = j.at("queued_us").get<std::int64_t>();
      e.run_us = j.at("run_us").get<std::int64_t>();
      if (j.contains("exchanges")) {
        e.dns = true;
        e.exchanges = j.at("exchanges").get<std::uint64_t>();
        auto& d = e.dns_stats;
        d.queries_sent = j.at("queries_sent").get<std::uint64_t>();
        d.responses = j.at("responses").get<std::uint64_t>();
        d.late = j.at("late").get<std::uint64_t>();
        d.wrong_id = j.at("wrong_id").get<std::uint64_t>();
        d.wrong_source = j.at("wrong_source").get<std::uint64_t>();
        d.malformed_dns = j.at("malformed_dns").get<std::uint64_t>();
        d.mismatched = j.at("mismatched").get<std::uint64_t>();
        d.icmp_errors = j.at("icmp_errors").get<std::uint64_t>();
        d.send_errors = j.at("send_errors").get<std::uint64_t>();
        return e;
      }
      e.stats.traces_done = j.at("traces").get<std::uint64_t>();
      e.stats.probes_sent = j.at("probes_sent").get<std::uint64_t>();
      e.stats.replies = j.at("replies").get<std::uint64_t>();
      e.stats.late = j.at("late").get<std::uint64_t>();
      e.stats.foreign = j.at("foreign").get<std::uint64_t>();
      e.stats.send_errors = j.at("send_errors").get<std::uint64_t>();
      return e;
    }
    if (type == "refused") return Refusal{j["id"], j.at("error").get<std::string>()};
  } catch (const json::exception& e) {
    return Refusal{nullptr, std::string("a reply line: ") + e.what()};
  }
  return Refusal{nullptr, "not a reply line: " + std::string(line.substr(0, 80))};
}

void LineReader::feed(const char* data, std::size_t n) {
  const char* end = data + n;
  while (data < end) {
    const char* nl = static_cast<const char*>(std::memchr(data, '\n', static_cast<std::size_t>(end - data)));
    const char* stop = nl ? nl : end;
    if (!skipping_) {
      std::size_t room = max_ - buf_.size();
      std::size_t take = static_cast<std::size_t>(stop - data);
      if (take > room) {
        // Reported once; the rest of it is dropped as it comes.
        ready_.push_back(Line{true, {}});
        buf_.clear();
        skipping_ = true;
      } else {
        buf_.append(data, take);
      }
    }
    if (!nl) break;
    if (!skipping_) {
      if (!buf_.empty() && buf_.back() == '\r') buf_.pop_back();
      ready_.push_back(Line{false, std::move(buf_)});
    }
    buf_.clear();
    skipping_ = false;
    data = nl + 1;
  }
}

std::optional<LineReader::Line> LineReader::next() {
  if (ready_.empty()) return std::nullopt;
  Line l = std::move(ready_.front());
  ready_.pop_front();
  return l;
}

}  // namespace probe::serve
