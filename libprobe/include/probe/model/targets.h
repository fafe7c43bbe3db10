#pragma once
/// Turning target specifications (addresses, CIDR blocks) into addresses.

#include <istream>
#include <string>
#include <vector>

#include "probe/error.h"
#include "probe/model/address.h"

namespace probe::model {

/// At most this many addresses from all specs together.
inline constexpr std::size_t kMaxTargets = 1u << 24;

/// Expands every spec ("198.18.4.1", "198.18.4.0/30") in order, dropping
/// repeats. A usage error names the first spec that is not an address/prefix.
Result<std::vector<Address>> expand_targets(const std::vector<std::string>& specs);

/// Reads a target file: one spec per line, '#' starts a comment, blank lines
/// ignored. An input error if it cannot be read.
Result<std::vector<std::string>> read_target_file(const std::string& path);
/// The same over a stream already open (`name` for the error); what
/// read_target_file reads once the file is open.
Result<std::vector<std::string>> read_targets(std::istream& in, const std::string& name);

}  // namespace probe::model
