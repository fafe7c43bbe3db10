// SPDX-License-Identifier: BSD-2-Clause
// fl-trace sheds privilege once its sockets are open: the packet parser never
// runs as root or with CAP_NET_RAW, and what it writes still lands. With -O,
// the root helper that renames the results holds nothing else.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "lab_test_util.h"

namespace probe::lab::test {
namespace {

// While a trace waits on a silent hop, its process is nobody with no capability.
TEST(Privileges, RunsAsNobodyWithoutCapabilities) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("drop-hop2");
  std::string script = fl_trace_path() + " --user nobody -n -W 1 -g 2 198.18.200.1 >/dev/null & p=$!; sleep 0.6; " +
                       "grep -E '^(Uid|Gid|CapEff|CapPrm|NoNewPrivs):' /proc/$p/status; wait $p";
  auto r = lab.exec("vp", {"sh", "-c", script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Uid:\t65534\t65534\t65534\t65534"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CapEff:\t0000000000000000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CapPrm:\t0000000000000000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NoNewPrivs:\t1"), std::string::npos) << r.out;
}

// -O into a directory only root may write: the unprivileged run still
// delivers the results file (renamed by the process's root parent), complete.
TEST(Privileges, ResultsFileInARootOnlyDirectoryLands) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("chain");
  TempDir dir;
  std::string private_dir = dir.file("root-only");
  ASSERT_EQ(::mkdir(private_dir.c_str(), 0700), 0);
  std::string out = private_dir + "/results.json";
  auto r = lab.exec("vp", {fl_trace_path(), "--user", "nobody", "-W", "0.5", "-o", "json", "-O", out, "198.18.200.1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  auto lines = parse_results_file(out);
  ASSERT_EQ(lines.traces.size(), 1u) << lines.parse_error;
  EXPECT_EQ(lines.traces[0]["stop_reason"], "completed");
  EXPECT_FALSE(std::filesystem::exists(out + ".part"));
}

// What /proc says about one process of a run: its status lines and the
// targets of its descriptors.
struct ProcView {
  std::map<std::string, std::string> status;  // "Uid" -> "0\t0\t0\t0"
  std::vector<std::string> fds;               // "socket:[1234]", "/dev/null", ...
};

// Parses the "pid N" / "Key:\tvalue" / "fd TARGET" lines of kProcScript.
std::map<std::string, ProcView> parse_procs(const std::string& text) {
  std::map<std::string, ProcView> out;
  std::istringstream lines(text);
  std::string line, pid;
  while (std::getline(lines, line)) {
    if (line.rfind("pid ", 0) == 0) pid = line.substr(4);
    else if (line.rfind("fd ", 0) == 0) out[pid].fds.push_back(line.substr(3));
    else if (auto colon = line.find(":\t"); colon != std::string::npos && !pid.empty())
      out[pid].status[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return out;
}

// Prints every process of the run started as $p (it and its children).
const char* kProcScript =
    "for q in $p $(cat /proc/$p/task/$p/children); do echo \"pid $q\"; "
    "grep -E '^(Uid|CapEff|CapPrm|CapBnd):' /proc/$q/status; "
    "for f in /proc/$q/fd/*; do echo \"fd $(readlink $f)\"; done; done; ";

// -O as root for --user nobody: while the trace runs, the process that stays
// root (to rename the results into place) has no socket open and no
// capability but CAP_DAC_OVERRIDE; the worker has the sockets, as nobody.
TEST(Privileges, RenameHelperHoldsNoSocketAndOnlyTheRenameCapability) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("drop-hop2");
  TempDir dir;
  const std::string out = dir.file("results.json");
  std::string script = fl_trace_path() + " --user nobody -W 1 -g 2 -o json -O " + out +
                       " 198.18.200.1 & p=$!; sleep 0.6; " + kProcScript + "wait $p";
  auto r = lab.exec("vp", {"sh", "-c", script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto procs = parse_procs(r.out);
  ASSERT_EQ(procs.size(), 2u) << r.out;
  int roots = 0;
  int workers = 0;
  for (const auto& [pid, view] : procs) {
    auto socket = [](const std::string& fd) { return fd.rfind("socket:", 0) == 0; };
    auto sockets = std::count_if(view.fds.begin(), view.fds.end(), socket);
    const std::string uid = view.status.count("Uid") ? view.status.at("Uid") : "";
    if (uid.rfind("0\t", 0) == 0) {
      ++roots;
      EXPECT_EQ(sockets, 0) << "root process " << pid << " holds a socket:\n" << r.out;
      EXPECT_EQ(view.status.at("CapEff"), "0000000000000002") << r.out;  // CAP_DAC_OVERRIDE alone
      EXPECT_EQ(view.status.at("CapPrm"), "0000000000000002") << r.out;
      EXPECT_EQ(view.status.at("CapBnd"), "0000000000000002") << r.out;
      for (const auto& fd : view.fds) EXPECT_EQ(fd.find(out), std::string::npos) << "root holds " << fd;
    } else {
      ++workers;
      EXPECT_EQ(uid, "65534\t65534\t65534\t65534") << r.out;
      EXPECT_GE(sockets, 2) << "the worker's raw and packet sockets:\n" << r.out;  // the check sees sockets
      EXPECT_EQ(view.status.at("CapEff"), "0000000000000000") << r.out;
    }
  }
  EXPECT_EQ(roots, 1) << r.out;
  EXPECT_EQ(workers, 1) << r.out;
  auto lines = parse_results_file(out);
  ASSERT_EQ(lines.traces.size(), 1u) << lines.parse_error;
  EXPECT_FALSE(std::filesystem::exists(out + ".part"));
}

// SIGTERM to the process a script started (the helper) reaches the worker,
// which finishes what is in flight: the run ends within 2 s, exit 130, with
// the results of what came before in place and no .part left behind.
TEST(Privileges, SigtermToTheHelperEndsTheRunPromptlyWithoutAPartFile) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("drop-hop2");
  TempDir dir;
  const std::string out = dir.file("results.json");
  std::string script = fl_trace_path() + " --user nobody -W 1 -g 5 -o json -O " + out +
                       " 198.18.200.1 & p=$!; sleep 0.6; kill -TERM $p; t0=$(date +%s%N); wait $p; rc=$?; "
                       "t1=$(date +%s%N); echo \"rc=$rc ms=$(( (t1 - t0) / 1000000 ))\"";
  auto r = lab.exec("vp", {"sh", "-c", script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int rc = -1;
  long ms = -1;
  ASSERT_EQ(std::sscanf(r.out.c_str(), "rc=%d ms=%ld", &rc, &ms), 2) << r.out;
  EXPECT_EQ(rc, 130) << r.err;
  EXPECT_LT(ms, 2000) << r.out;
  EXPECT_FALSE(std::filesystem::exists(out + ".part"));
  auto lines = parse_results_file(out);
  EXPECT_EQ(lines.traces.size(), 1u) << lines.parse_error;
}

// -O NAME where a directory NAME appears during the run: the rename at the
// end fails, which is said, and NAME.part goes too, whether the root helper
// renames (--user nobody) or the run itself (--user root).
TEST(Privileges, ResultsFileThatCannotTakeItsNameLeavesNoPart) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("drop-hop2");
  for (const char* user : {"nobody", "root"}) {
    SCOPED_TRACE(user);
    TempDir dir;
    const std::string out = dir.file("results.json");
    std::string script = fl_trace_path() + " --user " + user + " -W 1 -g 2 -o json -O " + out +
                         " 198.18.200.1 & p=$!; while [ ! -e " + out + ".part ]; do sleep 0.05; done; mkdir " + out +
                         "; wait $p; echo rc=$?";
    auto r = lab.exec("vp", {"sh", "-c", script});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("rc=5"), std::string::npos) << r.out << r.err;
    EXPECT_NE(r.err.find("cannot rename " + out + ".part to " + out), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out + ".part"));
    EXPECT_TRUE(std::filesystem::is_directory(out));
  }
}

// The helper killed outright: the worker learns it from its pipe and stops.
TEST(Privileges, WorkerStopsWhenTheHelperDies) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("drop-hop2");
  TempDir dir;
  std::string script = fl_trace_path() + " --user nobody -W 1 -g 5 -o json -O " + dir.file("results.json") +
                       " 198.18.200.1 2>/dev/null & p=$!; sleep 0.6; c=$(cat /proc/$p/task/$p/children); "
                       "kill -KILL $p; i=0; while [ $i -lt 20 ] && grep -q '^State:.*[RS]' /proc/$c/status 2>/dev/null; "
                       "do sleep 0.1; i=$((i + 1)); done; echo \"waited $i\"";
  auto r = lab.exec("vp", {"sh", "-c", script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int tenths = -1;
  ASSERT_EQ(std::sscanf(r.out.c_str(), "waited %d", &tenths), 1) << r.out;
  EXPECT_LT(tenths, 20) << "the worker still ran 2 s after its helper died";
}

// A binary given CAP_NET_RAW with setcap runs for an ordinary user.
TEST(Privileges, SetcapBinaryWorksForAnOrdinaryUser) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("chain");
  TempDir dir;
  std::string bin = dir.file("fl-trace");
  std::filesystem::copy_file(fl_trace_path(), bin);
  ::chmod(dir.file("").c_str(), 0755);
  ::chmod(bin.c_str(), 0755);
  auto setcap = run_command({"setcap", "cap_net_raw+ep", bin}, std::chrono::seconds(10));
  ASSERT_EQ(setcap.exit_code, 0) << "setcap (libcap2-bin) needed: " << setcap.err;
  auto as_user = [&](const std::string& binary) {
    return lab.exec("vp", {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary, "-W", "0.5", "-o",
                           "json", "198.18.200.1"});
  };
  auto r = as_user(bin);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = parse_lines(r);
  ASSERT_EQ(lines.traces.size(), 1u);
  EXPECT_EQ(lines.traces[0]["stop_reason"], "completed");
  // Without the capability: one clear line and exit 3.
  auto plain = as_user(fl_trace_path());
  EXPECT_EQ(plain.exit_code, 3);
  EXPECT_EQ(plain.err, "fl-trace: raw sockets need root or CAP_NET_RAW\n");
}

}  // namespace
}  // namespace probe::lab::test
