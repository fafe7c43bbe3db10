// SPDX-License-Identifier: BSD-2-Clause
#include "guarded_output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace flcommon {

namespace {

// What both kinds share: the first failure, kept, and the halt raised.
class Guard : public std::streambuf {
 public:
  explicit Guard(std::atomic<int>& halt) : halt_(halt) {}
  const std::string& error() const { return error_; }

 protected:
  void failed(int err) {
    if (!error_.empty()) return;
    error_ = std::strerror(err ? err : EIO);
    if (halt_.load() < 2) halt_.store(2);
  }

 private:
  std::atomic<int>& halt_;
  std::string error_;
};

class FdGuard final : public Guard {
 public:
  FdGuard(int fd, std::atomic<int>& halt) : Guard(halt), fd_(fd), buf_(1 << 16) {
    struct stat st {};
    regular_ = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    setp(buf_.data(), buf_.data() + buf_.size());
  }

 protected:
  int_type overflow(int_type c) override {
    // A full buffer goes out up to its last whole line; the rest waits.
    std::size_t n = static_cast<std::size_t>(pptr() - pbase());
    std::size_t upto = n;
    while (upto > 0 && buf_[upto - 1] != '\n') --upto;
    if (upto == 0) upto = n;  // a line longer than the buffer: no choice
    put(upto);
    std::memmove(buf_.data(), buf_.data() + upto, n - upto);
    setp(buf_.data(), buf_.data() + buf_.size());
    pbump(static_cast<int>(n - upto));
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    put(static_cast<std::size_t>(pptr() - pbase()));
    setp(buf_.data(), buf_.data() + buf_.size());
    return 0;  // a failure is reported by finish(), the stream stays usable
  }

 private:
  void put(std::size_t n) {
    if (!error().empty()) return;  // after a failure, results are dropped
    std::size_t done = 0;
    while (done < n) {
      ssize_t w = ::write(fd_, buf_.data() + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        int err = w < 0 ? errno : ENOSPC;
        // Only whole lines stay: cut back the part of one that went out.
        std::size_t line = done;
        while (line > 0 && buf_[line - 1] != '\n') --line;
        if (regular_ && line < done) {
          off_t at = ::lseek(fd_, 0, SEEK_CUR);
          if (at >= 0 && ::ftruncate(fd_, at - static_cast<off_t>(done - line)) == 0)
            ::lseek(fd_, at - static_cast<off_t>(done - line), SEEK_SET);
        }
        failed(err);
        return;
      }
      done += static_cast<std::size_t>(w);
    }
  }

  int fd_;
  bool regular_ = false;
  std::vector<char> buf_;
};

class ForwardGuard final : public Guard {
 public:
  ForwardGuard(std::streambuf* inner, std::atomic<int>& halt) : Guard(halt), inner_(inner) {}

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    errno = 0;
    if (traits_type::eq_int_type(inner_->sputc(traits_type::to_char_type(c)), traits_type::eof())) failed(errno);
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    errno = 0;
    if (inner_->sputn(s, n) != n) failed(errno);
    return n;
  }
  int sync() override {
    errno = 0;
    if (inner_->pubsync() != 0) failed(errno);
    return 0;
  }

 private:
  std::streambuf* inner_;
};

template <class Buf>
class Holder final : public GuardedOutput {
 public:
  template <class... A>
  explicit Holder(A&&... a) : buf_(std::forward<A>(a)...) {
    stream_.rdbuf(&buf_);
  }
  Buf buf_;
};

}  // namespace

std::unique_ptr<GuardedOutput> GuardedOutput::to_fd(int fd, std::atomic<int>& halt) {
  return std::make_unique<Holder<FdGuard>>(fd, halt);
}

std::unique_ptr<GuardedOutput> GuardedOutput::through(std::streambuf* inner, std::atomic<int>& halt) {
  return std::make_unique<Holder<ForwardGuard>>(inner, halt);
}

std::string GuardedOutput::finish() {
  stream_.flush();
  return static_cast<const Guard*>(stream_.rdbuf())->error();
}

}  // namespace flcommon
