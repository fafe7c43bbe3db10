// SPDX-License-Identifier: BSD-2-Clause
#include "cli.h"

#include <cstdio>

#include <signal.h>
#include <unistd.h>

#include <iostream>

#include "probe/io/privileges.h"

namespace flcommon {

namespace {
std::atomic<int> g_halt{0};
// SIGINT (Ctrl-C) lets the probes in flight finish, a second one stops now;
// SIGTERM and SIGHUP stop now: whoever sends them wants the run to end, and
// one signal must do it.
void on_signal(int sig) { g_halt.fetch_add(sig == SIGINT ? 1 : 2); }
// What the rename helper has to say, it says on the stderr it shares with
// the worker.
void say_in_helper(const char* line) { std::fprintf(stderr, "%s\n", line); }
}  // namespace

std::atomic<int>& halt_flag() { return g_halt; }

std::optional<int> answer_help(const CommonOptions& o, const char* tool, std::string (*usage)()) {
  if (o.help) std::cout << usage();
  else if (o.version) std::cout << tool << " (faultline) 0.1.0\n";
  else return std::nullopt;
  return 0;
}

void install_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // Under nohup SIGHUP stays ignored: that is what the user asked for.
  struct sigaction hup {};
  if (sigaction(SIGHUP, nullptr, &hup) == 0 && hup.sa_handler != SIG_IGN) sigaction(SIGHUP, &sa, nullptr);
}

int fail(const char* tool, const probe::Error& e) {
  std::cerr << tool << ": " << e.message << '\n';
  switch (e.kind) {
    case probe::ErrorKind::usage: std::cerr << "Try '" << tool << " --help'.\n"; return kExitUsage;
    case probe::ErrorKind::privilege: return kExitPrivilege;
    case probe::ErrorKind::input: return kExitInput;
    case probe::ErrorKind::output: return kExitOutput;
    case probe::ErrorKind::runtime: return kExitRuntime;
  }
  return kExitRuntime;
}

int interrupted_before_run(const char* tool) {
  std::cerr << tool << ": interrupted before the run started\n";
  return kExitInterrupted;
}

Output Output::start(const char* tool, const std::string& path, const std::string& user) {
  Output out(tool, path, user);
  // A run outlives neither the shell nor the script that started it (one
  // killed with SIGKILL sends no SIGHUP), in set-up as root too.
  out.parent_ = probe::io::parent_to_follow();
  probe::io::exit_with_parent(out.parent_);
  if (!path.empty() && geteuid() == 0 && user != "root")
    if (auto helper = probe::io::RenameHelper::start(path, {say_in_helper, kExitOutput}))
      out.helper_.emplace(std::move(*helper));
  return out;
}

probe::Result<bool> Output::open() {
  if (!path_.empty()) {
    auto r = ResultsFile::create(path_, helper_ ? &*helper_ : nullptr);
    if (!r) return r.error();
    if (r->replaced_stale())
      std::cerr << tool_ << ": removed " << path_ << ".part left by an earlier run that did not finish\n";
    file_.emplace(std::move(*r));
    guard_ = GuardedOutput::through(file_->stream().rdbuf(), halt_flag());
  } else if (!isatty(STDOUT_FILENO)) {
    // To a pipe or file, results go out in 64 KiB of whole lines (stdio's
    // 4 KiB would take 25,000 writes for a replayed campaign's 100 MB). They
    // still reach the reader at every flush (each trace batch, progress tick
    // and the end).
    std::cout.flush();
    guard_ = GuardedOutput::to_fd(STDOUT_FILENO, halt_flag());
  }
  // Sockets, capture and files are open: nothing after this runs privileged.
  auto dropped = probe::io::drop_privileges(user_);
  if (!dropped) return dropped.error();
  // Dropping privileges cleared the parent-death request. A worker's parent
  // is the rename helper, which it watches through a pipe instead.
  if (helper_) helper_->watch();
  else probe::io::exit_with_parent(parent_);
  return true;
}

std::ostream& Output::stream() { return guard_ ? guard_->stream() : std::cout; }

probe::Result<bool> Output::finish() {
  if (guard_) {
    auto err = guard_->finish();
    if (!err.empty())
      return probe::make_error(probe::ErrorKind::output, (path_.empty() ? "stdout" : path_) + ": write failed: " + err);
  }
  if (file_) return file_->commit();
  if (!(std::cout << std::flush)) return probe::make_error(probe::ErrorKind::output, "writing results failed");
  return true;
}

probe::io::VantageSpec live_spec(const CommonOptions& o, const probe::model::Address& src,
                                 const std::string& interface) {
  probe::io::VantageSpec spec;
  spec.halt = &halt_flag();
  spec.src = src;
  spec.capture.interface = interface;
  spec.write_path = o.write_path;
  spec.capture_all = o.capture_all;
  return spec;
}

RunEnd RunEnd::of(const char* tool, const CommonOptions& o, const probe::io::Vantage& v) {
  RunEnd end;
  end.tool = tool;
  end.writer = v.writer.get();
  end.source = v.source.get();
  end.read_path = o.read_path;
  return end;
}

int finish_run(const RunEnd& end, Output& output) {
  int rc = end.rc;
  auto keep = [&rc](int code) {
    if (rc == 0) rc = code;
  };
  if (end.writer && !end.writer->flush())
    keep(fail(end.tool, probe::make_error(probe::ErrorKind::output, end.writer->error())));
  if (auto done = output.finish(); !done) keep(fail(end.tool, done.error()));
  auto cut = end.source ? end.source->cut() : std::nullopt;
  if (cut) {
    std::cerr << end.tool << ": " << end.read_path << ": capture cut at byte " << cut->byte << " (block " << cut->block
              << "): replayed what came before\n";
    keep(kExitCut);
  } else if (end.source && !end.source->error().empty())
    keep(fail(end.tool, probe::make_error(probe::ErrorKind::input, end.read_path + ": capture ends in a damaged record (" +
                                                                       end.source->error() + "); " + end.covers +
                                                                       " what came before")));
  std::uint64_t dropped = end.source ? end.source->stats().kernel_dropped : 0;
  if (dropped > 0 || end.send_errors > 0)
    std::cerr << end.tool << ": warning: " << dropped << " packets dropped by the kernel, " << end.send_errors
              << " sends refused\n";
  if (rc != 0) return rc;
  return halt_flag().load() > 0 ? kExitInterrupted : 0;
}

probe::Result<probe::model::AsnDb> load_asn_table(std::string& path) {
  if (!path.empty()) return probe::io::load_as_invoker<probe::model::AsnDb>(path);
  path = probe::model::default_asn_db_path();
  return probe::model::AsnDb::load(path);
}

}  // namespace flcommon
