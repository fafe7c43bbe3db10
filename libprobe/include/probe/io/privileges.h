// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Shedding privilege once the raw socket and the capture are open, so that
/// nothing that parses packets from the network runs as root or with
/// CAP_NET_RAW.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probe/error.h"

namespace probe::io {

/// The user to become by default: the one sudo was run by, else "nobody".
std::string default_unprivileged_user();

/// When running as root, switches to `user` (its uid, gid, no supplementary
/// groups); then empties every capability set (a binary given CAP_NET_RAW
/// with setcap loses it too) and forbids regaining privilege. Descriptors
/// opened before stay usable. A runtime error if any step fails.
Result<std::string> drop_privileges(const std::string& user);

/// The process a run should not outlive: the one that started this one
/// (getppid()), or 0 under nohup (SIGHUP ignored: the user asked the run to
/// outlive its terminal and shell). Read it first thing, before any fork.
pid_t parent_to_follow();

/// Asks the kernel for SIGTERM when `parent` (from parent_to_follow(); 0:
/// nothing) dies, so that a run never outlives the shell or script that
/// started it; SIGTERM at once when it is gone already. The kernel clears
/// the request on every credential change (drop_privileges,
/// keep_only_capabilities) and in a forked child: ask again after each.
void exit_with_parent(pid_t parent);

/// For a process that stays root to do one thing: keeps only the
/// capabilities in `keep` (bit N = capability N) in its effective and
/// permitted sets and in its bounding set, none inheritable or ambient, and
/// forbids gaining any back (no_new_privs). A runtime error if a step fails.
Result<bool> keep_only_capabilities(std::uint64_t keep);

/// Whose rights a file named on the command line is read with: the user
/// who ran sudo (real and effective uid 0, SUDO_UID and SUDO_GID set), or
/// the real user of a setuid program; none when the process acts for
/// itself (then its own rights apply).
struct Invoker {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  ///< supplementary groups (from the group database)
};
std::optional<Invoker> invoker();

/// A descriptor open for reading, closed with the object. Move-only.
class InputFile {
 public:
  InputFile() = default;
  InputFile(int fd, std::string path, bool as_invoker)
      : fd_(fd), path_(std::move(path)), as_invoker_(as_invoker) {}
  InputFile(InputFile&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)), as_invoker_(o.as_invoker_) {
    o.fd_ = -1;
  }
  InputFile& operator=(InputFile&& o) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile();
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }  ///< as the user named it
  /// A name for a library that opens by name: "/proc/self/fd/N" (the same
  /// open file, not whatever the path names by then) when it was opened
  /// with the invoker's identity, else the path itself.
  std::string reopen_name() const;

 private:
  int fd_ = -1;
  std::string path_;
  bool as_invoker_ = false;
};

/// The one way a file the user named is opened: with the invoker's
/// filesystem identity (fsuid, fsgid, supplementary groups) when there is
/// one, else plainly. So `sudo fl-trace -T /root/x` reads only what the
/// user could read without sudo. An input error "cannot read PATH: REASON"
/// (REASON from errno, e.g. "Permission denied") otherwise, also for a
/// directory. Switches the process's groups for the open: call it while
/// the process has one thread.
Result<InputFile> open_as_invoker(const std::string& path);

/// Db::load(fd, path) on the file opened with open_as_invoker (an AS or
/// country table the user named).
template <class Db>
Result<Db> load_as_invoker(const std::string& path) {
  auto file = open_as_invoker(path);
  if (!file) return file.error();
  return Db::load(file->fd(), path);
}

/// An input error "PATH: larger than N MiB (the limit for WHAT)" when the
/// file is a regular one of more than max_bytes; else nothing.
std::optional<Error> refuse_larger(const InputFile& file, std::size_t max_bytes, const char* what);

/// What is left of file from where it stands; an input error "PATH: larger
/// than N MiB (the limit for WHAT)" past max_bytes, read no further.
Result<std::string> read_all(const InputFile& file, std::size_t max_bytes, const char* what);

/// The whole file, opened with open_as_invoker; an input error "PATH: larger
/// than N MiB (the limit for WHAT)" past max_bytes, read no further.
Result<std::string> read_file_as_invoker(const std::string& path, std::size_t max_bytes, const char* what);

}  // namespace probe::io
