// SPDX-License-Identifier: BSD-2-Clause
#include "probe/io/reverse_names.h"

#include <netdb.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "probe/io/socket_address.h"

namespace probe::io {

struct detail::ReverseNamesState {
  std::mutex m;
  std::condition_variable cv;
  std::deque<model::Address> queue;
  std::unordered_map<model::Address, std::optional<std::string>> names;  ///< nullopt: not looked up yet
  std::int64_t budget_us = 0;
  bool stop = false;
};

namespace {

using State = detail::ReverseNamesState;

std::string lookup(const model::Address& a) {
  const SocketAddress sa = to_sockaddr(a);
  char host[NI_MAXHOST];
  if (getnameinfo(sa.get(), sa.length, host, sizeof host, nullptr, 0, NI_NAMEREQD) != 0)
    return "";
  return host;
}

// A worker holds the state, not the object: it may outlive it, blocked in
// the resolver.
void work(const std::shared_ptr<State>& s) {
  std::unique_lock<std::mutex> lock(s->m);
  for (;;) {
    s->cv.wait(lock, [&] { return s->stop || !s->queue.empty(); });
    if (s->stop) return;
    const model::Address a = s->queue.front();
    s->queue.pop_front();
    lock.unlock();
    std::string name = lookup(a);
    lock.lock();
    s->names[a] = std::move(name);
    s->cv.notify_all();
  }
}

}  // namespace

ReverseNames::ReverseNames(std::size_t workers, std::int64_t budget_us) : state_(std::make_shared<State>()) {
  state_->budget_us = budget_us;
  for (std::size_t i = 0; i < workers; ++i) std::thread(work, state_).detach();
}

ReverseNames::~ReverseNames() {
  std::lock_guard<std::mutex> lock(state_->m);
  state_->stop = true;
  state_->cv.notify_all();
}

void ReverseNames::want(const model::Address& a) {
  std::lock_guard<std::mutex> lock(state_->m);
  if (!state_->names.emplace(a, std::nullopt).second) return;
  state_->queue.push_back(a);
  state_->cv.notify_one();
}

std::string ReverseNames::name_of(const model::Address& a) {
  want(a);
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.m);
  auto known = [&] { return s.names[a].has_value(); };
  if (!known() && s.budget_us > 0) {
    const auto start = std::chrono::steady_clock::now();
    s.cv.wait_for(lock, std::chrono::microseconds(s.budget_us), known);
    const auto waited = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    s.budget_us -= waited.count();
  }
  return known() ? *s.names[a] : std::string();
}

}  // namespace probe::io
