// fl-trace sheds privilege once its sockets are open: the packet parser never
// runs as root or with CAP_NET_RAW, and what it writes still lands.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lab_test_util.h"

namespace probe::lab::test {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// While a trace waits on a silent hop, its process is nobody with no capability.
TEST(Privileges, RunsAsNobodyWithoutCapabilities) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("drop-hop2");
  std::string script = fl_trace_path() + " --user nobody -W 1 -g 2 198.18.200.1 >/dev/null & p=$!; sleep 0.6; " +
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
  std::string private_dir = dir.path("root-only");
  ASSERT_EQ(::mkdir(private_dir.c_str(), 0700), 0);
  std::string out = private_dir + "/results.json";
  auto r = lab.exec("vp", {fl_trace_path(), "--user", "nobody", "-W", "0.5", "-o", "json", "-O", out, "198.18.200.1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  auto lines = parse_lines(ExecResult{0, slurp(out), "", false});
  ASSERT_EQ(lines.traces.size(), 1u) << lines.parse_error;
  EXPECT_EQ(lines.traces[0]["stop_reason"], "completed");
  EXPECT_FALSE(std::filesystem::exists(out + ".part"));
}

// A binary given CAP_NET_RAW with setcap runs for an ordinary user.
TEST(Privileges, SetcapBinaryWorksForAnOrdinaryUser) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("chain");
  TempDir dir;
  std::string bin = dir.path("fl-trace");
  std::filesystem::copy_file(fl_trace_path(), bin);
  ::chmod(dir.path("").c_str(), 0755);
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
