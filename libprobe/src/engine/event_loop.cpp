#include "probe/engine/event_loop.h"

#include <algorithm>

namespace probe::engine {

const io::ParsedFrame& Frame::parsed() {
  if (!parsed_) {
    if (raw_.parsed) {
      parsed_ = raw_.parsed;
    } else {
      io::parse_frame(raw_.linktype, raw_.data, raw_.caplen, scratch_);
      parsed_ = &scratch_;
    }
  }
  return *parsed_;
}

const std::optional<match::Evidence>* Frame::evidence(std::size_t k) {
  const io::ParsedFrame& f = parsed();
  if (classified_for_ == 0 || f.evidence.size() != classified_for_) return nullptr;
  return &f.evidence[k];
}

void run_loop(const std::vector<LoopClient*>& clients, io::PacketSource& source, sched::TokenBucket& pace,
              const std::atomic<int>& halt, std::size_t classified_for) {
  sched::Clock& clock = source.clock();
  auto all_finished = [&] {
    for (auto* c : clients)
      if (!c->finished()) return false;
    return true;
  };
  std::size_t turn = 0;
  io::ParsedFrame scratch;  // for frames the source did not parse; reused
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
    if (auto p = source.next(deadline)) {
      Frame f(*p, scratch, classified_for);
      for (std::size_t k = 0; k < clients.size(); ++k) clients[k]->on_frame(f, k);
    } else if (source.exhausted()) {
      for (auto* c : clients) c->on_exhausted();
    }
    for (auto* c : clients) c->after_event();
  }
  for (auto* c : clients) c->on_end();
}

}  // namespace probe::engine
