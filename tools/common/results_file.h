#pragma once
// The -O results file of a tool: written to NAME.part and renamed into place
// only when the run ends well, so it is complete or absent. The run holds a
// lock on NAME.part for its life, so the next run can tell one left by a
// killed run (removed, with a message) from one being written (refused).
//
// Tools drop root once their sockets are open; the directory of the results
// file may then be out of reach for the rename. So a run as root that writes
// -O for another --user first forks a rename helper, before it opens
// anything. The helper stays root with nothing in hand: no socket, no file
// but its two pipes to the worker and stderr, only CAP_DAC_OVERRIDE (what a
// rename or unlink in a directory root could not otherwise write needs). It
// forwards SIGINT, SIGTERM and SIGHUP sent to it to the worker (down a pipe:
// without CAP_KILL it may not signal another uid), and when the worker exits
// it renames the file (or removes it, never committed) and exits with the
// worker's status. While the worker is still root (setting up) the helper
// signals it directly. The worker gets SIGTERM if the helper dies (the pipe
// ends; a parent-death signal would be refused for the same want of
// CAP_KILL).

#include <sys/types.h>

#include <fstream>
#include <optional>
#include <string>

#include "probe/error.h"

namespace flcommon {

// The worker's end of the rename helper.
class RenameHelper {
 public:
  // Forks the helper for PATH; returns in the worker only. nullopt when it
  // cannot fork (the worker then renames itself).
  static std::optional<RenameHelper> start(const std::string& path);
  RenameHelper(RenameHelper&& o) noexcept;
  RenameHelper& operator=(RenameHelper&&) = delete;
  ~RenameHelper();

  // Once the worker has dropped privileges: the signals the helper forwards
  // raised here, and SIGTERM when the helper dies.
  void watch();
  // PATH.part exists now: the helper removes it unless asked to rename.
  void created();
  // Asks the helper to rename PATH.part to PATH once the worker exits;
  // false if the helper is gone.
  bool rename();

 private:
  RenameHelper(int requests, int signals, pid_t helper) : requests_(requests), signals_(signals), helper_(helper) {}
  int requests_ = -1;  // write end: 'P' created, 'R' rename
  int signals_ = -1;   // read end: signal numbers the helper forwards
  pid_t helper_ = -1;
};

class ResultsFile {
 public:
  // Creates PATH.part (telling `helper`, if any) and holds a lock on it
  // until this object goes (the process ends): a PATH.part that nobody
  // holds was left by a run that was killed, and is removed first
  // (replaced_stale()). An output error if it cannot be created, or if
  // another run holds PATH.part now.
  static probe::Result<ResultsFile> create(const std::string& path, RenameHelper* helper);
  ResultsFile(ResultsFile&& o) noexcept;
  ResultsFile& operator=(ResultsFile&&) = delete;
  ~ResultsFile();

  std::ostream& stream() { return out_; }
  // A PATH.part left by an earlier run was removed to make this one.
  bool replaced_stale() const { return stale_; }
  // Flushes, closes and renames into place (itself, or through the helper).
  // A results file never committed is removed: complete or absent.
  probe::Result<bool> commit();

 private:
  ResultsFile(std::string path, std::ofstream out, RenameHelper* helper, int lock, bool stale)
      : path_(std::move(path)), out_(std::move(out)), helper_(helper), lock_(lock), stale_(stale) {}
  std::string path_;
  std::ofstream out_;
  RenameHelper* helper_ = nullptr;  // not owned (Output holds both)
  int lock_ = -1;                   // PATH.part, flock()ed: this run is alive
  bool committed_ = false;
  bool stale_ = false;
};

}  // namespace flcommon
