// SPDX-License-Identifier: BSD-2-Clause
// The fast JSON writer (append_json, JsonLinesWriter) held to nlohmann:
// random traces, seeded, must print byte for byte what to_json().dump()
// prints. Every field of model/trace.h is drawn, with its extremes.
//
// A failure names its seed; FL_JSON_SEED=<seed> runs that case alone.

#include "probe/format/trace_json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <utility>

namespace {

using probe::model::Address;
using probe::model::Family;
using probe::model::Hop;
using probe::model::Inference;
using probe::model::Method;
using probe::model::MplsLabel;
using probe::model::ProbeRecord;
using probe::model::Reply;
using probe::model::ReplyKind;
using probe::model::StopReason;
using probe::model::Trace;

constexpr std::uint64_t kFirstSeed = 20261201;
constexpr int kCases = 4000;

// Draws from a mt19937_64 without <random>'s distributions, whose output
// the standard leaves to the library: a seed means the same trace anywhere.
class Gen {
 public:
  explicit Gen(std::uint64_t seed) : rng_(seed) {}

  std::uint64_t bits() { return rng_(); }
  /// Uniform enough in [0, n).
  std::uint64_t below(std::uint64_t n) { return rng_() % n; }
  bool one_in(std::uint64_t n) { return below(n) == 0; }

  /// Any T: often an edge (0, 1, max, max - 1), else any.
  template <typename T>
  T uint() {
    constexpr T kMax = std::numeric_limits<T>::max();
    switch (below(6)) {
      case 0: return 0;
      case 1: return 1;
      case 2: return kMax;
      case 3: return static_cast<T>(kMax - 1);
      default: return static_cast<T>(bits());
    }
  }

  /// A timestamp: an edge of int64 (and 0, -1), a plausible epoch value, or any.
  std::int64_t timestamp() {
    switch (below(8)) {
      case 0: return 0;
      case 1: return -1;
      case 2: return std::numeric_limits<std::int64_t>::max();
      case 3: return std::numeric_limits<std::int64_t>::min();
      case 4: return static_cast<std::int64_t>(bits());
      default: return 1764318125675841 + static_cast<std::int64_t>(below(86400000000));
    }
  }

  Address address() {
    std::uint8_t b[16] = {};
    switch (below(11)) {
      case 0: return Address{};  // never set
      case 1: return Address::v4(0xffffffffu);
      case 2: return Address::from_bytes(Family::v6, b);  // ::
      case 3: {  // v4-mapped, printed with a dotted quad
        b[10] = b[11] = 0xff;
        for (int i = 12; i < 16; ++i) b[i] = static_cast<std::uint8_t>(200 + below(56));
        return Address::from_bytes(Family::v6, b);
      }
      case 8:  // eight groups of four digits: the longest text (39 chars)
        for (auto& x : b) x = static_cast<std::uint8_t>(0x10 | bits());
        return Address::from_bytes(Family::v6, b);
      case 4:
      case 5: {  // v6 with runs of zero groups, compressed or not
        for (auto& x : b)
          if (!one_in(3)) x = static_cast<std::uint8_t>(bits());
        for (int g = 0; g < 8; ++g)
          if (one_in(2)) b[2 * g] = b[2 * g + 1] = 0;
        return Address::from_bytes(Family::v6, b);
      }
      case 6:
        for (auto& x : b) x = static_cast<std::uint8_t>(bits());
        return Address::from_bytes(Family::v6, b);
      default:
        return Address::v4(static_cast<std::uint32_t>(bits()));
    }
  }

  /// Valid UTF-8 (dump() throws on anything else) with whatever needs
  /// escaping: quotes, backslashes, every control character, DEL, and
  /// two-, three- and four-byte sequences.
  std::string text() {
    static const char* const kPieces[] = {"\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x7f",
                                          "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "paris",
                                          "multipath-paris", "scamper", " "};
    std::string s;
    std::uint64_t n = one_in(5) ? 0 : below(24);
    for (std::uint64_t i = 0; i < n; ++i) {
      switch (below(3)) {
        case 0: s += static_cast<char>(below(0x20)); break;           // a control character
        case 1: s += static_cast<char>(0x20 + below(0x5f)); break;    // printable ASCII
        default: s += kPieces[below(std::size(kPieces))];
      }
    }
    return s;
  }

  Reply reply(std::int64_t tx_us) {
    Reply r;
    r.addr = address();
    r.kind = static_cast<ReplyKind>(below(6));
    // rtt_us() = rx_us - tx_us must not overflow: huge, zero and negative
    // round trips, or an rx_us anywhere when the difference fits.
    std::int64_t rtt = 0;
    switch (below(5)) {
      case 0: rtt = 0; break;
      case 1: rtt = -static_cast<std::int64_t>(below(1000000)); break;
      case 2: rtt = std::numeric_limits<std::int64_t>::max() / 2 + static_cast<std::int64_t>(below(1000)); break;
      default: rtt = static_cast<std::int64_t>(below(10000000));
    }
    if (__builtin_add_overflow(tx_us, rtt, &r.rx_us)) r.rx_us = tx_us;
    r.icmp_type = uint<std::uint8_t>();
    r.icmp_code = uint<std::uint8_t>();
    r.tcp_flags = uint<std::uint8_t>();
    r.reply_ttl = uint<std::uint8_t>();
    r.reply_ipid = uint<std::uint16_t>();
    if (!one_in(3)) r.quoted_ttl = uint<std::uint8_t>();
    std::uint64_t labels = one_in(2) ? 0 : below(7);
    for (std::uint64_t i = 0; i < labels; ++i)
      r.mpls.push_back(MplsLabel{uint<std::uint32_t>(), uint<std::uint8_t>(), one_in(2), uint<std::uint8_t>()});
    return r;
  }

  ProbeRecord probe() {
    ProbeRecord p;
    p.ttl = uint<std::uint8_t>();
    p.attempt = uint<std::uint8_t>();
    p.token = uint<std::uint16_t>();
    p.tx_us = timestamp();
    if (!one_in(3)) p.reply = reply(p.tx_us);
    return p;
  }

  Trace trace() {
    Trace t;
    t.method = static_cast<Method>(below(4));
    t.src = address();
    t.dst = address();
    t.sport = uint<std::uint16_t>();
    t.dport = uint<std::uint16_t>();
    t.start_us = timestamp();
    t.stop_reason = static_cast<StopReason>(below(7));
    if (one_in(4)) t.inferred = Inference{text(), text(), one_in(2)};
    // Mostly short paths; now and then an empty trace or a long one with
    // many probes, to make the writer grow its buffer mid-trace.
    std::uint64_t hops = one_in(10) ? 0 : one_in(50) ? 255 : below(32);
    std::uint64_t max_probes = hops == 255 ? 9 : 4;
    for (std::uint64_t i = 0; i < hops; ++i) {
      Hop h;
      h.ttl = one_in(8) ? uint<std::uint8_t>() : static_cast<std::uint8_t>(i + 1);
      if (one_in(5)) h.inferred_addr = address();
      std::uint64_t probes = below(max_probes + 1);
      for (std::uint64_t k = 0; k < probes; ++k) h.probes.push_back(probe());
      t.hops.push_back(std::move(h));
    }
    return t;
  }

 private:
  std::mt19937_64 rng_;
};

std::string expected(const Trace& t) { return probe::format::to_json(t).dump(); }

std::size_t first_difference(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

// One writer for every case, so that its buffer is reused as in a campaign.
void check(std::uint64_t seed, probe::format::JsonLinesWriter& writer, std::ostringstream& lines) {
  Trace t = Gen(seed).trace();
  std::string want = expected(t);

  std::string appended = "prefix ";  // append_json appends, it does not replace
  probe::format::append_json(appended, t);
  ASSERT_EQ(appended, "prefix " + want) << "seed " << seed << " (FL_JSON_SEED=" << seed << "), first difference at byte "
                                        << first_difference(appended.substr(7), want) << "\n"
                                        << "fast:     " << appended.substr(7) << "\n"
                                        << "nlohmann: " << want;

  lines.str("");
  writer.write(t);
  ASSERT_EQ(lines.str(), want + "\n") << "JsonLinesWriter, seed " << seed << " (FL_JSON_SEED=" << seed
                                      << "), first difference at byte " << first_difference(lines.str(), want) << "\n"
                                      << "fast:     " << lines.str() << "nlohmann: " << want;
}

TEST(TraceJsonProperty, FastWriterPrintsWhatNlohmannDumps) {
  std::ostringstream lines;
  probe::format::JsonLinesWriter writer(lines);
  if (const char* only = std::getenv("FL_JSON_SEED")) {
    check(std::strtoull(only, nullptr, 10), writer, lines);
    return;
  }
  for (int i = 0; i < kCases; ++i) {
    check(kFirstSeed + static_cast<std::uint64_t>(i), writer, lines);
    if (HasFatalFailure()) return;
  }
}

// The generator reaches what it claims to: every field's edges turn up.
TEST(TraceJsonProperty, GeneratorCoversTheModel) {
  bool empty = false, v6 = false, long_v6 = false, inferred = false, inferred_hop = false, big_label = false,
       tcp = false, no_quote = false, negative_rtt = false, huge_rtt = false, ttl255 = false, no_reply = false;
  for (int i = 0; i < kCases; ++i) {
    Trace t = Gen(kFirstSeed + static_cast<std::uint64_t>(i)).trace();
    empty |= t.hops.empty();
    inferred |= t.inferred.has_value();
    for (const Address& a : {t.src, t.dst}) {
      v6 |= !a.is_v4();
      long_v6 |= a.to_string().size() == 39;
    }
    for (const Hop& h : t.hops) {
      inferred_hop |= h.inferred_addr.has_value();
      ttl255 |= h.ttl == 255;
      for (const ProbeRecord& p : h.probes) {
        no_reply |= !p.reply;
        if (!p.reply) continue;
        tcp |= p.reply->kind == ReplyKind::tcp_rst || p.reply->kind == ReplyKind::tcp_synack;
        no_quote |= !p.reply->quoted_ttl;
        negative_rtt |= p.rtt_us() < 0;
        huge_rtt |= p.rtt_us() > std::numeric_limits<std::int64_t>::max() / 2;
        for (const MplsLabel& l : p.reply->mpls) big_label |= l.label == std::numeric_limits<std::uint32_t>::max();
      }
    }
  }
  const std::pair<const char*, bool> seen[] = {
      {"empty trace", empty}, {"IPv6", v6}, {"39-character IPv6", long_v6}, {"inferred trace", inferred},
      {"inferred hop", inferred_hop}, {"label 2^32-1", big_label}, {"TCP reply", tcp},
      {"no quoted TTL", no_quote}, {"negative RTT", negative_rtt}, {"huge RTT", huge_rtt},
      {"TTL 255", ttl255}, {"probe without reply", no_reply}};
  for (const auto& [what, ok] : seen) EXPECT_TRUE(ok) << "never generated: " << what;
}

}  // namespace
