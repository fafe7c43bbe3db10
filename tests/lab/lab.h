// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// A throw-away network of Linux network namespaces for live tests.
///
/// A Lab is built from a short text description (one statement per line,
/// `#` starts a comment):
///
///   ipv6                        (before the first node) a dual-stack lab: IPv6
///                               on in every namespace (static addresses only:
///                               no RA, autoconf or DAD; forwarding on
///                               routers; default ICMPv6 rate limit); link i
///                               also gets 2001:db8:0:i::/64 (i in hex; A ::1,
///                               B ::2, added nodad). Without it IPv6 is off.
///   node NAME [router]          a namespace (NAME: 1-8 of [A-Za-z0-9]); `router`
///                               turns IPv4 (and in a dual-stack lab IPv6)
///                               forwarding on
///   link A B [NET/30]           a veth pair between A and B; addresses come
///                               from 198.18.0.0/24, one /30 per link in
///                               order: link i gives A .4i+1 and B .4i+2;
///                               with NET, from that /30 (A NET+1, B NET+2)
///                               and link i's own /30 stays unused
///   route NODE DEST HOP...      DEST is an IPv4 or IPv6 prefix or `default`;
///                               HOP is a node name (its address, of DEST's
///                               family, on the link shared with NODE) or an
///                               address; several HOPs make a multipath
///                               route. In a dual-stack lab `default` via a
///                               node adds the default route of both families
///   route NODE DEST unreachable|prohibit|blackhole
///                               a route of that type (ICMP code 1, 13, none;
///                               ICMPv6 code 0 no route, 1 prohibited, none)
///   block NODE PREFIX           `ip route add local PREFIX dev lo` in NODE
///                               (IPv4 or IPv6): every address of PREFIX answers
///   address NODE ADDRESS        ADDRESS (/32 or /128) on NODE's lo. Inside a
///                               block every address answers, but the kernel
///                               sends ICMPv6 errors (port unreachable) from a
///                               block address only when it is configured: a
///                               UDP target over IPv6 needs this line
///   nft NODE CHAIN RULE...      a rule in table `inet lab` of NODE; CHAIN is
///                               `fwd` (forward), `in` (input) or `out`
///                               (output); e.g. `nft r2 fwd ip daddr
///                               198.18.200.0/24 drop`
///   down NODE PEER              set NODE's interface to PEER down (a dead link)
///   sysctl NODE|* KEY=VALUE     a sysctl in NODE (or in every node)
///   icmp-unlimited NODE|*       switch off the ICMP rate limits in NODE
///   zone KEY                    the lines up to `end` are a zone file
///   ...                         (master file format), used by `nsd`
///   end
///   nsd NODE ADDRESS ZONE=KEY...  an NSD authoritative server in NODE on
///                               ADDRESS (port 53, UDP and TCP) serving each
///                               ZONE from zone block KEY; its config and
///                               files live in /tmp/PREFIX+NODE.nsd
///   resolver NODE ADDRESS       NODE's resolv.conf names ADDRESS (a lab NSD)
///
/// Every node gets its own resolv.conf (/etc/netns/PREFIX+NODE/, which `ip
/// netns exec` mounts over /etc/resolv.conf) naming 127.0.0.1 unless a
/// `resolver` line names a lab server: a tool that looks names up inside
/// the lab never sends a query to the host's resolvers.
/// Every namespace is named PREFIX + node name; the destructor deletes them
/// all (and with them every veth). Every process running in a namespace of
/// the lab (the NSD daemons) is killed first, also by destroy_prefix(). Only 198.18.0.0/15, the RFC 5737
/// TEST-NETs, 2001:db8::/32 and 2001:2::/48 may appear in a description; no
/// namespace is linked to the host.

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace probe::lab {

/// Anything that goes wrong while building or using a lab.
struct LabError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// What a command did.
struct ExecResult {
  int exit_code = -1;       ///< exit status, 128+signal when killed, -1 if not started
  std::string out;          ///< everything it wrote on stdout
  std::string err;          ///< everything it wrote on stderr
  bool timed_out = false;   ///< killed because the time bound passed
};

/// Runs argv (argv[0] looked up in PATH) in the current namespace, killing
/// its whole process group after `timeout`. stdin is /dev/null. The child
/// dies with the caller (PR_SET_PDEATHSIG).
ExecResult run_command(const std::vector<std::string>& argv,
                       std::chrono::milliseconds timeout);

/// Names of all network namespaces (`ip netns list`).
std::vector<std::string> list_netns();

/// True when this process can build labs (root, `ip` works, namespaces
/// can be made); otherwise false with the reason in `why`.
bool lab_supported(std::string* why);

/// A prefix unique to this process and call: "fl<pid>x<counter>-".
std::string unique_prefix();

/// Deletes every namespace whose name starts with `prefix`; returns how many.
int destroy_prefix(const std::string& prefix);

/// Crash cleanup: for every marker file "<prefix>" in `state_dir` whose
/// owning process (the pid inside the prefix) is gone, deletes the
/// namespaces of that prefix and the marker. Returns how many namespaces
/// were deleted.
int reap_stale(const std::string& state_dir);

/// One end of a link.
struct Interface {
  std::string node;     ///< owner
  std::string peer;     ///< node at the other end
  std::string name;     ///< interface name inside the namespace
  std::string address;  ///< IPv4 address without length
  int prefix_len = 30;
  std::string address6;  ///< IPv6 address without length (/64) in a dual-stack lab, else ""
};

/// Build options.
struct LabOptions {
  std::string prefix;      ///< namespace prefix; empty = unique_prefix()
  std::string state_dir;   ///< where to drop a marker for reap_stale; empty = none
  std::chrono::milliseconds step_timeout{10000};  ///< bound for each setup command
};

/// A built lab; move-only, tears down on destruction.
class Lab {
 public:
  /// Parses `description` and builds it. Throws LabError (after removing
  /// whatever it had built) when the description is wrong or a step fails.
  Lab(const std::string& description, LabOptions options = {});
  ~Lab();
  Lab(Lab&& other) noexcept;
  Lab& operator=(Lab&& other) noexcept;
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  /// Runs argv inside node's namespace with a time bound.
  ExecResult exec(const std::string& node, const std::vector<std::string>& argv,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

  /// The namespace name of a node.
  std::string ns(const std::string& node) const;
  /// Address of `node` on its link to `peer` (first such link).
  std::string addr(const std::string& node, const std::string& peer) const;
  /// IPv6 address of `node` on its link to `peer` (dual-stack labs only).
  std::string addr6(const std::string& node, const std::string& peer) const;
  /// All interfaces of the lab, in link order.
  const std::vector<Interface>& interfaces() const { return interfaces_; }
  /// Node names in declaration order.
  const std::vector<std::string>& nodes() const { return nodes_; }
  const std::string& prefix() const { return prefix_; }

  /// Leave the namespaces in place when destroyed (for `fl-lab up`).
  void release() { released_ = true; }
  /// Deletes the namespaces now (idempotent).
  void teardown();

 private:
  void build(const std::string& description);
  void step(const std::vector<std::string>& argv) const;
  void node_exec(const std::string& node, const std::vector<std::string>& argv) const;
  void ensure_nft(const std::string& node);
  void resolve_neighbour(const Interface& from, const Interface& to) const;
  std::string resolve_hop(const std::string& node, const std::string& hop, bool v6) const;
  void start_nsd(const std::string& node, const std::string& address,
                 const std::vector<std::pair<std::string, std::string>>& zones);

  LabOptions options_;
  std::string prefix_;
  std::string marker_;                     ///< reap_stale marker file, if any
  std::vector<std::string> nodes_;
  std::vector<std::string> created_;       ///< namespaces to delete
  std::vector<Interface> interfaces_;
  std::map<std::string, bool> nft_ready_;
  std::map<std::string, std::string> zones_;  ///< zone blocks by key
  std::vector<int> daemons_;                  ///< pids of our daemon children
  bool ipv6_ = false;                         ///< dual-stack (`ipv6` statement)
  bool released_ = false;
};

/// Splits a line into whitespace-separated words.
std::vector<std::string> split_words(const std::string& line);

}  // namespace probe::lab
