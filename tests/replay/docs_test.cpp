// SPDX-License-Identifier: BSD-2-Clause
// What a user reads cannot drift from what the tools do: every option that a
// tool's --help lists has its own entry in the tool's man page and the other
// way round, and the exit codes of README.md, every man page and every --help
// are the code's (tools/common/cli.h). Nothing here lists an option or a
// code: both sides are read from the files and the binaries, so that an
// option added later is checked as well.

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "process.h"

namespace {

struct Tool {
  const char* name;
  const char* binary;
  const char* section = "1";  // of its man page
};

const Tool kTools[] = {{"fl-trace", FL_TRACE_BIN}, {"fl-dns", FL_DNS_BIN}, {"fl-locate", FL_LOCATE_BIN}};
// The daemon has the tools' options, not their exit codes (fl-probed(8)).
const Tool kProbed = {"fl-probed", FL_PROBED_BIN, "8"};
// It never replays a capture, so it has no "capture cut short" (6).
const Tool kMonitor = {"fl-monitor", FL_MONITOR_BIN};

std::string source_file(const std::string& relative) {
  return testsupport::read_file(std::string(FL_SOURCE_DIR) + "/" + relative);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// Long names ("wait") and letters ("W") of a set of options.
struct OptionNames {
  std::set<std::string> longs;
  std::set<std::string> letters;
};

// Boost's table: an option starts a line after two spaces, "-W [ --wait ]"
// or "--pps"; wrapped descriptions are indented much further.
OptionNames help_options(const std::string& help) {
  static const std::regex row(R"(^  (?:-([A-Za-z0-9]) \[ --([A-Za-z0-9-]+) \]|--([A-Za-z0-9-]+)))");
  OptionNames o;
  for (const auto& l : lines_of(help)) {
    std::smatch m;
    if (!std::regex_search(l, m, row)) continue;
    if (m[1].matched) {
      o.letters.insert(m[1]);
      o.longs.insert(m[2]);
    } else {
      o.longs.insert(m[3]);
    }
  }
  return o;
}

// roff without hyphen escapes and font changes: "\-\-wait \fIN\fR" -> "--wait N".
std::string plain(std::string line) {
  line = std::regex_replace(line, std::regex(R"(\\-)"), "-");
  return std::regex_replace(line, std::regex(R"(\\f[BIRP])"), "");
}

// The tag lines (the line after .TP) of the sections that define options:
// OPTIONS, and MODES where a mode is chosen by an option (fl-dns).
std::vector<std::string> option_tags(const std::string& page) {
  std::vector<std::string> tags;
  const auto lines = lines_of(page);
  std::string section;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(".SH ", 0) == 0) section = lines[i].substr(4);
    if (i > 0 && lines[i - 1].rfind(".TP", 0) == 0 && (section == "OPTIONS" || section == "MODES"))
      tags.push_back(plain(lines[i]));
  }
  return tags;
}

OptionNames man_options(const std::string& page) {
  static const std::regex long_name(R"((?:^|[^A-Za-z0-9_-])--([a-z0-9][A-Za-z0-9-]*))");
  static const std::regex letter(R"((?:^|[^A-Za-z0-9_-])-([A-Za-z0-9])(?=[^A-Za-z0-9_-]|$))");
  OptionNames o;
  for (const auto& tag : option_tags(page)) {
    for (std::sregex_iterator it(tag.begin(), tag.end(), long_name), end; it != end; ++it) o.longs.insert((*it)[1]);
    for (std::sregex_iterator it(tag.begin(), tag.end(), letter), end; it != end; ++it) o.letters.insert((*it)[1]);
  }
  return o;
}

std::set<std::string> minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> d;
  for (const auto& x : a)
    if (!b.count(x)) d.insert(x);
  return d;
}

std::string joined(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : " ") + x;
  return out;
}

std::string help_of(const Tool& t) {
  auto r = testsupport::run({t.binary, "--help"}, 30);
  EXPECT_EQ(r.exit_code, 0) << t.name << ": " << r.err;
  return r.out;
}

TEST(Docs, EveryOptionOfHelpIsInTheManPageAndTheReverse) {
  std::vector<Tool> all(std::begin(kTools), std::end(kTools));
  all.push_back(kProbed);
  all.push_back(kMonitor);
  for (const auto& t : all) {
    const OptionNames help = help_options(help_of(t));
    const OptionNames man = man_options(source_file(std::string("man/") + t.name + "." + t.section));
    ASSERT_GT(help.longs.size(), 5u) << t.name << ": --help not parsed";
    EXPECT_EQ(joined(minus(help.longs, man.longs)), "") << t.name << ": in --help, no entry in " << t.name << "(1)";
    EXPECT_EQ(joined(minus(man.longs, help.longs)), "") << t.name << ": in " << t.name << "(1), not in --help";
    EXPECT_EQ(joined(minus(help.letters, man.letters)), "") << t.name << ": letters in --help, not in the man page";
    EXPECT_EQ(joined(minus(man.letters, help.letters)), "") << t.name << ": letters in the man page, not in --help";
  }
}

// The parser itself: an option wrapped onto a second line or named inside
// a description is not taken for one.
TEST(Docs, HelpAndManParsersTakeOnlyOptionEntries) {
  const OptionNames h = help_options(
      "Usage: x [options]\n  -W [ --wait ] arg (=2)   seconds\n  --pps arg   per second; see\n"
      "                           --not-an-option\n");
  EXPECT_EQ(joined(h.longs), "pps wait");
  EXPECT_EQ(joined(h.letters), "W");
  const OptionNames m = man_options(
      ".SH OPTIONS\n.TP\n.BR \\-W \", \" \\-\\-wait \" \\fIS\\fR\"\nWait; see \\-\\-pps.\n.TP\n.BI \\-\\-pps \" N\"\n"
      ".SH EXIT STATUS\n.TP\n.B \\-\\-elsewhere\n");
  EXPECT_EQ(joined(m.longs), "pps wait");
  EXPECT_EQ(joined(m.letters), "W");
}

// The code's exit codes: 0 and every kExit constant of cli.h.
std::set<std::string> code_exit_codes() {
  std::set<std::string> codes = {"0"};
  const std::string cli = source_file("tools/common/cli.h");
  static const std::regex constant(R"(constexpr int kExit\w+ = (\d+);)");
  for (std::sregex_iterator it(cli.begin(), cli.end(), constant), end; it != end; ++it) codes.insert((*it)[1]);
  return codes;
}

// The .B tags of a man page's EXIT STATUS.
std::set<std::string> man_exit_codes(const std::string& page) {
  std::set<std::string> codes;
  const auto lines = lines_of(page);
  bool in = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(".SH ", 0) == 0) in = lines[i] == ".SH EXIT STATUS";
    std::smatch m;
    if (in && i > 0 && lines[i - 1].rfind(".TP", 0) == 0 && std::regex_match(lines[i], m, std::regex(R"(\.B (\d+))")))
      codes.insert(m[1]);
  }
  return codes;
}

// The first column of README.md's exit status table.
std::set<std::string> readme_exit_codes() {
  std::set<std::string> codes;
  bool in = false;
  for (const auto& l : lines_of(source_file("README.md"))) {
    if (l.rfind("## ", 0) == 0) in = l.rfind("## Exit status", 0) == 0;
    std::smatch m;
    if (in && std::regex_search(l, m, std::regex(R"(^\| (\d+) \|)"))) codes.insert(m[1]);
  }
  return codes;
}

// "Exit status: 0 ok, 1 runtime error, ..." at the end of --help.
std::set<std::string> help_exit_codes(const std::string& help) {
  std::set<std::string> codes;
  const auto at = help.find("Exit status:");
  if (at == std::string::npos) return codes;
  const std::string tail = help.substr(at, help.find("See ", at) - at);
  static const std::regex code(R"((?::|,)\s+(\d+) )");
  for (std::sregex_iterator it(tail.begin(), tail.end(), code), end; it != end; ++it) codes.insert((*it)[1]);
  return codes;
}

TEST(Docs, ExitCodesAgreeWithTheCode) {
  const std::set<std::string> code = code_exit_codes();
  ASSERT_GT(code.size(), 5u) << "cli.h not parsed";
  EXPECT_EQ(joined(readme_exit_codes()), joined(code)) << "README.md's exit status table";
  for (const auto& t : kTools) {
    EXPECT_EQ(joined(man_exit_codes(source_file(std::string("man/") + t.name + ".1"))), joined(code))
        << t.name << "(1) EXIT STATUS";
    EXPECT_EQ(joined(help_exit_codes(help_of(t))), joined(code)) << t.name << " --help";
  }
  const auto monitor_man = man_exit_codes(source_file("man/fl-monitor.1"));
  EXPECT_EQ(joined(help_exit_codes(help_of(kMonitor))), joined(monitor_man)) << "fl-monitor --help and its man page";
  EXPECT_EQ(joined(minus(monitor_man, code)), "") << "fl-monitor(1) names a code cli.h does not have";
  EXPECT_GT(monitor_man.size(), 5u) << "fl-monitor(1) EXIT STATUS not parsed";
}

}  // namespace
