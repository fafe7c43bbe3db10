// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The one event loop every engine runs on: send what the token bucket
/// allows, sleep in the source until the next frame or deadline, hand each
/// frame to every engine, fire timers, react to halting. Live and replay
/// are the same loop (the source's clock decides what "now" is).

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "probe/io/packet_source.h"
#include "probe/match/classify.h"
#include "probe/packet/datagram.h"
#include "probe/sched/token_bucket.h"

namespace probe::engine {

/// Time after a probe's wait before its timeout fires, so that a reply
/// stamped just inside the wait is read first (live and replay alike).
inline constexpr std::int64_t kTimeoutGraceUs = 50000;
/// Live only: how long to wait for a sent probe to show up in the capture
/// before timing it from the moment it was sent.
inline constexpr std::int64_t kTxFallbackUs = 1000000;

/// The read-ahead stage the engines bring to a capture file's source:
/// every frame parsed (packet layer) and classified (match layer) for each
/// identity on the source's reading thread, so that replay runs at the
/// speed of reading.
class ClassifyStage final : public io::ReadAheadStage {
 public:
  /// Frames are classified against these identities, in this order.
  explicit ClassifyStage(std::vector<match::Identity> ids) : ids_(std::move(ids)) {}
  struct Prepared {
    packet::ParsedFrame frame;
    std::vector<std::optional<match::Evidence>> evidence;  ///< one per identity, when frame.ok
  };
  void reserve(std::size_t slots) override { slots_.resize(slots); }
  void prepare(std::size_t slot, const io::RawPacket& frame) override;
  void soon(std::size_t slot) const override;
  const Prepared& at(std::size_t slot) const { return slots_[slot]; }
  std::size_t identities() const { return ids_.size(); }

 private:
  std::vector<match::Identity> ids_;
  std::vector<Prepared> slots_;  // reused: their datagrams' storage too
};

/// One frame as the loop hands it to every engine: parsed at most once,
/// by the read-ahead stage or on the first engine's demand.
class Frame {
 public:
  Frame(const io::RawPacket& raw, packet::ParsedFrame& scratch, const ClassifyStage* stage)
      : raw_(raw), scratch_(scratch), stage_(raw.slot != io::RawPacket::kNoSlot ? stage : nullptr) {}
  const io::RawPacket& raw() const { return raw_; }
  const packet::ParsedFrame& parsed();
  /// What the stage classified for identity `k`, or null when it did not.
  const std::optional<match::Evidence>* evidence(std::size_t k) const;

 private:
  const io::RawPacket& raw_;
  packet::ParsedFrame& scratch_;
  const ClassifyStage* stage_;
  const packet::ParsedFrame* parsed_ = nullptr;
};

/// An engine's side of the loop.
class LoopClient {
 public:
  virtual ~LoopClient() = default;
  /// Nothing is left to send or wait for.
  virtual bool finished() const = 0;
  /// Halt level 1 stops sending and waits for what is in flight; 2 or more
  /// ends now. True once nothing is left to wait for.
  virtual bool halt(int level) = 0;
  /// Sends one probe if one is due and `pace` has a token (unpaced sinks
  /// take none); false if nothing was sent.
  virtual bool send_one(sched::TokenBucket& pace, std::int64_t now_us) = 0;
  /// When the loop must wake for this client next (sched::kNever: frames only).
  virtual std::int64_t deadline(sched::TokenBucket& pace, std::int64_t now_us) = 0;
  /// Descriptors whose readiness (poll(2) events) should wake the loop as a
  /// deadline does: appended to `fds` right after deadline(). The wait fills
  /// in their revents (a source that does not poll leaves them), and `fds`
  /// holds them until after_event() has returned. Engines have none; a
  /// daemon's sockets are these.
  virtual void watch(std::int64_t /*now_us*/, std::vector<pollfd>& /*fds*/) {}
  /// A frame from the source; `position` is the client's place in the loop
  /// (the index of its identity for Frame::evidence). True when the frame
  /// is the run's own: a probe, an answer or an error about one, whether
  /// in time or late. The -w capture keeps those (PacketSource::keep()), so
  /// it must be true for every frame that could change what replay finds.
  virtual bool on_frame(Frame& frame, std::size_t position) = 0;
  /// The file source ended: what it never showed was never sent.
  virtual void on_exhausted() = 0;
  /// After every frame or wake-up: timers, progress.
  virtual void after_event() = 0;
  /// Once, when the loop returns.
  virtual void on_end() {}
};

/// Runs the clients over one source until all finished or halting ended
/// them. They take turns at `pace`, one probe each, so that several engines
/// interleave. A frame any client calls its own is kept (source.keep()). `stage`: what the source prepares frames with (set_read_ahead),
/// or null.
void run_loop(const std::vector<LoopClient*>& clients, io::PacketSource& source, sched::TokenBucket& pace,
              const std::atomic<int>& halt, const ClassifyStage* stage = nullptr);

}  // namespace probe::engine
