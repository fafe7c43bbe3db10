// SPDX-License-Identifier: BSD-2-Clause
#include "probe/io/rename_helper.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <thread>

#include "probe/io/privileges.h"

namespace probe::io {

namespace {

// The helper's one piece of global state: what its signal handler forwards
// to (a handler reaches nothing else).
struct Forward {
  int fd = -1;        // the signals pipe
  pid_t worker = -1;  // our child: its pid cannot be reused before we reap it
};
Forward g_forward;

void forward(int sig, siginfo_t* info, void*) {
  // The terminal signals the whole process group: the worker has it already.
  if (info && info->si_code == SI_KERNEL) return;
  const int saved = errno;
  // While the worker is root still (setting up) a signal reaches it at once;
  // once it is another uid only the pipe does, read by its watch() thread.
  if (::kill(g_forward.worker, sig) != 0) {
    const unsigned char s = static_cast<unsigned char>(sig);
    ssize_t n = ::write(g_forward.fd, &s, 1);
    (void)n;  // the worker is gone: nothing to forward to
  }
  errno = saved;
}

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP};

void close_all_from(unsigned first) {
  if (::close_range(first, ~0U, 0) == 0) return;
  for (long fd = first, n = ::sysconf(_SC_OPEN_MAX); fd < n; ++fd) ::close(static_cast<int>(fd));
}

// Leaves the helper holding stderr, /dev/null as stdin and stdout, the read
// end of the requests pipe as fd 3 and the write end of the signals pipe as
// fd 4: whatever the tool's caller handed down, and nothing else.
void hold_nothing(int requests, int signals) {
  int r = ::fcntl(requests, F_DUPFD_CLOEXEC, 64);
  int s = ::fcntl(signals, F_DUPFD_CLOEXEC, 64);
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
  }
  ::dup3(r, 3, O_CLOEXEC);
  ::dup3(s, 4, O_CLOEXEC);
  close_all_from(5);
}

// The helper: waits for the worker, renames or removes PATH.part, exits
// with the worker's status.
[[noreturn]] void serve(int requests, int signals, pid_t worker, pid_t parent, const std::string& path,
                        const sigset_t& mask, const RenameHelperFailures& failures) {
  auto say = [&failures](const std::string& line) {
    if (failures.say) failures.say(line.c_str());
  };
  hold_nothing(requests, signals);
  g_forward = {4, worker};
  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_sigaction = forward;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  for (int sig : kForwarded) ::sigaction(sig, &sa, nullptr);
  if (auto kept = keep_only_capabilities(std::uint64_t{1} << CAP_DAC_OVERRIDE); !kept)
    say("warning: the results file's rename helper keeps its privileges: " + kept.error().message);
  // The capabilities just changed, which clears a parent-death request:
  // ask again. The SIGTERM it brings is forwarded like any other.
  exit_with_parent(parent);
  ::sigprocmask(SIG_SETMASK, &mask, nullptr);

  bool created = false;
  bool rename = false;
  for (;;) {
    char request = 0;
    ssize_t n = ::read(3, &request, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n != 1) break;  // the worker is done with us (or gone)
    if (request == 'P') created = true;
    if (request == 'R') rename = true;
  }
  int status = 0;
  while (::waitpid(worker, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  const std::string part = path + ".part";
  if (!rename) {
    if (created) std::remove(part.c_str());  // never committed: no results file at all
  } else if (std::rename(part.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(part.c_str());  // complete or absent: one that cannot take its name goes too
    say("cannot rename " + part + " to " + path + ": " + std::strerror(e));
    if (code == 0) code = failures.rename_failed_status;
  }
  ::_exit(code);
}

bool send(int fd, char what) {
  // A helper that is gone must not kill the worker with SIGPIPE.
  sigset_t pipe_only, old;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  bool sent = ::write(fd, &what, 1) == 1;
  if (!sent && errno == EPIPE) {
    const timespec now{0, 0};
    sigtimedwait(&pipe_only, nullptr, &now);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return sent;
}

}  // namespace

std::optional<RenameHelper> RenameHelper::start(const std::string& path, const RenameHelperFailures& failures) {
  int requests[2];
  int signals[2];
  if (::pipe2(requests, O_CLOEXEC) != 0) return std::nullopt;
  if (::pipe2(signals, O_CLOEXEC) != 0) {
    ::close(requests[0]);
    ::close(requests[1]);
    return std::nullopt;
  }
  // Signals wait until the helper forwards them (or the worker has its defaults back).
  sigset_t forwarded, old;
  sigemptyset(&forwarded);
  for (int sig : kForwarded) sigaddset(&forwarded, sig);
  ::sigprocmask(SIG_BLOCK, &forwarded, &old);
  std::fflush(nullptr);
  const pid_t parent = parent_to_follow();  // before serve() takes SIGHUP over
  const pid_t worker = ::fork();
  if (worker > 0) serve(requests[0], signals[1], worker, parent, path, old, failures);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  ::close(requests[0]);
  ::close(signals[1]);
  if (worker < 0) {
    ::close(requests[1]);
    ::close(signals[0]);
    return std::nullopt;
  }
  return RenameHelper(requests[1], signals[0]);
}

RenameHelper::RenameHelper(RenameHelper&& o) noexcept : requests_(o.requests_), signals_(o.signals_) {
  o.requests_ = o.signals_ = -1;
}

RenameHelper::~RenameHelper() {
  if (requests_ >= 0) ::close(requests_);
  if (signals_ >= 0) ::close(signals_);
}

void RenameHelper::watch() {
  if (signals_ < 0) return;
  // The helper, root without CAP_KILL, may not signal a worker of another
  // uid: neither kill() nor a parent-death signal (the kernel checks the
  // dying parent's credentials) would reach us. So it writes each signal's
  // number down the pipe and this thread, which owns the pipe from now on,
  // raises it here; the pipe's end is the helper's death, and that is a
  // SIGTERM too.
  std::thread([fd = signals_] {
    unsigned char sig = 0;
    for (;;) {
      ssize_t n = ::read(fd, &sig, 1);
      if (n < 0 && errno == EINTR) continue;
      ::kill(::getpid(), n == 1 ? sig : SIGTERM);
      if (n != 1) break;
    }
    ::close(fd);
  }).detach();
  signals_ = -1;
}

void RenameHelper::created() {
  if (requests_ >= 0) send(requests_, 'P');
}

bool RenameHelper::rename() {
  if (requests_ < 0) return false;
  bool sent = send(requests_, 'R');
  ::close(requests_);
  requests_ = -1;
  return sent;
}

}  // namespace probe::io
