// SPDX-License-Identifier: BSD-2-Clause
#include "lab.h"
#include "lab_address.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <set>
#include <sstream>

namespace probe::lab {
namespace {

using detail::format_v4;
using detail::parse_v4;
using Clock = std::chrono::steady_clock;

std::string join(const std::vector<std::string>& words, std::size_t from = 0) {
  std::string s;
  for (std::size_t i = from; i < words.size(); ++i) {
    if (!s.empty()) s += ' ';
    s += words[i];
  }
  return s;
}

bool valid_node_name(const std::string& n) {
  return !n.empty() && n.size() <= 8 &&
         std::all_of(n.begin(), n.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

// A zombie is dead for our purpose: its Lab destructors will never run.
bool pid_alive(pid_t pid) {
  if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM)) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

void drain(int fd, std::string* into, bool* open) {
  char buf[4096];
  const ssize_t n = read(fd, buf, sizeof buf);
  if (n > 0) {
    into->append(buf, static_cast<std::size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    *open = false;
  }
}

// Base sysctls for every namespace: no reverse-path filtering (ECMP and the
// join router see asymmetric paths), no redirects (the loop scenario sends a
// packet back out of the interface it came in on).
const std::vector<std::string> kBaseSysctls = {
    "net.ipv4.conf.all.rp_filter=0",         "net.ipv4.conf.default.rp_filter=0",
    "net.ipv4.conf.all.send_redirects=0",    "net.ipv4.conf.default.send_redirects=0",
    "net.ipv4.conf.all.accept_redirects=0",  "net.ipv4.conf.default.accept_redirects=0",
};

// IPv4-only labs: IPv6 off, so no IPv6 chatter in captures.
const std::vector<std::string> kNoIpv6 = {
    "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
};

// Dual-stack labs (`ipv6`): IPv6 on with static addresses only. No router
// advertisements taken or solicited, no autoconf, no DAD (the `default`
// values reach the veths made later; addresses are added `nodad` as well),
// no redirects. net.ipv6.icmp.ratelimit keeps its default.
const std::vector<std::string> kIpv6 = {
    "net.ipv6.conf.all.disable_ipv6=0",          "net.ipv6.conf.default.disable_ipv6=0",
    "net.ipv6.conf.all.accept_ra=0",             "net.ipv6.conf.default.accept_ra=0",
    "net.ipv6.conf.all.autoconf=0",              "net.ipv6.conf.default.autoconf=0",
    "net.ipv6.conf.all.accept_dad=0",            "net.ipv6.conf.default.accept_dad=0",
    "net.ipv6.conf.all.router_solicitations=0",  "net.ipv6.conf.default.router_solicitations=0",
    "net.ipv6.conf.all.accept_redirects=0",      "net.ipv6.conf.default.accept_redirects=0",
};

// What `icmp-unlimited` sets. icmp_ratemask=0 also exempts every type from the
// global (host-wide) ICMP credit, which the per-netns knobs alone do not.
const std::vector<std::string> kIcmpUnlimited = {
    "net.ipv4.icmp_ratelimit=0",
    "net.ipv4.icmp_ratemask=0",
    "net.ipv4.icmp_msgs_per_sec=1000000",
    "net.ipv4.icmp_msgs_burst=1000000",
};
// And in a dual-stack lab (the per-peer ICMPv6 limit; the global credit
// above is shared by both families).
const std::vector<std::string> kIcmp6Unlimited = {"net.ipv6.icmp.ratelimit=0"};

// `sh -c` script that writes KEY=VALUE settings under /proc/sys, which
// inside `ip netns exec` shows the namespace's own net.* values. Used instead
// of sysctl(8) so the lab needs nothing beyond iproute2 and nftables.
std::string sysctl_script(const std::vector<std::string>& settings) {
  std::string script;
  for (const auto& kv : settings) {
    const auto eq = kv.find('=');
    const std::string key = eq == std::string::npos ? std::string() : kv.substr(0, eq);
    const std::string value = eq == std::string::npos ? std::string() : kv.substr(eq + 1);
    const bool key_ok = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    });
    const bool value_ok = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
    if (!key_ok || !value_ok) throw LabError("bad sysctl setting " + kv);
    std::string path = key;
    std::replace(path.begin(), path.end(), '.', '/');
    script += "echo " + value + " > /proc/sys/" + path + " && ";
  }
  return script + "true";
}

}  // namespace

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

ExecResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  ExecResult result;
  if (argv.empty()) return result;
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return result;
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    execvp(cargv[0], cargv.data());
    const std::string msg = std::string("exec ") + cargv[0] + ": " + std::strerror(errno) + "\n";
    (void)!write(2, msg.data(), msg.size());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return result;
  }
  setpgid(pid, pid);  // also here, so the kill below cannot race the child's own call
  const auto deadline = Clock::now() + timeout;
  bool out_open = true;
  bool err_open = true;
  while (out_open || err_open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0}, {err_open ? err_pipe[0] : -1, POLLIN, 0}};
    const int n = poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    if (fds[0].revents) drain(out_pipe[0], &result.out, &out_open);
    if (fds[1].revents) drain(err_pipe[0], &result.err, &err_open);
  }
  if (result.timed_out) kill(-pid, SIGKILL);
  int status = 0;
  // After the pipes closed the child is exiting; bound the wait anyway.
  for (int i = 0;; ++i) {
    const pid_t r = waitpid(pid, &status, result.timed_out ? 0 : WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (Clock::now() > deadline || i > 20000) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    usleep(1000);
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  return result;
}

std::vector<std::string> list_netns() {
  std::vector<std::string> names;
  // /run/netns holds one bind-mounted file per named namespace.
  DIR* dir = opendir("/run/netns");
  if (dir == nullptr) return names;
  while (dirent* e = readdir(dir)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

bool lab_supported(std::string* why) {
  auto fail = [why](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  if (geteuid() != 0) return fail("lab tests need root (network namespaces, raw sockets)");
  for (const char* tool : {"ip", "nft"}) {
    const ExecResult r = run_command({"sh", "-c", std::string("command -v ") + tool}, std::chrono::seconds(5));
    if (r.exit_code != 0) return fail(std::string("`") + tool + "` is not installed");
  }
  const std::string probe_ns = unique_prefix() + "probe";
  const ExecResult add = run_command({"ip", "netns", "add", probe_ns}, std::chrono::seconds(10));
  if (add.exit_code != 0) return fail("cannot create a network namespace: " + add.err);
  const ExecResult veth = run_command({"ip", "-n", probe_ns, "link", "add", "t0", "type", "veth", "peer", "name", "t1"},
                                      std::chrono::seconds(10));
  run_command({"ip", "netns", "del", probe_ns}, std::chrono::seconds(10));
  if (veth.exit_code != 0) return fail("cannot create a veth pair: " + veth.err);
  return true;
}

std::string unique_prefix() {
  static std::atomic<int> counter{0};
  return "fl" + std::to_string(getpid()) + "x" + std::to_string(++counter) + "-";
}

namespace {

// Daemons die with their namespace: every process in it is stopped before
// the namespace goes (TERM, then KILL after a second).
void kill_namespace_processes(const std::string& ns) {
  for (int round = 0; round < 2; ++round) {
    const auto r = run_command({"ip", "netns", "pids", ns}, std::chrono::seconds(5));
    std::istringstream pids(r.out);
    std::vector<pid_t> live;
    for (long p; pids >> p;)
      if (p > 1 && p != getpid()) live.push_back(static_cast<pid_t>(p));
    if (live.empty()) return;
    for (pid_t p : live) kill(p, round == 0 ? SIGTERM : SIGKILL);
    for (int i = 0; i < 100; ++i) {
      for (pid_t p : live) waitpid(p, nullptr, WNOHANG);  // our own daemon children; ECHILD otherwise
      if (std::none_of(live.begin(), live.end(), pid_alive)) break;
      usleep(10000);
    }
  }
}

std::string daemon_dir(const std::string& ns) { return "/tmp/" + ns + ".nsd"; }

void remove_daemon_dir(const std::string& ns) {
  const std::string dir = daemon_dir(ns);
  if (access(dir.c_str(), F_OK) == 0) run_command({"rm", "-rf", "--", dir}, std::chrono::seconds(10));
}

// `ip netns exec NS` mounts /etc/netns/NS/resolv.conf over /etc/resolv.conf.
std::string netns_etc(const std::string& ns) { return "/etc/netns/" + ns; }

void write_resolv_conf(const std::string& ns, const std::string& server) {
  mkdir("/etc/netns", 0755);
  mkdir(netns_etc(ns).c_str(), 0755);
  std::ofstream conf(netns_etc(ns) + "/resolv.conf");
  conf << "# faultline lab: " << ns << "\nnameserver " << server << "\noptions timeout:1 attempts:1\n";
  if (!conf.flush()) throw LabError("cannot write " + netns_etc(ns) + "/resolv.conf");
}

void remove_netns_etc(const std::string& ns) {
  unlink((netns_etc(ns) + "/resolv.conf").c_str());
  rmdir(netns_etc(ns).c_str());
}

}  // namespace

int destroy_prefix(const std::string& prefix) {
  int n = 0;
  if (prefix.size() < 3) return 0;  // never a blanket delete
  for (const auto& name : list_netns()) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    kill_namespace_processes(name);
    remove_daemon_dir(name);
    remove_netns_etc(name);
    if (run_command({"ip", "netns", "del", name}, std::chrono::seconds(10)).exit_code == 0) ++n;
  }
  return n;
}

int reap_stale(const std::string& state_dir) {
  int n = 0;
  DIR* dir = opendir(state_dir.c_str());
  if (dir == nullptr) return 0;
  std::vector<std::string> markers;
  while (dirent* e = readdir(dir)) {
    const std::string m = e->d_name;
    if (m.size() > 3 && m.compare(0, 2, "fl") == 0 && m.back() == '-') markers.push_back(m);
  }
  closedir(dir);
  for (const auto& m : markers) {
    // "fl<pid>x<counter>-": only prefixes whose owner has died are ours to reap.
    const auto x = m.find('x');
    if (x == std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::atol(m.substr(2, x - 2).c_str()));
    if (pid_alive(pid)) continue;
    n += destroy_prefix(m);
    unlink((state_dir + "/" + m).c_str());
  }
  return n;
}

Lab::Lab(const std::string& description, LabOptions options) : options_(std::move(options)) {
  prefix_ = options_.prefix.empty() ? unique_prefix() : options_.prefix;
  if (!options_.state_dir.empty()) {
    mkdir(options_.state_dir.c_str(), 0755);
    marker_ = options_.state_dir + "/" + prefix_;
    std::ofstream(marker_) << getpid() << "\n";
  }
  try {
    build(description);
  } catch (...) {
    teardown();
    throw;
  }
}

Lab::~Lab() {
  if (!released_) teardown();
}

Lab::Lab(Lab&& other) noexcept
    : options_(std::move(other.options_)),
      prefix_(std::move(other.prefix_)),
      marker_(std::move(other.marker_)),
      nodes_(std::move(other.nodes_)),
      created_(std::move(other.created_)),
      interfaces_(std::move(other.interfaces_)),
      nft_ready_(std::move(other.nft_ready_)),
      zones_(std::move(other.zones_)),
      daemons_(std::move(other.daemons_)),
      ipv6_(other.ipv6_),
      released_(other.released_) {
  other.created_.clear();
  other.marker_.clear();
  other.released_ = true;
}

Lab& Lab::operator=(Lab&& other) noexcept {
  if (this != &other) {
    if (!released_) teardown();
    options_ = std::move(other.options_);
    prefix_ = std::move(other.prefix_);
    marker_ = std::move(other.marker_);
    nodes_ = std::move(other.nodes_);
    created_ = std::move(other.created_);
    interfaces_ = std::move(other.interfaces_);
    nft_ready_ = std::move(other.nft_ready_);
    zones_ = std::move(other.zones_);
    daemons_ = std::move(other.daemons_);
    ipv6_ = other.ipv6_;
    released_ = other.released_;
    other.created_.clear();
    other.marker_.clear();
    other.released_ = true;
  }
  return *this;
}

void Lab::teardown() {
  // Deleting a namespace deletes its veth ends, which deletes the peers.
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    kill_namespace_processes(*it);
    remove_daemon_dir(*it);
    remove_netns_etc(*it);
  }
  for (int pid : daemons_) waitpid(pid, nullptr, WNOHANG);
  daemons_.clear();
  for (auto it = created_.rbegin(); it != created_.rend(); ++it)
    run_command({"ip", "netns", "del", *it}, std::chrono::seconds(10));
  created_.clear();
  if (!marker_.empty()) {
    unlink(marker_.c_str());
    marker_.clear();
  }
}

std::string Lab::ns(const std::string& node) const {
  if (std::find(nodes_.begin(), nodes_.end(), node) == nodes_.end())
    throw LabError("no node named " + node);
  return prefix_ + node;
}

std::string Lab::addr(const std::string& node, const std::string& peer) const {
  for (const auto& i : interfaces_)
    if (i.node == node && i.peer == peer) return i.address;
  throw LabError("no link from " + node + " to " + peer);
}

ExecResult Lab::exec(const std::string& node, const std::vector<std::string>& argv,
                     std::chrono::milliseconds timeout) const {
  std::vector<std::string> full = {"ip", "netns", "exec", ns(node)};
  full.insert(full.end(), argv.begin(), argv.end());
  return run_command(full, timeout);
}

void Lab::step(const std::vector<std::string>& argv) const {
  const ExecResult r = run_command(argv, options_.step_timeout);
  if (r.exit_code != 0)
    throw LabError("lab step failed (" + std::to_string(r.exit_code) + "): " + join(argv) + ": " + r.err);
}

void Lab::node_exec(const std::string& node, const std::vector<std::string>& argv) const {
  std::vector<std::string> full = {"ip", "netns", "exec", ns(node)};
  full.insert(full.end(), argv.begin(), argv.end());
  step(full);
}

void Lab::ensure_nft(const std::string& node) {
  if (nft_ready_[node]) return;
  node_exec(node, {"nft", "add table inet lab; "
                          "add chain inet lab fl_fwd { type filter hook forward priority 0; }; "
                          "add chain inet lab fl_in { type filter hook input priority 0; }; "
                          "add chain inet lab fl_out { type filter hook output priority 0; }"});
  nft_ready_[node] = true;
}

std::string Lab::addr6(const std::string& node, const std::string& peer) const {
  for (const auto& i : interfaces_)
    if (i.node == node && i.peer == peer && !i.address6.empty()) return i.address6;
  throw LabError("no dual-stack link from " + node + " to " + peer);
}

std::string Lab::resolve_hop(const std::string& node, const std::string& hop, bool v6) const {
  if (detail::is_v4_prefix(hop) || detail::is_v6_address(hop)) return hop;
  return v6 ? addr6(hop, node) : addr(hop, node);
}

void Lab::build(const std::string& description) {
  std::istringstream in(description);
  std::string line;
  int line_no = 0;
  const std::uint32_t link_base = 0xC6120000u;  // 198.18.0.0: link i is 198.18.0.4i/30
  int links = 0;
  std::set<std::pair<std::string, std::string>> dead_links;  ///< (node, peer) of `down` links
  auto need = [&](const std::vector<std::string>& w, std::size_t n) {
    if (w.size() < n) throw LabError("line " + std::to_string(line_no) + ": too few words: " + join(w));
  };
  auto known = [&](const std::string& n) {
    if (std::find(nodes_.begin(), nodes_.end(), n) == nodes_.end())
      throw LabError("line " + std::to_string(line_no) + ": unknown node " + n);
  };
  auto targets = [&](const std::string& n) {
    if (n == "*") return nodes_;
    known(n);
    return std::vector<std::string>{n};
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (split_words(line).size() == 2 && split_words(line)[0] == "zone") {
      const std::string key = split_words(line)[1];
      std::string body;
      bool ended = false;
      while (std::getline(in, line)) {
        ++line_no;
        if (split_words(line) == std::vector<std::string>{"end"}) {
          ended = true;
          break;
        }
        body += line + "\n";
      }
      if (!ended) throw LabError("zone " + key + ": no `end`");
      zones_[key] = body;
      continue;
    }
    line = line.substr(0, line.find('#'));
    const auto w = split_words(line);
    if (w.empty()) continue;
    detail::check_addresses(w, line_no);
    const std::string& verb = w[0];
    if (verb == "ipv6") {
      if (!nodes_.empty())
        throw LabError("line " + std::to_string(line_no) + ": `ipv6` must come before the first node");
      ipv6_ = true;
    } else if (verb == "node") {
      need(w, 2);
      if (!valid_node_name(w[1]))
        throw LabError("line " + std::to_string(line_no) + ": node names are 1-8 of [A-Za-z0-9]: " + w[1]);
      if (std::find(nodes_.begin(), nodes_.end(), w[1]) != nodes_.end())
        throw LabError("line " + std::to_string(line_no) + ": node " + w[1] + " declared twice");
      const bool router = w.size() > 2 && w[2] == "router";
      const std::string name = prefix_ + w[1];
      step({"ip", "netns", "add", name});
      created_.push_back(name);
      nodes_.push_back(w[1]);
      write_resolv_conf(name, "127.0.0.1");
      step({"ip", "-n", name, "link", "set", "lo", "up"});
      std::vector<std::string> settings = kBaseSysctls;
      settings.push_back(router ? "net.ipv4.ip_forward=1" : "net.ipv4.ip_forward=0");
      const auto& v6 = ipv6_ ? kIpv6 : kNoIpv6;
      settings.insert(settings.end(), v6.begin(), v6.end());
      // all.forwarding also sets default.forwarding, so later veths forward too.
      if (ipv6_) settings.push_back(router ? "net.ipv6.conf.all.forwarding=1" : "net.ipv6.conf.all.forwarding=0");
      node_exec(w[1], {"sh", "-c", sysctl_script(settings)});
    } else if (verb == "link") {
      need(w, 3);
      known(w[1]);
      known(w[2]);
      if (w[1] == w[2]) throw LabError("line " + std::to_string(line_no) + ": link to itself");
      if (links >= 64) throw LabError("more than 64 links");
      std::uint32_t net = link_base + 4u * static_cast<std::uint32_t>(links);
      if (w.size() > 3) {  // numbered from the /30 given (still taking its place in the order)
        std::uint32_t given = 0;
        if (w.size() != 4 || w[3].size() < 3 || w[3].compare(w[3].size() - 3, 3, "/30") != 0 ||
            !parse_v4(w[3].substr(0, w[3].size() - 3), &given) || (given & 3u) != 0)
          throw LabError("line " + std::to_string(line_no) + ": link A B [NET/30]");
        net = given;
      }
      const std::string if_a = "e" + std::to_string(links) + "-" + w[2];
      const std::string if_b = "e" + std::to_string(links) + "-" + w[1];
      const int index = links++;
      // Made inside A with the peer put straight into B: nothing ever
      // appears in the host namespace.
      step({"ip", "-n", ns(w[1]), "link", "add", if_a, "type", "veth", "peer", "name", if_b, "netns", ns(w[2])});
      Interface a{w[1], w[2], if_a, format_v4(net + 1), 30, ipv6_ ? detail::link_addr6(index, 1) : ""};
      Interface b{w[2], w[1], if_b, format_v4(net + 2), 30, ipv6_ ? detail::link_addr6(index, 2) : ""};
      for (const Interface* i : {&a, &b}) {
        step({"ip", "-n", ns(i->node), "addr", "add", i->address + "/30", "dev", i->name});
        if (!i->address6.empty())
          step({"ip", "-n", ns(i->node), "-6", "addr", "add", i->address6 + "/64", "dev", i->name, "nodad"});
        step({"ip", "-n", ns(i->node), "link", "set", i->name, "up"});
      }
      interfaces_.push_back(a);
      interfaces_.push_back(b);
    } else if (verb == "route") {
      need(w, 4);
      known(w[1]);
      const std::string& dest = w[2];
      const bool dest6 = detail::is_v6_prefix(dest);
      if (dest != "default" && !dest6 && !detail::is_v4_prefix(dest))
        throw LabError("line " + std::to_string(line_no) + ": bad destination " + dest);
      if (dest6 && !ipv6_) throw LabError("line " + std::to_string(line_no) + ": IPv6 route in a lab without `ipv6`");
      // In a dual-stack lab `default` via a node is a default route of each family.
      const bool both = dest == "default" && ipv6_ && !detail::is_v4_prefix(w[3]);
      for (const bool v6 : {false, true}) {
        if (v6 ? !(dest6 || both) : dest6) continue;
        std::vector<std::string> argv = {"ip", "-n", ns(w[1]), v6 ? "-6" : "-4", "route", "add"};
        if (w[3] == "unreachable" || w[3] == "prohibit" || w[3] == "blackhole") {
          argv.push_back(w[3]);
          argv.push_back(dest);
        } else if (w.size() == 4) {
          argv.insert(argv.end(), {dest, "via", resolve_hop(w[1], w[3], v6)});
        } else {
          argv.push_back(dest);
          for (std::size_t i = 3; i < w.size(); ++i)
            argv.insert(argv.end(), {"nexthop", "via", resolve_hop(w[1], w[i], v6)});
        }
        step(argv);
      }
    } else if (verb == "block") {
      need(w, 3);
      known(w[1]);
      const bool v6 = detail::is_v6_prefix(w[2]);
      if (!v6 && !detail::is_v4_prefix(w[2]))
        throw LabError("line " + std::to_string(line_no) + ": bad prefix " + w[2]);
      if (v6 && !ipv6_) throw LabError("line " + std::to_string(line_no) + ": IPv6 block in a lab without `ipv6`");
      step({"ip", "-n", ns(w[1]), v6 ? "-6" : "-4", "route", "add", "local", w[2], "dev", "lo"});
    } else if (verb == "address") {
      need(w, 3);
      known(w[1]);
      const bool v6 = detail::is_v6_address(w[2]);
      if (!v6 && !detail::is_v4_prefix(w[2] + "/32"))
        throw LabError("line " + std::to_string(line_no) + ": bad address " + w[2]);
      if (v6 && !ipv6_) throw LabError("line " + std::to_string(line_no) + ": IPv6 address in a lab without `ipv6`");
      std::vector<std::string> argv = {"ip", "-n", ns(w[1]), "addr", "add", w[2] + (v6 ? "/128" : "/32"), "dev", "lo"};
      if (v6) argv.push_back("nodad");
      step(argv);
    } else if (verb == "nft") {
      need(w, 4);
      known(w[1]);
      if (w[2] != "fwd" && w[2] != "in" && w[2] != "out")
        throw LabError("line " + std::to_string(line_no) + ": nft chain must be fwd, in or out");
      ensure_nft(w[1]);
      node_exec(w[1], {"nft", "add rule inet lab fl_" + w[2] + " " + join(w, 3)});
    } else if (verb == "down") {
      need(w, 3);
      known(w[1]);
      known(w[2]);
      std::string ifname;
      for (const auto& i : interfaces_)
        if (ifname.empty() && i.node == w[1] && i.peer == w[2]) ifname = i.name;
      if (ifname.empty()) throw LabError("line " + std::to_string(line_no) + ": no link " + w[1] + " " + w[2]);
      step({"ip", "-n", ns(w[1]), "link", "set", ifname, "down"});
      dead_links.insert({w[1], w[2]});
      dead_links.insert({w[2], w[1]});
    } else if (verb == "sysctl") {
      need(w, 3);
      const std::string script = sysctl_script({w.begin() + 2, w.end()});
      for (const auto& n : targets(w[1])) node_exec(n, {"sh", "-c", script});
    } else if (verb == "icmp-unlimited") {
      need(w, 2);
      std::vector<std::string> settings = kIcmpUnlimited;
      if (ipv6_) settings.insert(settings.end(), kIcmp6Unlimited.begin(), kIcmp6Unlimited.end());
      const std::string script = sysctl_script(settings);
      for (const auto& n : targets(w[1])) node_exec(n, {"sh", "-c", script});
    } else if (verb == "nsd") {
      need(w, 4);
      known(w[1]);
      std::vector<std::pair<std::string, std::string>> zones;
      for (std::size_t i = 3; i < w.size(); ++i) {
        const auto eq = w[i].find('=');
        if (eq == std::string::npos || !zones_.count(w[i].substr(eq + 1)))
          throw LabError("line " + std::to_string(line_no) + ": want ZONE=KEY of a zone block: " + w[i]);
        zones.emplace_back(w[i].substr(0, eq), zones_[w[i].substr(eq + 1)]);
      }
      start_nsd(w[1], w[2], zones);
    } else if (verb == "resolver") {
      need(w, 3);
      known(w[1]);
      write_resolv_conf(ns(w[1]), w[2]);
    } else {
      throw LabError("line " + std::to_string(line_no) + ": unknown statement " + verb);
    }
  }
  if (nodes_.empty()) throw LabError("description declares no node");
  if (ipv6_)
    for (std::size_t i = 0; i + 1 < interfaces_.size(); i += 2)
      if (!dead_links.count({interfaces_[i].node, interfaces_[i].peer})) {
        resolve_neighbour(interfaces_[i], interfaces_[i + 1]);
        resolve_neighbour(interfaces_[i + 1], interfaces_[i]);
      }
}

// A fresh veth often loses its first multicast neighbour solicitation
// (seen: the first of every few labs, the second one a second later is
// answered), which would cost the first probe of a tool over IPv6 a second
// or its answer. So a dual-stack lab is ready only when each end of every
// live link has resolved the other: solicited again every 100 ms until
// answered. The tools then start with both neighbour caches filled.
void Lab::resolve_neighbour(const Interface& from, const Interface& to) const {
  const std::vector<std::string> base = {"ip", "-n", ns(from.node), "-6", "neigh"};
  auto with = [&base](std::vector<std::string> tail) {
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), tail.begin(), tail.end());
    return argv;
  };
  for (int i = 0; i < 50; ++i) {
    if (i % 5 == 0) {
      run_command(with({"del", to.address6, "dev", from.name}), options_.step_timeout);
      step(with({"replace", to.address6, "dev", from.name, "use"}));
    }
    usleep(20000);
    const ExecResult r = run_command(with({"show", to.address6, "dev", from.name}), options_.step_timeout);
    if (r.out.find("lladdr") != std::string::npos) return;
  }
  throw LabError("IPv6 neighbour " + to.address6 + " (" + to.node + ") not resolved from " + from.node);
}

void Lab::start_nsd(const std::string& node, const std::string& address,
                    const std::vector<std::pair<std::string, std::string>>& zones) {
  const std::string dir = daemon_dir(ns(node));
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw LabError("mkdir " + dir + ": " + std::strerror(errno));
  // ADDR[,ADDR...]: a dual-stack server listens on each (IPv6 ones need `ipv6`).
  std::vector<std::string> addresses;
  for (std::size_t at = 0; at <= address.size();) {
    const auto comma = std::min(address.find(',', at), address.size());
    addresses.push_back(address.substr(at, comma - at));
    at = comma + 1;
  }
  bool any6 = false;
  std::ostringstream conf;
  conf << "server:\n";
  for (const auto& a : addresses) {
    if (detail::is_v6_address(a)) {
      if (!ipv6_) throw LabError("nsd " + node + ": IPv6 address " + a + " in a lab without `ipv6`");
      any6 = true;
    }
    conf << "  ip-address: " << a << "\n";
  }
  conf << "  port: 53\n  do-ip6: " << (any6 ? "yes" : "no") << "\n  server-count: 1\n"
       << "  username: \"\"\n  chroot: \"\"\n  zonesdir: \"" << dir << "\"\n  pidfile: \"" << dir << "/nsd.pid\"\n"
       << "  xfrdfile: \"" << dir << "/xfrd.state\"\n  zonelistfile: \"" << dir << "/zone.list\"\n"
       << "  xfrdir: \"" << dir << "\"\n  database: \"\"\n  logfile: \"" << dir << "/nsd.log\"\n"
       << "  verbosity: 1\n  hide-version: yes\nremote-control:\n  control-enable: no\n";
  for (const auto& [zone, text] : zones) {
    const std::string file = dir + "/" + zone + ".zone";
    std::ofstream(file) << text;
    conf << "zone:\n  name: \"" << zone << "\"\n  zonefile: \"" << file << "\"\n";
  }
  const std::string conf_path = dir + "/nsd.conf";
  std::ofstream(conf_path) << conf.str();
  const auto check = run_command({"nsd-checkconf", conf_path}, std::chrono::seconds(10));
  if (check.exit_code != 0) throw LabError("nsd-checkconf " + conf_path + ": " + check.err + check.out);

  // Its own session, so that it outlives a released lab (fl-lab up); it is
  // stopped with its namespace (kill_namespace_processes).
  const pid_t pid = fork();
  if (pid < 0) throw LabError("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    setsid();
    const int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    const std::string n = ns(node);
    execlp("ip", "ip", "netns", "exec", n.c_str(), "nsd", "-d", "-c", conf_path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  daemons_.push_back(pid);
  // Ready once it listens on UDP and TCP, on every address.
  std::vector<std::string> wants;
  for (const auto& a : addresses) wants.push_back(detail::is_v6_address(a) ? "[" + a + "]:53" : a + ":53");
  const std::string& want = wants.front();
  for (int i = 0; i < 500; ++i) {
    const auto u = exec(node, {"ss", "-Hlnut"}, std::chrono::seconds(5));
    bool all = true;
    for (const auto& w : wants) {
      std::size_t seen = 0;
      for (std::size_t p = u.out.find(w); p != std::string::npos; p = u.out.find(w, p + 1)) ++seen;
      all = all && seen >= 2;
    }
    if (all) return;
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      std::ifstream log(dir + "/nsd.log");
      std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
      throw LabError("nsd in " + node + " exited: " + text);
    }
    usleep(10000);
  }
  throw LabError("nsd in " + node + " did not start listening on " + want);
}

}  // namespace probe::lab
