// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// What every tool's main does the same way: --help and --version, exit
// codes, Ctrl-C handling, error messages, and opening the results (file or
// stdout) before dropping root.

#include <atomic>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "probe/error.h"
#include "probe/io/capture_writer.h"
#include "probe/model/asn_db.h"
#include "probe/io/packet_source.h"
#include "probe/io/vantage.h"
#include "guarded_output.h"
#include "results_file.h"
#include "shared_options.h"

namespace flcommon {

// An IP->AS table, read before anything is opened: the shipped snapshot
// (`path` empty; then set to the snapshot's path) with the process's rights,
// one the user or a capture named with the user's (io::load_as_invoker).
probe::Result<probe::model::AsnDb> load_asn_table(std::string& path);

// Exit codes shared by all tools (see the EXIT STATUS of their man pages).
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitPrivilege = 3;
inline constexpr int kExitInput = 4;
inline constexpr int kExitOutput = 5;
inline constexpr int kExitCut = 6;  // replayed, but the capture was cut short: results cover what came before
inline constexpr int kExitInterrupted = 130;

// With --help or --version: prints it and returns the exit code (0).
std::optional<int> answer_help(const CommonOptions& o, const char* tool, std::string (*usage)());

// Why the run must stop: 1 = finish what is in flight (one SIGINT), 2 or
// more = stop now (a second SIGINT, or SIGTERM or SIGHUP). The one piece of
// global state: a handler reaches nothing else.
std::atomic<int>& halt_flag();
// Points SIGINT, SIGTERM and SIGHUP (unless ignored, as under nohup) at the
// halt flag. run_tool does it first, so that a signal during set-up is not
// lost or fatal.
void install_signals();

// Prints "TOOL: message" (with a --help hint for usage errors) and returns
// the exit code for the error's kind.
int fail(const char* tool, const probe::Error& e);
// Says that a signal came before anything was measured; kExitInterrupted.
int interrupted_before_run(const char* tool);

// Where results go: the -O file (complete or absent, see ResultsFile) or
// stdout.
class Output {
 public:
  // First thing, before the run opens anything: asks for SIGTERM when the
  // process that started the tool dies (unless under nohup); with -O as root
  // for another --user, forks the rename helper (probe/io/rename_helper.h)
  // and returns in the worker. `tool` names it in messages.
  static Output start(const char* tool, const std::string& path, const std::string& user);
  // Once sockets, capture and files are open: creates the results file (or
  // readies stdout), then drops privileges to the user. From then on a
  // results write that fails raises halt_flag() to 2.
  probe::Result<bool> open();
  std::ostream& stream();
  // Commits the file, or flushes stdout; an output error if that fails
  // ("NAME: write failed: <errno text>" when a write failed during the run).
  probe::Result<bool> finish();

 private:
  Output(const char* tool, std::string path, std::string user)
      : tool_(tool), path_(std::move(path)), user_(std::move(user)) {}
  const char* tool_;
  std::string path_;
  std::string user_;
  pid_t parent_ = 0;  // the process the run ends with (probe::io::exit_with_parent)
  std::optional<probe::io::RenameHelper> helper_;
  std::optional<ResultsFile> file_;  // after helper_, which it points to (so move an Output before open() only)
  std::unique_ptr<GuardedOutput> guard_;  // over file_ or stdout: a failed write halts the run
};

// What every live run opens, begun: the halt flag, the source address, the
// interface to capture on and the -w file. The tool adds its capture filter,
// the run record and what else it opens.
probe::io::VantageSpec live_spec(const CommonOptions& o, const probe::model::Address& src,
                                 const std::string& interface);

// The start of a live fl-trace or fl-dns run, written into its engine's
// config `c` (a TraceConfig or a DnsConfig: run_key, sport, src): a fresh
// run key, -s as the source port when given (else a random one), and the
// source address toward `toward` (-S, else the route's). Returns live_spec()
// for them.
template <class Config>
probe::Result<probe::io::VantageSpec> start_live(const CommonOptions& o, bool sport_given,
                                                 const probe::model::Address& toward, Config& c) {
  const auto key = probe::io::draw_run_key(sport_given ? std::optional<std::uint16_t>(c.sport) : std::nullopt);
  c.run_key = key.key;
  c.sport = key.sport;
  auto endpoint = probe::io::find_endpoint({o.source, o.interface}, toward);
  if (!endpoint) return endpoint.error();
  c.src = endpoint->src;
  return live_spec(o, c.src, endpoint->interface);
}

// How a run ended, for finish_run: what every tool checks and says last.
struct RunEnd {
  // The tool's, with -w's writer, what was read and -r's path filled in.
  static RunEnd of(const char* tool, const CommonOptions& o, const probe::io::Vantage& v);
  const char* tool = "";
  probe::io::CaptureWriter* writer = nullptr;  // -w, if any
  probe::io::PacketSource* source = nullptr;   // what was read, if anything
  std::string read_path;                             // -r FILE, for the damaged-record message
  const char* covers = "results cover";              // "...; <covers> what came before"
  std::uint64_t send_errors = 0;
  int rc = 0;  // an error already reported (non-zero wins)
};

// Flushes the capture, commits the results, names a capture that ends in a
// damaged record, warns about packets the kernel dropped and sends it
// refused, and returns the exit code: the first error's, else 130 after
// Ctrl-C, else 0.
int finish_run(const RunEnd& end, Output& output);

// The frame of a tool's main: installs the signal handlers, parses the
// options, answers --help and --version, forks the rename helper
// (Output::start), runs `set_up(options)` (still privileged; a
// probe::Result), opens the results and drops privileges, and returns
// `run(options, setup, output)`. A failure on the way is reported as "TOOL:
// message" and its exit code returned; a signal during set-up ends the tool
// there with kExitInterrupted, before any results file exists.
template <class Options, class SetUp, class Run>
int run_tool(int argc, char** argv, const char* tool, probe::Result<Options> (*parse)(int, const char* const*),
             std::string (*usage)(), SetUp set_up, Run run) {
  install_signals();
  auto parsed = parse(argc, argv);
  if (!parsed) return fail(tool, parsed.error());
  const Options& o = *parsed;
  if (auto rc = answer_help(o, tool, usage)) return *rc;
  auto output = Output::start(tool, o.output_file, o.user);
  auto setup = set_up(o);
  if (halt_flag().load() > 0) return interrupted_before_run(tool);
  if (!setup) return fail(tool, setup.error());
  if (auto opened = output.open(); !opened) return fail(tool, opened.error());
  return run(o, *setup, output);
}

}  // namespace flcommon
