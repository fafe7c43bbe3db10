// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/trace_engine.h"

#include <algorithm>

#include "probe/match/classify.h"
#include "trace_engine_impl.h"

namespace probe::engine {

namespace {
// More probes than a trace sends (255 TTLs, ten tries each), fewer than
// the probe ids between two --report rounds (FlowPlan's cycle stride).
constexpr std::size_t kPrintedProbes = 4096;
}  // namespace

// A frame from the source: our probe leaving, a reply, or nothing of ours.
// Parsed once for all engines; classified here unless the source's
// read-ahead thread did it already.
bool TraceEngine::Impl::on_frame(Frame& f, std::size_t position) {
  ++stats.packets;
  const packet::ParsedFrame& p = f.parsed();
  if (!p.ip) return false;
  if (!p.ok) {
    ++stats.malformed;
    return false;
  }
  // Read in place (no copy per frame): the source's evidence, or ours.
  const std::optional<match::Evidence>* pre = f.evidence(position);
  std::optional<match::Evidence> own;
  if (!pre) own = match::classify(p.datagram, identity);
  const std::optional<match::Evidence>& ev = pre ? *pre : own;
  return ev && on_evidence(f.raw().ts_us, *ev);
}

// Whether a frame is ours is decided by the run's flow plan alone (the
// target, the DNS IDs sent, the flow fields), never by the slot's state:
// late replies are ours too, so that the capture holds whatever replay
// may weigh.
bool TraceEngine::Impl::on_evidence(std::int64_t ts_us, const match::Evidence& ev) {
  std::uint16_t token = ev.token;  // method dns: from the DNS ID below
  std::uint32_t i = targets->find(ev.target);
  if (i == TargetList::kNone) {
    ++stats.foreign;
    return false;
  }
  const bool starts = i >= next_emit && !closed && !sink.paced() && ev.kind == match::Evidence::Kind::probe;
  Slot* held_slot = starts ? &slot(i) : held(i);
  // A trace without a slot is weighed as it was: printed, with at most
  // kPrintedProbes probes sent (no count per target is kept: a reply to
  // an id past the ones sent is late, not foreign, within that bound), or
  // not started, with none.
  Slot printed_or_unstarted;
  if (!held_slot) {
    printed_or_unstarted.state = State::done;
    printed_or_unstarted.probes = i < next_emit ? kPrintedProbes : 0;
    held_slot = &printed_or_unstarted;
  }
  Slot& s = *held_slot;
  if (s.state == State::idle && starts) {
    begin(i);
    send(i);
  }
  if (ev.dns_id) {
    auto at = std::find(s.dns_ids.begin(), s.dns_ids.end(), *ev.dns_id);
    if (at == s.dns_ids.end()) {
      ++stats.foreign;
      return false;
    }
    token = plan.token(i, static_cast<std::size_t>(at - s.dns_ids.begin()));
  }
  std::size_t idx = plan.probe_index(i, token);
  match::Flow want = plan.flow(i, idx);
  bool flow_ok = ev.flow.sport == want.sport && (!ev.flow_dport_known || ev.flow.dport == want.dport);
  if (!flow_ok) {
    ++stats.foreign;
    return false;
  }
  if (idx >= s.probes) {
    ++stats.foreign;
    return true;  // ours by its flow, but for a probe not sent (yet): kept for replay to judge
  }
  bool is_current = idx + 1 == s.probes;
  if (ev.kind == match::Evidence::Kind::probe) {
    if (is_current && s.state == State::awaiting_tx && s.start_open && !sink.paced()) take_start(s, ev.probe_ttl);
    if (is_current && s.state == State::awaiting_tx && ev.probe_ttl == current(s).ttl) {
      ++stats.probes_seen;
      s.start_open = false;
      mark_sent(i, ts_us);
    }
    return true;
  }
  if (!is_current || (s.state != State::awaiting_reply && s.state != State::awaiting_tx)) {
    ++stats.late;
    return true;
  }
  on_reply(i, ev, ts_us);
  return true;
}

void TraceEngine::Impl::on_reply(std::uint32_t i, const match::Evidence& ev, std::int64_t ts_us) {
  Slot& s = slot(i);
  if (s.state == State::awaiting_tx) mark_sent(i, s.decided_us);  // the capture missed the probe
  s.start_open = false;
  model::ProbeRecord& rec = current(s);
  if (ts_us - rec.tx_us > cfg.wait_us) {
    ++stats.late;
    return;
  }
  ++stats.replies;
  rec.reply = ev.reply;
  rec.reply->rx_us = ts_us;
  apply(i, policy->after_reply(i, *s.trace, s.cursor, *rec.reply));
}

void TraceEngine::Impl::take_start(Slot& s, std::uint8_t ttl) {
  if (ttl < cfg.first_ttl || ttl > cfg.max_ttl || s.probes != 1) return;
  s.cursor.ttl = s.cursor.start = ttl;
  s.trace->hops.back().ttl = ttl;
  current(s).ttl = ttl;
}

}  // namespace probe::engine
