// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: the IP->AS and IP->country tables (ip-location-db CSV,
// CAIDA pfx2as, RIR delegated stats; plain or gzip), both loaders over the
// same bytes. What a loaded table answers for an address, its blocks of
// that AS or country must cover.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "probe/model/asn_db.h"

namespace {

using probe::model::Address;
using probe::model::Prefix;

bool covered(const std::vector<Prefix>& blocks, const Address& a) {
  for (const auto& p : blocks)
    if (p.contains(a)) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static const std::vector<Address> probes = [] {
    std::vector<Address> v;
    for (const char* s : {"0.0.0.0", "1.0.0.1", "10.1.2.3", "198.18.4.1", "255.255.255.255", "::", "2001:db8::1",
                          "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"})
      v.push_back(*Address::parse(s));
    return v;
  }();
  if (auto db = probe::model::AsnDb::parse(bytes, "fuzz")) {
    for (const auto& a : probes)
      if (auto as = db->lookup(a); as && !covered(db->prefixes_of(as->asn), a)) std::abort();
  }
  if (auto db = probe::model::CountryDb::parse(bytes, "fuzz")) {
    for (const auto& a : probes)
      if (auto cc = db->lookup(a); cc && !covered(db->prefixes_of(*cc), a)) std::abort();
  }
  return 0;
}
