#include "results_file.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace flcommon {

probe::Result<ResultsFile> ResultsFile::create(const std::string& path) {
  std::ofstream out(path + ".part", std::ios::out | std::ios::trunc);
  if (!out) return probe::make_error(probe::ErrorKind::output, "cannot write " + path + ".part: " + std::strerror(errno));
  return ResultsFile(path, std::move(out));
}

ResultsFile::~ResultsFile() {
  if (renamer_fd_ >= 0) ::close(renamer_fd_);
  if (!committed_ && !path_.empty()) std::remove((path_ + ".part").c_str());  // not at all
}

void ResultsFile::keep_renamer() {
  int fds[2];
  if (::pipe(fds) != 0) return;  // no renamer: commit() renames itself
  std::fflush(nullptr);
  pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return;
  }
  if (child == 0) {
    ::close(fds[0]);
    renamer_fd_ = fds[1];
    return;
  }
  // Parent: the child handles Ctrl-C and finishes; wait for it.
  ::close(fds[1]);
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
  char request = 0;
  ssize_t n;
  do n = ::read(fds[0], &request, 1);
  while (n < 0 && errno == EINTR);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::string part = path_ + ".part";
  if (n != 1 || request != 'R') {
    std::remove(part.c_str());  // the child never committed: no results file at all
  } else if (std::rename(part.c_str(), path_.c_str()) != 0) {
    std::fprintf(stderr, "cannot rename %s to %s: %s\n", part.c_str(), path_.c_str(), std::strerror(errno));
    if (code == 0) code = 5;
  }
  ::_exit(code);
}

probe::Result<bool> ResultsFile::commit() {
  out_.flush();
  bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || out_.fail())
    return probe::make_error(probe::ErrorKind::output, "writing " + path_ + ".part failed (disk full?)");
  if (renamer_fd_ >= 0) {
    char r = 'R';
    bool sent = ::write(renamer_fd_, &r, 1) == 1;
    ::close(renamer_fd_);
    renamer_fd_ = -1;
    if (sent) {
      committed_ = true;
      return true;
    }
  }
  if (std::rename((path_ + ".part").c_str(), path_.c_str()) != 0)
    return probe::make_error(probe::ErrorKind::output,
                             "cannot rename " + path_ + ".part to " + path_ + ": " + std::strerror(errno));
  committed_ = true;
  return true;
}

}  // namespace flcommon
