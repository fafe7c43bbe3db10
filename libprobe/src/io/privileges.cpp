#include "probe/io/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace probe::io {

namespace {

Error failed(const std::string& what) {
  return make_error(ErrorKind::runtime, "dropping privileges: " + what + ": " + std::strerror(errno));
}

}  // namespace

std::string default_unprivileged_user() {
  const char* sudo_user = std::getenv("SUDO_USER");
  if (sudo_user && *sudo_user && std::strcmp(sudo_user, "root") != 0) return sudo_user;
  return "nobody";
}

Result<std::string> drop_privileges(const std::string& user) {
  std::string became = "uid " + std::to_string(getuid());
  if (geteuid() == 0 && user != "root") {
    errno = 0;
    passwd* pw = getpwnam(user.c_str());
    if (!pw) return make_error(ErrorKind::usage, "no such user '" + user + "' to run as (--user)");
    if (setgroups(0, nullptr) != 0) return failed("setgroups");
    if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0) return failed("setgid");
    if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) return failed("setuid");
    if (setuid(0) == 0) {
      errno = EPERM;
      return failed("root could be regained");
    }
    became = user;
  }
  // Empty the effective, permitted and inheritable sets (setuid from root
  // already did for root; a setcap'd binary keeps them otherwise).
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &header, data) != 0) return failed("capset");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return failed("no_new_privs");
  return became;
}

Result<bool> keep_only_capabilities(std::uint64_t keep) {
  // The bounding set first, while CAP_SETPCAP is still effective; it ends
  // at the first capability the kernel does not know.
  for (int cap = 0; cap < 64; ++cap) {
    if (keep & (std::uint64_t{1} << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      if (errno == EINVAL) break;
      return failed("dropping capability " + std::to_string(cap) + " from the bounding set");
    }
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  for (int i = 0; i < 2; ++i) {
    data[i].effective = data[i].permitted = static_cast<std::uint32_t>(keep >> (32 * i));
  }
  if (syscall(SYS_capset, &header, data) != 0) return failed("capset");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return failed("no_new_privs");
  return true;
}

}  // namespace probe::io
