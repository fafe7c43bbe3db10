#pragma once
// The -O results file of a tool: written to NAME.part and renamed into place
// only when the run ends well, so it is complete or absent.
//
// Tools drop root after opening their sockets; the directory of the results
// file may then be out of reach for the rename. With keep_renamer(), the
// process forks before dropping: the root parent does nothing but wait, and
// renames the file when the child asks it to (the child's exit status becomes
// the process's).

#include <fstream>
#include <string>

#include "probe/error.h"

namespace flcommon {

class ResultsFile {
 public:
  // Creates PATH.part; an output error if it cannot.
  static probe::Result<ResultsFile> create(const std::string& path);
  ResultsFile(ResultsFile&& o) noexcept
      : path_(std::move(o.path_)), out_(std::move(o.out_)), renamer_fd_(o.renamer_fd_), committed_(o.committed_) {
    o.path_.clear();
    o.renamer_fd_ = -1;
  }
  ResultsFile& operator=(ResultsFile&&) = delete;
  ~ResultsFile();

  std::ostream& stream() { return out_; }
  // Forks; returns in the child only. The parent waits for the child and
  // exits with its status, renaming the file first when the child committed.
  void keep_renamer();
  // Flushes, closes and renames into place (itself, or through the parent).
  // A results file never committed is removed: complete or absent.
  probe::Result<bool> commit();

 private:
  ResultsFile(std::string path, std::ofstream out) : path_(std::move(path)), out_(std::move(out)) {}
  std::string path_;
  std::ofstream out_;
  int renamer_fd_ = -1;  // write end of the pipe to the renaming parent
  bool committed_ = false;
};

}  // namespace flcommon
