// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// IP address -> autonomous system and IP address -> country tables, loaded
/// from public data files (plain or gzip) and queried in memory.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/error.h"
#include "probe/model/address.h"

namespace probe::model {

/// Who announces or holds an address.
struct AsInfo {
  std::uint32_t asn = 0;
  std::string name;  ///< organisation; "" when the table has none (pfx2as)
};

namespace detail {

/// Sorted, non-overlapping inclusive address ranges, each carrying a value (an
/// index into its owner's table). Parallel arrays: 12 bytes per IPv4 range,
/// 36 per IPv6 range. Built by the loaders; not meant for direct use.
struct RangeIndex {
  std::vector<std::uint32_t> v4_first, v4_last, v4_value;  ///< host-order addresses
  std::vector<std::array<std::uint64_t, 2>> v6_first, v6_last;  ///< {high, low} 64 bits
  std::vector<std::uint32_t> v6_value;

  /// The value of the range holding a, if any.
  std::optional<std::uint32_t> find(const Address& a) const;
  /// The fewest CIDR blocks covering every range whose value passes keep(),
  /// adjacent ranges joined; IPv4 blocks first, each family in address order.
  std::vector<Prefix> prefixes(const std::function<bool(std::uint32_t)>& keep) const;
  std::size_t size() const { return v4_first.size() + v6_first.size(); }
};

/// What AsnDb and CountryDb keep besides their values: the ranges, and how
/// the file they came from read.
class RangeTable {
 public:
  /// Number of non-overlapping ranges after loading (adjacent ranges of the
  /// same value are joined).
  std::size_t size() const { return ranges_.size(); }
  /// The format detected from the first data line (see each load()).
  const std::string& format() const { return format_; }
  /// Malformed lines skipped while loading.
  std::size_t skipped() const { return skipped_; }
  /// "PATH:LINE: what is wrong" for the first skipped line; "" if none.
  const std::string& first_skipped() const { return first_skipped_; }

 protected:
  RangeIndex ranges_;  ///< values index the owner's table of values
  std::string format_;
  std::size_t skipped_ = 0;
  std::string first_skipped_;
};

/// One distinct (AS, organisation) pair of an AsnDb.
struct AsEntry {
  std::uint32_t asn = 0;
  std::uint32_t name = 0;  ///< index into the owner's names
};

}  // namespace detail

/// IP -> AS table. Where the source's ranges overlap (pfx2as: a /24 inside
/// another AS's /16), the narrowest range wins; equal ones, the earlier line.
class AsnDb : public detail::RangeTable {
 public:
  /// Loads one table (IPv4 and IPv6 rows may be mixed); the format is
  /// detected from the first data line and named by format():
  ///  - "ip-location-db csv": first,last,asn,org (org optional, may be quoted)
  ///  - "caida pfx2as": prefix<TAB>length<TAB>asn; for a multi-origin "1_2" or
  ///    an AS set "1,2" the first AS is taken
  ///  - "rir delegated-extended": each allocated/assigned ipv4/ipv6 block gets
  ///    the lowest ASN of the asn rows with the same registry and opaque-id,
  ///    name "<registry> <opaque-id>"; blocks with no such row are left out
  /// Plain or gzip (detected from the content, not the name). Lines starting
  /// with '#' and blank lines are ignored. An input error "PATH:LINE: ..." if
  /// the file cannot be read, is empty, its first data line matches none of
  /// the formats, it is another kind of table (a country table, non-extended
  /// delegated stats), or more than 10 and more than 0.1% of its lines are
  /// malformed. Fewer malformed lines are skipped and counted (skipped()).
  /// Refused past 512 MiB uncompressed, or (past 8 MiB) when it decompresses
  /// to more than 200 times what was read (a gzip bomb).
  /// By path with the process's own rights: for the shipped tables.
  static Result<AsnDb> load(const std::string& path);
  /// From an open descriptor (kept by the caller); path names it in
  /// messages. A table the user named is opened with io::open_as_invoker.
  static Result<AsnDb> load(int fd, const std::string& path);
  /// The same over a table already in memory (plain or gzip), read through
  /// the same reader and caps; `name` stands for the path in errors.
  static Result<AsnDb> parse(std::string_view bytes, const std::string& name);

  /// The AS of the narrowest range holding a.
  std::optional<AsInfo> lookup(const Address& a) const;
  /// Every block the table maps to asn, as the fewest CIDR blocks, sorted
  /// (IPv4 first).
  std::vector<Prefix> prefixes_of(std::uint32_t asn) const;

 private:
  std::vector<detail::AsEntry> entries_;  ///< what the ranges' values index: one per distinct (asn, name)
  std::vector<std::string> names_;        ///< one per distinct name
};

/// IP -> country table (ISO 3166-1 alpha-2 codes, upper case). Overlaps are
/// resolved as in AsnDb.
class CountryDb : public detail::RangeTable {
 public:
  /// Loads one table, format detected from the first data line:
  ///  - "ip-location-db csv": first,last,country_code
  ///  - "rir delegated": RIR delegated or delegated-extended stats; the
  ///    allocated/assigned ipv4/ipv6 rows with a two-letter code
  /// Plain or gzip; errors, caps and skipped lines as for AsnDb::load.
  static Result<CountryDb> load(const std::string& path);
  static Result<CountryDb> load(int fd, const std::string& path);
  /// The same over a table already in memory, as AsnDb::parse.
  static Result<CountryDb> parse(std::string_view bytes, const std::string& name);

  std::optional<std::string> lookup(const Address& a) const;
  /// Every block of country cc (any case), as the fewest CIDR blocks, sorted
  /// (IPv4 first).
  std::vector<Prefix> prefixes_of(const std::string& cc) const;

 private:
  std::vector<std::string> codes_;  ///< what the ranges' values index: the distinct country codes
};

/// The shipped IP -> AS snapshot (ip-location-db asn, IPv4 and IPv6): in
/// $FAULTLINE_DATA_DIR if set (not for a program run with capabilities),
/// else the installed copy beside the running program (BIN/../share/faultline),
/// else the one under the configured DATADIR/faultline, else the source
/// tree's data/ directory.
std::string default_asn_db_path();
/// The shipped IP -> country snapshot (ip-location-db asn-country), found
/// like default_asn_db_path().
std::string default_country_db_path();

}  // namespace probe::model
