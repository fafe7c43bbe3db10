// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// The -O results file of a tool: written to NAME.part and renamed into place
// only when the run ends well, so it is complete or absent. The run holds a
// lock on NAME.part for its life, so the next run can tell one left by a
// killed run (removed, with a message) from one being written (refused).
// Run as root for another --user, the rename is the root rename helper's
// (probe/io/rename_helper.h), which the tool forks before it opens anything.

#include <fstream>
#include <optional>
#include <string>

#include "probe/error.h"
#include "probe/io/rename_helper.h"

namespace flcommon {

class ResultsFile {
 public:
  // Creates PATH.part (telling `helper`, if any) and holds a lock on it
  // until this object goes (the process ends): a PATH.part that nobody
  // holds was left by a run that was killed, and is removed first
  // (replaced_stale()). An output error if it cannot be created, or if
  // another run holds PATH.part now.
  static probe::Result<ResultsFile> create(const std::string& path, probe::io::RenameHelper* helper);
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
  ResultsFile(std::string path, std::ofstream out, probe::io::RenameHelper* helper, int lock, bool stale)
      : path_(std::move(path)), out_(std::move(out)), helper_(helper), lock_(lock), stale_(stale) {}
  std::string path_;
  std::ofstream out_;
  probe::io::RenameHelper* helper_ = nullptr;  // not owned (Output holds both)
  int lock_ = -1;  // PATH.part, flock()ed: this run is alive
  bool committed_ = false;
  bool stale_ = false;
};

}  // namespace flcommon
