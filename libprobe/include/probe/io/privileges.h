#pragma once
/// Shedding privilege once the raw socket and the capture are open, so that
/// nothing that parses packets from the network runs as root or with
/// CAP_NET_RAW.

#include <cstdint>
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

/// For a process that stays root to do one thing: keeps only the
/// capabilities in `keep` (bit N = capability N) in its effective and
/// permitted sets and in its bounding set, none inheritable or ambient, and
/// forbids gaining any back (no_new_privs). A runtime error if a step fails.
Result<bool> keep_only_capabilities(std::uint64_t keep);

}  // namespace probe::io
