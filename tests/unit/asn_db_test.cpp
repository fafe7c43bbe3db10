// SPDX-License-Identifier: BSD-2-Clause
// IP -> AS and IP -> country tables: every accepted format, overlaps, errors,
// and a few facts of the shipped snapshot.

#include "probe/model/asn_db.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "process.h"

namespace {

using probe::ErrorKind;
using probe::model::Address;
using probe::model::AsnDb;
using probe::model::CountryDb;
using probe::model::Prefix;
using testsupport::TempDir;
using testsupport::write_file;

Address ip(const char* text) { return *Address::parse(text); }

std::vector<std::string> strings(const std::vector<Prefix>& v) {
  std::vector<std::string> out;
  for (const auto& p : v) out.push_back(p.to_string());
  return out;
}

void write_gz(const std::string& path, const std::string& content) {
  gzFile f = gzopen(path.c_str(), "wb9");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, content.data(), static_cast<unsigned>(content.size())), static_cast<int>(content.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

std::string asn_of(const AsnDb& db, const char* a) {
  auto info = db.lookup(ip(a));
  return info ? std::to_string(info->asn) + " " + info->name : "-";
}

// --- ip-location-db CSV ---

const char* const kAsnCsv =
    "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"
    "1.0.1.0,1.0.1.255,13335,\"Cloudflare, Inc.\"\n"
    "1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd\n"
    "2.26.200.0,2.26.215.255,201907,\"LLC \"\"SPUTNIK\"\"\"\n"
    "8.8.8.0,8.8.8.255,15169,Google LLC\n"
    "9.9.9.0,9.9.9.255,19281,\n"
    "2001:4860::,2001:4860:4804:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n"
    "2001:4860:4805::,2001:4860:4805:ffff:ffff:ffff:ffff:ffff,43515,Google Ireland Limited\n";

void expect_asn_csv(const AsnDb& db) {
  EXPECT_EQ(db.format(), "ip-location-db csv");
  EXPECT_EQ(db.skipped(), 0u);
  EXPECT_EQ(db.size(), 7u);  // the two Cloudflare rows join
  EXPECT_EQ(asn_of(db, "1.0.0.1"), "13335 Cloudflare, Inc.");
  EXPECT_EQ(asn_of(db, "1.0.1.255"), "13335 Cloudflare, Inc.");
  EXPECT_EQ(asn_of(db, "1.0.2.0"), "-");
  EXPECT_EQ(asn_of(db, "0.255.255.255"), "-");
  EXPECT_EQ(asn_of(db, "1.0.7.255"), "38803 Gtelecom Pty Ltd");
  EXPECT_EQ(asn_of(db, "2.26.201.1"), "201907 LLC \"SPUTNIK\"");
  EXPECT_EQ(asn_of(db, "9.9.9.9"), "19281 ");
  EXPECT_EQ(asn_of(db, "255.255.255.255"), "-");
  EXPECT_EQ(asn_of(db, "2001:4860:4804::8888"), "15169 Google LLC");
  EXPECT_EQ(asn_of(db, "2001:4860:4805::1"), "43515 Google Ireland Limited");
  EXPECT_EQ(asn_of(db, "2001:4860:4806::"), "-");
  EXPECT_EQ(asn_of(db, "::ffff:8.8.8.8"), "-");  // families are kept apart
  EXPECT_EQ(strings(db.prefixes_of(13335)), (std::vector<std::string>{"1.0.0.0/23"}));
  EXPECT_EQ(strings(db.prefixes_of(15169)),
            (std::vector<std::string>{"8.8.8.0/24", "2001:4860::/34", "2001:4860:4000::/37",
                                      "2001:4860:4800::/46", "2001:4860:4804::/48"}));
  EXPECT_TRUE(db.prefixes_of(64496).empty());
}

TEST(AsnDb, IpLocationDbCsvPlain) {
  TempDir dir;
  write_file(dir.file("asn.csv"), kAsnCsv);
  auto db = AsnDb::load(dir.file("asn.csv"));
  ASSERT_TRUE(db) << db.error().message;
  expect_asn_csv(*db);
}

TEST(AsnDb, IpLocationDbCsvGzipWhateverTheName) {
  TempDir dir;
  write_gz(dir.file("asn.csv.gz"), kAsnCsv);
  write_gz(dir.file("asn.csv"), kAsnCsv);
  for (const char* name : {"asn.csv.gz", "asn.csv"}) {
    auto db = AsnDb::load(dir.file(name));
    ASSERT_TRUE(db) << db.error().message;
    expect_asn_csv(*db);
  }
}

TEST(AsnDb, CsvCommentsCrlfAndUnquotedCommas) {
  TempDir dir;
  write_file(dir.file("a.csv"),
             "# made by hand\r\n\r\n198.18.0.0,198.18.0.255,64496,Example, Inc.\r\n"
             "198.18.1.0,198.18.1.255,64497\r\n");
  auto db = AsnDb::load(dir.file("a.csv"));
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(asn_of(*db, "198.18.0.9"), "64496 Example, Inc.");
  EXPECT_EQ(asn_of(*db, "198.18.1.9"), "64497 ");
}

TEST(AsnDb, PartlyOverlappingCsvRowsNarrowestWins) {
  // The real snapshot has this pair: the DoD /8-ish range runs into 215.0.0.0.
  TempDir dir;
  write_file(dir.file("a.csv"),
             "214.95.0.0,215.0.255.255,749,United States Department of Defense (DoD)\n"
             "215.0.0.0,215.1.3.255,721,DoD Network Information Center\n");
  auto db = AsnDb::load(dir.file("a.csv"));
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(db->lookup(ip("214.255.255.255"))->asn, 749u);
  EXPECT_EQ(db->lookup(ip("215.0.0.0"))->asn, 721u);
  EXPECT_EQ(db->lookup(ip("215.0.255.255"))->asn, 721u);
  EXPECT_EQ(db->lookup(ip("215.1.3.255"))->asn, 721u);
  EXPECT_FALSE(db->lookup(ip("215.1.4.0")));
  EXPECT_EQ(strings(db->prefixes_of(749)),
            (std::vector<std::string>{"214.95.0.0/16", "214.96.0.0/11", "214.128.0.0/9"}));
}

// --- CAIDA pfx2as ---

TEST(AsnDb, Pfx2asMostSpecificPrefixWins) {
  TempDir dir;
  // Unsorted on purpose: the /24 comes before the /16 and the /8 that hold it.
  write_gz(dir.file("rv2.pfx2as.gz"),
           "198.51.100.0\t24\t64500\n"
           "198.0.0.0\t8\t64501\n"
           "198.51.0.0\t16\t64502\n"
           "198.51.100.128\t25\t64502\n"
           "203.0.113.0\t24\t64503_64504\n"
           "192.0.2.0\t24\t64505,64506\n"
           "2001:db8::\t32\t64507\n"
           "2001:db8:1::\t48\t64508_64509,64510\n");
  auto db = AsnDb::load(dir.file("rv2.pfx2as.gz"));
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(db->format(), "caida pfx2as");
  EXPECT_EQ(asn_of(*db, "198.51.100.1"), "64500 ");
  EXPECT_EQ(asn_of(*db, "198.51.100.200"), "64502 ");
  EXPECT_EQ(asn_of(*db, "198.51.101.1"), "64502 ");
  EXPECT_EQ(asn_of(*db, "198.52.0.0"), "64501 ");
  EXPECT_EQ(asn_of(*db, "198.0.0.0"), "64501 ");
  EXPECT_EQ(asn_of(*db, "198.255.255.255"), "64501 ");
  EXPECT_EQ(asn_of(*db, "199.0.0.0"), "-");
  EXPECT_EQ(asn_of(*db, "203.0.113.9"), "64503 ");
  EXPECT_EQ(asn_of(*db, "192.0.2.9"), "64505 ");
  EXPECT_EQ(asn_of(*db, "2001:db8::1"), "64507 ");
  EXPECT_EQ(asn_of(*db, "2001:db8:1::1"), "64508 ");
  EXPECT_EQ(asn_of(*db, "2001:db8:2::1"), "64507 ");
  EXPECT_EQ(strings(db->prefixes_of(64500)), (std::vector<std::string>{"198.51.100.0/25"}));
  // The /16 without the /25 taken by 64500, but with the /25 it re-announces.
  EXPECT_EQ(strings(db->prefixes_of(64502)),
            (std::vector<std::string>{"198.51.0.0/18", "198.51.64.0/19", "198.51.96.0/22", "198.51.100.128/25",
                                      "198.51.101.0/24", "198.51.102.0/23", "198.51.104.0/21",
                                      "198.51.112.0/20", "198.51.128.0/17"}));
  EXPECT_EQ(strings(db->prefixes_of(64508)), (std::vector<std::string>{"2001:db8:1::/48"}));
  EXPECT_EQ(db->prefixes_of(64507).size(), 16u);  // a /32 with a /48 hole
}

TEST(AsnDb, Pfx2asBadLengthIsALineError) {
  TempDir dir;
  write_file(dir.file("p"), "198.51.100.0\t33\t64500\n");
  auto db = AsnDb::load(dir.file("p"));
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().kind, ErrorKind::input);
  EXPECT_NE(db.error().message.find(dir.file("p") + ":1: bad prefix length '33'"), std::string::npos)
      << db.error().message;
}

// --- RIR delegated-extended ---

const char* const kDelegatedExtended =
    "2.3|apnic|20260601|9|19830613|20260531|+1000\n"
    "# a comment\n"
    "apnic|*|asn|*|3|summary\n"
    "apnic|*|ipv4|*|4|summary\n"
    "apnic|*|ipv6|*|2|summary\n"
    "apnic|KP|asn|131279|1|20090119|allocated|A91A7381\n"
    "apnic|JP|asn|64500|2|20020801|allocated|A92E1062\n"
    "apnic|JP|asn|64499|1|20020801|assigned|A92E1062\n"
    "apnic|KP|ipv4|175.45.176.0|1024|20091119|allocated|A91A7381\n"
    "apnic|JP|ipv4|10.0.1.0|768|20110412|allocated|A92E1062\n"
    "apnic|AU|ipv4|10.9.0.0|256|20110811|assigned|A91872ED\n"
    "apnic|ZZ|ipv4|10.10.0.0|256||available|\n"
    "apnic|JP|ipv6|2001:db8::|32|20000426|allocated|A92E1062\n";

TEST(AsnDb, DelegatedExtendedJoinsBlocksToTheirOrgsAsn) {
  TempDir dir;
  write_file(dir.file("delegated-apnic-extended-latest"), kDelegatedExtended);
  auto db = AsnDb::load(dir.file("delegated-apnic-extended-latest"));
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(db->format(), "rir delegated-extended");
  EXPECT_EQ(db->skipped(), 0u);
  EXPECT_EQ(asn_of(*db, "175.45.176.1"), "131279 apnic A91A7381");
  EXPECT_EQ(asn_of(*db, "10.0.3.255"), "64499 apnic A92E1062");  // the lowest of the org's ASNs
  EXPECT_EQ(asn_of(*db, "10.9.0.1"), "-");                       // no asn row for A91872ED
  EXPECT_EQ(asn_of(*db, "10.10.0.1"), "-");                      // available space
  EXPECT_EQ(asn_of(*db, "2001:db8:ffff::1"), "64499 apnic A92E1062");
  EXPECT_EQ(strings(db->prefixes_of(64499)),
            (std::vector<std::string>{"10.0.1.0/24", "10.0.2.0/23", "2001:db8::/32"}));
  EXPECT_EQ(strings(db->prefixes_of(131279)), (std::vector<std::string>{"175.45.176.0/22"}));
}

TEST(AsnDb, PlainDelegatedStatsHaveNoAsJoin) {
  TempDir dir;
  write_file(dir.file("delegated"),
             "2|apnic|20260601|2|19830613|20260531|+1000\n"
             "apnic|KP|asn|131279|1|20090119|allocated\n"
             "apnic|KP|ipv4|175.45.176.0|1024|20091119|allocated\n");
  auto db = AsnDb::load(dir.file("delegated"));
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find(dir.file("delegated") + ":2: no opaque-id"), std::string::npos)
      << db.error().message;
  EXPECT_NE(db.error().message.find("delegated-extended"), std::string::npos);
}

TEST(AsnDb, DelegatedExtendedWithoutAnyJoinIsAnError) {
  TempDir dir;
  write_file(dir.file("d"), "apnic|AU|ipv4|10.9.0.0|256|20110811|assigned|A91872ED\n");
  auto db = AsnDb::load(dir.file("d"));
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find("no address ranges"), std::string::npos) << db.error().message;
}

// --- CountryDb ---

const char* const kCountryCsv =
    "1.0.0.0,1.0.0.255,AU\n"
    "1.0.1.0,1.0.3.255,CN\n"
    "175.45.176.0,175.45.179.255,KP\n"
    "175.45.180.0,175.45.180.255,kp\n"
    "2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,JP\n";

TEST(CountryDb, IpLocationDbCsvPlainAndGzip) {
  TempDir dir;
  write_file(dir.file("c.csv"), kCountryCsv);
  write_gz(dir.file("c.csv.gz"), kCountryCsv);
  for (const char* name : {"c.csv", "c.csv.gz"}) {
    auto db = CountryDb::load(dir.file(name));
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ(db->format(), "ip-location-db csv");
    EXPECT_EQ(db->size(), 4u);
    EXPECT_EQ(db->lookup(ip("1.0.0.1")), "AU");
    EXPECT_EQ(db->lookup(ip("1.0.2.1")), "CN");
    EXPECT_EQ(db->lookup(ip("175.45.180.255")), "KP");
    EXPECT_EQ(db->lookup(ip("175.45.181.0")), std::nullopt);
    EXPECT_EQ(db->lookup(ip("2001:200::1")), "JP");
    EXPECT_EQ(strings(db->prefixes_of("kp")), (std::vector<std::string>{"175.45.176.0/22", "175.45.180.0/24"}));
    EXPECT_EQ(strings(db->prefixes_of("CN")), (std::vector<std::string>{"1.0.1.0/24", "1.0.2.0/23"}));
    EXPECT_EQ(strings(db->prefixes_of("jp")), (std::vector<std::string>{"2001:200::/32"}));
    EXPECT_TRUE(db->prefixes_of("FR").empty());
    EXPECT_TRUE(db->prefixes_of("KPX").empty());
  }
}

TEST(CountryDb, DelegatedStatsPlainAndExtended) {
  TempDir dir;
  write_file(dir.file("ext"), kDelegatedExtended);
  write_gz(dir.file("plain.gz"),
           "2|apnic|20260601|2|19830613|20260531|+1000\n"
           "apnic|KP|ipv4|175.45.176.0|1024|20091119|allocated\n"
           "apnic|AU|ipv4|10.9.0.0|256|20110811|assigned\n"
           "apnic||ipv4|10.10.0.0|256||reserved\n"
           "apnic|JP|ipv6|2001:db8::|32|20000426|allocated\n");
  for (const char* name : {"ext", "plain.gz"}) {
    auto db = CountryDb::load(dir.file(name));
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ(db->format(), "rir delegated");
    EXPECT_EQ(db->lookup(ip("175.45.179.255")), "KP");
    EXPECT_EQ(db->lookup(ip("10.9.0.255")), "AU");  // no AS needed for a country
    EXPECT_EQ(db->lookup(ip("10.10.0.1")), std::nullopt);
    EXPECT_EQ(db->lookup(ip("2001:db8:1::")), "JP");
    EXPECT_EQ(strings(db->prefixes_of("KP")), (std::vector<std::string>{"175.45.176.0/22"}));
  }
}

// --- malformed input ---

struct BadFile {
  const char* name;
  std::string content;
  const char* message;  // part of the error
};

TEST(AsnDb, MalformedFilesAreInputErrors) {
  // A pcap file header, then bytes that happen to hold a comma, a bar and a newline.
  const char pcap_bytes[] =
      "\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00"
      "\x00\x00,\x00|\x00\n";
  const std::string pcap(pcap_bytes, sizeof pcap_bytes - 1);
  std::string junk;
  for (int i = 0; i < 3000; ++i) junk += static_cast<char>((i * 7919 + 13) % 256);
  const std::vector<BadFile> cases = {
      {"empty", "", ": empty file"},
      {"comments", "# nothing\n\n# here\n", ": no data lines"},
      {"pcap", pcap, ":1: "},
      {"junk", junk, ":1: "},
      {"text", "hello world\n", ":1: unrecognised table; expected an ip-location-db ASN CSV"},
      {"header", "first,last,asn,org\n1.0.0.0,1.0.0.255,13335,x\n", ":1: 'first' is not an IP address; expected"},
      {"country", kCountryCsv, ":1: an ip-location-db country table"},
      {"mixed", "1.0.0.0,::1,13335,x\n", ":1: range 1.0.0.0-::1 mixes IPv4 and IPv6"},
      {"reversed", "1.0.0.9,1.0.0.0,13335,x\n", ":1: range 1.0.0.9-1.0.0.0 ends before it starts"},
      {"quotes", "1.0.0.0,1.0.0.255,13335,\"x\n", ":1: unbalanced quotes"},
      {"asn", "1.0.0.0,1.0.0.255,AS13335,x\n", ":1: 'AS13335' is not an AS number"},
      {"bigasn", "1.0.0.0,1.0.0.255,4294967296,x\n", "is not an AS number"},
      {"longline", std::string(70000, '1') + "\n", ":1: line longer than 64 KiB"},
  };
  TempDir dir;
  for (const auto& c : cases) {
    write_file(dir.file(c.name), c.content);
    auto db = AsnDb::load(dir.file(c.name));
    ASSERT_FALSE(db) << c.name;
    EXPECT_EQ(db.error().kind, ErrorKind::input) << c.name;
    EXPECT_EQ(db.error().message.rfind(dir.file(c.name), 0), 0u) << c.name << ": " << db.error().message;
    EXPECT_NE(db.error().message.find(c.message), std::string::npos) << c.name << ": " << db.error().message;
  }
  auto none = AsnDb::load(dir.file("does-not-exist"));
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("cannot read " + dir.file("does-not-exist")), std::string::npos);
}

TEST(AsnDb, BinaryInputNamesTheAcceptedFormats) {
  TempDir dir;
  const char bytes[] = "\xd4\xc3\xb2\xa1\x02\x00\x04\x00junk\n";
  write_file(dir.file("capture.pcap"), std::string(bytes, sizeof bytes - 1));
  auto db = AsnDb::load(dir.file("capture.pcap"));
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find("pfx2as"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find("delegated-extended"), std::string::npos) << db.error().message;
  auto country = CountryDb::load(dir.file("capture.pcap"));
  ASSERT_FALSE(country);
  EXPECT_NE(country.error().message.find("country CSV"), std::string::npos) << country.error().message;
}

TEST(AsnDb, AStrayBadLineIsSkippedCountedAndLocated) {
  TempDir dir;
  write_file(dir.file("a.csv"),
             "1.0.0.0,1.0.0.255,13335,x\n"
             "# fine\n"
             "1.0.1.0,1.0.1.999,13335,x\n"
             "1.0.4.0,1.0.7.255,38803,y\n");
  auto db = AsnDb::load(dir.file("a.csv"));
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(db->skipped(), 1u);
  EXPECT_EQ(db->first_skipped(), dir.file("a.csv") + ":3: '1.0.1.999' is not an IP address");
  EXPECT_EQ(asn_of(*db, "1.0.4.1"), "38803 y");
  EXPECT_EQ(asn_of(*db, "1.0.1.1"), "-");
}

TEST(AsnDb, ManyBadLinesFailTheLoad) {
  TempDir dir;
  std::string content = "1.0.0.0,1.0.0.255,13335,x\n";
  for (int i = 0; i < 11; ++i) content += "1.0.1.0,1.0.1.255,oops,x\n";
  write_file(dir.file("a.csv"), content);
  auto db = AsnDb::load(dir.file("a.csv"));
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().message,
            dir.file("a.csv") + ": 11 of 12 lines malformed, first at " + dir.file("a.csv") +
                ":2: 'oops' is not an AS number");
}

TEST(AsnDb, TruncatedGzipIsAnError) {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 2000; ++i)
    content += "1.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ",1.0." + std::to_string(i / 256) +
               "." + std::to_string(i % 256) + "," + std::to_string(64496 + i) + ",org " + std::to_string(i) + "\n";
  write_gz(dir.file("full.gz"), content);
  std::string gz = testsupport::read_file(dir.file("full.gz"));
  write_file(dir.file("cut.gz"), gz.substr(0, gz.size() / 2));
  auto db = AsnDb::load(dir.file("cut.gz"));
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find("truncated gzip data"), std::string::npos) << db.error().message;
}

// The buffer entry point reads what load() reads from a file: plain, gzip,
// gzip members one after another, and a cut gzip stream is an error.
TEST(AsnDb, ParseReadsBytesAsLoadReadsAFile) {
  TempDir dir;
  write_gz(dir.file("a.gz"), kAsnCsv);
  const std::string gz = testsupport::read_file(dir.file("a.gz"));
  for (const std::string& bytes : {std::string(kAsnCsv), gz}) {
    auto db = AsnDb::parse(bytes, "mem");
    ASSERT_TRUE(db) << db.error().message;
    expect_asn_csv(*db);
  }
  const std::string half(kAsnCsv, std::strlen(kAsnCsv) / 2 + 2);
  write_gz(dir.file("b.gz"), half.substr(0, half.rfind('\n') + 1));
  write_gz(dir.file("c.gz"), std::string(kAsnCsv).substr(half.rfind('\n') + 1));
  auto two = AsnDb::parse(testsupport::read_file(dir.file("b.gz")) + testsupport::read_file(dir.file("c.gz")), "mem");
  ASSERT_TRUE(two) << two.error().message;
  expect_asn_csv(*two);
  auto cut = AsnDb::parse(gz.substr(0, gz.size() / 2), "mem");
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("mem:"), std::string::npos) << cut.error().message;
  auto country = CountryDb::parse(kCountryCsv, "mem");
  ASSERT_TRUE(country) << country.error().message;
  EXPECT_EQ(country->lookup(ip("175.45.180.1")), std::optional<std::string>("KP"));
}

TEST(CountryDb, MalformedFilesAreInputErrors) {
  const std::vector<BadFile> cases = {
      {"empty", "", ": empty file"},
      {"asn", kAsnCsv, ":1: an ip-location-db ASN table"},
      {"pfx2as", "198.51.100.0\t24\t64500\n", ":1: a CAIDA pfx2as file has AS numbers, not countries"},
      {"code", "1.0.0.0,1.0.0.255,AUS\n", ":1: 'AUS' is not a two-letter country code"},
      {"columns", "1.0.0.0,1.0.0.255,AU,x\n", ":1: expected first,last,country_code"},
      {"rir", "apnic|K1|ipv4|175.45.176.0|1024|20091119|allocated\n", ":1: 'K1' is not a two-letter country code"},
      {"rirtype", "apnic|KP|ipv5|175.45.176.0|1024|20091119|allocated\n", ":1: unknown resource type 'ipv5'"},
      {"rircount", "apnic|KP|ipv4|175.45.176.0|0|20091119|allocated\n", ":1: bad ipv4 address count '0'"},
      {"rirwrap", "apnic|KP|ipv4|255.255.255.0|257|20091119|allocated\n", ":1: bad ipv4 address count '257'"},
      {"rirv6", "apnic|JP|ipv6|10.0.0.0|32|20000426|allocated\n", ":1: '10.0.0.0' is not an ipv6 address"},
  };
  TempDir dir;
  for (const auto& c : cases) {
    write_file(dir.file(c.name), c.content);
    auto db = CountryDb::load(dir.file(c.name));
    ASSERT_FALSE(db) << c.name;
    EXPECT_EQ(db.error().kind, ErrorKind::input) << c.name;
    EXPECT_NE(db.error().message.find(dir.file(c.name) + c.message), std::string::npos)
        << c.name << ": " << db.error().message;
  }
}

// --- the shipped snapshot (data/) ---

// The source tree's copy, not default_*_path(): an older installed snapshot
// must not decide these facts.
const std::string kDataDir = FL_DATA_DIR;

TEST(ShippedSnapshot, DefaultPathsNameExistingFiles) {
  for (const auto& path : {probe::model::default_asn_db_path(), probe::model::default_country_db_path()}) {
    EXPECT_EQ(testsupport::read_file(path).substr(0, 2), "\x1f\x8b") << path;  // gzip
  }
  EXPECT_EQ(probe::model::default_asn_db_path().substr(probe::model::default_asn_db_path().rfind('/')),
            "/asn.csv.gz");
  EXPECT_EQ(probe::model::default_country_db_path().substr(probe::model::default_country_db_path().rfind('/')),
            "/asn-country.csv.gz");
}

TEST(ShippedSnapshot, AsnTable) {
  auto db = AsnDb::load(kDataDir + "/asn.csv.gz");
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(db->format(), "ip-location-db csv");
  EXPECT_EQ(db->skipped(), 0u) << db->first_skipped();
  EXPECT_GT(db->size(), 400000u);
  EXPECT_EQ(asn_of(*db, "8.8.8.8"), "15169 Google LLC");
  EXPECT_EQ(asn_of(*db, "1.1.1.1"), "13335 Cloudflare, Inc.");
  EXPECT_EQ(asn_of(*db, "175.45.176.1"), "131279 Star Joint Venture Co. Ltd.");
  EXPECT_EQ(asn_of(*db, "2001:4860:4860::8888"), "15169 Google LLC");
  EXPECT_EQ(db->lookup(ip("2606:4700:4700::1111"))->asn, 13335u);
  EXPECT_EQ(strings(db->prefixes_of(131279)), (std::vector<std::string>{"175.45.176.0/22"}));
  // The snapshot's one overlap (214.95.0.0-215.0.255.255 AS749 over AS721's 215.0.0.0-215.1.3.255).
  EXPECT_EQ(db->lookup(ip("214.255.255.255"))->asn, 749u);
  EXPECT_EQ(db->lookup(ip("215.0.0.1"))->asn, 721u);
  EXPECT_FALSE(db->lookup(ip("10.0.0.1")));
}

TEST(ShippedSnapshot, CountryTable) {
  auto db = CountryDb::load(kDataDir + "/asn-country.csv.gz");
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(db->skipped(), 0u) << db->first_skipped();
  EXPECT_EQ(db->lookup(ip("175.45.176.1")), "KP");
  auto kp = strings(db->prefixes_of("KP"));
  EXPECT_NE(std::find(kp.begin(), kp.end(), "175.45.176.0/22"), kp.end());
  EXPECT_EQ(kp, (std::vector<std::string>{"175.45.176.0/22"}));  // the whole of KP in this snapshot
  EXPECT_EQ(db->lookup(ip("2001:200::1")), "JP");
  EXPECT_FALSE(db->lookup(ip("10.0.0.1")));
}

}  // namespace
