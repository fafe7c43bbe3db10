// SPDX-License-Identifier: BSD-2-Clause
// Our pcapng reader: several interfaces with their own link types and
// timestamp resolutions, both byte orders, and damage reported, not trusted.

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <vector>

#include "probe/engine/event_loop.h"
#include "probe/io/packet_source.h"
#include "process.h"

namespace {

using Bytes = std::vector<std::uint8_t>;

// Builds pcapng blocks in either byte order.
class Writer {
 public:
  explicit Writer(bool big_endian) : big_(big_endian) {}
  void u16(Bytes& b, std::uint16_t v) {
    if (big_) v = __builtin_bswap16(v);
    auto p = reinterpret_cast<std::uint8_t*>(&v);
    b.insert(b.end(), p, p + 2);
  }
  void u32(Bytes& b, std::uint32_t v) {
    if (big_) v = __builtin_bswap32(v);
    auto p = reinterpret_cast<std::uint8_t*>(&v);
    b.insert(b.end(), p, p + 4);
  }
  void block(std::uint32_t type, const Bytes& body, std::uint32_t length_override = 0) {
    Bytes padded = body;
    padded.resize((padded.size() + 3) & ~std::size_t{3}, 0);
    std::uint32_t len = length_override ? length_override : static_cast<std::uint32_t>(padded.size() + 12);
    u32(out, type);
    u32(out, len);
    out.insert(out.end(), padded.begin(), padded.end());
    u32(out, len);
  }
  void shb() {
    Bytes b;
    u32(b, 0x1A2B3C4D);
    u16(b, 1);
    u16(b, 0);
    for (int i = 0; i < 8; ++i) b.push_back(0xff);
    block(0x0A0D0D0A, b);
  }
  void idb(std::uint16_t linktype, int tsresol = -1) {
    Bytes b;
    u16(b, linktype);
    u16(b, 0);
    u32(b, 65535);
    if (tsresol >= 0) {
      u16(b, 9);
      u16(b, 1);
      b.push_back(static_cast<std::uint8_t>(tsresol));
      b.resize(b.size() + 3, 0);
    }
    u16(b, 0);
    u16(b, 0);
    block(1, b);
  }
  void epb(std::uint32_t iface, std::uint64_t ts, const Bytes& frame) {
    Bytes b;
    u32(b, iface);
    u32(b, static_cast<std::uint32_t>(ts >> 32));
    u32(b, static_cast<std::uint32_t>(ts));
    u32(b, static_cast<std::uint32_t>(frame.size()));
    u32(b, static_cast<std::uint32_t>(frame.size()));
    b.insert(b.end(), frame.begin(), frame.end());
    block(6, b);
  }
  Bytes out;

 private:
  bool big_;
};

// A minimal IPv4 header (20 bytes) and the same behind an Ethernet header.
Bytes ipv4() {
  return {0x45, 0, 0, 20, 0, 1, 0, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 200, 1};
}
Bytes ethernet() {
  Bytes b(12, 0);
  b.push_back(0x08);
  b.push_back(0x00);
  auto ip = ipv4();
  b.insert(b.end(), ip.begin(), ip.end());
  return b;
}

struct Read {
  std::vector<probe::io::RawPacket> frames;
  std::vector<Bytes> data;
  std::string error;
  int linktype = 0;
};

Read read_all(const Bytes& file) {
  testsupport::TempDir dir;
  testsupport::write_file(dir.file("f.pcapng"), std::string(file.begin(), file.end()));
  auto src = probe::io::open_file(dir.file("f.pcapng"));
  Read r;
  if (!src) {
    r.error = src.error().message;
    return r;
  }
  r.linktype = (*src)->linktype();
  while (auto p = (*src)->next(INT64_MAX)) {
    r.frames.push_back(*p);
    r.data.emplace_back(p->data, p->data + p->caplen);
  }
  r.error = (*src)->error();
  return r;
}

class PcapngReader : public ::testing::TestWithParam<bool> {};

TEST_P(PcapngReader, InterfacesKeepTheirLinkTypesAndResolutions) {
  Writer w(GetParam());
  w.shb();
  w.idb(1);        // Ethernet, microseconds
  w.idb(101, 9);   // raw IP, nanoseconds
  w.epb(0, 1795856400123456ULL, ethernet());
  w.epb(1, 1795856400123456789ULL, ipv4());
  auto r = read_all(w.out);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.linktype, 1);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].linktype, 1);
  EXPECT_EQ(r.frames[0].ts_us, 1795856400123456LL);
  EXPECT_EQ(r.data[0], ethernet());
  EXPECT_EQ(r.frames[1].linktype, 101);
  EXPECT_EQ(r.frames[1].ts_us, 1795856400123456LL);
  EXPECT_EQ(r.data[1], ipv4());
}

TEST_P(PcapngReader, ASecondSectionBringsItsOwnInterfaces) {
  Writer w(GetParam());
  w.shb();
  w.idb(1);
  w.epb(0, 1, ethernet());
  w.shb();
  w.idb(101);
  w.epb(0, 2, ipv4());
  auto r = read_all(w.out);
  ASSERT_EQ(r.frames.size(), 2u) << r.error;
  EXPECT_EQ(r.frames[1].linktype, 101);
}

// Replay reads the file through a 1 MiB buffer and hands frames over in
// batches of thousands from a read-ahead thread: frames across batch ends,
// a block larger than the buffer, and damage after many frames.
TEST_P(PcapngReader, ManyFramesAndABlockLargerThanTheBufferComeThroughWhole) {
  Writer w(GetParam());
  w.shb();
  w.idb(1);
  constexpr std::uint64_t kFrames = 20000;
  for (std::uint64_t i = 0; i < kFrames / 2; ++i) w.epb(0, 1000 + i, ethernet());
  w.block(0x0BAD, Bytes(3 << 20, 0x5a));  // a block type we skip, 3 MiB
  for (std::uint64_t i = kFrames / 2; i < kFrames; ++i) w.epb(0, 1000 + i, ethernet());
  w.out.insert(w.out.end(), {6, 0, 0, 0, 64, 0});  // and a truncated block
  auto r = read_all(w.out);
  ASSERT_EQ(r.frames.size(), kFrames);
  EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
  for (std::uint64_t i = 0; i < kFrames; ++i) {
    ASSERT_EQ(r.frames[i].ts_us, static_cast<std::int64_t>(1000 + i)) << i;
    ASSERT_EQ(r.data[i], ethernet()) << i;
  }
}

// File sources run the engine's stage on each frame on their read-ahead
// thread; what it prepared is what the engine would have parsed and
// classified itself.
TEST(PcapngParsedFrames, EqualWhatTheEngineWouldParse) {
  Writer w(false);
  w.shb();
  w.idb(1);
  w.idb(101);
  w.epb(0, 1, ethernet());
  w.epb(1, 2, ipv4());
  w.epb(0, 3, Bytes(30, 0));  // Ethernet, not IP
  Bytes bad = ipv4();
  bad[0] = 0x41;  // header length 4 bytes: not IP
  w.epb(1, 4, bad);
  // An ICMP echo request from 198.18.0.1: a probe, for the ICMP identity.
  w.epb(1, 5, {0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 198, 18, 0, 1, 198, 18, 200, 1, 8, 0, 0, 0, 0x12, 0x34, 0, 1});
  testsupport::TempDir dir;
  testsupport::write_file(dir.file("f.pcapng"), std::string(w.out.begin(), w.out.end()));
  auto src = probe::io::open_file(dir.file("f.pcapng"));
  ASSERT_TRUE(src) << src.error().message;
  // Classified for two identities of 198.18.0.1: UDP (the header-only UDP
  // frames carry no ports: nothing) and ICMP (the echo request).
  const std::vector<probe::match::Identity> ids = {
      {probe::model::Method::udp, *probe::model::Address::parse("198.18.0.1"), 0},
      {probe::model::Method::icmp, *probe::model::Address::parse("198.18.0.1"), 0}};
  auto stage = std::make_shared<probe::engine::ClassifyStage>(ids);
  ASSERT_TRUE((*src)->set_read_ahead(stage));
  std::vector<std::pair<bool, bool>> seen;
  int claimed = 0;
  while (auto p = (*src)->next(INT64_MAX)) {
    ASSERT_NE(p->slot, probe::io::RawPacket::kNoSlot);
    const auto& prepared = stage->at(p->slot);
    const probe::packet::ParsedFrame* parsed = &prepared.frame;
    probe::packet::ParsedFrame mine;
    probe::packet::parse_frame(p->linktype, p->data, p->caplen, mine);
    EXPECT_EQ(parsed->ip, mine.ip);
    EXPECT_EQ(parsed->ok, mine.ok);
    if (mine.ok) {
      EXPECT_EQ(parsed->datagram.ip.src, mine.datagram.ip.src);
      EXPECT_EQ(parsed->datagram.ip.dst, mine.datagram.ip.dst);
      EXPECT_EQ(parsed->datagram.ip.ttl, mine.datagram.ip.ttl);
      EXPECT_EQ(parsed->datagram.ip.proto, mine.datagram.ip.proto);
      ASSERT_EQ(prepared.evidence.size(), ids.size());
      for (std::size_t k = 0; k < ids.size(); ++k) {
        auto want = probe::match::classify(mine.datagram, ids[k]);
        ASSERT_EQ(prepared.evidence[k].has_value(), want.has_value()) << k;
        if (want) {
          EXPECT_EQ(prepared.evidence[k]->target, want->target);
          EXPECT_EQ(prepared.evidence[k]->token, want->token);
          ++claimed;
        }
      }
    } else {
      EXPECT_TRUE(prepared.evidence.empty());
    }
    seen.emplace_back(parsed->ip, parsed->ok);
  }
  EXPECT_FALSE((*src)->set_read_ahead(stage)) << "too late once reading started";
  const std::vector<std::pair<bool, bool>> want = {
      {true, true}, {true, true}, {false, false}, {true, false}, {true, true}};
  EXPECT_EQ(seen, want);
  EXPECT_EQ(claimed, 1);  // the echo request, as the ICMP identity's probe
}

INSTANTIATE_TEST_SUITE_P(ByteOrders, PcapngReader, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "big" : "little"; });

TEST(PcapngDamage, EachIsNamedAndWhatCameBeforeStands) {
  struct Case {
    const char* name;
    std::function<void(Writer&)> damage;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"bad length", [](Writer& w) { w.block(6, Bytes(24, 0), 13); }, "bad block length"},
      {"huge length", [](Writer& w) { w.block(6, Bytes(24, 0), 0x7ffffff0); }, "bad block length"},
      {"undeclared interface", [](Writer& w) { w.epb(7, 3, ipv4()); }, "undeclared interface 7"},
      {"truncated", [](Writer& w) { w.out.insert(w.out.end(), {6, 0, 0, 0, 64, 0}); }, "truncated"},
      // Ends past the end of a small file: the reader must not make room for it first.
      {"longer than the file", [](Writer& w) { w.block(6, Bytes(24, 0), 16u << 20); }, "truncated block"},
  };
  for (const auto& c : cases) {
    Writer w(false);
    w.shb();
    w.idb(1);
    w.epb(0, 1, ethernet());
    c.damage(w);
    auto r = read_all(w.out);
    EXPECT_EQ(r.frames.size(), 1u) << c.name;
    EXPECT_NE(r.error.find(c.says), std::string::npos) << c.name << ": " << r.error;
  }
}

// The buffer starts at the file's size (at most 1 MiB) and grows for a
// block larger than it: a big frame and the frames around it read whole.
TEST(PcapngReaderBuffer, FramesLargerThanTheBufferAndFilesLargerThanItReadWhole) {
  Writer w(false);
  w.shb();
  w.idb(101);
  Bytes big = ipv4();
  big.resize(3u << 19, 0xab);  // 1.5 MiB
  for (int i = 0; i < 40000; ++i) w.epb(0, static_cast<std::uint64_t>(i), ipv4());
  w.epb(0, 40000, big);
  w.epb(0, 40001, ipv4());
  ASSERT_GT(w.out.size(), 3u << 20);
  auto r = read_all(w.out);
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.frames.size(), 40002u);
  EXPECT_EQ(r.data[39999], ipv4());
  EXPECT_EQ(r.data[40000], big);
  EXPECT_EQ(r.data[40001], ipv4());
  EXPECT_EQ(r.frames[40001].ts_us, 40001);
}

TEST(PcapngDamage, NoSectionHeaderIsAnInputError) {
  Writer w(false);
  w.shb();
  w.out[8] = 0;  // break the byte-order magic
  auto r = read_all(w.out);
  EXPECT_NE(r.error.find("byte-order magic"), std::string::npos) << r.error;
  EXPECT_TRUE(r.frames.empty());
}

}  // namespace
