// SPDX-License-Identifier: BSD-2-Clause
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

// chain, dual-stacked: the same namespaces, links and IPv4 routes, and on
// every link 2001:db8:0:i::/64 as well (link i: A ::1, B ::2). vp's and dst's
// `default` via a node covers both families. IPv6 hops toward the block
// 2001:db8:200::/48: hop 1 r1 2001:db8::2, hop 2 r2 2001:db8:0:1::2, hop 3
// r3 2001:db8:0:2::2, then the target itself. The kernel sends ICMPv6
// errors from a block address only when it is configured, so the target
// 2001:db8:200::1 is also an address of dst's lo: UDP's port unreachable
// comes from it (from other block addresses it comes from dst's link address
// 2001:db8:0:3::2, as traceroute -6 shows too). The routers keep Linux's
// default ICMPv6 rate limit (net.ipv6.icmp.ratelimit).
const char* const kChain6Routes = R"(
route r1 2001:db8:200::/48 r2
route r2 2001:db8:200::/48 r3
route r3 2001:db8:200::/48 dst
route r2 2001:db8::/48 r1
route r3 2001:db8::/48 r2
block dst 2001:db8:200::/48
address dst 2001:db8:200::1
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

// dns, dual-stacked: every link also gets 2001:db8:0:i::/64 (link i: A ::1,
// B ::2), the parent answers at 2001:db8:200::53 too and the nameservers at
// 2001:db8:201::1 and ::2 (the "national" network's 2001:db8:201::/48), as
// addresses of their lo (IPv6 binds only to configured addresses). From vp:
// hop 1 r1 2001:db8::2, hop 2 r2 2001:db8:0:2::2, hop 3 gw 2001:db8:0:3::2.
// The `default` routes cover both families.
const char* const kDns6Routes = R"(
route r1 2001:db8:200::53/128 p
route r1 2001:db8:201::/48 r2
route r2 2001:db8::/48 r1
route r2 2001:db8:200::/48 r1
route r2 2001:db8:201::/48 gw
route gw 2001:db8:201::1/128 ns1
route gw 2001:db8:201::2/128 ns2
address p 2001:db8:200::53
address ns1 2001:db8:201::1
address ns2 2001:db8:201::2
)";

// What the zones of a DNS lab point at: the parent server (ns.test.), the two
// nameservers of lab.test and its www and mail hosts.
struct ZoneAddrs {
  std::string parent;
  std::string ns1;
  std::string ns2;
  std::string www;
  std::string mail;
};

const ZoneAddrs kDnsAddrs = {"198.18.200.53", "198.18.201.1", "198.18.201.2", "198.18.201.80", "198.18.201.25"};

// `glue` adds records (a dual-stack lab's AAAA glue).
std::string parent_zone(const ZoneAddrs& a, const std::string& glue = "") {
  return "zone parent\n"
         "$ORIGIN test.\n$TTL 3600\n"
         "@ IN SOA ns.test. hostmaster.test. 2026010100 3600 600 86400 300\n"
         "@ IN NS ns.test.\nns IN A " + a.parent + "\n"
         "lab IN NS ns1.lab.test.\nlab IN NS ns2.lab.test.\n"
         "ns1.lab IN A " + a.ns1 + "\nns2.lab IN A " + a.ns2 + "\n" + glue + "end\n";
}

// The child zone; `extra` adds records (another NS for the inconsistent case).
std::string child_zone(const std::string& key, const std::string& extra, const ZoneAddrs& a = kDnsAddrs) {
  std::string z = "zone " + key + "\n"
                  "$ORIGIN lab.test.\n$TTL 300\n"
                  "@ IN SOA ns1.lab.test. hostmaster.lab.test. 2026010101 3600 600 86400 300\n"
                  "@ IN NS ns1.lab.test.\n@ IN NS ns2.lab.test.\n"
                  "ns1 IN A " + a.ns1 + "\nns2 IN A " + a.ns2 + "\nwww IN A " + a.www + "\n"
                  "www IN AAAA 2001:db8::80\n@ IN MX 10 mail.lab.test.\nmail IN A " + a.mail + "\n"
                  "@ IN TXT \"v=spf1 -all\"\n";
  // big.lab.test TXT: 40 strings of 60 bytes, far over 1232 bytes: TC over UDP.
  for (int i = 0; i < 40; ++i)
    z += "big IN TXT \"" + std::to_string(100 + i) + std::string(57, 'x') + "\"\n";
  return z + extra + "end\n";
}

// A zone that is not lab.test, for servers that are lame for it.
std::string other_zone(const ZoneAddrs& a) {
  return "zone other\n"
         "$ORIGIN other.test.\n$TTL 300\n"
         "@ IN SOA ns2.other.test. hostmaster.other.test. 1 3600 600 86400 300\n"
         "@ IN NS ns2.other.test.\nns2 IN A " + a.ns2 + "\nend\n";
}

std::string dns_lab(const std::string& ns2_line, const std::string& extra = "",
                    const std::string& r2_route = "route r2 198.18.201.0/24 gw\n") {
  return std::string(kDnsNet) + r2_route + parent_zone(kDnsAddrs) + child_zone("child", "") +
         child_zone("child3", "@ IN NS ns3.lab.test.\nns3 IN A 198.18.201.3\n") + other_zone(kDnsAddrs) +
         "nsd p 198.18.200.53 test=parent\n"
         "nsd ns1 198.18.201.1 lab.test=child\n" +
         ns2_line + extra;
}

// The dual-stack DNS lab: dns's servers also listen on their IPv6 addresses,
// which the parent gives as AAAA glue and the child zone as AAAA records.
std::string dns6_lab(const std::string& extra = "") {
  return "ipv6\n" + std::string(kDnsNet) + "route r2 198.18.201.0/24 gw\n" + kDns6Routes +
         parent_zone(kDnsAddrs, "ns.test. IN AAAA 2001:db8:200::53\n"
                                "ns1.lab IN AAAA 2001:db8:201::1\nns2.lab IN AAAA 2001:db8:201::2\n") +
         child_zone("child", "ns1 IN AAAA 2001:db8:201::1\nns2 IN AAAA 2001:db8:201::2\n") +
         "nsd p 198.18.200.53,2001:db8:200::53 test=parent\n"
         "nsd ns1 198.18.201.1,2001:db8:201::1 lab.test=child\n"
         "nsd ns2 198.18.201.2,2001:db8:201::2 lab.test=child\n" + extra;
}

// Replaces the route line of `node` for `block` by `replacement`.
std::string replace_block_route(std::string text, const std::string& node, const std::string& replacement,
                                const std::string& block = kBlock) {
  const std::string head = "route " + node + " " + block + " ";
  const auto at = text.find(head);
  const auto end = text.find('\n', at);
  return text.replace(at, end - at, replacement);
}

// The bench chains (bench/run): vp - r1 - ... - rN - dst with `block` on dst.
// Link k (0-based) is 198.18.0.4k/30, so hop k is r_k at 198.18.0.(4k-2) and
// the destination answers at hop N+1 from the target address itself.
std::string bench_chain(int routers, const std::string& block) {
  std::string t = "node vp\n";
  for (int k = 1; k <= routers; ++k) t += "node r" + std::to_string(k) + " router\n";
  t += "node dst\n";
  std::string prev = "vp";
  for (int k = 1; k <= routers + 1; ++k) {
    const std::string next = k <= routers ? "r" + std::to_string(k) : "dst";
    t += "link " + prev + " " + next + "\n";
    prev = next;
  }
  t += "route vp default r1\n";
  for (int k = 1; k <= routers; ++k) {
    const std::string r = "r" + std::to_string(k);
    t += "route " + r + " " + block + " " + (k < routers ? "r" + std::to_string(k + 1) : std::string("dst")) + "\n";
    if (k > 1) t += "route " + r + " 198.18.0.0/24 r" + std::to_string(k - 1) + "\n";
  }
  return t + "route dst default r" + std::to_string(routers) + "\nblock dst " + block + "\n";
}

// The lab country (fl-locate): vantage vp behind access ISP a1 (AS64500),
// transit t1 - t2 (AS64510), the national border b and core c1, c2
// (AS64520), prefix A 198.18.128.0/22 on hA behind c1, prefix B
// 198.18.136.0/24 on hB behind c2, nameservers ns1 198.18.140.1 and ns2
// 198.18.140.2 behind c1, and outside the country ext (192.0.2.0/24: the
// control host 192.0.2.99 and the parent server of test. at 192.0.2.53)
// behind t1. Links: vp .1 | a1 .2; a1 .5 | t1 .6; t1 .9 | t2 .10;
// t2 .13 | b .14; b .17 | c1 .18; b .21 | c2 .22; c1 .25 | hA .26;
// c2 .29 | hB .30; c1 .33 | ns1 .34; c1 .37 | ns2 .38; t1 .41 | ext .42;
// t2 .45 | ext2 .46, another of the transit's customers (203.0.113.0/24,
// a second control 203.0.113.99 whose path shares the transit up to t2).
// Toward prefix A: a1 .2, t1 .6, t2 .10, b .14, c1 .18, target; toward B
// c2 .22 at hop 5; toward 192.0.2.99: a1, t1, target. b answers from .14, an
// address of the transit's /30, as real borders often do.
const char* const kCountryNet = R"(
node vp
node a1 router
node t1 router
node t2 router
node b router
node c1 router
node c2 router
node hA
node hB
node ns1
node ns2
node ext
link vp a1
link a1 t1
link t1 t2
link t2 b
link b c1
link b c2
link c1 hA
link c2 hB
link c1 ns1
link c1 ns2
link t1 ext
route vp default a1
route a1 default t1
route t1 198.18.128.0/17 t2
route t1 192.0.2.0/24 ext
route t1 198.18.0.0/24 a1
route t2 198.18.0.0/24 t1
route t2 192.0.2.0/24 t1
route b 198.18.128.0/17 unreachable
route b default t2
route c1 198.18.128.0/22 hA
route c1 198.18.140.1/32 ns1
route c1 198.18.140.2/32 ns2
route c1 default b
route c2 198.18.136.0/24 hB
route c2 default b
route hA default c1
route hB default c2
route ns1 default c1
route ns2 default c1
route ext default t1
block hA 198.18.128.0/22
block hB 198.18.136.0/24
block ns1 198.18.140.1/32
block ns2 198.18.140.2/32
block ext 192.0.2.0/24
node ext2
link t2 ext2
route t1 203.0.113.0/24 t2
route t2 203.0.113.0/24 ext2
route ext2 default t2
block ext2 203.0.113.0/24
)";

const ZoneAddrs kCountryAddrs = {"192.0.2.53", "198.18.140.1", "198.18.140.2", "198.18.128.80", "198.18.128.25"};

// What a country scenario changes from the healthy one.
struct CountryFault {
  std::string t2_route = "route t2 198.18.128.0/17 b\n";  ///< t2's route for the national aggregate
  std::string b_routes = "route b 198.18.128.0/22 c1\nroute b 198.18.140.0/24 c1\nroute b 198.18.136.0/24 c2\n";
  std::string servers = "nsd ns1 198.18.140.1 lab.test=child\nnsd ns2 198.18.140.2 lab.test=child\n";
  std::string extra;            ///< appended last (nft, down)
  bool national_link = false;   ///< t2 - b numbered from national space: t2 .143.253, b .143.254
  bool unlimited = false;       ///< icmp-unlimited * (say why in the summary)
};

std::string country_lab(const CountryFault& f) {
  std::string net = kCountryNet;
  if (f.national_link) net.replace(net.find("link t2 b\n"), 10, "link t2 b 198.18.143.252/30\n");
  return net + f.t2_route + f.b_routes + parent_zone(kCountryAddrs) +
         child_zone("child", "", kCountryAddrs) + other_zone(kCountryAddrs) + "nsd ext 192.0.2.53 test=parent\n" +
         f.servers + f.extra + (f.unlimited ? "icmp-unlimited *\n" : "");
}

struct Entry {
  std::string summary;
  std::string text;
};

void add_country(std::map<std::string, Entry>* all) {
  const std::string nat = "198.18.128.0/17";
  auto add = [all](const std::string& name, const std::string& summary, const CountryFault& f) {
    (*all)[name] = {summary, country_lab(f)};
  };
  // The healthy run every other one is compared with (its recording is the
  // baseline, captures/locate-country.json) must show every hop of every
  // path: the one scenario with the rate limits off.
  CountryFault healthy;
  healthy.unlimited = true;
  add("country",
      "lab country: vp-a1-t1-t2-b-c1/c2, prefix A 198.18.128.0/22 (hop 6), B 198.18.136.0/24, NS 198.18.140.1/.2, "
      "control 192.0.2.99 (hop 3), parent test. 192.0.2.53: healthy; ICMP unlimited, because its recording is the "
      "baseline of the others and must hold every hop of every path",
      healthy);
  add("country-ratelimit", "country, healthy, with Linux's default ICMP rate limits on every node (as all but `country`)",
      {});
  CountryFault transit_drop;
  transit_drop.extra = "nft t2 fwd ip daddr " + nat + " drop\n";
  add("country-transit-drop",
      "country with t2 silently dropping forwarded packets to the nation: hops 1-3 answer (t2 .10), then nothing",
      transit_drop);
  CountryFault transit_unreach;
  transit_unreach.t2_route = "route t2 " + nat + " unreachable\n";
  add("country-transit-unreach",
      "country with an unreachable route for the nation at t2: hop 3 is t2 .10 with 3/1, so is DNS (ip_error: 5, then 1/s)",
      transit_unreach);
  CountryFault core_dark;
  core_dark.extra = "nft b fwd ip daddr " + nat + " drop\n";
  add("country-core-dark",
      "country with b silently dropping forwarded packets to the nation: hops 1-4 answer (b .14), then nothing",
      core_dark);
  CountryFault noroute;
  noroute.b_routes = "";
  add("country-border-noroute",
      "country with b holding only the unreachable aggregate: hop 4 is b .14 with 3/1 (ip_error: 5, then 1/s), zone "
      "unreachable", noroute);
  CountryFault router_down;
  router_down.extra = "down b c2\n";
  router_down.unlimited = true;
  add("country-router-down",
      "country with b's link to c2 down: prefix B gets 3/1 from b .14 at hop 4, prefix A and DNS fine; ICMP "
      "unlimited, because under the limits prefix A's traces take every answer of a1, t1 and b (one bucket per "
      "destination) and B's 3 targets get none: naming b needs re-probing the frontier (issue 13), not analysis",
      router_down);
  CountryFault ns_down;
  ns_down.servers = "";
  add("country-ns-down",
      "country with no DNS server on ns1/ns2: port unreachable / RST from 198.18.140.1/.2, zone unreachable",
      ns_down);
  CountryFault ns_lame;
  ns_lame.servers = "nsd ns1 198.18.140.1 other.test=other\nnsd ns2 198.18.140.2 other.test=other\n";
  add("country-ns-lame", "country with ns1 and ns2 serving only other.test: REFUSED for lab.test, zone lame", ns_lame);
  CountryFault filtered;
  filtered.extra = "nft b fwd ip daddr " + nat + " meta l4proto icmp drop\n"
                   "nft b fwd ip daddr " + nat + " udp dport != 53 drop\n";
  add("country-icmp-filtered",
      "country with b dropping ICMP and UDP (except port 53) to the nation: icmp/udp end at hop 4 (b .14), tcp and "
      "DNS pass",
      filtered);
  CountryFault transit_drop_b;
  transit_drop_b.extra = "nft t2 fwd ip daddr 198.18.136.0/24 drop\n";
  add("country-transit-drop-b",
      "country with t2 silently dropping forwarded packets to prefix B only (a /24, 3 targets): A reachable, B's "
      "paths end at t2 .10 (hop 3) where its rate limits let them",
      transit_drop_b);
  CountryFault access_cut;
  access_cut.extra = "down a1 t1\n";
  add("country-access-uplink-cut",
      "country with the access ISP's uplink a1-t1 down: a1 .2 (hop 1) answers net unreachable (3/0, ip_error: 5, "
      "then 1/s) for everything, the control and the parent included",
      access_cut);
  // The interconnect numbered from national space: b answers from
  // 198.18.143.254 (national by address), and the transit's t2 holds
  // 198.18.143.253, which it never answers from toward vp.
  CountryFault nat_drop = transit_drop;
  nat_drop.national_link = true;
  add("country-natlink-transit-drop",
      "country-transit-drop with t2 - b numbered from national space (t2 .143.253, b .143.254): paths end at t2 .10 "
      "(hop 3), which also carries 203.0.113.99",
      nat_drop);
  CountryFault nat_noroute = noroute;
  nat_noroute.national_link = true;
  add("country-natlink-border-noroute",
      "country-border-noroute with t2 - b numbered from national space: hop 4 is b 198.18.143.254 (national) with "
      "3/1",
      nat_noroute);
  CountryFault uplink;
  uplink.extra = "down vp a1\n";
  add("country-uplink-down", "country with vp's only interface down: nothing can be sent", uplink);
}

// The multi-vantage country (tests/lab/multivantage_lab_test.cpp, README
// "The multi-vantage lab"): three vantages vp, vq, vr (198.18.1k.1, k = 1, 2,
// 3), each behind its own access router ap, aq, ar (AS6450k, 198.18.1k.0/24)
// and reaching the country through its own carrier xp, xq, xr (AS6451k,
// 198.18.2k.0/24), all three meeting the one national border b, which
// answers each vantage from its interconnect with that vantage's carrier
// (198.18.2k.6: the carrier's space). Behind b the national network
// (AS64520, national links 198.18.142.0/24) as in the one-vantage country:
// core c1 with prefix A 198.18.128.0/22 (hA) and the nameservers ns1
// 198.18.140.1, ns2 198.18.140.2; core c2 with prefix B 198.18.136.0/24 (hB).
// The control 192.0.2.99 and the parent `test.` 192.0.2.53 sit on ext,
// which every carrier reaches directly (a shared control). Links are
// numbered explicitly (link A B NET/30): vk .1 | ak .2 on 198.18.1k.0/30;
// ak .1 | xk .2 on 198.18.2k.0/30; xk .5 | b .6 on 198.18.2k.4/30; xk .9 |
// ext .10 on 198.18.2k.8/30; b .1 | c1 .2, b .5 | c2 .6, c1 .9 | hA .10,
// c2 .13 | hB .14, c1 .17 | ns1 .18, c1 .21 | ns2 .22 on 198.18.142.0/24.
// From vk toward A: ak 198.18.1k.2, xk 198.18.2k.2, b 198.18.2k.6,
// c1 198.18.142.2, the target at hop 5 (B: c2 198.18.142.6); toward the
// control: ak, xk, 192.0.2.99 at hop 3. Linux's default ICMP rate limits
// everywhere: each vantage has its own buckets at the shared routers.
// tests/lab/multivantage-asn.csv maps these addresses to their ASes.
std::string multivantage_lab(const std::string& extra, bool servers = true) {
  std::string t = "node b router\nnode c1 router\nnode c2 router\nnode hA\nnode hB\nnode ns1\nnode ns2\nnode ext\n";
  for (const char* k : {"p", "q", "r"})
    t += std::string("node v") + k + "\nnode a" + k + " router\nnode x" + k + " router\n";
  int k = 1;
  for (const char* v : {"p", "q", "r"}) {
    const std::string vn = std::string("v") + v, an = std::string("a") + v, xn = std::string("x") + v;
    const std::string acc = "198.18.1" + std::to_string(k) + ".", car = "198.18.2" + std::to_string(k) + ".";
    t += "link " + vn + " " + an + " " + acc + "0/30\n"
         "link " + an + " " + xn + " " + car + "0/30\n"
         "link " + xn + " b " + car + "4/30\n"
         "link " + xn + " ext " + car + "8/30\n"
         "route " + vn + " default " + an + "\n"
         "route " + an + " default " + xn + "\n"
         "route " + xn + " " + acc + "0/24 " + an + "\n"
         "route " + xn + " 198.18.128.0/17 b\n"
         "route " + xn + " 192.0.2.0/24 ext\n"
         "route b " + acc + "0/24 " + xn + "\n"
         "route ext " + acc + "0/24 " + xn + "\n";
    ++k;
  }
  t += "link b c1 198.18.142.0/30\nlink b c2 198.18.142.4/30\nlink c1 hA 198.18.142.8/30\n"
       "link c2 hB 198.18.142.12/30\nlink c1 ns1 198.18.142.16/30\nlink c1 ns2 198.18.142.20/30\n"
       "route b 198.18.128.0/22 c1\nroute b 198.18.140.0/24 c1\nroute b 198.18.136.0/24 c2\n"
       "route b 198.18.128.0/17 unreachable\n"
       "route c1 198.18.128.0/22 hA\nroute c1 198.18.140.1/32 ns1\nroute c1 198.18.140.2/32 ns2\n"
       "route c1 default b\nroute c2 198.18.136.0/24 hB\nroute c2 default b\n"
       "route hA default c1\nroute hB default c2\nroute ns1 default c1\nroute ns2 default c1\n"
       "block hA 198.18.128.0/22\nblock hB 198.18.136.0/24\nblock ns1 198.18.140.1/32\nblock ns2 198.18.140.2/32\n"
       "block ext 192.0.2.0/24\n";
  t += parent_zone(kCountryAddrs) + child_zone("child", "", kCountryAddrs) + "nsd ext 192.0.2.53 test=parent\n";
  if (servers) t += "nsd ns1 198.18.140.1 lab.test=child\nnsd ns2 198.18.140.2 lab.test=child\n";
  return t + extra;
}

void add_multivantage(std::map<std::string, Entry>* all) {
  (*all)["multivantage"] = {
      "three vantages vp, vq, vr (198.18.1k.1) behind access ap, aq, ar (AS6450k) and carriers xp, xq, xr "
      "(AS6451k) meeting one border b (answers from 198.18.2k.6, the carrier's space), then the lab country "
      "(A 198.18.128.0/22, B 198.18.136.0/24, NS 198.18.140.1/.2, control 192.0.2.99 and parent 192.0.2.53 on ext "
      "behind every carrier): healthy",
      multivantage_lab("")};
  (*all)["multivantage-carrier-drop"] = {
      "multivantage with carrier xp (AS64511) silently dropping forwarded packets to the nation: vp's paths end "
      "at xp 198.18.21.2 (hop 2), vq and vr reach the country",
      multivantage_lab("nft xp fwd ip daddr 198.18.128.0/17 drop\n")};
  (*all)["multivantage-border-dark"] = {
      "multivantage with b silently dropping forwarded packets to the nation: every vantage's paths end at b "
      "(hop 3), which answers each from its own carrier's space (198.18.21.6, .22.6, .23.6)",
      multivantage_lab("nft b fwd ip daddr 198.18.128.0/17 drop\n")};
  (*all)["multivantage-uplink-cut"] = {
      "multivantage with vp's access router ap cut from its carrier (ap - xp down): ap 198.18.11.2 answers net "
      "unreachable for everything, the control included; vq and vr reach the country",
      multivantage_lab("down ap xp\n")};
  (*all)["multivantage-dns-down"] = {
      "multivantage with no DNS server on ns1/ns2 (198.18.140.1/.2): port unreachable / RST to every vantage, "
      "the prefixes reachable",
      multivantage_lab("", false)};
}

std::map<std::string, Entry> build_all() {
  std::map<std::string, Entry> all;
  const std::string chain = kChain;
  all["chain"] = {"vp-r1-r2-r3-dst, no fault: every method completes at hop 4", chain};
  const std::string chain6 = std::string("ipv6\n") + kChain + kChain6Routes;
  all["chain6"] = {"chain dual-stacked: IPv6 block 2001:db8:200::/48 at hop 4 (r1 2001:db8::2, r2 2001:db8:0:1::2, "
                   "r3 2001:db8:0:2::2), every method completes over both families",
                   chain6};
  all["chain6-unreach-route-hop2"] = {
      "chain6 with an `unreachable` IPv6 route for 2001:db8:200::/48 at r2: hop 2 is r2 with ICMPv6 1/0 (no route, "
      "!N); IPv4 as in chain",
      replace_block_route(chain6, "r2", "route r2 2001:db8:200::/48 unreachable", "2001:db8:200::/48")};
  all["chain-unlimited"] = {"chain with ICMP rate limits off everywhere (for many targets at high rate)",
                            chain + "icmp-unlimited *\n"};
  // Names for fl-trace's text: NSD on dst serves the reverse zones of the
  // links and the block, and vp's resolv.conf names it. r3 has no PTR.
  all["chain-names"] = {"chain whose routers have reverse DNS names (NSD on dst at 198.18.200.53; r3 has none)",
                        chain +
                            "zone rev0\n$ORIGIN 0.18.198.in-addr.arpa.\n$TTL 300\n"
                            "@ IN SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300\n"
                            "@ IN NS ns.lab.test.\n2 IN PTR r1.lab.test.\n6 IN PTR r2.lab.test.\nend\n"
                            "zone rev200\n$ORIGIN 200.18.198.in-addr.arpa.\n$TTL 300\n"
                            "@ IN SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300\n"
                            "@ IN NS ns.lab.test.\n1 IN PTR dst.lab.test.\nend\n"
                            "nsd dst 198.18.200.53 0.18.198.in-addr.arpa=rev0 200.18.198.in-addr.arpa=rev200\n"
                            "resolver vp 198.18.200.53\n"};
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
  // bench/run: many targets a few hops away, with and without rate limits.
  const std::string b22 = bench_chain(5, "198.18.204.0/22");
  all["bench-22"] = {"bench: vp-r1..r5-dst, 198.18.204.0/22 (1024 targets) answers at hop 6, ICMP rate limits off",
                     b22 + "icmp-unlimited *\n"};
  all["bench-22-ratelimit"] = {"bench-22 with Linux's default router ICMP rate limits", b22};
  all["bench-16"] = {"bench: vp-r1..r7-dst, 198.19.0.0/16 (65,536 targets) answers at hop 8, ICMP rate limits off",
                     bench_chain(7, "198.19.0.0/16") + "icmp-unlimited *\n"};
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
  all["dns-national-down"] = {"dns with r2 holding an unreachable route for the national network: ICMP 3/1 from r2",
                              dns_lab(ns2, "", "route r2 198.18.201.0/24 unreachable\n")};
  all["dns6"] = {"dns dual-stacked: parent also at 2001:db8:200::53, ns1 and ns2 also at 2001:db8:201::1 and ::2 "
                 "(NSD on both families, AAAA glue in the parent): healthy",
                 dns6_lab()};
  all["dns6-ns2-v6-dark"] = {"dns6 with gw dropping everything to ns2's IPv6 address 2001:db8:201::2: ns2 answers "
                             "over IPv4 only",
                             dns6_lab("nft gw fwd ip6 daddr 2001:db8:201::2 drop\n")};
  add_country(&all);
  add_multivantage(&all);
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
