// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// What fl-probed's lab cases share (probed_lab_test.cpp: traces on a chain;
// probed_dns_lab_test.cpp: DNS on the NSD lab): the daemon, started in a
// lab's vp and stopped before the lab goes, and the test's own
// connections to its control socket.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <functional>
#include <set>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "lab_test_util.h"

namespace probe::lab::test {

using nlohmann::json;
using namespace std::chrono_literals;

inline constexpr int kMaxRunning = 4;
inline constexpr int kMaxQueued = 8;

inline std::string fl_probed_path() {
  if (const char* env = std::getenv("FL_PROBED"); env != nullptr && *env != '\0')
    return access(env, X_OK) == 0 ? env : "";
  const std::string built = FL_PROBED_BIN;
  return !built.empty() && access(built.c_str(), X_OK) == 0 ? built : "";
}

// The daemon: started in vp, stopped (SIGTERM, then waited for) on
// destruction, which comes before the lab's.
class Daemon {
 public:
  // `extra`: more of fl-probed's options.
  Daemon(const Lab& lab, const std::string& socket, const std::string& log, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {"ip", "netns", "exec", lab.ns("vp"), fl_probed_path(), "--socket", socket,
                                     "-S", lab.addr("vp", "r1"), "--pps", "2000",
                                     "--max-running", std::to_string(kMaxRunning),
                                     "--max-queued", std::to_string(kMaxQueued), "--user", "nobody"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    // Made before the fork: the child of a threaded process only execs.
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(fd, 1);
      dup2(fd, 2);
      execvp("ip", args.data());
      _exit(127);
    }
    if (fd >= 0) close(fd);
  }
  ~Daemon() { stop(); }
  pid_t pid() const { return pid_; }
  // SIGTERM; the exit status (128+N when a signal killed it).
  int stop() {
    if (pid_ <= 0) return status_;
    kill(pid_, SIGTERM);
    int st = 0;
    for (int i = 0; i < 100 && waitpid(pid_, &st, WNOHANG) == 0; ++i) std::this_thread::sleep_for(50ms);
    if (waitpid(pid_, &st, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &st, 0);
    }
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    pid_ = -1;
    return status_;
  }
  bool alive() const { return pid_ > 0 && kill(pid_, 0) == 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// A connection of the test's own to the control socket.
class Conn {
 public:
  explicit Conn(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    ok_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~Conn() { close(); }
  bool ok() const { return ok_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void write(const std::string& bytes) {
    for (std::size_t sent = 0; sent < bytes.size();) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }
  // Reply lines until `done` says so, the peer closes or `timeout` passes.
  std::vector<json> read_until(const std::function<bool(const std::vector<json>&)>& done,
                               std::chrono::milliseconds timeout = 30s) {
    std::vector<json> lines;
    auto until = std::chrono::steady_clock::now() + timeout;
    while (!done(lines) && std::chrono::steady_clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[65536];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      pending_.append(buf, static_cast<std::size_t>(n));
      for (std::size_t nl; (nl = pending_.find('\n')) != std::string::npos; pending_.erase(0, nl + 1))
        lines.push_back(json::parse(pending_.substr(0, nl)));
    }
    return lines;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
  std::string pending_;
};

// Ends when every id of `ids` has its end or refusal line.
inline std::function<bool(const std::vector<json>&)> ended(std::set<json> ids) {
  return [ids](const std::vector<json>& lines) {
    std::set<json> seen;
    for (const auto& l : lines)
      if (l["type"] == "end" || l["type"] == "refused") seen.insert(l["id"]);
    return std::includes(seen.begin(), seen.end(), ids.begin(), ids.end());
  };
}

}  // namespace probe::lab::test
