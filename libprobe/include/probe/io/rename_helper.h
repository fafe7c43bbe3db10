// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The process that stays root to put a run's results file in place.
///
/// A tool drops root once its sockets are open; the directory of its results
/// file may then be out of reach for the rename. So a run as root that
/// writes a results file for another user first forks a rename helper,
/// before it opens anything. The helper stays root with nothing in hand: no
/// socket, no file but its two pipes to the worker and stderr, only
/// CAP_DAC_OVERRIDE (what a rename or unlink in a directory root could not
/// otherwise write needs). It forwards SIGINT, SIGTERM and SIGHUP sent to it
/// to the worker (down a pipe: without CAP_KILL it may not signal another
/// uid), and when the worker exits it renames PATH.part to PATH (or removes
/// it: never committed, or the rename failed) and exits with the worker's
/// status. While the worker is still root (setting up) the helper signals it
/// directly. The worker gets SIGTERM if the helper dies (the pipe ends; a
/// parent-death signal would be refused for the same want of CAP_KILL); the
/// helper gets one when the process that started the tool dies
/// (exit_with_parent) and forwards it.

#include <optional>
#include <string>

namespace probe::io {

/// What the helper does when a step fails. It runs in the helper process,
/// which has no caller to return an error to, so the tool says how it speaks.
struct RenameHelperFailures {
  /// Says one line (no newline) on the tool's behalf: "warning: ..." when it
  /// cannot shed its capabilities, "cannot rename ..." when the rename fails.
  void (*say)(const char* line) = nullptr;
  int rename_failed_status = 1;  ///< the exit status when the worker's was 0 but the rename failed
};

/// The worker's end of the rename helper. Move-only.
class RenameHelper {
 public:
  /// Forks the helper for PATH; returns in the worker only. nullopt when it
  /// cannot fork (the worker then renames itself).
  static std::optional<RenameHelper> start(const std::string& path, const RenameHelperFailures& failures);
  RenameHelper(RenameHelper&& o) noexcept;
  RenameHelper& operator=(RenameHelper&&) = delete;
  ~RenameHelper();

  /// Once the worker has dropped privileges: the signals the helper forwards
  /// raised here, and SIGTERM when the helper dies.
  void watch();
  /// PATH.part exists now: the helper removes it unless asked to rename.
  void created();
  /// Asks the helper to rename PATH.part to PATH once the worker exits;
  /// false if the helper is gone.
  bool rename();

 private:
  RenameHelper(int requests, int signals) : requests_(requests), signals_(signals) {}
  int requests_ = -1;  ///< write end: 'P' created, 'R' rename
  int signals_ = -1;   ///< read end: signal numbers the helper forwards
};

}  // namespace probe::io
