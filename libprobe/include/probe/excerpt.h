// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Quoting untrusted bytes (a line of a file named on the command line) in
/// an error message: short, printable, and never a terminal control code.

#include <cstddef>
#include <string>
#include <string_view>

namespace probe {

/// How many bytes of a bad line an error message shows at most.
inline constexpr std::size_t kExcerptBytes = 40;

/// At most `max` bytes of s: printable ASCII as is, a backslash and every
/// other byte (control, DEL, non-ASCII) as \xNN, and "..." when cut.
std::string excerpt(std::string_view s, std::size_t max = kExcerptBytes);

}  // namespace probe
