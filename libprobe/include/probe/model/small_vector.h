// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// A vector that keeps its first element in place (the probes of a hop).

#include <cassert>
#include <cstddef>
#include <utility>
#include <vector>

namespace probe::model {

/// A vector of T that holds one element without allocating. Most hops take
/// one probe: it lives in the hop itself, and a replayed campaign makes no
/// allocation per hop. A second element moves them all to the heap.
/// Iterators are pointers; like std::vector's, push_back invalidates them.
template <typename T>
class SmallVector {
 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  SmallVector() = default;
  explicit SmallVector(std::vector<T> items) {
    if (items.size() == 1) {
      one_ = std::move(items.front());
      has_one_ = true;
    } else {
      many_ = std::move(items);
    }
  }

  std::size_t size() const { return many_.empty() ? (has_one_ ? 1 : 0) : many_.size(); }
  bool empty() const { return size() == 0; }

  T* data() { return many_.empty() ? &one_ : many_.data(); }
  const T* data() const { return many_.empty() ? &one_ : many_.data(); }
  iterator begin() { return data(); }
  iterator end() { return data() + size(); }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size(); }

  T& operator[](std::size_t i) {
    assert(i < size());
    return data()[i];
  }
  const T& operator[](std::size_t i) const {
    assert(i < size());
    return data()[i];
  }
  T& front() { return (*this)[0]; }
  const T& front() const { return (*this)[0]; }
  T& back() { return (*this)[size() - 1]; }
  const T& back() const { return (*this)[size() - 1]; }

  void push_back(T item) {
    if (many_.empty() && !has_one_) {
      one_ = std::move(item);
      has_one_ = true;
      return;
    }
    if (many_.empty()) {
      many_.reserve(2);
      many_.push_back(std::move(one_));
      one_ = T{};
      has_one_ = false;
    }
    many_.push_back(std::move(item));
  }

  void pop_back() {
    assert(!empty());
    if (!many_.empty()) {
      many_.pop_back();
      return;
    }
    one_ = T{};
    has_one_ = false;
  }

  void clear() {
    many_.clear();
    one_ = T{};
    has_one_ = false;
  }

 private:
  // The elements are one_ while many_ is empty (has_one_ says whether one_
  // counts), else all of them are in many_.
  T one_{};
  bool has_one_ = false;
  std::vector<T> many_;
};

}  // namespace probe::model
