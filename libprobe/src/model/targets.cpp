// SPDX-License-Identifier: BSD-2-Clause
#include "probe/model/targets.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_set>

#include "probe/excerpt.h"

namespace probe::model {

namespace {

// No address or CIDR block is longer (an IPv6 one is at most 49): a longer
// spec is refused as it is read, so a hostile file of long lines cannot
// fill memory before it is checked.
constexpr std::size_t kMaxSpec = 64;

// Cuts bytes into lines and hands each line's spec on, within the caps.
class SpecCollector {
 public:
  SpecCollector(const std::string& name, const SpecSink& take) : name_(name), take_(take) {}

  // False once a cap is passed (see finish()) or the sink has had enough.
  bool add(std::string_view bytes) {
    while (!bytes.empty()) {
      auto nl = bytes.find('\n');
      auto part = bytes.substr(0, nl);
      if (pending_.size() + part.size() > kMaxSpecLine)
        return fail(line_ + 1, "line longer than " + std::to_string(kMaxSpecLine) + " bytes (not a target list?)");
      pending_.append(part);
      if (nl == std::string_view::npos) return true;
      if (!end_line()) return false;
      bytes.remove_prefix(nl + 1);
    }
    return true;
  }

  // The number of the last line read.
  Result<std::size_t> finish() {
    if (!error_ && !enough_ && !pending_.empty()) end_line();
    if (error_) return *error_;
    return line_;
  }

 private:
  bool end_line() {
    if (++line_ > kMaxSpecLines)
      return fail(line_, "more than " + std::to_string(kMaxSpecLines) + " lines (the limit for a target list)");
    std::string_view line = pending_;
    line = line.substr(0, line.find('#'));
    auto b = line.find_first_not_of(" \t\r");
    if (b != std::string_view::npos) {
      auto e = line.find_last_not_of(" \t\r");
      auto spec = line.substr(b, e - b + 1);
      if (spec.size() > kMaxSpec)
        return fail(line_, "'" + excerpt(spec) + "' is too long for an address or CIDR block");
      enough_ = !take_(std::string(spec), line_);
    }
    pending_.clear();
    return !enough_;
  }

  bool fail(std::size_t line, const std::string& what) {
    error_ = make_error(ErrorKind::input, name_ + ":" + std::to_string(line) + ": " + what);
    return false;
  }

  const std::string& name_;
  const SpecSink& take_;
  std::string pending_;
  std::size_t line_ = 0;
  bool enough_ = false;
  std::optional<Error> error_;
};

}  // namespace

namespace {

Result<Prefix> parse_spec(const std::string& spec) {
  auto prefix = Prefix::parse(spec);
  if (!prefix) return make_error(ErrorKind::usage, "bad target '" + excerpt(spec) + "': not an address or CIDR block");
  return *prefix;
}

// Appends `block` and the position past its last address; the error once
// the blocks pass kMaxTargets addresses.
std::optional<Error> add_block(const Prefix& block, std::vector<Prefix>& blocks, std::vector<std::uint64_t>& ends) {
  const std::uint64_t total = ends.empty() ? 0 : ends.back();
  if (total + block.count() > kMaxTargets)
    return make_error(ErrorKind::usage, "too many targets (at most " + std::to_string(kMaxTargets) + ")");
  blocks.push_back(block);
  ends.push_back(total + block.count());
  return std::nullopt;
}

// Every address of the walk, repeats dropped when `dedupe` (one block has
// none: no set of every address for a lone big block).
std::vector<Address> expand(TargetWalk& walk, bool dedupe, const std::atomic<int>* halt) {
  std::vector<Address> out;
  out.reserve(static_cast<std::size_t>(walk.size()));
  std::unordered_set<Address> seen;
  for (std::uint64_t n = 0; auto a = walk.next(); ++n) {
    if (halt && (n & 0xffff) == 0 && halt->load() != 0) break;
    if (!dedupe || seen.insert(*a).second) out.push_back(*a);
  }
  return out;
}

}  // namespace

Result<std::vector<Prefix>> checked_targets(const std::vector<std::string>& specs, const TargetLimits& limits) {
  std::vector<Prefix> blocks;
  blocks.reserve(specs.size());
  std::uint64_t total = 0;
  for (const auto& spec : specs) {
    auto prefix = parse_spec(spec);
    if (!prefix) return prefix.error();
    blocks.push_back(*prefix);
    if (limits.yes) continue;
    if (*Address::parse(std::string_view(spec).substr(0, spec.find('/'))) != prefix->base)
      return make_error(ErrorKind::usage, "target " + excerpt(spec) + " has host bits set: the block is " +
                                              prefix->to_string() + " (give that, or --yes)");
    total += prefix->count();
    if (total > limits.max_targets)
      return make_error(ErrorKind::usage,
                        "target " + excerpt(spec) + " makes " + std::to_string(total) + " addresses, more than --max-targets " +
                            std::to_string(limits.max_targets) + " (a typo? give --yes to trace them all)");
  }
  return blocks;
}

std::optional<Error> check_targets(const std::vector<std::string>& specs, const TargetLimits& limits) {
  auto blocks = checked_targets(specs, limits);
  if (!blocks) return blocks.error();
  return std::nullopt;
}

TargetWalk::TargetWalk(std::vector<Prefix> blocks, std::vector<std::uint64_t> ends, std::uint64_t key)
    : blocks_(std::move(blocks)),
      ends_(std::move(ends)),
      order_(ends_.empty() ? 0 : ends_.back(), key),
      shuffled_(order_.size() > kInOrderTargets) {
  by_base_.resize(blocks_.size());
  for (std::uint32_t b = 0; b < by_base_.size(); ++b) by_base_[b] = b;
  std::sort(by_base_.begin(), by_base_.end(),
            [this](std::uint32_t x, std::uint32_t y) { return blocks_[x].base < blocks_[y].base; });
}

Result<TargetWalk> TargetWalk::of(const std::vector<std::string>& specs, std::uint64_t key) {
  // Spec by spec, so that the first bad spec or the one that makes too many
  // is named, whichever comes first.
  std::vector<Prefix> blocks;
  std::vector<std::uint64_t> ends;
  for (const auto& spec : specs) {
    auto prefix = parse_spec(spec);
    if (!prefix) return prefix.error();
    if (auto e = add_block(*prefix, blocks, ends)) return *e;
  }
  return TargetWalk(std::move(blocks), std::move(ends), key);
}

Result<TargetWalk> TargetWalk::of_blocks(std::vector<Prefix> blocks, std::uint64_t key) {
  std::vector<Prefix> kept;
  std::vector<std::uint64_t> ends;
  for (const auto& block : blocks)
    if (auto e = add_block(block, kept, ends)) return *e;
  return TargetWalk(std::move(kept), std::move(ends), key);
}

std::optional<Address> TargetWalk::next() {
  if (next_ >= order_.size()) return std::nullopt;
  return at(next_++);
}

Address TargetWalk::at(std::uint64_t n) const {
  std::uint64_t pos = shuffled_ ? order_.at(n) : n;
  // The block holding position `pos`, and the offset in it.
  std::size_t b = static_cast<std::size_t>(std::upper_bound(ends_.begin(), ends_.end(), pos) - ends_.begin());
  return blocks_[b].nth(pos - (b == 0 ? 0 : ends_[b - 1]));
}

// Blocks in address order overlap only where one holds the next one's base.
bool TargetWalk::disjoint() const {
  for (std::size_t k = 1; k < by_base_.size(); ++k)
    if (blocks_[by_base_[k - 1]].contains(blocks_[by_base_[k]].base)) return false;
  return true;
}

std::optional<std::uint64_t> TargetWalk::index_of(const Address& a) const {
  // The last block whose base is not above `a`: the only one that may hold it.
  auto it = std::upper_bound(by_base_.begin(), by_base_.end(), a,
                             [this](const Address& x, std::uint32_t b) { return x < blocks_[b].base; });
  if (it == by_base_.begin()) return std::nullopt;
  const std::uint32_t b = *(it - 1);
  const Prefix& block = blocks_[b];
  if (!block.contains(a)) return std::nullopt;
  // A block holds at most kMaxTargets addresses: they differ in the low
  // 64 bits only.
  std::uint64_t lo_a = 0, lo_base = 0;
  for (std::size_t k = a.size() >= 8 ? a.size() - 8 : 0; k < a.size(); ++k) {
    lo_a = lo_a << 8 | a.data()[k];
    lo_base = lo_base << 8 | block.base.data()[k];
  }
  std::uint64_t pos = (b == 0 ? 0 : ends_[b - 1]) + (lo_a - lo_base);
  return shuffled_ ? order_.index_of(pos) : pos;
}

Result<std::vector<Address>> expand_targets(const std::vector<std::string>& specs, std::uint64_t key,
                                            const std::atomic<int>* halt) {
  auto walk = TargetWalk::of(specs, key);
  if (!walk) return walk.error();
  return expand(*walk, specs.size() > 1, halt);
}

Result<std::vector<Address>> expand_blocks(std::vector<Prefix> blocks, std::uint64_t key, const std::atomic<int>* halt) {
  const bool dedupe = blocks.size() > 1;
  auto walk = TargetWalk::of_blocks(std::move(blocks), key);
  if (!walk) return walk.error();
  return expand(*walk, dedupe, halt);
}

Result<std::vector<std::string>> parse_target_text(std::string_view text, const std::string& name) {
  std::vector<std::string> out;
  SpecSink keep = [&out](std::string spec, std::size_t) {
    out.push_back(std::move(spec));
    return true;
  };
  SpecCollector specs(name, keep);
  specs.add(text);
  auto done = specs.finish();
  if (!done) return done.error();
  return out;
}

Result<std::size_t> read_target_file(int fd, const std::string& name, const SpecSink& take) {
  SpecCollector specs(name, take);
  char chunk[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(ErrorKind::input, "error reading " + name + ": " + std::strerror(errno));
    if (n == 0 || !specs.add(std::string_view(chunk, static_cast<std::size_t>(n)))) break;
  }
  return specs.finish();
}

Result<std::vector<std::string>> read_target_file(int fd, const std::string& name) {
  std::vector<std::string> out;
  auto done = read_target_file(fd, name, [&out](std::string spec, std::size_t) {
    out.push_back(std::move(spec));
    return true;
  });
  if (!done) return done.error();
  return out;
}

}  // namespace probe::model
