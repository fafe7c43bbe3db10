#pragma once
/// Shedding privilege once the raw socket and the capture are open, so that
/// nothing that parses packets from the network runs as root or with
/// CAP_NET_RAW.

#include <string>

#include "probe/error.h"

namespace probe::io {

/// The user to become by default: the one sudo was run by, else "nobody".
std::string default_unprivileged_user();

/// When running as root, switches to `user` (its uid, gid, no supplementary
/// groups); then empties every capability set (a binary given CAP_NET_RAW
/// with setcap loses it too) and forbids regaining privilege. Descriptors
/// opened before stay usable. A runtime error if any step fails.
Result<std::string> drop_privileges(const std::string& user);

}  // namespace probe::io
