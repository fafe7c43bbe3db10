// SPDX-License-Identifier: BSD-2-Clause
#include "probe/io/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace probe::io {

namespace {

Error failed(const std::string& what) {
  return make_error(ErrorKind::runtime, "dropping privileges: " + what + ": " + std::strerror(errno));
}

std::optional<unsigned long> env_id(const char* name) {
  const char* v = std::getenv(name);
  if (!v || *v < '0' || *v > '9') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long id = std::strtoul(v, &end, 10);
  if (errno != 0 || *end != '\0' || id >= static_cast<unsigned long>(static_cast<uid_t>(-1))) return std::nullopt;
  return id;
}

std::vector<gid_t> groups_of(uid_t uid, gid_t gid) {
  passwd* pw = getpwuid(uid);
  if (!pw) return {gid};
  int n = 32;
  std::vector<gid_t> groups(static_cast<std::size_t>(n));
  if (getgrouplist(pw->pw_name, gid, groups.data(), &n) < 0) {
    groups.resize(static_cast<std::size_t>(n));
    if (getgrouplist(pw->pw_name, gid, groups.data(), &n) < 0) return {gid};
  }
  groups.resize(static_cast<std::size_t>(n));
  return groups;
}

std::vector<gid_t> current_groups() {
  int n = getgroups(0, nullptr);
  std::vector<gid_t> groups(static_cast<std::size_t>(n > 0 ? n : 0));
  if (n > 0 && getgroups(n, groups.data()) < 0) groups.clear();
  return groups;
}

// Opens with fsuid/fsgid/groups of `who`, restoring the process's after;
// -1 and errno as open(2) would. An identity that cannot be taken is EPERM:
// the file is refused rather than read with root's rights.
int open_as(const Invoker& who, const char* path, int flags) {
  const std::vector<gid_t> saved = current_groups();
  const auto old_uid = static_cast<uid_t>(setfsuid(static_cast<uid_t>(-1)));
  const auto old_gid = static_cast<gid_t>(setfsgid(static_cast<gid_t>(-1)));
  int fd = -1;
  int err = EPERM;
  if (setgroups(who.groups.size(), who.groups.data()) == 0) {
    setfsgid(who.gid);
    setfsuid(who.uid);
    if (static_cast<uid_t>(setfsuid(static_cast<uid_t>(-1))) == who.uid &&
        static_cast<gid_t>(setfsgid(static_cast<gid_t>(-1))) == who.gid) {
      fd = ::open(path, flags);
      err = errno;
    }
  }
  setfsuid(old_uid);
  setfsgid(old_gid);
  // Not getting root's identity back would leave the run in a state nobody
  // reasons about: stop.
  if (setgroups(saved.size(), saved.data()) != 0 || static_cast<uid_t>(setfsuid(static_cast<uid_t>(-1))) != old_uid)
    std::abort();
  errno = err;
  return fd;
}

}  // namespace

std::optional<Invoker> invoker() {
  const uid_t ruid = getuid();
  const uid_t euid = geteuid();
  if (ruid == 0 && euid == 0) {
    auto uid = env_id("SUDO_UID");
    if (!uid || *uid == 0) return std::nullopt;
    Invoker who;
    who.uid = static_cast<uid_t>(*uid);
    auto gid = env_id("SUDO_GID");
    passwd* pw = getpwuid(who.uid);
    who.gid = gid ? static_cast<gid_t>(*gid) : pw ? pw->pw_gid : static_cast<gid_t>(65534);
    who.groups = groups_of(who.uid, who.gid);
    return who;
  }
  if (ruid != euid) return Invoker{ruid, getgid(), current_groups()};
  return std::nullopt;
}

InputFile& InputFile::operator=(InputFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    path_ = std::move(o.path_);
    as_invoker_ = o.as_invoker_;
    o.fd_ = -1;
  }
  return *this;
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::string InputFile::reopen_name() const {
  // Without an identity switch nothing is gained by /proc (which a chroot
  // may lack): the process could open the path itself.
  return as_invoker_ ? "/proc/self/fd/" + std::to_string(fd_) : path_;
}

Result<InputFile> open_as_invoker(const std::string& path) {
  const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
  auto who = invoker();
  int fd = who ? open_as(*who, path.c_str(), flags) : ::open(path.c_str(), flags);
  int err = errno;
  struct stat st {};
  if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    fd = -1;
    err = EISDIR;
  }
  if (fd < 0) return make_error(ErrorKind::input, "cannot read " + path + ": " + std::strerror(err));
  return InputFile(fd, path, who.has_value());
}

namespace {

Error too_big(const InputFile& file, std::size_t max_bytes, const char* what) {
  return make_error(ErrorKind::input, file.path() + ": larger than " + std::to_string(max_bytes >> 20) +
                                          " MiB (the limit for " + what + ")");
}

}  // namespace

std::optional<Error> refuse_larger(const InputFile& file, std::size_t max_bytes, const char* what) {
  struct stat st {};
  if (fstat(file.fd(), &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > max_bytes)
    return too_big(file, max_bytes, what);
  return std::nullopt;
}

Result<std::string> read_all(const InputFile& file, std::size_t max_bytes, const char* what) {
  // A regular file says its size: refused unread. Others (a pipe, /dev/zero)
  // are counted as they come.
  if (auto big = refuse_larger(file, max_bytes, what)) return *big;
  std::string text;
  char chunk[64 * 1024];
  while (true) {
    ssize_t n = ::read(file.fd(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(ErrorKind::input, "cannot read " + file.path() + ": " + std::strerror(errno));
    if (n == 0) return text;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) return too_big(file, max_bytes, what);
    text.append(chunk, static_cast<std::size_t>(n));
  }
}

Result<std::string> read_file_as_invoker(const std::string& path, std::size_t max_bytes, const char* what) {
  auto file = open_as_invoker(path);
  if (!file) return file.error();
  return read_all(*file, max_bytes, what);
}

std::string default_unprivileged_user() {
  const char* sudo_user = std::getenv("SUDO_USER");
  if (sudo_user && *sudo_user && std::strcmp(sudo_user, "root") != 0) return sudo_user;
  return "nobody";
}

Result<std::string> drop_privileges(const std::string& user) {
  std::string became = "uid " + std::to_string(getuid());
  if (geteuid() == 0 && user != "root") {
    errno = 0;
    passwd* pw = getpwnam(user.c_str());
    if (!pw) return make_error(ErrorKind::usage, "no such user '" + user + "' to run as (--user)");
    if (setgroups(0, nullptr) != 0) return failed("setgroups");
    if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0) return failed("setgid");
    if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) return failed("setuid");
    if (setuid(0) == 0) {
      errno = EPERM;
      return failed("root could be regained");
    }
    became = user;
  }
  // Empty the effective, permitted and inheritable sets (setuid from root
  // already did for root; a setcap'd binary keeps them otherwise).
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &header, data) != 0) return failed("capset");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return failed("no_new_privs");
  return became;
}

Result<bool> keep_only_capabilities(std::uint64_t keep) {
  // The bounding set first, while CAP_SETPCAP is still effective; it ends
  // at the first capability the kernel does not know.
  for (int cap = 0; cap < 64; ++cap) {
    if (keep & (std::uint64_t{1} << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      if (errno == EINVAL) break;
      return failed("dropping capability " + std::to_string(cap) + " from the bounding set");
    }
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  for (int i = 0; i < 2; ++i) {
    data[i].effective = data[i].permitted = static_cast<std::uint32_t>(keep >> (32 * i));
  }
  if (syscall(SYS_capset, &header, data) != 0) return failed("capset");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return failed("no_new_privs");
  return true;
}

pid_t parent_to_follow() {
  struct sigaction hup {};
  if (sigaction(SIGHUP, nullptr, &hup) == 0 && hup.sa_handler == SIG_IGN) return 0;
  return getppid();
}

void exit_with_parent(pid_t parent) {
  // Adopted by init (or a subreaper) already: nothing to follow.
  if (parent <= 1) return;
  if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) != 0) return;
  // The parent may have died before the request: then no signal comes.
  if (getppid() != parent) kill(getpid(), SIGTERM);
}

}  // namespace probe::io
