#include "table_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>

namespace probe::model::detail {

namespace {

// No data table has lines this long; a file that does is not one of ours
// (and a binary file without newlines must not be read whole into a line).
constexpr std::size_t kMaxLine = 64 * 1024;
constexpr std::size_t kChunk = 256 * 1024;

struct GzClose {
  void operator()(gzFile f) const { gzclose(f); }
};

// Where a LineReader's bytes come from, decompressed: at most n into `to`;
// 0 at the end, -1 with error set if the data is damaged or unreadable.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual long read(char* to, std::size_t n, std::string& error) = 0;
  // At most this many bytes will come; SIZE_MAX if unknown.
  virtual std::size_t size_bound() const { return SIZE_MAX; }
};

// A file, gzip or plain (gzread passes plain files through).
class GzFileSource final : public ByteSource {
 public:
  explicit GzFileSource(gzFile f) : file_(f) {}
  long read(char* to, std::size_t n, std::string& error) override {
    int got = gzread(file_.get(), to, static_cast<unsigned>(n));
    int err = Z_OK;
    const char* msg = gzerror(file_.get(), &err);
    if (got < 0 || (err != Z_OK && err != Z_STREAM_END)) {
      // Z_BUF_ERROR at the end: the gzip stream stops in the middle.
      error = err == Z_BUF_ERROR ? "truncated gzip data" : std::string("cannot decompress: ") + msg;
      return -1;
    }
    return got;
  }

 private:
  std::unique_ptr<gzFile_s, GzClose> file_;
};

// Bytes in memory, read as gzread reads a file: gzip members one after
// another (what follows the last one ignored), anything else passed through.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : rest_(bytes) {
    gzip_ = is_gzip(rest_);
    if (gzip_ && inflateInit2(&z_, 15 + 16) != Z_OK) gzip_ = false;
    started_ = gzip_;
  }
  ~MemorySource() override {
    if (started_) inflateEnd(&z_);
  }
  MemorySource(const MemorySource&) = delete;
  MemorySource& operator=(const MemorySource&) = delete;

  long read(char* to, std::size_t n, std::string& error) override {
    if (!gzip_) {
      std::size_t k = std::min(n, rest_.size());
      std::memcpy(to, rest_.data(), k);
      rest_.remove_prefix(k);
      return static_cast<long>(k);
    }
    std::size_t out = 0;
    while (out < n && !done_) {
      const auto offered = static_cast<uInt>(std::min<std::size_t>(rest_.size(), UINT_MAX));
      z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(rest_.data()));
      z_.avail_in = offered;
      z_.next_out = reinterpret_cast<Bytef*>(to + out);
      z_.avail_out = static_cast<uInt>(std::min<std::size_t>(n - out, UINT_MAX));
      int rc = inflate(&z_, Z_NO_FLUSH);
      rest_.remove_prefix(offered - z_.avail_in);
      out = static_cast<std::size_t>(reinterpret_cast<char*>(z_.next_out) - to);
      if (rc == Z_STREAM_END) {
        if (is_gzip(rest_)) inflateReset(&z_);
        else done_ = true;
      } else if (rc == Z_BUF_ERROR && rest_.empty()) {
        if (out > 0) break;  // the lines so far first, as gzread gives them
        error = "truncated gzip data";
        return -1;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        error = std::string("cannot decompress: ") + (z_.msg ? z_.msg : "damaged gzip data");
        return -1;
      }
    }
    return static_cast<long>(out);
  }
  std::size_t size_bound() const override { return gzip_ ? SIZE_MAX : rest_.size(); }

 private:
  static bool is_gzip(std::string_view b) { return b.size() >= 2 && b[0] == '\x1f' && b[1] == '\x8b'; }

  std::string_view rest_;
  z_stream z_{};
  bool gzip_ = false;
  bool started_ = false;
  bool done_ = false;
};

// Lines of a ByteSource.
class LineReader {
 public:
  // The buffer is not value-initialised: it is only read where fill() wrote.
  // Plain bytes in memory need no more than their size (and the byte that
  // lets the reader see their end): the fuzzer's inputs are small.
  explicit LineReader(ByteSource& source)
      : source_(source),
        cap_(std::min(kSize, source.size_bound() == SIZE_MAX ? kSize : source.size_bound() + 1)),
        buf_(new char[cap_]) {}

  // The next line without its "\n" or "\r\n"; false at the end or on error().
  bool next(std::string_view& line) {
    while (true) {
      auto nl = static_cast<const char*>(std::memchr(buf_.get() + pos_, '\n', end_ - pos_));
      std::size_t len = nl != nullptr ? static_cast<std::size_t>(nl - (buf_.get() + pos_)) : end_ - pos_;
      if (len > kMaxLine) {
        error_ = "line longer than " + std::to_string(kMaxLine / 1024) + " KiB (not a text table?)";
        return false;
      }
      if (nl != nullptr) {
        line = take(len, len + 1);
        return true;
      }
      if (eof_) {
        if (pos_ == end_) return false;
        line = take(end_ - pos_, end_ - pos_);
        return true;
      }
      fill();
      if (!error_.empty()) return false;
    }
  }

  std::size_t line_number() const { return line_number_; }
  const std::string& error() const { return error_; }

 private:
  static constexpr std::size_t kSize = kChunk + kMaxLine;

  std::string_view take(std::size_t len, std::size_t consumed) {
    std::string_view line(buf_.get() + pos_, len);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ += consumed;
    ++line_number_;
    return line;
  }

  void fill() {
    std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
    long n = source_.read(buf_.get() + end_, cap_ - end_, error_);
    if (n < 0) return;
    if (n == 0) eof_ = true;
    end_ += static_cast<std::size_t>(n);
  }

  ByteSource& source_;
  std::size_t cap_;  // bytes at buf_: kSize, or less when the source is known to be smaller
  std::unique_ptr<char[]> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  std::size_t line_number_ = 0;
  std::string error_;
};

bool is_data(std::string_view line) {
  auto b = line.find_first_not_of(" \t");
  return b != std::string_view::npos && line[b] != '#';
}

Error input_error(std::string message) { return make_error(ErrorKind::input, std::move(message)); }

}  // namespace

Result<TableStats> read_table(const std::string& path, std::optional<std::string_view> bytes,
                              const std::string& expected,
                              const std::function<Result<LineParser>(std::string_view)>& choose) {
  std::unique_ptr<ByteSource> source;
  if (bytes) {
    source = std::make_unique<MemorySource>(*bytes);
  } else {
    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr) {
      int e = errno;
      return input_error("cannot read " + path + ": " + (e != 0 ? std::strerror(e) : "out of memory"));
    }
    gzbuffer(f, static_cast<unsigned>(kChunk));
    source = std::make_unique<GzFileSource>(f);
  }
  LineReader reader(*source);
  TableStats stats;
  LineParser parse;
  std::string_view line;
  bool any_line = false;
  while (reader.next(line)) {
    any_line = true;
    if (!is_data(line)) continue;
    if (!parse) {
      auto chosen = choose(line);
      if (!chosen)
        return input_error(path + ":" + std::to_string(reader.line_number()) + ": " + chosen.error().message);
      parse = std::move(*chosen);
    }
    ++stats.lines;
    auto fault = parse(line);
    if (!fault) continue;
    std::string at = path + ":" + std::to_string(reader.line_number()) + ": " + fault->what;
    // The first data line decides the format: if it does not parse, nothing will.
    if (stats.lines == 1 && !fault->fatal) return input_error(at + "; " + expected);
    if (fault->fatal) return input_error(at);
    if (stats.skipped++ == 0) stats.first_skipped = std::move(at);
  }
  if (!reader.error().empty())
    return input_error(path + ":" + std::to_string(reader.line_number() + 1) + ": " + reader.error());
  if (!any_line) return input_error(path + ": empty file");
  if (stats.lines == 0) return input_error(path + ": no data lines, only comments");
  if (stats.skipped > 10 && stats.skipped * 1000 > stats.lines)
    return input_error(path + ": " + std::to_string(stats.skipped) + " of " + std::to_string(stats.lines) +
                       " lines malformed, first at " + stats.first_skipped);
  return stats;
}

std::string shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) out += c >= 0x20 && c < 0x7f ? c : '?';
  if (s.size() > 40) out += "...";
  return out;
}

bool CsvLine::split(std::string_view line) {
  count_ = 0;
  std::size_t i = 0;
  while (true) {
    if (count_ == fields_.size()) fields_.emplace_back();
    std::string_view& field = fields_[count_++];
    if (i < line.size() && line[i] == '"') {
      auto close = line.find('"', ++i);
      if (close == std::string_view::npos) return false;
      if (close + 1 < line.size() && line[close + 1] == '"') {
        // An escaped quote: rebuild the field without the doubling.
        while (unescaped_.size() < count_) unescaped_.emplace_back();
        std::string& out = unescaped_[count_ - 1];
        out.clear();
        while (true) {
          if (close == std::string_view::npos) return false;
          out.append(line.substr(i, close - i));
          i = close + 1;
          if (i < line.size() && line[i] == '"') {
            out += '"';
            close = line.find('"', ++i);
            continue;
          }
          break;
        }
        field = out;
      } else {
        field = line.substr(i, close - i);
        i = close + 1;
      }
      if (i < line.size() && line[i] != ',') return false;
    } else {
      auto comma = line.find(',', i);
      if (comma == std::string_view::npos) comma = line.size();
      field = line.substr(i, comma - i);
      i = comma;
    }
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto at = line.find(sep, start);
    if (at == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, at - start));
    start = at + 1;
  }
}

std::optional<std::uint32_t> parse_u32(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > 0xffffffffULL) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

std::optional<std::string> parse_country(std::string_view s) {
  if (s.size() != 2) return std::nullopt;
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') return std::nullopt;
  }
  return out;
}

}  // namespace probe::model::detail
