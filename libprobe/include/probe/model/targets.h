// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Turning target specifications (addresses, CIDR blocks) into addresses.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/error.h"
#include "probe/model/address.h"

namespace probe::model {

/// At most this many addresses from all specs together.
inline constexpr std::size_t kMaxTargets = 1u << 24;

/// Expands every spec ("198.18.4.1", "198.18.4.0/30") in order, dropping
/// repeats. A usage error names the first spec that is not an address/prefix.
Result<std::vector<Address>> expand_targets(const std::vector<std::string>& specs);

/// Caps on a target list (fl-trace -T, fl-locate --prefix-file and
/// --hitlist), so a hostile file cannot make memory grow without bound.
inline constexpr std::size_t kMaxSpecLine = 1024;      ///< bytes in one line
inline constexpr std::size_t kMaxSpecLines = 1000000;  ///< lines in one file

/// The specs of a target list: one per line, '#' starts a comment, blank
/// lines ignored. An input error "NAME:LINE: ..." past a cap or for a spec
/// too long to be an address or CIDR block.
Result<std::vector<std::string>> parse_target_text(std::string_view text, const std::string& name);

/// The same, read from an open descriptor to its end (it stops at the first
/// cap passed, so `-T /dev/zero` fails at once). Open the file with
/// io::open_as_invoker: it is the user's.
Result<std::vector<std::string>> read_target_file(int fd, const std::string& name);

/// Takes one spec and its line number (from 1); false when it has had
/// enough and the file is to be read no further.
using SpecSink = std::function<bool(std::string spec, std::size_t line)>;

/// The same, each spec handed to `take` as it is read, so that a reader
/// that needs only the first few (fl-locate --hitlist with --max-targets)
/// stops there. The number of the last line read.
Result<std::size_t> read_target_file(int fd, const std::string& name, const SpecSink& take);

}  // namespace probe::model
