#include "scenarios.h"

#include <map>

namespace probe::lab {
namespace {

// vp - r1 - r2 - r3 - dst. Links get 198.18.0.0/30, .4/30, .8/30, .12/30:
// hop 1 = 198.18.0.2 (r1), hop 2 = 198.18.0.6 (r2), hop 3 = 198.18.0.10 (r3),
// and the destination answers from the target address itself.
const char* const kChain = R"(
node vp
node r1 router
node r2 router
node r3 router
node dst
link vp r1
link r1 r2
link r2 r3
link r3 dst
route vp default r1
route r1 198.18.200.0/24 r2
route r2 198.18.200.0/24 r3
route r3 198.18.200.0/24 dst
route r2 198.18.0.0/24 r1
route r3 198.18.0.0/24 r2
route dst default r3
block dst 198.18.200.0/24
)";

// Two parallel branches of two routers each (a1-a2, b1-b2) between r1 and the
// join router j. r1 hashes on the 5-tuple, so a flow keeps one branch while
// a classic traceroute (ports change per probe) jumps between them.
// Hops: 1 r1 198.18.0.2; 2 a1 198.18.0.6 | b1 198.18.0.10;
// 3 a2 198.18.0.14 | b2 198.18.0.18; 4 j 198.18.0.22 (returns via a2); 5 dst.
// ICMP rate limits are off: the scenario is about paths, and 16 traces at
// once would otherwise lose most of r1's time-exceeded messages.
const char* const kEcmp = R"(
node vp
node r1 router
node a1 router
node a2 router
node b1 router
node b2 router
node j router
node dst
link vp r1
link r1 a1
link r1 b1
link a1 a2
link b1 b2
link a2 j
link b2 j
link j dst
route vp default r1
sysctl r1 net.ipv4.fib_multipath_hash_policy=1
route r1 198.18.200.0/24 a1 b1
route a1 198.18.200.0/24 a2
route b1 198.18.200.0/24 b2
route a2 198.18.200.0/24 j
route b2 198.18.200.0/24 j
route j 198.18.200.0/24 dst
route a1 198.18.0.0/24 r1
route b1 198.18.0.0/24 r1
route a2 198.18.0.0/24 a1
route b2 198.18.0.0/24 b1
route j 198.18.0.0/24 a2
route dst default j
block dst 198.18.200.0/24
icmp-unlimited *
)";


// DNS: vp - r1 - r2 - gw - {ns1, ns2}, and the parent server p beside r1.
// Links: vp .1 | r1 .2; r1 .5 | p .6; r1 .9 | r2 .10; r2 .13 | gw .14;
// gw .17 | ns1 .18; gw .21 | ns2 .22. The parent `test.` is served at
// 198.18.200.53 (p) and delegates lab.test to ns1.lab.test 198.18.201.1 and
// ns2.lab.test 198.18.201.2, the "national" network 198.18.201.0/24 behind
// gw. From vp: hop 1 r1 .2, hop 2 r2 .10, hop 3 gw .14, hop 4 the server.
const char* const kDnsNet = R"(
node vp
node r1 router
node p
node r2 router
node gw router
node ns1
node ns2
link vp r1
link r1 p
link r1 r2
link r2 gw
link gw ns1
link gw ns2
route vp default r1
route p default r1
route r1 198.18.200.53/32 p
route r1 198.18.201.0/24 r2
route r2 198.18.0.0/24 r1
route r2 198.18.200.0/24 r1
route gw 198.18.201.1/32 ns1
route gw 198.18.201.2/32 ns2
route gw default r2
route ns1 default gw
route ns2 default gw
block p 198.18.200.53/32
block ns1 198.18.201.1/32
block ns2 198.18.201.2/32
)";

const char* const kParentZone = R"(zone parent
$ORIGIN test.
$TTL 3600
@ IN SOA ns.test. hostmaster.test. 2026010100 3600 600 86400 300
@ IN NS ns.test.
ns IN A 198.18.200.53
lab IN NS ns1.lab.test.
lab IN NS ns2.lab.test.
ns1.lab IN A 198.18.201.1
ns2.lab IN A 198.18.201.2
end
)";

// The child zone; `extra` adds records (another NS for the inconsistent case).
std::string child_zone(const std::string& key, const std::string& extra) {
  std::string z = "zone " + key + "\n"
                  "$ORIGIN lab.test.\n$TTL 300\n"
                  "@ IN SOA ns1.lab.test. hostmaster.lab.test. 2026010101 3600 600 86400 300\n"
                  "@ IN NS ns1.lab.test.\n@ IN NS ns2.lab.test.\n"
                  "ns1 IN A 198.18.201.1\nns2 IN A 198.18.201.2\nwww IN A 198.18.201.80\n"
                  "www IN AAAA 2001:db8::80\n@ IN MX 10 mail.lab.test.\nmail IN A 198.18.201.25\n"
                  "@ IN TXT \"v=spf1 -all\"\n";
  // big.lab.test TXT: 40 strings of 60 bytes, far over 1232 bytes: TC over UDP.
  for (int i = 0; i < 40; ++i)
    z += "big IN TXT \"" + std::to_string(100 + i) + std::string(57, 'x') + "\"\n";
  return z + extra + "end\n";
}

const char* const kOtherZone = R"(zone other
$ORIGIN other.test.
$TTL 300
@ IN SOA ns2.other.test. hostmaster.other.test. 1 3600 600 86400 300
@ IN NS ns2.other.test.
ns2 IN A 198.18.201.2
end
)";

std::string dns_lab(const std::string& ns2_line, const std::string& extra = "",
                    const std::string& r2_route = "route r2 198.18.201.0/24 gw\n") {
  return std::string(kDnsNet) + r2_route + kParentZone + child_zone("child", "") +
         child_zone("child3", "@ IN NS ns3.lab.test.\nns3 IN A 198.18.201.3\n") + kOtherZone +
         "nsd p 198.18.200.53 test=parent\n"
         "nsd ns1 198.18.201.1 lab.test=child\n" +
         ns2_line + extra;
}

// Replaces the route line of `node` for the block by `replacement`.
std::string replace_block_route(std::string text, const std::string& node, const std::string& replacement) {
  const std::string head = "route " + node + " 198.18.200.0/24 ";
  const auto at = text.find(head);
  const auto end = text.find('\n', at);
  return text.replace(at, end - at, replacement);
}

struct Entry {
  std::string summary;
  std::string text;
};

std::map<std::string, Entry> build_all() {
  std::map<std::string, Entry> all;
  const std::string chain = kChain;
  all["chain"] = {"vp-r1-r2-r3-dst, no fault: every method completes at hop 4", chain};
  all["chain-unlimited"] = {"chain with ICMP rate limits off everywhere (for many targets at high rate)",
                            chain + "icmp-unlimited *\n"};
  for (int k = 1; k <= 3; ++k) {
    const std::string r = "r" + std::to_string(k);
    const std::string hop = "-hop" + std::to_string(k);
    const std::string fwd = "nft " + r + " fwd ip daddr 198.18.200.0/24 ";
    all["drop" + hop] = {"r" + std::to_string(k) + " silently drops forwarded packets to the block: hops 1.." +
                             std::to_string(k) + " answer, then nothing",
                         chain + fwd + "drop\n"};
    all["reject" + hop] = {r + " rejects forwarded packets with ICMP host-unreachable (3/1): hop " +
                               std::to_string(k + 1) + " is " + r + " with !H",
                           chain + fwd + "reject with icmp type host-unreachable\n"};
    all["prohibit" + hop] = {r + " rejects forwarded packets with ICMP admin-prohibited (3/13): hop " +
                                 std::to_string(k + 1) + " is " + r + " with !X",
                             chain + fwd + "reject with icmp type admin-prohibited\n"};
    all["unreach-route" + hop] = {r + " has `unreachable` route for the block: hop " + std::to_string(k) +
                                      " is " + r + " with 3/1 (route lookup precedes the TTL check)",
                                  replace_block_route(chain, r, "route " + r + " 198.18.200.0/24 unreachable")};
    all["no-te" + hop] = {r + " never sends time-exceeded: hop " + std::to_string(k) +
                              " is silent, the trace still completes",
                          chain + "nft " + r + " out icmp type time-exceeded drop\n"};
  }
  all["filter-icmp-udp"] = {"r3 drops ICMP and UDP to the block, TCP passes: icmp/udp stop after hop 3, tcp completes",
                            chain + "nft r3 fwd ip daddr 198.18.200.0/24 meta l4proto { icmp, udp } drop\n"};
  // r3 sends the block back to r2: r1, r2, r3, r2, r3, ...
  all["loop"] = {"r2 and r3 point the block at each other: hops r1, r2, r3, r2, r3, ...",
                 replace_block_route(chain, "r3", "route r3 198.18.200.0/24 r2")};
  // The vantage's own interface is down: it has no route at all, so every
  // probe fails locally; a tool must say so rather than report a path.
  all["uplink-down"] = {"vp's only interface is down: nothing can be sent", chain + "down vp r1\n"};
  all["ecmp"] = {"r1 load-balances on the 5-tuple over a1-a2 and b1-b2, re-joining at j before dst",
                 kEcmp};
  const std::string ns2 = "nsd ns2 198.18.201.2 lab.test=child\n";
  all["dns"] = {"parent test. at 198.18.200.53 delegates lab.test to ns1 198.18.201.1 and ns2 198.18.201.2 (NSD): healthy",
                dns_lab(ns2)};
  all["dns-ns-stopped"] = {"dns with no server on ns2: port unreachable / RST from 198.18.201.2, zone partially-lame",
                           dns_lab("")};
  all["dns-lame"] = {"dns with ns2 serving only other.test: REFUSED for lab.test, zone partially-lame",
                     dns_lab("nsd ns2 198.18.201.2 other.test=other\n")};
  all["dns-ns-differs"] = {"dns with ns2's lab.test listing a third NS the parent does not: zone inconsistent",
                           dns_lab("nsd ns2 198.18.201.2 lab.test=child3\n")};
  all["dns-filtered"] = {"dns with r2 dropping port 53 toward the national network: zone unreachable, DNS dies after hop 2",
                         dns_lab(ns2, "nft r2 fwd ip daddr 198.18.201.0/24 udp dport 53 drop\n"
                                      "nft r2 fwd ip daddr 198.18.201.0/24 tcp dport 53 drop\n")};
  all["dns-national-down"] = {"dns with r2 holding an unreachable route for the national network: ICMP 3/0 from r2",
                              dns_lab(ns2, "", "route r2 198.18.201.0/24 unreachable\n")};
  return all;
}

const std::map<std::string, Entry>& all() {
  static const std::map<std::string, Entry> entries = build_all();
  return entries;
}

}  // namespace

std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : all()) names.push_back(name);
  return names;
}

std::string scenario_summary(const std::string& name) {
  const auto it = all().find(name);
  return it == all().end() ? std::string() : it->second.summary;
}

std::optional<std::string> scenario(const std::string& name) {
  const auto it = all().find(name);
  if (it == all().end()) return std::nullopt;
  return it->second.text;
}

}  // namespace probe::lab
