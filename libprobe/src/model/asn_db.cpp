// SPDX-License-Identifier: BSD-2-Clause
#include "probe/model/asn_db.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "probe/excerpt.h"
#include "range_builder.h"
#include "table_reader.h"

namespace probe::model {

namespace {

using detail::LineFault;
using detail::LineParser;

const char* const kAsnFormats =
    "expected an ip-location-db ASN CSV (first,last,asn,org), a CAIDA pfx2as file "
    "(prefix<TAB>length<TAB>asn) or RIR delegated-extended stats "
    "(registry|cc|type|start|value|date|status|opaque-id)";
const char* const kCountryFormats =
    "expected an ip-location-db country CSV (first,last,country_code) or RIR delegated stats "
    "(registry|cc|type|start|value|date|status[|opaque-id])";

std::optional<LineFault> fault(std::string what, bool fatal = false) {
  return LineFault{std::move(what), fatal};
}

Error unrecognised(const char* expected) {
  return make_error(ErrorKind::input, std::string("unrecognised table; ") + expected);
}

// first,last of a CSV row as an inclusive range of one family.
std::optional<LineFault> csv_range(std::string_view a, std::string_view b, Address& first, Address& last) {
  auto f = Address::parse(a);
  if (!f) return fault("'" + excerpt(a) + "' is not an IP address");
  auto l = Address::parse(b);
  if (!l) return fault("'" + excerpt(b) + "' is not an IP address");
  if (f->family() != l->family()) return fault("range " + excerpt(a) + "-" + excerpt(b) + " mixes IPv4 and IPv6");
  if (*l < *f) return fault("range " + excerpt(a) + "-" + excerpt(b) + " ends before it starts");
  first = *f;
  last = *l;
  return std::nullopt;
}

// The inclusive range of base/length (host bits of base ignored).
std::pair<Address, Address> prefix_range(const Address& base, int length) {
  using detail::U128;
  int host_bits = static_cast<int>(base.size() * 8) - length;
  U128 host = host_bits >= 128 ? detail::kU128Max : (U128{1} << host_bits) - 1;
  U128 first = detail::to_u128(base) & ~host;
  return {detail::from_u128(base.family(), first), detail::from_u128(base.family(), first | host)};
}

// One line of RIR delegated stats, as far as the tables need it.
struct RirRow {
  enum class Kind { other, asn, block } kind = Kind::other;  // other: header, summary, unused status
  std::string_view registry, cc, opaque_id;  // opaque_id empty in non-extended files
  std::uint32_t asn = 0;                     // first ASN of an asn row
  Address first, last;                       // a block's range
};

bool is_version(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789.") == std::string_view::npos;
}

std::optional<LineFault> parse_rir(std::string_view line, RirRow& row) {
  row = RirRow{};
  auto f = detail::split(line, '|');
  if (f.size() >= 6 && is_version(f[0])) return std::nullopt;  // version header
  if (f.size() == 6 && f[5] == "summary") return std::nullopt;
  if (f.size() < 7) return fault("expected registry|cc|type|start|value|date|status[|opaque-id]");
  row.registry = f[0];
  row.cc = f[1];
  auto type = f[2];
  if (type != "asn" && type != "ipv4" && type != "ipv6")
    return fault("unknown resource type '" + excerpt(type) + "'");
  // available and reserved space belongs to no one yet.
  if (f[6] != "allocated" && f[6] != "assigned") return std::nullopt;
  if (f.size() >= 8) row.opaque_id = f[7];
  if (type == "asn") {
    auto asn = detail::parse_u32(f[3]);
    if (!asn) return fault("'" + excerpt(f[3]) + "' is not an AS number");
    row.kind = RirRow::Kind::asn;
    row.asn = *asn;
    return std::nullopt;
  }
  auto start = Address::parse(f[3]);
  if (!start || start->is_v4() != (type == "ipv4"))
    return fault("'" + excerpt(f[3]) + "' is not an " + std::string(type) + " address");
  auto value = detail::parse_u32(f[4]);
  if (type == "ipv4") {
    // ipv4 rows count addresses, which need not be a power of two.
    if (!value || *value == 0 || std::uint64_t{start->v4_host()} + *value - 1 > 0xffffffffULL)
      return fault("bad ipv4 address count '" + excerpt(f[4]) + "'");
    row.first = *start;
    row.last = Address::v4(start->v4_host() + (*value - 1));
  } else {
    if (!value || *value > 128) return fault("bad ipv6 prefix length '" + excerpt(f[4]) + "'");
    std::tie(row.first, row.last) = prefix_range(*start, static_cast<int>(*value));
  }
  row.kind = RirRow::Kind::block;
  return std::nullopt;
}

// What a table's first data line shows of its format. The separator tells
// first, '|' before a tab before ',': an RIR row's opaque-id or a CSV
// organisation may hold the later ones. A CSV row shows whether it maps to
// AS numbers (third column a number) or to countries (two letters, no
// fourth column), so that each loader can refuse the other's table.
enum class FirstLine { rir, tab, asn_csv, country_csv, other_csv, unknown };

FirstLine first_line(std::string_view line, detail::CsvLine& csv) {
  if (line.find('|') != std::string_view::npos) return FirstLine::rir;
  if (line.find('\t') != std::string_view::npos) return FirstLine::tab;
  if (line.find(',') == std::string_view::npos) return FirstLine::unknown;
  if (csv.split(line) && csv.size() >= 3 && Address::parse(csv[0])) {
    if (csv.size() == 3 && detail::parse_country(csv[2])) return FirstLine::country_csv;
    if (detail::parse_u32(csv[2])) return FirstLine::asn_csv;
  }
  return FirstLine::other_csv;
}

// Reads the rest of the table with the loader's `parse`, its format named
// `name`.
template <class Loader>
LineParser use(Loader& loader, const char* name, std::optional<LineFault> (Loader::*parse)(std::string_view)) {
  loader.format = name;
  return [&loader, parse](std::string_view l) { return (loader.*parse)(l); };
}

Error wrong_table(const char* what) { return make_error(ErrorKind::input, what); }

// Ids of interned values by hash, open addressing. Interning half a million
// rows through std::unordered_map took a third of the load time (a node, a
// division and a cache miss or two per probe); here a probe reads one slot,
// which also holds a cheap exact part of the value (the AS number).
class IdIndex {
 public:
  // The id of the value whose part is `part` and that eq() accepts, else
  // make()'s new id.
  template <typename Eq, typename Make>
  std::uint32_t find_or_add(std::uint64_t hash, std::uint32_t part, Eq eq, Make make) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    auto tag = static_cast<std::uint32_t>(hash >> 32);
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = tag & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.id_plus_1 == 0) {
        std::uint32_t id = make();
        slot = Slot{tag, part, id + 1};
        ++count_;
        return id;
      }
      if (slot.tag == tag && slot.part == part && eq(slot.id_plus_1 - 1)) return slot.id_plus_1 - 1;
    }
  }

 private:
  struct Slot {
    std::uint32_t tag = 0;  // high half of the hash
    std::uint32_t part = 0;
    std::uint32_t id_plus_1 = 0;  // 0: empty
  };

  void grow() {
    std::vector<Slot> old(slots_.empty() ? 1024 : slots_.size() * 2);
    old.swap(slots_);
    std::size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.id_plus_1 == 0) continue;
      std::size_t i = slot.tag & mask;
      while (slots_[i].id_plus_1 != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::size_t count_ = 0;
};

// Builds an AsnDb's ranges and interned names from one file.
class AsnLoader {
 public:
  Result<LineParser> choose(std::string_view line) {
    switch (first_line(line, csv_)) {
      case FirstLine::rir: return use(*this, "rir delegated-extended", &AsnLoader::rir_line);
      case FirstLine::tab: return use(*this, "caida pfx2as", &AsnLoader::pfx2as_line);
      case FirstLine::asn_csv:
      case FirstLine::other_csv: return use(*this, "ip-location-db csv", &AsnLoader::csv_line);
      case FirstLine::country_csv:
        return wrong_table("an ip-location-db country table (first,last,country_code), not an IP to AS table");
      case FirstLine::unknown: break;
    }
    return unrecognised(kAsnFormats);
  }

  // Joins the RIR blocks to their organisation's AS, once every row is read.
  void finish() {
    for (const auto& b : blocks_) {
      auto asn = org_asn_.find(orgs_[b.org]);
      if (asn != org_asn_.end()) ranges.add(b.first, b.last, intern(asn->second, orgs_[b.org]));
    }
    blocks_ = {};
  }

  std::uint32_t intern(std::uint32_t asn, std::string_view name) {
    std::uint64_t name_hash = std::hash<std::string_view>{}(name);
    return entry_ids_.find_or_add(
        name_hash ^ (asn * 0x9e3779b97f4a7c15ULL), asn,
        [&](std::uint32_t e) { return names[entries[e].name] == name; },
        [&] {
          auto name_id = name_ids_.find_or_add(
              name_hash, static_cast<std::uint32_t>(name.size()), [&](std::uint32_t n) { return names[n] == name; },
              [&] {
                names.emplace_back(name);
                return static_cast<std::uint32_t>(names.size() - 1);
              });
          entries.push_back({asn, name_id});
          return static_cast<std::uint32_t>(entries.size() - 1);
        });
  }

  std::string format;
  detail::RangeBuilder ranges;
  std::vector<detail::AsEntry> entries;
  std::vector<std::string> names;

 private:
  std::optional<LineFault> csv_line(std::string_view line) {
    if (!csv_.split(line)) return fault("unbalanced quotes");
    if (csv_.size() < 3) return fault("expected first,last,asn,org");
    Address first, last;
    if (auto bad = csv_range(csv_[0], csv_[1], first, last)) return bad;
    auto asn = detail::parse_u32(csv_[2]);
    if (!asn) return fault("'" + excerpt(csv_[2]) + "' is not an AS number");
    std::string_view name = csv_.size() > 3 ? csv_[3] : std::string_view();
    if (csv_.size() > 4) {  // an unquoted org holding commas
      name_.assign(name);
      for (std::size_t i = 4; i < csv_.size(); ++i) name_.append(",").append(csv_[i]);
      name = name_;
    }
    ranges.add(first, last, intern(*asn, name));
    return std::nullopt;
  }

  std::optional<LineFault> pfx2as_line(std::string_view line) {
    auto f = detail::split(line, '\t');
    if (f.size() != 3) return fault("expected prefix<TAB>length<TAB>asn");
    auto base = Address::parse(f[0]);
    if (!base) return fault("'" + excerpt(f[0]) + "' is not an IP address");
    auto length = detail::parse_u32(f[1]);
    if (!length || *length > base->size() * 8) return fault("bad prefix length '" + excerpt(f[1]) + "'");
    // Multi-origin "1_2" and AS sets "1,2" (or both): the first AS stands for the prefix.
    if (f[2].find_first_not_of("0123456789_,") != std::string_view::npos)
      return fault("'" + excerpt(f[2]) + "' is not an AS number or set");
    auto asn = detail::parse_u32(f[2].substr(0, f[2].find_first_of("_,")));
    if (!asn) return fault("'" + excerpt(f[2]) + "' is not an AS number or set");
    auto [first, last] = prefix_range(*base, static_cast<int>(*length));
    ranges.add(first, last, intern(*asn, std::string_view()));
    return std::nullopt;
  }

  std::optional<LineFault> rir_line(std::string_view line) {
    RirRow row;
    if (auto bad = parse_rir(line, row)) return bad;
    if (row.kind == RirRow::Kind::other) return std::nullopt;
    if (row.opaque_id.empty()) {
      return fault("no opaque-id: AS numbers come from RIR delegated-extended stats, not plain delegated ones",
                   !seen_record_);
    }
    seen_record_ = true;
    std::string org = std::string(row.registry) + " " + std::string(row.opaque_id);
    if (row.kind == RirRow::Kind::asn) {
      auto [it, fresh] = org_asn_.try_emplace(org, row.asn);
      if (!fresh && row.asn < it->second) it->second = row.asn;
      return std::nullopt;
    }
    auto [it, fresh] = org_ids_.try_emplace(org, static_cast<std::uint32_t>(orgs_.size()));
    if (fresh) orgs_.push_back(org);
    blocks_.push_back({row.first, row.last, it->second});
    return std::nullopt;
  }

  struct Block {
    Address first, last;
    std::uint32_t org;  // index into orgs_
  };

  detail::CsvLine csv_;
  std::string name_;
  IdIndex entry_ids_;  // (asn, name) -> index into entries
  IdIndex name_ids_;   // name -> index into names
  bool seen_record_ = false;
  std::unordered_map<std::string, std::uint32_t> org_asn_;  // "registry opaque-id" -> lowest ASN
  std::unordered_map<std::string, std::uint32_t> org_ids_;
  std::vector<std::string> orgs_;
  std::vector<Block> blocks_;
};

class CountryLoader {
 public:
  Result<LineParser> choose(std::string_view line) {
    switch (first_line(line, csv_)) {
      case FirstLine::rir: return use(*this, "rir delegated", &CountryLoader::rir_line);
      case FirstLine::country_csv:
      case FirstLine::other_csv: return use(*this, "ip-location-db csv", &CountryLoader::csv_line);
      case FirstLine::tab: return wrong_table("a CAIDA pfx2as file has AS numbers, not countries");
      case FirstLine::asn_csv:
        return wrong_table("an ip-location-db ASN table (first,last,asn,org), not a country table");
      case FirstLine::unknown: break;
    }
    return unrecognised(kCountryFormats);
  }

  std::string format;
  detail::RangeBuilder ranges;
  std::vector<std::string> codes;

 private:
  std::uint32_t intern(const std::string& cc) {
    auto [it, fresh] = code_ids_.try_emplace(cc, static_cast<std::uint32_t>(codes.size()));
    if (fresh) codes.push_back(cc);
    return it->second;
  }

  std::optional<LineFault> csv_line(std::string_view line) {
    if (!csv_.split(line)) return fault("unbalanced quotes");
    if (csv_.size() != 3) return fault("expected first,last,country_code");
    Address first, last;
    if (auto bad = csv_range(csv_[0], csv_[1], first, last)) return bad;
    auto cc = detail::parse_country(csv_[2]);
    if (!cc) return fault("'" + excerpt(csv_[2]) + "' is not a two-letter country code");
    ranges.add(first, last, intern(*cc));
    return std::nullopt;
  }

  std::optional<LineFault> rir_line(std::string_view line) {
    RirRow row;
    if (auto bad = parse_rir(line, row)) return bad;
    if (row.kind != RirRow::Kind::block) return std::nullopt;
    // ZZ (or nothing) is the registries' "no country".
    if (row.cc.empty() || row.cc == "ZZ") return std::nullopt;
    auto cc = detail::parse_country(row.cc);
    if (!cc) return fault("'" + excerpt(row.cc) + "' is not a two-letter country code");
    ranges.add(row.first, row.last, intern(*cc));
    return std::nullopt;
  }

  detail::CsvLine csv_;
  std::unordered_map<std::string, std::uint32_t> code_ids_;
};

// Where the shipped tables are, in the order a user would look:
// FAULTLINE_DATA_DIR when set (and only there, so a wrong one is named in the
// error); beside the running program, BIN/../share/faultline, so that an
// install moved or unpacked away from its configured prefix finds its own
// copy; the configured prefix (another program linked to an installed
// libprobe); the source tree (a build never installed). secure_getenv: a
// program given capabilities reads the shipped table with its own rights,
// and the environment of whoever runs it must not choose that file.
std::string data_file(const char* name) {
  if (const char* dir = ::secure_getenv("FAULTLINE_DATA_DIR"); dir && *dir) return std::string(dir) + "/" + name;
  std::error_code ec;
  std::vector<std::filesystem::path> dirs;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path() / FL_DATA_FROM_BIN);
  dirs.emplace_back(FL_DATA_INSTALL_DIR);
  for (const auto& dir : dirs) {
    auto file = dir / name;
    if (std::filesystem::is_regular_file(file, ec)) return file.lexically_normal().string();
  }
  return std::string(FL_DATA_SOURCE_DIR) + "/" + name;
}

// A shipped table (or a test's): opened with the process's own rights.
template <class Db>
Result<Db> load_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorKind::input, "cannot read " + path + ": " + std::strerror(errno));
  auto db = Db::load(fd, path);
  ::close(fd);
  return db;
}

// A table in memory: written to an anonymous file, so that it goes through
// the one reader (gzip detection, caps) that files go through.
template <class Db>
Result<Db> load_bytes(std::string_view bytes, const std::string& name) {
  int fd = ::memfd_create("faultline-table", MFD_CLOEXEC);
  if (fd < 0) return make_error(ErrorKind::runtime, std::string("memfd_create: ") + std::strerror(errno));
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return make_error(ErrorKind::runtime, name + ": " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  auto db = Db::load(fd, name);
  ::close(fd);
  return db;
}

}  // namespace

Result<AsnDb> AsnDb::load(const std::string& path) { return load_path<AsnDb>(path); }

Result<AsnDb> AsnDb::parse(std::string_view bytes, const std::string& name) { return load_bytes<AsnDb>(bytes, name); }

Result<CountryDb> CountryDb::parse(std::string_view bytes, const std::string& name) {
  return load_bytes<CountryDb>(bytes, name);
}

Result<CountryDb> CountryDb::load(const std::string& path) { return load_path<CountryDb>(path); }

Result<AsnDb> AsnDb::load(int fd, const std::string& path) {
  AsnLoader loader;
  auto stats = detail::read_table(fd, path, kAsnFormats, [&loader](std::string_view l) { return loader.choose(l); });
  if (!stats) return stats.error();
  loader.finish();
  AsnDb db;
  db.ranges_ = loader.ranges.build();
  if (db.ranges_.size() == 0) {
    return make_error(ErrorKind::input, path + ": no address ranges" +
                                            (loader.format == "rir delegated-extended"
                                                 ? " (no block shares an opaque-id with an asn row)"
                                                 : ""));
  }
  db.entries_ = std::move(loader.entries);
  db.names_ = std::move(loader.names);
  db.entries_.shrink_to_fit();
  db.names_.shrink_to_fit();
  db.format_ = std::move(loader.format);
  db.skipped_ = stats->skipped;
  db.first_skipped_ = std::move(stats->first_skipped);
  return db;
}

std::optional<AsInfo> AsnDb::lookup(const Address& a) const {
  auto v = ranges_.find(a);
  if (!v) return std::nullopt;
  const auto& e = entries_[*v];
  return AsInfo{e.asn, names_[e.name]};
}

std::vector<Prefix> AsnDb::prefixes_of(std::uint32_t asn) const {
  return ranges_.prefixes([this, asn](std::uint32_t v) { return entries_[v].asn == asn; });
}

Result<CountryDb> CountryDb::load(int fd, const std::string& path) {
  CountryLoader loader;
  auto stats =
      detail::read_table(fd, path, kCountryFormats, [&loader](std::string_view l) { return loader.choose(l); });
  if (!stats) return stats.error();
  CountryDb db;
  db.ranges_ = loader.ranges.build();
  if (db.ranges_.size() == 0) return make_error(ErrorKind::input, path + ": no address ranges with a country");
  db.codes_ = std::move(loader.codes);
  db.format_ = std::move(loader.format);
  db.skipped_ = stats->skipped;
  db.first_skipped_ = std::move(stats->first_skipped);
  return db;
}

std::optional<std::string> CountryDb::lookup(const Address& a) const {
  auto v = ranges_.find(a);
  if (!v) return std::nullopt;
  return codes_[*v];
}

std::vector<Prefix> CountryDb::prefixes_of(const std::string& cc) const {
  auto want = detail::parse_country(cc);
  if (!want) return {};
  std::uint32_t id = 0;
  while (id < codes_.size() && codes_[id] != *want) ++id;
  if (id == codes_.size()) return {};
  return ranges_.prefixes([id](std::uint32_t v) { return v == id; });
}

std::string default_asn_db_path() { return data_file("asn.csv.gz"); }

std::string default_country_db_path() { return data_file("asn-country.csv.gz"); }

}  // namespace probe::model
