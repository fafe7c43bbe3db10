// SPDX-License-Identifier: BSD-2-Clause
#include "table_reader.h"

#include <zlib.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
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

// Lines of a gzip or plain file (gzread passes plain files through).
class LineReader {
 public:
  explicit LineReader(gzFile f) : file_(f) { buf_.resize(kChunk + kMaxLine); }

  // The next line without its "\n" or "\r\n"; false at the end or on error().
  bool next(std::string_view& line) {
    while (true) {
      auto nl = static_cast<const char*>(std::memchr(buf_.data() + pos_, '\n', end_ - pos_));
      std::size_t len = nl != nullptr ? static_cast<std::size_t>(nl - (buf_.data() + pos_)) : end_ - pos_;
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
  std::string_view take(std::size_t len, std::size_t consumed) {
    std::string_view line(buf_.data() + pos_, len);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ += consumed;
    ++line_number_;
    return line;
  }

  void fill() {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
    int n = gzread(file_.get(), buf_.data() + end_, static_cast<unsigned>(buf_.size() - end_));
    int err = Z_OK;
    const char* msg = gzerror(file_.get(), &err);
    if (n < 0 || (err != Z_OK && err != Z_STREAM_END)) {
      // Z_BUF_ERROR at the end: the gzip stream stops in the middle.
      error_ = err == Z_BUF_ERROR ? "truncated gzip data" : std::string("cannot decompress: ") + msg;
      return;
    }
    if (n == 0) eof_ = true;
    end_ += static_cast<std::size_t>(n);
    total_ += static_cast<std::uint64_t>(n);
    if (total_ > kMaxTableBytes) {
      error_ = "more than " + std::to_string(kMaxTableBytes >> 20) + " MiB uncompressed (the limit for a table)";
      return;
    }
    // gzoffset counts what was read from the file, read-ahead included: the
    // ratio is never overstated.
    const auto read = static_cast<std::uint64_t>(std::max<z_off_t>(gzoffset(file_.get()), 1));
    if (total_ > kRatioFrom && total_ > kMaxRatio * read)
      error_ = "decompresses to more than " + std::to_string(kMaxRatio) + " times its size (not a table: a gzip bomb?)";
  }

  std::unique_ptr<gzFile_s, GzClose> file_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  std::size_t line_number_ = 0;
  std::uint64_t total_ = 0;  // bytes uncompressed so far
  std::string error_;
};

bool is_data(std::string_view line) {
  auto b = line.find_first_not_of(" \t");
  return b != std::string_view::npos && line[b] != '#';
}

Error input_error(std::string message) { return make_error(ErrorKind::input, std::move(message)); }

}  // namespace

Result<TableStats> read_table(int fd, const std::string& path, const std::string& expected,
                              const std::function<Result<LineParser>(std::string_view)>& choose) {
  // gzclose closes what it was given: a copy, the caller keeps fd.
  int copy = dup(fd);
  gzFile f = copy >= 0 ? gzdopen(copy, "rb") : nullptr;
  if (f == nullptr) {
    int e = errno;
    if (copy >= 0) close(copy);
    return input_error("cannot read " + path + ": " + (e != 0 ? std::strerror(e) : "out of memory"));
  }
  gzbuffer(f, static_cast<unsigned>(kChunk));
  LineReader reader(f);
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
