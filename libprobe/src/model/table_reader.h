// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// Reading line-oriented data tables (plain or gzip) with one policy for bad
// lines; small field splitters shared by the table formats.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/error.h"

namespace probe::model::detail {

// What is wrong with one line; fatal stops the load (the file is not usable
// at all), otherwise the line is skipped and counted.
struct LineFault {
  std::string what;
  bool fatal = false;
};

using LineParser = std::function<std::optional<LineFault>(std::string_view line)>;

struct TableStats {
  std::size_t lines = 0;    // data lines (not blank, not '#')
  std::size_t skipped = 0;  // malformed data lines left out
  std::string first_skipped;  // "PATH:LINE: what" of the first one
};

// Caps on a table (plain or gzip), so a hostile file cannot make memory or
// time grow without bound: at most kMaxTableBytes once uncompressed, and
// past kRatioFrom uncompressed bytes at most kMaxRatio times what was read
// from the file (real tables compress about 5:1; a gzip bomb 1000:1).
inline constexpr std::uint64_t kMaxTableBytes = std::uint64_t{512} << 20;
inline constexpr std::uint64_t kRatioFrom = std::uint64_t{8} << 20;
inline constexpr std::uint64_t kMaxRatio = 200;

// Reads fd (gzip or plain; path names it in messages) and hands every data
// line to a parser. The caller keeps fd.
// choose() sees the first data line and returns the parser for the file, or
// an error saying why the line is no known format; the first line must then
// also parse, else the error names the expected formats. Errors are
// ErrorKind::input "PATH[:LINE]: ...".
Result<TableStats> read_table(int fd, const std::string& path, const std::string& expected,
                              const std::function<Result<LineParser>(std::string_view)>& choose);

// One CSV line split into fields (RFC 4180 quotes, "" inside quotes, no
// line breaks inside fields). Fields view the line, or a buffer of this
// object for quoted fields that hold "": valid until the next split().
class CsvLine {
 public:
  // False if a quote is unbalanced or followed by something other than a comma.
  bool split(std::string_view line);
  std::size_t size() const { return count_; }
  std::string_view operator[](std::size_t i) const { return fields_[i]; }

 private:
  std::vector<std::string_view> fields_;
  std::deque<std::string> unescaped_;  // a deque: growing it moves no string
  std::size_t count_ = 0;
};

// Splits on sep; no quoting.
std::vector<std::string_view> split(std::string_view line, char sep);

// Decimal digits only, at most 2^32-1.
std::optional<std::uint32_t> parse_u32(std::string_view s);

// Two ASCII letters, returned upper-case.
std::optional<std::string> parse_country(std::string_view s);

}  // namespace probe::model::detail
