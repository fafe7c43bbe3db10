// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// The options every tool shares, declared once: where a live run sends from
// (-i, -S), what it writes and reads (-w, -r, -o, -O), --user, --help and
// --version; and the command-line parse around them. Tools differ only in
// some help words (SharedHelp). Also the run options (--max-ttl, --wait,
// --pps, ...) that several tools have, each declared and checked once.

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/variables_map.hpp>
#include <cassert>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "option_values.h"
#include "probe/error.h"
#include "probe/model/address.h"

namespace flcommon {

enum class OutputFormat { text, json, csv };  // csv: fl-trace only

// What every tool's command line holds besides its own options.
struct CommonOptions {
  std::string interface;    // -i
  std::string source;       // -S
  std::string write_path;   // -w
  bool capture_all = false; // --capture-all: -w keeps every frame the filter passed
  std::string read_path;    // -r
  OutputFormat output = OutputFormat::text;
  std::string output_file;  // -O
  std::string user;         // --user: who to become once sockets are open
  bool help = false;
  bool version = false;
};

// The help words of the shared options that differ between tools.
struct SharedHelp {
  const char* interface = "capture interface (default: route to the first target)";
  const char* write = "write every packet of the run to this pcapng file";
  const char* read = "replay a capture written with -w";
  const char* output = "text | json (JSON Lines)";
  const char* output_file = "write results here instead of stdout";
  const char* user = "user to run as once sockets are open (default: the sudo user, else nobody; root keeps root)";
};

// The thirteen root servers' addresses (a to m) of one family: the default
// parents of a zone's delegation check.
const std::vector<std::string>& root_servers(probe::model::Family family = probe::model::Family::v4);

// The options that mean the same in every tool that has them: each has one
// name, letter, type and range, here. A tool places each among its own
// options with its default and help words (so its --help keeps its order),
// and reads it with read_run_option(), or read_wait_us() and read_pps().
// Without `letter`, only the long name (fl-trace gives -q to traceroute's
// meaning).
enum class RunOption { max_ttl, attempts, gaplimit, concurrency, wait, pps };
void add_run_option(boost::program_options::options_description& d, RunOption option, double default_value,
                    const char* help, bool letter = true);

// What add_run_option() declares: "name,letter" as Boost takes it, and the
// range of an integer option (wait and pps are not: read_wait_us() and
// read_pps() read and check them).
struct RunOptionSpec {
  const char* name;
  const char* name_and_letter;
  bool integer;
  int lo, hi;
};
const RunOptionSpec& spec_of(RunOption option);

// An integer run option into `out`, in its range.
template <class T>
std::optional<probe::Error> read_run_option(const boost::program_options::variables_map& vm, RunOption option,
                                            T& out) {
  const RunOptionSpec& s = spec_of(option);
  assert(s.integer);
  return read_int(vm, s.name, s.lo, s.hi, out);
}

// Each adds its options to `d`, in this order (tools place them among theirs).
void add_endpoint_options(boost::program_options::options_description& d, const SharedHelp& help);  // -i, -S
void add_io_options(boost::program_options::options_description& d, const SharedHelp& help);  // -w, --capture-all, -r, -o, -O
void add_user_option(boost::program_options::options_description& d, const SharedHelp& help);  // --user
void add_help_options(boost::program_options::options_description& d);  // -h, --version

// "\nExit status: ... See TOOL(1) and fl-json(5).\n", the end of fl-trace's
// and fl-dns's --help.
std::string exit_status_help(const char* tool);

// A tool's --help: `synopsis` (its usage lines and what it does), its
// options `d`, then `tail` (the exit statuses).
std::string help_text(const char* synopsis, const boost::program_options::options_description& d,
                      const std::string& tail);

// What a command line is parsed against: a tool's options and, with
// `positional`, the hidden option that bare words go to.
struct Grammar {
  Grammar(const boost::program_options::options_description& d, const char* positional);
  boost::program_options::options_description all;
  boost::program_options::positional_options_description pos;
};

// Parses argv against `g` and reads --help and --version into `o` (when
// either is given, read nothing else). A usage error carries Boost's message.
probe::Result<boost::program_options::variables_map> parse_command_line(int argc, const char* const* argv,
                                                                        const Grammar& g, CommonOptions& o);

// Every tool's parse_options: argv against describe()'s options
// (parse_command_line); with --help or --version that is all, else
// `read(vm, o)` reads the rest into `o`, or returns the usage error (a
// std::optional<probe::Error>). The grammar is built once per tool: making
// it (every default formatted) costs more than a parse, and fuzz_options
// parses millions of command lines in one process.
template <class Options, class Read>
probe::Result<Options> parse_options_with(int argc, const char* const* argv,
                                          boost::program_options::options_description (*describe)(),
                                          const char* positional, Read read) {
  static const Grammar grammar(describe(), positional);
  Options o;
  auto vm = parse_command_line(argc, argv, grammar, o);
  if (!vm) return vm.error();
  if (o.help || o.version) return o;
  if (auto e = read(*vm, o)) return *e;
  return o;
}

// Reads -i, -S, -w, --capture-all, -r, -o, -O and --user (default: the sudo
// user, else nobody); a usage error for an unknown output format, for
// --capture-all without -w, or for -w given a number ("-w 1", traceroute's
// wait: a hint to -W). `csv`: the tool writes -o csv.
std::optional<probe::Error> read_common(const boost::program_options::variables_map& vm, CommonOptions& o,
                                        bool csv = false);

// With -r (else nothing): a usage error naming the first of `options` given on the command
// line (not defaulted) or of `switches` set, "-r replays the WHAT stored in
// the capture; --NAME cannot be given with it".
std::optional<probe::Error> refuse_with_replay(const boost::program_options::variables_map& vm, const char* what,
                                               std::initializer_list<const char*> options,
                                               std::initializer_list<const char*> switches);

// --via SOCKET (else nothing): the path into `via`, and a usage error for
// what the daemon decides instead of the client: -r, -i, -S, --capture-all
// and --pps.
std::optional<probe::Error> read_via(const boost::program_options::variables_map& vm, const CommonOptions& o,
                                     std::string& via);

}  // namespace flcommon
