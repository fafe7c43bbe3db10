// SPDX-License-Identifier: BSD-2-Clause
#include "results_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace flcommon {

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

probe::Result<ResultsFile> ResultsFile::create(const std::string& path, probe::io::RenameHelper* helper) {
  // Said now rather than after the whole run, when the rename would fail.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return probe::make_error(probe::ErrorKind::output, "cannot write " + path + ": " + std::strerror(EISDIR));
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
