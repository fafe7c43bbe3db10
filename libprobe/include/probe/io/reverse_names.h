// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Reverse DNS for fl-trace's text output, kept off the probing path: a
/// name is asked for as soon as a trace is handed over (want(), which never
/// blocks), looked up by worker threads through the system resolver
/// (getnameinfo: /etc/hosts, then the resolv.conf servers), cached per
/// address, and waited for (name_of()) within one budget for the whole run,
/// so that a resolver that does not answer costs a run that budget at most,
/// however many addresses it has.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "probe/model/address.h"

namespace probe::io {

namespace detail {
struct ReverseNamesState;  ///< shared with the worker threads, which may outlive the object
}

class ReverseNames {
 public:
  /// `workers`: lookups at once; `budget_us`: the most name_of() waits, all
  /// calls together, microseconds.
  ReverseNames(std::size_t workers, std::int64_t budget_us);
  /// Does not wait for lookups in progress (a resolver may take seconds):
  /// their threads end on their own.
  ~ReverseNames();
  ReverseNames(const ReverseNames&) = delete;
  ReverseNames& operator=(const ReverseNames&) = delete;

  /// Starts the lookup of `a` unless it was started before.
  void want(const model::Address& a);
  /// The name of `a`, "" when it has none or the budget ran out first.
  std::string name_of(const model::Address& a);

 private:
  std::shared_ptr<detail::ReverseNamesState> state_;
};

}  // namespace probe::io
