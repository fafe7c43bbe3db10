// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/event_loop.h"

#include <algorithm>

namespace probe::engine {

void ClassifyStage::prepare(std::size_t slot, const io::RawPacket& f) {
  Prepared& p = slots_[slot];
  packet::parse_frame(f.linktype, f.data, f.caplen, p.frame);
  p.evidence.resize(p.frame.ok ? ids_.size() : 0);
  for (std::size_t e = 0; e < p.evidence.size(); ++e) p.evidence[e] = match::classify(p.frame.datagram, ids_[e]);
}

// The frames were prepared on the reader's core: fetch them before the
// engine gets there, so that it does not wait on the transfer.
void ClassifyStage::soon(std::size_t slot) const {
  const Prepared& p = slots_[slot];
  const auto* at = reinterpret_cast<const char*>(&p);
  for (std::size_t line = 0; line < sizeof(Prepared); line += 64) __builtin_prefetch(at + line);
  if (!p.evidence.empty()) {
    const auto* ev = reinterpret_cast<const char*>(p.evidence.data());
    std::size_t n = p.evidence.size() * sizeof(p.evidence[0]);
    for (std::size_t line = 0; line < n; line += 64) __builtin_prefetch(ev + line);
  }
}

const packet::ParsedFrame& Frame::parsed() {
  if (!parsed_) {
    if (stage_) {
      parsed_ = &stage_->at(raw_.slot).frame;
    } else {
      packet::parse_frame(raw_.linktype, raw_.data, raw_.caplen, scratch_);
      parsed_ = &scratch_;
    }
  }
  return *parsed_;
}

const std::optional<match::Evidence>* Frame::evidence(std::size_t k) const {
  if (!stage_) return nullptr;
  const ClassifyStage::Prepared& p = stage_->at(raw_.slot);
  if (p.evidence.size() != stage_->identities()) return nullptr;
  return &p.evidence[k];
}

void run_loop(const std::vector<LoopClient*>& clients, io::PacketSource& source, sched::TokenBucket& pace,
              const std::atomic<int>& halt, const ClassifyStage* stage) {
  sched::Clock& clock = source.clock();
  auto all_finished = [&] {
    for (auto* c : clients)
      if (!c->finished()) return false;
    return true;
  };
  std::size_t turn = 0;
  packet::ParsedFrame scratch;  // for frames the stage did not parse; reused
  std::vector<pollfd> wake;     // what the clients watch (LoopClient::watch); reused
  while (!all_finished()) {
    int h = halt.load();
    if (h > 0) {
      bool quiet = true;
      for (auto* c : clients) quiet = c->halt(h) && quiet;
      if (quiet) break;
    }
    std::int64_t now = clock.now_us();
    for (std::size_t idle = 0; idle < clients.size(); turn = (turn + 1) % clients.size()) {
      if (clients[turn]->send_one(pace, now)) idle = 0;
      else ++idle;
    }
    std::int64_t deadline = sched::kNever;
    for (auto* c : clients) deadline = std::min(deadline, c->deadline(pace, now));
    wake.clear();
    for (auto* c : clients) c->watch(now, wake);
    if (auto p = wake.empty() ? source.next(deadline) : source.next_or_wake(deadline, wake)) {
      Frame f(*p, scratch, stage);
      bool own = false;
      for (std::size_t k = 0; k < clients.size(); ++k) own = clients[k]->on_frame(f, k) || own;
      if (own) source.keep();
    } else if (source.exhausted()) {
      for (auto* c : clients) c->on_exhausted();
    }
    for (auto* c : clients) c->after_event();
  }
  for (auto* c : clients) c->on_end();
}

}  // namespace probe::engine
