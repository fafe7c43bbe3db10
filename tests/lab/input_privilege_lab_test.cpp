// SPDX-License-Identifier: BSD-2-Clause
// Files named on the command line are read with the invoking user's rights:
// run as root with SUDO_UID/SUDO_GID of nobody, the tools refuse a file only
// root may read ("Permission denied") and never echo what it holds. Run in a
// lab namespace so that a tool that wrongly went on could not probe from
// the host.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "lab_test_util.h"

#ifndef FL_CAPTURES_DIR
#define FL_CAPTURES_DIR ""
#endif

namespace probe::lab::test {
namespace {

constexpr const char* kSecret = "root:$6$saltsalt$hashhashhash:19000:0:99999:7:::\n\x1b]0;owned\x07\n";

// A directory anyone may enter, holding root-owned files of given modes.
class Files {
 public:
  Files() { ::chmod(dir_.path().c_str(), 0755); }
  std::string make(const std::string& name, mode_t mode, const std::string& content = kSecret) {
    const std::string path = dir_.file(name);
    testsupport::write_file(path, content);
    ::chown(path.c_str(), 0, 0);
    ::chmod(path.c_str(), mode);
    return path;
  }

 private:
  TempDir dir_;
};

// argv run in the lab as root, as if by `sudo` from nobody.
ExecResult as_sudo_from_nobody(Lab& lab, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"env", "SUDO_UID=65534", "SUDO_GID=65534", "SUDO_USER=nobody"});
  return lab.exec("vp", argv);
}

void expect_refused(const ExecResult& r, const std::string& path, const std::string& tool) {
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find(tool + ": cannot read " + path + ": Permission denied"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("saltsalt"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("saltsalt"), std::string::npos) << r.out;
}

TEST(InputPrivileges, TraceRefusesATargetFileOnlyRootMayRead) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("chain");
  Files files;
  for (mode_t mode : {mode_t{0600}, mode_t{0640}}) {  // 0640: root's group is not the user's
    const std::string secret = files.make("secret-" + std::to_string(mode), mode);
    expect_refused(as_sudo_from_nobody(lab, {fl_trace_path(), "-T", secret}), secret, "fl-trace");
    expect_refused(as_sudo_from_nobody(lab, {fl_trace_path(), "-r", secret}), secret, "fl-trace");
  }
}

TEST(InputPrivileges, ReadableFileIsReadAndItsBadLineQuotedEscaped) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("chain");
  Files files;
  const std::string list = files.make("list", 0644, "# mine\n198.18.0.1\nnot-a-target\x1b[2J\n");
  auto r = as_sudo_from_nobody(lab, {fl_trace_path(), "-T", list});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("bad target 'not-a-target\\x1b[2J'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
}

TEST(InputPrivileges, LocateRefusesPrefixFileAndTablesOnlyRootMayRead) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("chain");
  Files files;
  const std::string secret = files.make("secret", 0600);
  const std::vector<std::string> quiet = {"--no-dns", "--no-control"};
  auto locate = [&](std::vector<std::string> args) {
    args.insert(args.begin(), fl_locate_path());
    args.insert(args.end(), quiet.begin(), quiet.end());
    return as_sudo_from_nobody(lab, args);
  };
  expect_refused(locate({"--prefix-file", secret}), secret, "fl-locate");
  expect_refused(locate({"-p", "198.18.0.0/24", "--hitlist", secret}), secret, "fl-locate");
  expect_refused(locate({"-p", "198.18.0.0/24", "--asn-db", secret}), secret, "fl-locate");
  expect_refused(locate({"--country", "KP", "--country-db", secret}), secret, "fl-locate");
  // Root itself (no sudo) still reads it: the refusal is the invoker's.
  auto root = lab.exec("vp", {"env", "-u", "SUDO_UID", "-u", "SUDO_GID", fl_locate_path(), "-p", "198.18.0.0/24",
                              "--asn-db", secret, "--no-dns", "--no-control"});
  EXPECT_EQ(root.exit_code, 4) << root.err;
  EXPECT_EQ(root.err.find("Permission denied"), std::string::npos) << root.err;
  EXPECT_EQ(root.err.find('\x1b'), std::string::npos) << root.err;
}

// What the user may read still works under sudo: a replay of the user's
// capture (read by the capture readers through the open file) gives the
// same traces as root's, and the user's AS table loads.
TEST(InputPrivileges, FilesTheUserMayReadWorkUnderSudo) {
  FL_REQUIRE_LAB(true);
  Lab lab = make_lab("chain");
  Files files;
  const std::string captures = FL_CAPTURES_DIR;
  const std::string capture =
      files.make("mine.pcapng", 0644, testsupport::read_file(captures + "/trace-icmp-chain.pcapng"));
  auto mine = as_sudo_from_nobody(lab, {fl_trace_path(), "-r", capture, "-o", "json"});
  ASSERT_EQ(mine.exit_code, 0) << mine.err;
  EXPECT_EQ(mine.out, testsupport::read_file(captures + "/trace-icmp-chain.json"));
  const std::string table = files.make("asn.csv", 0644, "198.18.0.0,198.18.255.255,64500,Lab\n");
  auto located = as_sudo_from_nobody(lab, {fl_locate_path(), "-r", captures + "/locate-core-dark.pcapng", "--asn-db",
                                           table, "-o", "json"});
  EXPECT_EQ(located.exit_code, 0) << located.err;
  EXPECT_EQ(located.err.find("cannot read"), std::string::npos) << located.err;
}

}  // namespace
}  // namespace probe::lab::test
