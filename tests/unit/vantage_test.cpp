// SPDX-License-Identifier: BSD-2-Clause
// The one live and one replay set-up every tool uses: what needs no
// privilege (run keys, -S, replay, the offline -w file) tested here; the
// live sockets in the lab.

#include "probe/io/vantage.h"

#include <gtest/gtest.h>

#include <string>

#include "process.h"

namespace {

using probe::ErrorKind;
namespace io = probe::io;

// A pcap global header of link type `linktype` and no packets.
std::string pcap_header(unsigned char linktype) {
  std::string h("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00", 20);
  h += std::string{static_cast<char>(linktype), '\0', '\0', '\0'};
  return h;
}

TEST(Vantage, RunKeyKeepsAGivenSourcePortElseDrawsOne) {
  EXPECT_EQ(io::draw_run_key(std::uint16_t{33000}).sport, 33000);
  for (int i = 0; i < 100; ++i) {
    auto k = io::draw_run_key(std::nullopt);
    EXPECT_GE(k.sport, 40000);
    EXPECT_LT(k.sport, 60000);
  }
  EXPECT_NE(io::draw_run_key(std::nullopt).key, io::draw_run_key(std::nullopt).key);
}

TEST(Vantage, GivenSourceAndInterfaceNeedNoRouteLookup) {
  auto e = io::find_endpoint({"192.0.2.7", "veth9", false}, *probe::model::Address::parse("198.18.0.1"));
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->src.to_string(), "192.0.2.7");
  EXPECT_EQ(e->interface, "veth9");
  EXPECT_TRUE(e->no_route.empty());
}

TEST(Vantage, BadSourceIsAUsageError) {
  const auto toward = *probe::model::Address::parse("198.18.0.1");
  auto e = io::find_endpoint({"nonsense", "lo", false}, toward);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ErrorKind::usage);
  EXPECT_EQ(e.error().message, "bad source address 'nonsense'");
  // A source of the other family cannot send to the targets.
  e = io::find_endpoint({"2001:db8::1", "lo", false}, toward);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ErrorKind::usage);
  EXPECT_EQ(e.error().message, "bad source address '2001:db8::1' (not of the targets' family, IPv4)");
  e = io::find_endpoint({"198.18.0.1", "lo", false}, *probe::model::Address::parse("2001:db8::9"));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "bad source address '198.18.0.1' (not of the targets' family, IPv6)");
}

TEST(Vantage, ReplayRefusesALinkTypeWeCannotParse) {
  testsupport::TempDir dir;
  testsupport::write_file(dir.file("nflog.pcap"), pcap_header(239));
  auto v = io::open_replay(dir.file("nflog.pcap"));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().kind, ErrorKind::input);
  EXPECT_EQ(v.error().message, dir.file("nflog.pcap") + ": link type 239 (NFLOG) is not supported");
}

TEST(Vantage, ReplayOfAMissingFileNamesIt) {
  auto v = io::open_replay("/nonexistent/run.pcapng");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().kind, ErrorKind::input);
  EXPECT_EQ(v.error().message, "cannot read /nonexistent/run.pcapng: No such file or directory");
}

TEST(Vantage, ReplayHandsOverTheRunRecordAndDoesNothingWithSends) {
  testsupport::TempDir dir;
  const std::string path = dir.file("run.pcapng");
  ASSERT_TRUE(io::CaptureWriter::create(path, 1, "faultline run record")->get()->flush());
  auto v = io::open_replay(path);
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_TRUE(v->record);
  EXPECT_EQ(*v->record, "faultline run record");
  ASSERT_TRUE(v->source && v->sink && v->streams);
  EXPECT_FALSE(v->sink->paced());
  EXPECT_FALSE(v->writer);
  // A plain pcap has no section header: no record.
  testsupport::write_file(dir.file("plain.pcap"), pcap_header(1));
  auto plain = io::open_replay(dir.file("plain.pcap"));
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_FALSE(plain->record);
}

TEST(Vantage, OfflineOpensNoSocketButStillWritesTheRecord) {
  // fl-locate without a route toward the country: the finding is the capture.
  testsupport::TempDir dir;
  io::VantageSpec spec;
  spec.offline = true;
  spec.write_path = dir.file("run.pcapng");
  spec.record = "no route";
  auto v = io::open_vantage(spec);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_FALSE(v->source);
  EXPECT_FALSE(v->sink);
  ASSERT_TRUE(v->writer);
  ASSERT_TRUE(v->writer->flush());
  auto back = io::open_replay(spec.write_path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->source->linktype(), 1);
  EXPECT_EQ(back->record.value_or(""), "no route");
}

TEST(Vantage, UnwritableCaptureIsAnOutputError) {
  io::VantageSpec spec;
  spec.offline = true;
  spec.write_path = "/nonexistent/dir/run.pcapng";
  auto v = io::open_vantage(spec);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().kind, ErrorKind::output);
}

}  // namespace
