// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// fl-probed's control socket as a client of the one event loop: between
// events it accepts clients, reads their request lines, starts their
// traces and DNS queries in the engine set (each request with its own run
// key) and writes back what they found. Nothing here blocks: a slow or vanished client costs
// only its own requests.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probe/engine/dns_engine.h"
#include "probe/engine/engine_set.h"
#include "probe/engine/trace_engine.h"
#include "probe/io/packet_sink.h"
#include "probe/io/packet_source.h"
#include "probe/io/unix_socket.h"
#include "probe/serve/protocol.h"

namespace flprobed {

struct Limits {
  std::size_t max_running = 16;
  std::size_t max_queued = 64;
  std::uint64_t max_targets = 65536;
};

class Server final : public probe::engine::LoopClient {
 public:
  // `interface`: where `source` captures, for the run records of -w files.
  Server(probe::io::Fd listener, probe::model::Address src, std::string interface, probe::io::PacketSource& source,
         probe::io::PacketSink& sink, Limits limits);
  ~Server() override;
  // The engines the loop runs beside this server.
  probe::engine::EngineSet& engines() { return set_; }

  bool finished() const override { return closed_; }
  bool halt(int level) override;
  bool send_one(probe::sched::TokenBucket&, std::int64_t) override { return false; }
  std::int64_t deadline(probe::sched::TokenBucket& pace, std::int64_t now_us) override;
  void watch(std::int64_t now_us, std::vector<pollfd>& fds) override;
  bool on_frame(probe::engine::Frame&, std::size_t) override { return false; }
  void on_exhausted() override {}
  void after_event() override;
  void on_end() override;

 private:
  struct Client;
  struct Job;
  class JobObserver;
  class DnsJobObserver;
  void serve(std::int64_t now_us);
  void socket_events(std::vector<pollfd>& fds, std::vector<std::uint64_t>& ids) const;
  void accept_clients();
  void read_client(Client& c);
  void take_line(std::uint64_t client, Client& c, const probe::serve::LineReader::Line& line, std::int64_t now_us);
  void start(std::unique_ptr<Job> job, std::int64_t now_us);
  // The request's engine and -w writer, or the reason it cannot start.
  std::optional<std::string> start_trace(Job& job, probe::engine::EngineSet::Keep& keep);
  std::optional<std::string> start_dns(Job& job, probe::engine::EngineSet::Keep& keep);
  std::optional<std::string> keeper(Job& job, const std::string& record, probe::engine::EngineSet::Keep& keep);
  void refuse_job(const Job& job, const std::string& why);
  void start_queued(std::int64_t now_us);
  void retired(probe::engine::LoopClient& engine);
  void send(std::uint64_t client, const std::string& line);
  void flush(Client& c);
  void drop(std::uint64_t client);

  probe::io::Fd listener_;
  probe::model::Address src_;
  std::string interface_;
  probe::io::PacketSource& source_;
  probe::io::PacketSink& sink_;
  Limits limits_;
  probe::engine::EngineSet set_;
  std::map<std::uint64_t, std::unique_ptr<Client>> clients_;
  std::map<const probe::engine::LoopClient*, std::unique_ptr<Job>> running_;
  std::deque<std::unique_ptr<Job>> queued_;
  std::uint64_t next_client_ = 1;
  std::int64_t next_look_us_ = 0;  // while frames flow, the sockets' next look
  // What watch() gave the loop to wait on (its revents, once the loop woke,
  // until after_event()): from watched_from_ on, in watched_ids_' order.
  std::vector<pollfd>* watched_ = nullptr;
  std::size_t watched_from_ = 0;
  std::vector<std::uint64_t> watched_ids_;
  bool closed_ = false;
};

}  // namespace flprobed
