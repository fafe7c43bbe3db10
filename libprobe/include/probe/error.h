// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Expected failures carried as values: the library never prints or exits.

#include <string>
#include <utility>
#include <variant>

namespace probe {

enum class ErrorKind {
  usage,      ///< bad option or argument
  privilege,  ///< raw socket or capture needs root / CAP_NET_RAW
  input,      ///< capture file unreadable, malformed or not ours
  output,     ///< cannot write a result or capture file
  runtime,    ///< anything else the environment refused
};

struct Error {
  ErrorKind kind = ErrorKind::runtime;
  std::string message;
};

/// A value or an Error. Small on purpose: C++17 has no std::expected.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

inline Error make_error(ErrorKind kind, std::string message) {
  return Error{kind, std::move(message)};
}

}  // namespace probe
