// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Turning target specifications (addresses, CIDR blocks) into addresses.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/error.h"
#include "probe/model/address.h"
#include "probe/model/permutation.h"

namespace probe::model {

/// At most this many addresses from all specs together, --yes or not.
inline constexpr std::size_t kMaxTargets = 1u << 24;

/// Runs of at most this many targets trace them in the order given, each
/// block in address order; larger ones in a keyed random order (TargetWalk),
/// so that consecutive probes go to different parts of the space.
inline constexpr std::uint64_t kInOrderTargets = 1024;

/// What a live run accepts before it expands anything.
struct TargetLimits {
  std::uint64_t max_targets = 65536;  ///< addresses over all specs together (--max-targets)
  bool yes = false;                   ///< --yes: more than that, and blocks with host bits set
};

/// A usage error naming the first spec that is not an address or CIDR
/// block, that has host bits set ("198.18.200.1/24"), or with which the
/// specs pass limits.max_targets addresses; without limits.yes. Counts, never
/// expands: a typo of a /8 costs nothing.
std::optional<Error> check_targets(const std::vector<std::string>& specs, const TargetLimits& limits);

/// The same checks, and the specs' blocks, one for each spec in the order
/// given: a caller that goes on to use them (fl-trace's family check and
/// expansion) parses the specs once.
Result<std::vector<Prefix>> checked_targets(const std::vector<std::string>& specs, const TargetLimits& limits);

/// The addresses of all specs, one at a time, in the order above: no list
/// of them is held, only the blocks and a Permutation of their addresses'
/// positions. Repeats are not dropped here.
class TargetWalk {
 public:
  /// A usage error names the first spec that is not an address/prefix.
  static Result<TargetWalk> of(const std::vector<std::string>& specs, std::uint64_t key);
  /// The same over blocks already parsed (checked_targets()).
  static Result<TargetWalk> of_blocks(std::vector<Prefix> blocks, std::uint64_t key);
  std::optional<Address> next();
  std::uint64_t size() const { return order_.size(); }
  /// The n-th address next() gives (n < size()), computed: no list.
  Address at(std::uint64_t n) const;
  /// No address is in two blocks: the walk has no repeats, and index_of()
  /// is its inverse.
  bool disjoint() const;
  /// The n with at(n) == a, or nullopt if no block holds `a`. Only for a
  /// disjoint() walk (else: the n of one of its listings).
  std::optional<std::uint64_t> index_of(const Address& a) const;

 private:
  TargetWalk(std::vector<Prefix> blocks, std::vector<std::uint64_t> ends, std::uint64_t key);
  std::vector<Prefix> blocks_;
  std::vector<std::uint64_t> ends_;  ///< positions past each block's last address
  std::vector<std::uint32_t> by_base_;  ///< blocks_ indices in address order (index_of)
  Permutation order_;
  bool shuffled_;
  std::uint64_t next_ = 0;
};

/// Every address of the specs ("198.18.4.1", "198.18.4.0/30") in
/// TargetWalk's order for `key` (the run key: a replay finds the run's
/// order), dropping repeats. A usage error names the first spec that is not
/// an address/prefix. Stops early, with what it has, once `halt` is set.
Result<std::vector<Address>> expand_targets(const std::vector<std::string>& specs, std::uint64_t key,
                                            const std::atomic<int>* halt = nullptr);
/// The same over blocks already parsed (checked_targets()).
Result<std::vector<Address>> expand_blocks(std::vector<Prefix> blocks, std::uint64_t key,
                                           const std::atomic<int>* halt = nullptr);

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
