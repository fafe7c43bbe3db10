#include "results_file.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "probe/io/privileges.h"

namespace flcommon {

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
[[noreturn]] void serve(int requests, int signals, pid_t worker, const std::string& path, const sigset_t& mask) {
  hold_nothing(requests, signals);
  g_forward = {4, worker};
  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_sigaction = forward;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  for (int sig : kForwarded) ::sigaction(sig, &sa, nullptr);
  if (auto kept = probe::io::keep_only_capabilities(std::uint64_t{1} << CAP_DAC_OVERRIDE); !kept)
    std::fprintf(stderr, "warning: the results file's rename helper keeps its privileges: %s\n",
                 kept.error().message.c_str());
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
    std::fprintf(stderr, "cannot rename %s to %s: %s\n", part.c_str(), path.c_str(), std::strerror(errno));
    if (code == 0) code = 5;
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

std::optional<RenameHelper> RenameHelper::start(const std::string& path) {
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
  const pid_t helper = ::getpid();
  const pid_t worker = ::fork();
  if (worker > 0) serve(requests[0], signals[1], worker, path, old);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  ::close(requests[0]);
  ::close(signals[1]);
  if (worker < 0) {
    ::close(requests[1]);
    ::close(signals[0]);
    return std::nullopt;
  }
  return RenameHelper(requests[1], signals[0], helper);
}

RenameHelper::RenameHelper(RenameHelper&& o) noexcept
    : requests_(o.requests_), signals_(o.signals_), helper_(o.helper_) {
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

namespace {

probe::Error part_error(const std::string& part, const std::string& what) {
  return probe::make_error(probe::ErrorKind::output, "cannot write " + part + ": " + what);
}

bool same_file(int fd, const std::string& path) {
  struct stat held {}, named {};
  return ::fstat(fd, &held) == 0 && ::lstat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
         held.st_ino == named.st_ino;
}

// Creates PART afresh and locks it; the lock, held for the run's life, tells
// a later run that finds PART whether the run writing it is still alive (a
// pid in the name could be reused; a lock dies with its holder). A PART
// nobody holds was left by a run that was killed: it is removed (`stale`).
// A PART that is held belongs to a run writing the same file now: refused.
probe::Result<int> claim_part(const std::string& part, bool& stale) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      // Another run may have taken it for stale between the open and the lock.
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && same_file(fd, part)) return fd;
      ::close(fd);
      continue;
    }
    if (errno != EEXIST) return part_error(part, std::strerror(errno));
    int old = ::open(part.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (old < 0) {
      if (errno == ENOENT) continue;
      return part_error(part, std::string("it exists and cannot be opened: ") + std::strerror(errno));
    }
    if (::flock(old, LOCK_EX | LOCK_NB) != 0) {
      ::close(old);
      return part_error(part, "another run is writing it now");
    }
    if (same_file(old, part) && ::unlink(part.c_str()) != 0) {
      const int e = errno;
      ::close(old);
      return part_error(part, std::string("it was left by an earlier run and cannot be removed: ") + std::strerror(e));
    }
    ::close(old);
    stale = true;
  }
  return part_error(part, "other runs keep creating it");
}

}  // namespace

probe::Result<ResultsFile> ResultsFile::create(const std::string& path, RenameHelper* helper) {
  const std::string part = path + ".part";
  bool stale = false;
  auto lock = claim_part(part, stale);
  if (!lock) return lock.error();
  std::ofstream out(part, std::ios::out | std::ios::trunc);
  if (!out) {
    const int e = errno;
    ::unlink(part.c_str());
    ::close(*lock);
    return part_error(part, std::strerror(e));
  }
  if (helper) helper->created();
  return ResultsFile(path, std::move(out), helper, *lock, stale);
}

ResultsFile::ResultsFile(ResultsFile&& o) noexcept
    : path_(std::move(o.path_)), out_(std::move(o.out_)), helper_(o.helper_), lock_(o.lock_),
      committed_(o.committed_), stale_(o.stale_) {
  o.path_.clear();
  o.helper_ = nullptr;
  o.lock_ = -1;
}

ResultsFile::~ResultsFile() {
  if (!committed_ && !path_.empty()) std::remove((path_ + ".part").c_str());  // not at all
  if (lock_ >= 0) ::close(lock_);
}

probe::Result<bool> ResultsFile::commit() {
  out_.flush();
  bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || out_.fail())
    return probe::make_error(probe::ErrorKind::output, "writing " + path_ + ".part failed (disk full?)");
  if (helper_ && helper_->rename()) {
    committed_ = true;
    return true;
  }
  if (std::rename((path_ + ".part").c_str(), path_.c_str()) != 0)
    return probe::make_error(probe::ErrorKind::output,
                             "cannot rename " + path_ + ".part to " + path_ + ": " + std::strerror(errno));
  committed_ = true;
  return true;
}

}  // namespace flcommon
