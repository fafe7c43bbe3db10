// SPDX-License-Identifier: BSD-2-Clause
#include "server.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "probe/io/capture_writer.h"
#include "probe/io/vantage.h"
#include "probe/io/tcp_streams.h"
#include "probe/model/targets.h"
#include "probe/record/dns_record.h"
#include "probe/record/trace_record.h"

namespace flprobed {

namespace {

using probe::serve::Refusal;

// The loop sleeps in the capture's poll(2), which watches the sockets too
// (watch()): a connection, a request or room to write wakes it at once, and
// an idle daemon sleeps until one comes (the capture wakes it once a
// second). While frames flow the capture needs no poll, so the sockets are
// looked at every 1 ms of frames: at most 1,000 looks a second however many
// frames come, and nothing a client would notice against a run's probes
// (the 0.3 s of 6,144 probes at 20k pps).
constexpr std::int64_t kLookEveryUs = 1000;
// What a client may hold unread before it counts as vanished (a reader
// that stopped reading would otherwise grow the daemon without end).
constexpr std::size_t kMaxUnsent = 64u << 20;
// Connections at once; one more is told so and closed.
constexpr std::size_t kMaxClients = 256;
// Read per client per look, so that one chatty client does not hold the loop.
constexpr std::size_t kReadPerLook = 64u << 10;
// Descriptors a client may pass ahead of the requests that take them.
constexpr std::size_t kMaxPassedFds = 8;

}  // namespace

struct Server::Client {
  probe::io::Fd fd;
  probe::serve::LineReader reader;
  std::string out;         // lines not yet written
  std::deque<probe::io::Fd> fds;  // passed for -w, not yet taken by a request
  bool read_closed = false;  // the client will send nothing more
  bool gone = false;         // to drop at the next look
  std::size_t jobs = 0;      // its requests running or queued
};

class Server::JobObserver final : public probe::engine::TraceObserver {
 public:
  JobObserver(Server& server, const Job& job) : server_(server), job_(job) {}
  void on_trace(const probe::model::Trace& t) override;

 private:
  Server& server_;
  const Job& job_;
};

class Server::DnsJobObserver final : public probe::engine::DnsObserver {
 public:
  DnsJobObserver(Server& server, Job& job) : server_(server), job_(job) {}
  void on_exchange(const probe::model::DnsExchange& e) override;

 private:
  Server& server_;
  Job& job_;
};

struct Server::Job {
  std::uint64_t client = 0;
  nlohmann::json id;
  probe::serve::Verb verb = probe::serve::Verb::trace;
  probe::serve::TraceRequest request;
  probe::serve::DnsRequest dns_request;
  std::int64_t arrival_us = 0;
  std::int64_t start_us = 0;
  bool cancelled = false;
  probe::io::Fd capture;  // -w's file, until the request starts
  std::unique_ptr<probe::io::CaptureWriter> writer;
  std::unique_ptr<JobObserver> observer;
  std::unique_ptr<probe::engine::TraceEngine> engine;
  // verb dns: the engine, its query port held against the kernel's port
  // unreachables, its own TCP sockets (opened by the daemon), and how many
  // exchanges it reported.
  std::unique_ptr<probe::io::UdpPortHold> port;
  std::unique_ptr<probe::io::TcpStreams> streams;
  std::unique_ptr<DnsJobObserver> dns_observer;
  std::unique_ptr<probe::engine::DnsEngine> dns;
  std::uint64_t exchanges = 0;

  probe::engine::LoopClient& loop() { return dns ? dns->loop() : engine->loop(); }
};

void Server::JobObserver::on_trace(const probe::model::Trace& t) {
  server_.send(job_.client, probe::serve::trace_line(job_.id, t));
}

void Server::DnsJobObserver::on_exchange(const probe::model::DnsExchange& e) {
  ++job_.exchanges;
  server_.send(job_.client, probe::serve::dns_line(job_.id, e));
}

Server::Server(probe::io::Fd listener, probe::model::Address src, std::string interface,
               probe::io::PacketSource& source, probe::io::PacketSink& sink, Limits limits)
    : listener_(std::move(listener)),
      src_(src),
      interface_(std::move(interface)),
      source_(source),
      sink_(sink),
      limits_(limits),
      set_([this](probe::engine::LoopClient& e) { retired(e); }) {}

Server::~Server() = default;

bool Server::halt(int) {
  if (closed_) return true;
  closed_ = true;
  listener_ = probe::io::Fd();
  set_.close();
  // Waiting requests never started: they are refused, not left hanging.
  for (auto& job : queued_) {
    send(job->client, probe::serve::refusal_line({job->id, "fl-probed is stopping"}));
    if (auto c = clients_.find(job->client); c != clients_.end()) --c->second->jobs;
  }
  queued_.clear();
  return true;
}

// No timer: the sockets wake the loop themselves (watch()).
std::int64_t Server::deadline(probe::sched::TokenBucket&, std::int64_t) { return probe::sched::kNever; }

void Server::watch(std::int64_t, std::vector<pollfd>& fds) {
  watched_ = &fds;
  watched_from_ = fds.size();
  watched_ids_.clear();
  socket_events(fds, watched_ids_);
}

// The listener (while open), then one entry per client in clients_' order,
// its id in `ids`.
void Server::socket_events(std::vector<pollfd>& fds, std::vector<std::uint64_t>& ids) const {
  if (listener_) fds.push_back({listener_.get(), POLLIN, 0});
  for (auto& [id, c] : clients_) {
    short ev = 0;
    if (!c->read_closed) ev |= POLLIN;
    if (!c->out.empty()) ev |= POLLOUT;
    fds.push_back({c->fd.get(), ev, 0});
    ids.push_back(id);
  }
}

// A socket that woke the loop is served at once; otherwise (frames) every
// kLookEveryUs.
void Server::after_event() {
  bool woke = false;
  if (watched_)
    for (std::size_t k = watched_from_; k < watched_->size(); ++k) woke = woke || (*watched_)[k].revents != 0;
  watched_ = nullptr;
  const std::int64_t now = source_.clock().now_us();
  if (woke || now >= next_look_us_) serve(now);
}

void Server::serve(std::int64_t now_us) {
  next_look_us_ = now_us + kLookEveryUs;
  std::vector<pollfd> fds;
  std::vector<std::uint64_t> ids;
  socket_events(fds, ids);
  if (::poll(fds.data(), fds.size(), 0) <= 0) return;
  std::size_t k = 0;
  if (listener_ && (fds[k++].revents & POLLIN)) accept_clients();
  for (std::size_t i = 0; i < ids.size(); ++i, ++k) {
    auto it = clients_.find(ids[i]);
    if (it == clients_.end()) continue;
    Client& c = *it->second;
    short rev = fds[k].revents;
    if (rev & POLLIN) {
      read_client(c);
      while (auto line = c.reader.next()) take_line(ids[i], c, *line, now_us);
    }
    // A peer that closed both ways (or broke) cannot read what is left.
    if (rev & (POLLHUP | POLLERR)) c.gone = true;
  }
  std::vector<std::uint64_t> done;
  for (auto& [id, c] : clients_) {
    if (!c->gone) flush(*c);
    if (c->gone || (c->read_closed && c->jobs == 0 && c->out.empty())) done.push_back(id);
  }
  for (auto id : done) drop(id);
}

void Server::accept_clients() {
  for (;;) {
    int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a connection that went before we took it
    probe::io::Fd s(fd);
    if (clients_.size() >= kMaxClients) {
      std::string line =
          probe::serve::refusal_line({nullptr, fmt::format("too many connections ({} at most)", kMaxClients)}) + "\n";
      (void)::send(s.get(), line.data(), line.size(), MSG_NOSIGNAL);
      continue;
    }
    auto c = std::make_unique<Client>();
    c->fd = std::move(s);
    clients_.emplace(next_client_++, std::move(c));
  }
}

void Server::read_client(Client& c) {
  char buf[16384];
  for (std::size_t got = 0; got < kReadPerLook;) {
    std::vector<probe::io::Fd> fds;
    long n = probe::io::receive_with_fds(c.fd.get(), buf, sizeof buf, fds);
    for (auto& fd : fds) c.fds.push_back(std::move(fd));
    while (c.fds.size() > kMaxPassedFds) c.fds.pop_front();
    if (n > 0) {
      c.reader.feed(buf, static_cast<std::size_t>(n));
      got += static_cast<std::size_t>(n);
    } else if (n == 0) {
      c.read_closed = true;  // a half-close: the results still go out
      return;
    } else {
      if (errno != EAGAIN && errno != EINTR) c.gone = true;
      return;
    }
  }
}

void Server::take_line(std::uint64_t client, Client& c, const probe::serve::LineReader::Line& line,
                       std::int64_t now_us) {
  auto refuse = [&](const Refusal& r) { send(client, probe::serve::refusal_line(r)); };
  if (line.too_long) return refuse({nullptr, fmt::format("line longer than {} bytes", probe::serve::kMaxLine)});
  if (line.text.empty()) return;
  auto parsed = probe::serve::parse_request(line.text);
  if (auto* r = std::get_if<Refusal>(&parsed)) return refuse(*r);
  auto& req = std::get<probe::serve::Request>(parsed);
  if (closed_) return refuse({req.id, "fl-probed is stopping"});
  auto same = [&](const std::unique_ptr<Job>& j) { return j->client == client && j->id == req.id; };
  for (auto& [e, j] : running_)
    if (same(j)) return refuse({req.id, "a request with this id is already running"});
  for (auto& j : queued_)
    if (same(j)) return refuse({req.id, "a request with this id is already queued"});
  if (req.verb == probe::serve::Verb::trace) {
    if (auto e = probe::model::check_targets(req.trace.targets, {limits_.max_targets, false}))
      return refuse({req.id, e->message});
  } else if (req.dns.queries.size() > limits_.max_targets) {
    return refuse({req.id, fmt::format("{} queries, more than the {} a request may ask (--max-targets)",
                                       req.dns.queries.size(), limits_.max_targets)});
  }
  if (running_.size() >= limits_.max_running && queued_.size() >= limits_.max_queued)
    return refuse({req.id, fmt::format("busy: {} requests running and {} queued (--max-running, --max-queued)",
                                       running_.size(), queued_.size())});
  auto job = std::make_unique<Job>();
  if (req.verb == probe::serve::Verb::trace ? req.trace.capture : req.dns.capture) {
    if (c.fds.empty())
      return refuse({req.id, "\"capture\" needs the file's descriptor passed with the request (SCM_RIGHTS)"});
    job->capture = std::move(c.fds.front());
    c.fds.pop_front();
  }
  job->client = client;
  job->id = req.id;
  job->verb = req.verb;
  job->request = std::move(req.trace);
  job->dns_request = std::move(req.dns);
  job->arrival_us = now_us;
  ++c.jobs;
  if (running_.size() < limits_.max_running) start(std::move(job), now_us);
  else queued_.push_back(std::move(job));
}

void Server::refuse_job(const Job& job, const std::string& why) {
  send(job.client, probe::serve::refusal_line({job.id, why}));
  if (auto it = clients_.find(job.client); it != clients_.end()) --it->second->jobs;
}

void Server::start(std::unique_ptr<Job> job, std::int64_t now_us) {
  probe::engine::EngineSet::Keep keep;
  auto refused = job->verb == probe::serve::Verb::dns ? start_dns(*job, keep) : start_trace(*job, keep);
  if (refused) return refuse_job(*job, *refused);
  job->start_us = now_us;
  probe::engine::LoopClient& loop = job->loop();
  running_.emplace(&loop, std::move(job));
  set_.admit(loop, std::move(keep));
}

// The request's -w: a direct run's run record first, so that the tool's
// -r replays this request from it as it replays a direct run; then the
// frames of its run key.
std::optional<std::string> Server::keeper(Job& job, const std::string& record, probe::engine::EngineSet::Keep& keep) {
  auto w = probe::io::CaptureWriter::adopt(job.capture.release(), "the request's -w file", source_.linktype(), record);
  if (!w) return w.error().message;
  job.writer = std::move(*w);
  keep = [w = job.writer.get(), &clock = source_.clock()](const probe::io::RawPacket& p) {
    w->write(p);
    w->flush_due(clock.now_us());
  };
  return std::nullopt;
}

std::optional<std::string> Server::start_trace(Job& job, probe::engine::EngineSet::Keep& keep) {
  // Its own run key: the engine takes only replies to probes that carry
  // it, so no request sees another's.
  auto key = probe::io::draw_run_key(job.request.sport);
  probe::engine::TraceConfig c = job.request.config;
  c.src = src_;
  c.run_key = key.key;
  c.sport = key.sport;
  // Computed as traces start: a request for a large block holds no list.
  auto targets = probe::engine::target_list(job.request.targets, c.run_key);
  if (!targets) return targets.error().message;
  if (job.capture)
    if (auto e = keeper(job, probe::record::to_comment(probe::record::RunRecord{"fl-trace", interface_, c, job.request.targets}), keep))
      return e;
  job.observer = std::make_unique<JobObserver>(*this, job);
  job.engine = std::make_unique<probe::engine::TraceEngine>(c, std::move(*targets), source_, sink_, *job.observer);
  return std::nullopt;
}

// Its own run key (the DNS IDs) and its own query port, held for the
// request: an answer to another request's port is never its own.
std::optional<std::string> Server::start_dns(Job& job, probe::engine::EngineSet::Keep& keep) {
  const probe::serve::DnsRequest& r = job.dns_request;
  probe::engine::DnsConfig c = r.config;
  c.src = src_;
  std::string taken;
  // A drawn port another program holds is drawn again; a given one is not.
  for (int draw = 0; draw < (r.sport ? 1 : 8) && !job.port; ++draw) {
    auto key = probe::io::draw_run_key(r.sport);
    c.run_key = key.key;
    c.sport = key.sport;
    auto hold = probe::io::UdpPortHold::bind(c.src, c.sport);
    if (hold) job.port = std::move(*hold);
    else taken = hold.error().message;
  }
  if (!job.port) return taken;
  if (job.capture) {
    probe::record::DnsRunRecord record;
    record.interface = interface_;
    record.config = c;
    record.queries = r.queries;
    if (auto e = keeper(job, probe::record::to_comment(record), keep)) return e;
  }
  job.streams = probe::io::kernel_tcp_streams();
  job.dns_observer = std::make_unique<DnsJobObserver>(*this, job);
  job.dns = std::make_unique<probe::engine::DnsEngine>(c, r.queries, source_, sink_, *job.streams, *job.dns_observer);
  return std::nullopt;
}

void Server::start_queued(std::int64_t now_us) {
  while (!queued_.empty() && running_.size() < limits_.max_running) {
    auto job = std::move(queued_.front());
    queued_.pop_front();
    start(std::move(job), now_us);
  }
}

void Server::retired(probe::engine::LoopClient& engine) {
  auto it = running_.find(&engine);
  if (it == running_.end()) return;
  Job& job = *it->second;
  const std::int64_t now = source_.clock().now_us();
  auto status = job.cancelled ? probe::serve::EndStatus::cancelled
                : closed_     ? probe::serve::EndStatus::halted
                              : probe::serve::EndStatus::ok;
  // The -w file is complete before its end line goes out.
  if (job.writer && !job.writer->flush()) {
    send(job.client, probe::serve::refusal_line({job.id, "-w: " + job.writer->error()}));
  }
  const std::int64_t queued = job.start_us - job.arrival_us, ran = now - job.start_us;
  send(job.client, job.dns ? probe::serve::end_line(job.id, status, job.dns->stats(), job.exchanges, queued, ran)
                           : probe::serve::end_line(job.id, status, job.engine->stats(), queued, ran));
  if (auto c = clients_.find(job.client); c != clients_.end()) --c->second->jobs;
  running_.erase(it);
  if (!closed_) start_queued(now);
}

// Only queues the line: sending happens between events (flush), so that
// a client's failure never reaches back into the engine that reported.
void Server::send(std::uint64_t client, const std::string& line) {
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  Client& c = *it->second;
  if (c.gone) return;
  c.out += line;
  c.out += '\n';
  if (c.out.size() > kMaxUnsent) c.gone = true;
}

void Server::flush(Client& c) {
  std::size_t sent = 0;
  while (sent < c.out.size()) {
    ssize_t n = ::send(c.fd.get(), c.out.data() + sent, c.out.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else {
      if (n < 0 && errno != EAGAIN && errno != EINTR) c.gone = true;
      break;
    }
  }
  c.out.erase(0, sent);
}

// A client that went: its requests stop now (their probes in flight are
// left to time out in no one's engine), the others go on.
void Server::drop(std::uint64_t client) {
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  clients_.erase(it);
  for (auto q = queued_.begin(); q != queued_.end();) q = (*q)->client == client ? queued_.erase(q) : q + 1;
  for (auto& [e, job] : running_)
    if (job->client == client && !job->cancelled) {
      job->cancelled = true;
      set_.cancel(job->loop());
    }
}

void Server::on_end() {
  // What is left to say goes out within a second; a client that does not
  // read by then misses it.
  const std::int64_t until = source_.clock().now_us() + 1000000;
  for (;;) {
    std::vector<pollfd> fds;
    for (auto& [id, c] : clients_)
      if (!c->gone && !c->out.empty()) fds.push_back({c->fd.get(), POLLOUT, 0});
    std::int64_t left = until - source_.clock().now_us();
    if (fds.empty() || left <= 0) break;
    ::poll(fds.data(), fds.size(), static_cast<int>(left / 1000) + 1);
    for (auto& [id, c] : clients_)
      if (!c->gone) flush(*c);
  }
  clients_.clear();
}

}  // namespace flprobed
