// SPDX-License-Identifier: BSD-2-Clause
#include "sim_network.h"

#include "probe/packet/checksum.h"

namespace sim {

namespace {

std::uint32_t v4(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

void put_v4(std::uint8_t* p, const probe::model::Address& a) {
  std::uint32_t x = a.v4_host();
  for (int k = 0; k < 4; ++k) p[k] = static_cast<std::uint8_t>(x >> (24 - 8 * k));
}

// A 20-byte IPv4 header in front of `payload`, checksummed.
std::vector<std::uint8_t> ipv4(const probe::model::Address& from, const probe::model::Address& to, std::uint8_t ttl,
                               const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> p(20);
  std::size_t total = 20 + payload.size();
  p[0] = 0x45;
  p[2] = static_cast<std::uint8_t>(total >> 8);
  p[3] = static_cast<std::uint8_t>(total);
  p[8] = ttl;
  p[9] = 1;
  put_v4(&p[12], from);
  put_v4(&p[16], to);
  std::uint16_t c = probe::packet::internet_checksum(p.data(), 20);
  p[10] = static_cast<std::uint8_t>(c >> 8);
  p[11] = static_cast<std::uint8_t>(c);
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

void icmp_checksum(std::vector<std::uint8_t>& icmp) {
  icmp[2] = icmp[3] = 0;
  std::uint16_t c = probe::packet::internet_checksum(icmp.data(), icmp.size());
  icmp[2] = static_cast<std::uint8_t>(c >> 8);
  icmp[3] = static_cast<std::uint8_t>(c);
}

}  // namespace

void Network::add_block(const probe::model::Address& any_in_block, Block b) {
  blocks_[any_in_block.v4_host() >> 8] = std::move(b);
}

void Network::queue(std::int64_t ts, std::vector<std::uint8_t> bytes) {
  frames_.push(Frame{ts, seq_++, std::move(bytes)});
}

bool Network::send(const std::vector<std::uint8_t>& packet, const probe::model::Address& dst) {
  ++probes_;
  std::int64_t now = clock_.now_us();
  queue(now, packet);  // the capture sees it leave
  std::size_t ihl = std::size_t{packet[0] & 0x0fu} * 4;
  if (packet.size() < ihl + 8 || packet[9] != 1 || packet[ihl] != 8) return true;
  auto it = blocks_.find(v4(&packet[16]) >> 8);
  if (it == blocks_.end()) return true;
  const Block& b = it->second;
  std::uint8_t ttl = packet[8];
  std::size_t n = b.routers.size();
  if (ttl <= n) {
    std::vector<std::uint8_t> icmp = {11, 0, 0, 0, 0, 0, 0, 0};
    icmp.insert(icmp.end(), packet.begin(), packet.end());
    icmp_checksum(icmp);
    queue(now + ttl * rtt_per_hop_,
          ipv4(b.routers[ttl - 1], src_, static_cast<std::uint8_t>(64 - (ttl - 1)), icmp));
  } else if (!b.dark) {
    std::vector<std::uint8_t> icmp(packet.begin() + static_cast<long>(ihl), packet.end());
    icmp[0] = 0;
    icmp_checksum(icmp);
    queue(now + static_cast<std::int64_t>(n + 1) * rtt_per_hop_, ipv4(dst, src_, static_cast<std::uint8_t>(64 - n), icmp));
  }
  return true;
}

std::optional<probe::io::RawPacket> Network::next(std::int64_t deadline_us) {
  if (frames_.empty() || frames_.top().ts > deadline_us) {
    if (deadline_us != probe::sched::kNever) clock_.advance_to(deadline_us);
    return std::nullopt;
  }
  current_ = frames_.top().bytes;
  std::int64_t ts = frames_.top().ts;
  frames_.pop();
  clock_.advance_to(ts);
  probe::io::RawPacket p;
  p.ts_us = ts;
  p.data = current_.data();
  p.caplen = p.len = static_cast<std::uint32_t>(current_.size());
  p.linktype = 101;
  return p;
}

}  // namespace sim
