// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/dns_engine.h"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

#include "probe/engine/event_loop.h"
#include "probe/model/splitmix.h"
#include "probe/packet/datagram.h"
#include "probe/packet/dns.h"
#include "probe/sched/timeout_queue.h"
#include "probe/sched/token_bucket.h"

namespace probe::engine {

namespace {

using model::DnsOutcome;

constexpr std::uint8_t kSyn = packet::kTcpSyn, kRst = packet::kTcpRst, kAck = packet::kTcpAck;
constexpr std::size_t kMaxTcpMessage = 65535 + 2;

enum class State : std::uint8_t { idle, ready, awaiting_tx, awaiting_reply, done };

struct Slot {
  model::DnsExchange ex;
  State state = State::idle;
  bool tcp = false;               // the current try is over TCP
  std::uint8_t attempt = 0;       // current UDP try, 0-based
  std::int64_t decided_us = 0;
  std::int64_t query_seg_us = 0;  // TCP: our query segment seen
  std::uint32_t server_isn = 0;
  bool have_isn = false;
  std::map<std::uint32_t, std::vector<std::uint8_t>> segments;  // offset -> bytes
};

struct TimerKey {
  std::uint32_t slot;
  std::uint32_t generation;  // (attempt, transport) it was armed for
  bool tx_fallback;
};

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

}  // namespace

std::uint16_t dns_query_id(std::uint64_t run_key, std::uint32_t phase, std::size_t index,
                           std::size_t attempt, std::size_t tries) {
  std::uint64_t base = model::splitmix64(run_key ^ model::splitmix64(0xD45ULL + phase));
  return static_cast<std::uint16_t>(base + index * tries + attempt);
}

std::uint16_t dns_tcp_port(std::uint16_t sport, std::uint32_t phase, std::size_t index) {
  return static_cast<std::uint16_t>(sport + 1 + (phase * 200u + index) % 1000u);
}

struct DnsEngine::Impl final : LoopClient {
  DnsConfig cfg;
  io::PacketSource& source;
  io::PacketSink& sink;
  io::TcpStreams& streams;
  DnsObserver& observer;
  sched::Clock& clock;
  sched::TokenBucket bucket;
  sched::TimeoutQueue<TimerKey> timers;
  std::vector<Slot> slots;
  std::unordered_map<std::uint16_t, std::pair<std::uint32_t, std::uint8_t>> by_id;
  std::unordered_map<std::uint16_t, std::uint32_t> by_port;
  std::deque<std::uint32_t> ready;
  std::size_t next_idle = 0, active = 0, next_emit = 0;
  DnsStats stats;
  // What watch() gave the loop (the streams' sockets, [watched_from,
  // watched_to) of it: other clients' come after), until after_event() has
  // looked at their revents.
  std::vector<pollfd>* watched = nullptr;
  std::size_t watched_from = 0, watched_to = 0;

  Impl(DnsConfig c, std::vector<model::DnsQuery> queries, io::PacketSource& src, io::PacketSink& snk,
       io::TcpStreams& st, DnsObserver& obs)
      : cfg(c), source(src), sink(snk), streams(st), observer(obs), clock(src.clock()),
        bucket(c.pps, std::max(1.0, c.pps / 100.0)) {
    if (cfg.tries == 0) cfg.tries = 1;
    slots.resize(queries.size());
    for (std::uint32_t i = 0; i < queries.size(); ++i) {
      slots[i].ex.query = queries[i];
      slots[i].ex.dport = cfg.dport;
      for (std::uint8_t a = 0; a < cfg.tries; ++a)
        by_id[dns_query_id(cfg.run_key, cfg.phase, i, a, cfg.tries)] = {i, a};
      by_port[dns_tcp_port(cfg.sport, cfg.phase, i)] = i;
    }
    // Ready before the loop's first turn, whoever runs it (run() or a
    // daemon's engine set): the first queries go out at once.
    start_more();
  }

  std::uint32_t generation(const Slot& s) const { return s.tcp ? 1000u : s.attempt; }

  void start_more() {
    std::size_t window = sink.paced() ? cfg.concurrency : slots.size();
    while (active < window && next_idle < slots.size()) {
      Slot& s = slots[next_idle];
      s.tcp = s.ex.query.tcp;
      s.state = State::ready;
      ready.push_back(static_cast<std::uint32_t>(next_idle));
      ++next_idle;
      ++active;
    }
  }

  std::vector<std::uint8_t> message(std::uint32_t i, std::uint16_t id) const {
    packet::DnsQuerySpec q;
    q.qname = slots[i].ex.query.qname;
    q.qtype = slots[i].ex.query.qtype;
    q.id = id;
    q.rd = slots[i].ex.query.rd;
    q.edns = cfg.edns;
    q.edns_size = cfg.edns_size;
    q.dnssec_ok = cfg.dnssec_ok;
    return packet::build_dns_query(q);
  }

  void send(std::uint32_t i) {
    Slot& s = slots[i];
    s.state = State::awaiting_tx;
    s.decided_us = clock.now_us();
    ++stats.queries_sent;
    bool ok;
    if (s.tcp) {
      // The TCP query reuses the ID of the last UDP try (or the first).
      std::uint16_t id = dns_query_id(cfg.run_key, cfg.phase, i, s.attempt, cfg.tries);
      auto m = message(i, id);
      std::vector<std::uint8_t> framed = {static_cast<std::uint8_t>(m.size() >> 8), static_cast<std::uint8_t>(m.size())};
      framed.insert(framed.end(), m.begin(), m.end());
      s.ex.id = id;
      s.ex.sport = dns_tcp_port(cfg.sport, cfg.phase, i);
      ok = streams.start(i, cfg.src, s.ex.sport, s.ex.query.server, cfg.dport, std::move(framed));
    } else {
      s.ex.id = dns_query_id(cfg.run_key, cfg.phase, i, s.attempt, cfg.tries);
      s.ex.sport = cfg.sport;
      auto pkt = packet::build_udp_packet(cfg.src, s.ex.query.server, 64, cfg.sport, cfg.dport,
                                          static_cast<std::uint16_t>(cfg.run_key >> 32), message(i, s.ex.id));
      ok = sink.send(pkt, s.ex.query.server);
    }
    if (!ok) {
      // Decided as replay will: a query the capture never shows leaving was not sent.
      ++stats.send_errors;
      end_unsent(i);
      return;
    }
    if (sink.paced()) timers.push(s.decided_us + kTxFallbackUs, TimerKey{i, generation(s), true});
  }

  void mark_sent(std::uint32_t i, std::int64_t tx_us) {
    Slot& s = slots[i];
    s.ex.tx_us = tx_us;
    s.ex.tcp = s.tcp;
    if (!s.tcp) s.ex.tries = static_cast<std::uint8_t>(s.attempt + 1);
    s.state = State::awaiting_reply;
    // TCP gets two waits: a handshake and the query.
    std::int64_t wait = s.tcp ? 2 * cfg.wait_us : cfg.wait_us;
    timers.push(tx_us + wait + kTimeoutGraceUs, TimerKey{i, generation(s), false});
  }

  void finish(std::uint32_t i, DnsOutcome outcome) {
    Slot& s = slots[i];
    if (s.state == State::done) return;
    if (s.tcp) streams.stop(i);
    if (s.state != State::idle) --active;
    s.state = State::done;
    if (outcome == DnsOutcome::timeout && s.ex.rejected > 0) outcome = DnsOutcome::malformed;
    s.ex.outcome = outcome;
    s.segments.clear();
    while (next_emit < slots.size() && slots[next_emit].state == State::done) {
      observer.on_exchange(slots[next_emit].ex);
      ++next_emit;
    }
  }

  void reject(Slot& s, std::string reason) {
    if (s.ex.rejected++ == 0) s.ex.rejected_reason = std::move(reason);
  }

  // Accepts a DNS message for slot i received at ts (bytes = the message).
  void on_message(std::uint32_t i, const std::uint8_t* msg, std::size_t len, std::int64_t ts, std::int64_t tx) {
    Slot& s = slots[i];
    auto parsed = packet::parse_dns(msg, len);
    if (!parsed.message) {
      ++stats.malformed_dns;
      reject(s, "malformed: " + std::string(packet::to_string(parsed.error)));
      return;
    }
    const auto& m = *parsed.message;
    if (!m.qr) return;
    bool question_ok = m.questions.size() == 1 && m.questions[0].type == s.ex.query.qtype &&
                       m.questions[0].name == s.ex.query.qname;
    // Some servers (FORMERR, NOTIMP) legitimately answer without a question.
    if (!question_ok && !(m.questions.empty() && m.rcode != 0)) {
      ++stats.mismatched;
      reject(s, "question mismatch");
      return;
    }
    ++stats.responses;
    s.ex.response = m;
    s.ex.response_bytes = len;
    s.ex.rtt_us = ts - tx;
    if (!s.tcp && m.tc && cfg.tcp_fallback) {
      s.ex.udp_truncated = true;
      s.tcp = true;
      s.state = State::ready;
      ready.push_back(i);
      return;
    }
    finish(i, DnsOutcome::answer);
  }

  // Each returns whether the frame is the run's own (on_frame): decided by
  // its ports and the run's DNS IDs, never by the slot's state.
  bool on_udp_out(const packet::Datagram& d, const std::uint8_t* ip, std::int64_t ts) {
    std::size_t off = d.ip.transport_offset + 8;
    if (d.ip.transport.sport != cfg.sport || d.ip.transport.dport != cfg.dport || off + 2 > d.ip.end) return false;
    auto it = by_id.find(be16(ip + off));
    if (it == by_id.end()) return false;
    Slot& s = slots[it->second.first];
    if (s.state == State::awaiting_tx && !s.tcp && s.attempt == it->second.second &&
        d.ip.dst == s.ex.query.server)
      mark_sent(it->second.first, ts);
    return true;
  }

  // Every answer to our port is ours, also one with an ID we never sent:
  // the port is held for the run, so it is someone forging answers.
  bool on_udp_in(const packet::Datagram& d, const std::uint8_t* ip, std::int64_t ts) {
    std::size_t off = d.ip.transport_offset + 8;
    if (d.ip.transport.dport != cfg.sport || d.ip.transport.sport != cfg.dport || off > d.ip.end) return false;
    const std::uint8_t* msg = ip + off;
    std::size_t len = d.ip.end - off;
    auto id = packet::dns_id(msg, len);
    auto it = id ? by_id.find(*id) : by_id.end();
    if (it == by_id.end()) {
      ++stats.wrong_id;
      return true;
    }
    std::uint32_t i = it->second.first;
    Slot& s = slots[i];
    if (d.ip.src != s.ex.query.server) {
      ++stats.wrong_source;
      reject(s, "answer from " + d.ip.src.to_string() + ", not the server queried");
      return true;
    }
    if (s.tcp || it->second.second != s.attempt ||
        (s.state != State::awaiting_reply && s.state != State::awaiting_tx)) {
      ++stats.late;
      return true;
    }
    if (s.state == State::awaiting_tx) mark_sent(i, s.decided_us);
    if (ts - s.ex.tx_us > cfg.wait_us) {
      ++stats.late;
      return true;
    }
    on_message(i, msg, len, ts, s.ex.tx_us);
    return true;
  }

  bool on_tcp(const packet::Datagram& d, const std::uint8_t* ip, std::int64_t ts, bool outgoing) {
    const auto& t = d.ip.transport;
    std::uint16_t port = outgoing ? t.sport : t.dport;
    if ((outgoing ? t.dport : t.sport) != cfg.dport || t.length < 14) return false;
    auto it = by_port.find(port);
    if (it == by_port.end()) return false;
    std::uint32_t i = it->second;
    Slot& s = slots[i];
    if (!s.tcp || (outgoing ? d.ip.dst : d.ip.src) != s.ex.query.server) return true;
    if (s.state != State::awaiting_tx && s.state != State::awaiting_reply) return true;
    std::size_t hlen = static_cast<std::size_t>(ip[d.ip.transport_offset + 12] >> 4) * 4;
    std::size_t poff = d.ip.transport_offset + hlen;
    std::size_t plen = poff < d.ip.end ? d.ip.end - poff : 0;
    if (outgoing) {
      if ((t.tcp_flags & (kSyn | kAck)) == kSyn && s.state == State::awaiting_tx) mark_sent(i, ts);
      if (plen > 0 && s.query_seg_us == 0) s.query_seg_us = ts;
      return true;
    }
    if (s.state == State::awaiting_tx) mark_sent(i, s.decided_us);
    if ((t.tcp_flags & (kSyn | kAck)) == (kSyn | kAck)) {
      s.server_isn = t.tcp_seq;
      s.have_isn = true;
      return true;
    }
    if (t.tcp_flags & kRst) {
      finish(i, DnsOutcome::tcp_reset);
      return true;
    }
    if (!s.have_isn || plen == 0) return true;
    std::uint32_t rel = t.tcp_seq - s.server_isn - 1;
    if (rel >= kMaxTcpMessage) return true;
    s.segments[rel].assign(ip + poff, ip + poff + plen);
    // In-order bytes from the start of the stream.
    std::vector<std::uint8_t> stream;
    for (const auto& [at, bytes] : s.segments) {
      if (at > stream.size()) break;
      std::size_t skip = stream.size() - at;
      if (skip < bytes.size()) stream.insert(stream.end(), bytes.begin() + static_cast<long>(skip), bytes.end());
    }
    if (stream.size() < 2) return true;
    std::size_t want = be16(stream.data());
    if (stream.size() < 2 + want) return true;
    // The stream is ours by its port, but the message must still answer our
    // query: a middlebox or a confused server can answer another ID.
    if (want >= 2 && be16(stream.data() + 2) != s.ex.id) {
      ++stats.wrong_id;
      reject(s, "answer over TCP with ID " + std::to_string(be16(stream.data() + 2)) + ", not the query's " +
                    std::to_string(s.ex.id));
      finish(i, DnsOutcome::malformed);
      return true;
    }
    std::int64_t tx = s.query_seg_us != 0 ? s.query_seg_us : s.ex.tx_us;
    on_message(i, stream.data() + 2, want, ts, tx);
    if (s.state != State::done) finish(i, DnsOutcome::malformed);
    return true;
  }

  bool on_icmp(const packet::Datagram& d) {
    const auto& q = *d.quote;
    if (q.src != cfg.src) return false;
    std::optional<std::uint32_t> slot;
    if (q.proto == packet::kProtoUdp && q.transport.sport == cfg.sport && q.transport.dport == cfg.dport) {
      // The DNS ID sits right after the quoted UDP header when the router
      // quoted enough (past an IPv4 header of any length or IPv6's chain).
      if (q.transport.udp_payload_head) {
        auto it = by_id.find(*q.transport.udp_payload_head);
        if (it != by_id.end() && !slots[it->second.first].tcp && slots[it->second.first].attempt == it->second.second)
          slot = it->second.first;
      } else {
        for (std::uint32_t i = 0; i < slots.size(); ++i)
          if (slots[i].state == State::awaiting_reply && !slots[i].tcp && slots[i].ex.query.server == q.dst) {
            slot = i;
            break;
          }
      }
    } else if (q.proto == packet::kProtoTcp && q.transport.dport == cfg.dport) {
      auto it = by_port.find(q.transport.sport);
      if (it != by_port.end() && slots[it->second].tcp) slot = it->second;
    }
    if (!slot) return false;
    Slot& s = slots[*slot];
    if (s.state != State::awaiting_reply || s.ex.query.server != q.dst) return true;
    ++stats.icmp_errors;
    s.ex.icmp = model::IcmpError{d.ip.src, d.ip.transport.icmp_type, d.ip.transport.icmp_code};
    finish(*slot, DnsOutcome::icmp_error);
    return true;
  }

  bool on_packet(const io::RawPacket& p) {
    ++stats.packets;
    auto off = packet::ip_offset(p.linktype, p.data, p.caplen);
    if (!off) return false;
    const std::uint8_t* ip = p.data + *off;
    auto d = packet::parse_ip(ip, p.caplen - *off);
    if (!d) {
      ++stats.malformed_ip;
      return false;
    }
    if (d->is_icmp_error()) return d->ip.dst == cfg.src && on_icmp(*d);
    bool out = d->ip.src == cfg.src;
    bool in = d->ip.dst == cfg.src;
    if (d->ip.proto == packet::kProtoUdp && d->ip.transport.length >= 8) {
      if (out) return on_udp_out(*d, ip, p.ts_us);
      if (in) return on_udp_in(*d, ip, p.ts_us);
    } else if (d->ip.proto == packet::kProtoTcp && (out || in)) {
      return on_tcp(*d, ip, p.ts_us, out);
    }
    return false;
  }

  void on_timer(const TimerKey& k) {
    Slot& s = slots[k.slot];
    if (k.generation != generation(s)) return;
    if (k.tx_fallback) {
      if (s.state == State::awaiting_tx) mark_sent(k.slot, s.decided_us);
      return;
    }
    if (s.state != State::awaiting_reply) return;
    if (!s.tcp && s.attempt + 1 < cfg.tries) {
      ++s.attempt;
      s.state = State::ready;
      ready.push_back(k.slot);
      return;
    }
    finish(k.slot, DnsOutcome::timeout);
  }

  // What a query the capture never showed leaving becomes.
  void end_unsent(std::uint32_t i) {
    Slot& s = slots[i];
    if (s.state == State::done) return;
    bool sent_before = s.ex.tx_us != 0 && (s.state != State::idle);
    if (s.state == State::awaiting_reply) finish(i, DnsOutcome::timeout);
    else finish(i, sent_before ? (s.ex.response ? DnsOutcome::answer : DnsOutcome::timeout) : DnsOutcome::not_sent);
  }

  // --- LoopClient ------------------------------------------------------------

  bool finished() const override { return next_emit == slots.size(); }

  bool halt(int h) override {
    if (h >= 2) {
      for (std::uint32_t i = 0; i < slots.size(); ++i) end_unsent(i);
      return true;
    }
    for (std::uint32_t i = 0; i < slots.size(); ++i)
      if (slots[i].state == State::idle || slots[i].state == State::ready) end_unsent(i);
    next_idle = slots.size();
    ready.clear();
    return finished();
  }

  bool send_one(sched::TokenBucket& pace, std::int64_t now) override {
    if (ready.empty() || (sink.paced() && !pace.try_take(now))) return false;
    std::uint32_t i = ready.front();
    ready.pop_front();
    if (slots[i].state == State::ready) send(i);
    return true;
  }

  std::int64_t deadline(sched::TokenBucket& pace, std::int64_t now) override {
    std::int64_t d = timers.next_deadline();
    if (!ready.empty()) d = std::min(d, pace.next_available_us(now));
    return d;
  }

  // The TCP sockets wake the loop when they connect (the query can be
  // written) or have bytes to drain; what woke it is pumped in after_event().
  void watch(std::int64_t, std::vector<pollfd>& fds) override {
    watched = &fds;
    watched_from = fds.size();
    streams.watch(fds);
    watched_to = fds.size();
  }

  bool on_frame(Frame& f, std::size_t) override { return on_packet(f.raw()); }

  void on_exhausted() override {
    for (std::uint32_t i = 0; i < slots.size(); ++i)
      if (slots[i].state == State::ready || slots[i].state == State::awaiting_tx || slots[i].state == State::idle)
        end_unsent(i);
    ready.clear();
  }

  void after_event() override {
    bool woke = false;
    if (watched)
      for (std::size_t k = watched_from; k < watched_to; ++k) woke = woke || (*watched)[k].revents != 0;
    watched = nullptr;
    if (woke) streams.pump();
    TimerKey k{};
    std::int64_t when = 0;
    while (timers.pop_expired(clock.now_us(), k, when)) on_timer(k);
    start_more();
  }

  DnsStats run(const std::atomic<int>& halt) {
    run_loop({this}, source, bucket, halt);
    return stats;
  }
};

DnsEngine::DnsEngine(DnsConfig config, std::vector<model::DnsQuery> queries, io::PacketSource& source,
                     io::PacketSink& sink, io::TcpStreams& streams, DnsObserver& observer)
    : impl_(std::make_unique<Impl>(config, std::move(queries), source, sink, streams, observer)) {}

DnsEngine::~DnsEngine() = default;

DnsStats DnsEngine::run(const std::atomic<int>& halt) { return impl_->run(halt); }

const DnsStats& DnsEngine::stats() const { return impl_->stats; }

LoopClient& DnsEngine::loop() { return *impl_; }

}  // namespace probe::engine
