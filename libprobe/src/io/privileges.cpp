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

}  // namespace probe::io
