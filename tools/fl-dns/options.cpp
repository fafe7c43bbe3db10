// SPDX-License-Identifier: BSD-2-Clause
#include "options.h"

#include "option_values.h"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <optional>
#include <sstream>

#include "probe/excerpt.h"
#include "probe/packet/dns.h"

namespace po = boost::program_options;

namespace fldns {

namespace {

using flcommon::RunOption;
using flcommon::usage_error;

using probe::model::Address;
using probe::model::DnsQuery;

po::options_description describe() {
  po::options_description d("Options");
  d.add_options()
      ("check-zone", po::value<std::string>(), "check the delegation of ZONE")
      ("parent", po::value<std::vector<std::string>>()->composing(), "parent server address (repeatable; default: the root servers)")
      ("trace", po::bool_switch(), "send the query with TTL 1, 2, 3... (Paris) and show where it dies")
      ("tcp", po::bool_switch(), "query over TCP from the start (also +tcp)")
      ("norec", po::bool_switch(), "clear the RD bit (also +norec)")
      ("dnssec", po::bool_switch(), "set the EDNS DO bit (also +dnssec)")
      ("no-edns", po::bool_switch(), "send no OPT record (also +noedns)")
      ("bufsize", po::value<int>()->default_value(1232), "EDNS UDP buffer size in bytes (also +bufsize=N)")
      ("ignore-tc", po::bool_switch(), "do not retry truncated answers over TCP (also +ignore)")
      ("ipv4,4", po::bool_switch(), "IPv4 servers only: an IPv6 one is a usage error")
      ("ipv6,6", po::bool_switch(), "IPv6 servers only (and resolv.conf's first IPv6 nameserver)");
  flcommon::add_run_option(d, RunOption::wait, 2.0, "seconds to wait for an answer, per try");
  d.add_options()("tries,q", po::value<int>()->default_value(2), "UDP queries per exchange at most");
  flcommon::add_run_option(d, RunOption::pps, 100, "queries per second, all together");
  flcommon::add_run_option(d, RunOption::concurrency, 256, "exchanges in flight");
  flcommon::add_run_option(d, RunOption::max_ttl, 30, "largest TTL (--trace)");
  flcommon::add_run_option(d, RunOption::gaplimit, 5, "silent hops in a row that end a trace (--trace)");
  d.add_options()
      ("sport,s", po::value<int>(), "UDP source port (default random per run)")
      ("port,p", po::value<int>()->default_value(53), "the servers' port, UDP and TCP")
      ("reverse,x", po::value<std::vector<std::string>>()->composing(),
       "ask ADDR's reverse name, PTR (repeatable; also a NAME)")
      ("resolv-conf", po::value<std::string>()->default_value("/etc/resolv.conf"),
       "without @SERVER, ask the first IPv4 (-6: IPv6) nameserver of this file");
  flcommon::SharedHelp help;
  help.interface = "capture interface (default: route to the first server)";
  flcommon::add_endpoint_options(d, help);
  d.add_options()("query-file,T", po::value<std::string>(), "file of queries, one 'SERVER NAME [TYPE]' per line");
  flcommon::add_io_options(d, help);
  flcommon::add_user_option(d, help);
  d.add_options()("via", po::value<std::string>(), "ask through the fl-probed serving this socket (no privilege needed)");
  flcommon::add_help_options(d);
  return d;
}

probe::Result<Address> server_address(const std::string& text) {
  auto a = Address::parse(text);
  if (!a) return usage_error(fmt::format("bad server address '{}' (an IPv4 or IPv6 address)", probe::excerpt(text)));
  return *a;
}

}  // namespace

// One run speaks one family: its raw socket, source address and capture
// filter are that family's (as fl-trace's runs).
std::optional<probe::Error> one_family(const std::vector<Address>& servers, std::optional<probe::model::Family> forced,
                                       const char* what) {
  if (servers.empty()) return std::nullopt;
  using probe::model::to_string;
  const Address& first = servers.front();
  const auto family = forced ? *forced : first.family();
  for (const auto& s : servers) {
    if (s.family() == family) continue;
    if (forced)
      return usage_error(fmt::format("{} {} {} with {}", to_string(s.family()), what, s.to_string(),
                                     family == probe::model::Family::v4 ? "-4" : "-6"));
    return usage_error(fmt::format("{} {} {} and {} {} {}: a run speaks one family; run once with -4 "
                                   "and once with -6",
                                   to_string(family), what, first.to_string(), to_string(s.family()), what,
                                   s.to_string()));
  }
  return std::nullopt;
}

std::optional<probe::Error> one_family(const std::vector<DnsQuery>& queries, std::optional<probe::model::Family> forced) {
  std::vector<Address> servers;
  servers.reserve(queries.size());
  for (const auto& q : queries) servers.push_back(q.server);
  return one_family(servers, forced, "server");
}

const std::vector<std::string>& root_servers(probe::model::Family family) { return flcommon::root_servers(family); }

std::string usage() {
  return flcommon::help_text(
      "Usage: fl-dns [options] [@SERVER...] NAME [TYPE] [NAME [TYPE]...] [-x ADDR]... [+short] [+norec] [+tcp]\n"
      "       fl-dns --check-zone ZONE [--parent ADDR]...\n"
      "       fl-dns --trace @SERVER NAME [TYPE]\n"
      "       fl-dns -T FILE [options]\n"
      "       fl-dns -r FILE [-o json] [-O FILE]\n"
      "       fl-dns --via SOCKET [@SERVER...] NAME [TYPE]...   (through fl-probed)\n\n"
      "DNS queries over raw UDP (and TCP) toward nameservers, delegation checks and\n"
      "TTL-limited DNS traces; every packet captured with libpcap and replayable offline.\n\n",
      describe(), flcommon::exit_status_help("fl-dns"));
}

std::optional<Address> first_nameserver(const std::string& text, probe::model::Family family) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string key, value;
    if (!(words >> key >> value) || key != "nameserver") continue;
    // A scoped IPv6 address ("fe80::1%eth0") is not ours either way.
    if (auto a = Address::parse(value); a && a->family() == family) return *a;
  }
  return std::nullopt;
}

probe::Result<std::vector<DnsQuery>> parse_query_lines(const std::string& text, bool rd, bool tcp) {
  std::vector<DnsQuery> out;
  std::istringstream lines(text);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    ++n;
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string x; words >> x;) w.push_back(x);
    if (w.empty()) continue;
    if (w.size() < 2 || w.size() > 3) return usage_error(fmt::format("line {}: want 'SERVER NAME [TYPE]'", n));
    std::string server = w[0][0] == '@' ? w[0].substr(1) : w[0];
    auto addr = server_address(server);
    if (!addr) return usage_error(fmt::format("line {}: {}", n, addr.error().message));
    auto name = probe::packet::normalize_dns_name(w[1]);
    if (!name) return usage_error(fmt::format("line {}: malformed name '{}'", n, probe::excerpt(w[1])));
    std::uint16_t type = 1;
    if (w.size() == 3) {
      auto t = probe::packet::dns_type_from_name(w[2]);
      if (!t) return usage_error(fmt::format("line {}: unknown type '{}'", n, probe::excerpt(w[2])));
      type = *t;
    }
    out.push_back(DnsQuery{*addr, *name, type, rd, tcp});
  }
  return out;
}

namespace {

// Everything but --help and --version.
std::optional<probe::Error> read_options(const po::variables_map& vm, Options& o) {
  if (auto e = flcommon::refuse_with_replay(vm, "options",
                                            {"query-file", "write", "interface", "source", "sport", "wait",
                                             "tries", "pps", "concurrency", "check-zone", "parent", "max-ttl",
                                             "gaplimit", "bufsize", "port", "reverse", "resolv-conf"},
                                            {"trace", "tcp", "norec", "dnssec", "no-edns", "ignore-tc", "ipv4",
                                             "ipv6"}))
    return *e;
  // +short only shapes the output: a replay may print that way too.
  if (vm.count("read") && vm.count("arg"))
    for (const auto& w : vm["arg"].as<std::vector<std::string>>())
      if (w != "+short" && w != "+noshort")
        return usage_error(fmt::format("-r replays the queries stored in the capture; '{}' cannot be given with it",
                                       probe::excerpt(w)));

  using flcommon::read_int;
  auto& c = o.config;
  o.rd = !vm["norec"].as<bool>();
  o.tcp = vm["tcp"].as<bool>();
  c.dnssec_ok = vm["dnssec"].as<bool>();
  c.edns = !vm["no-edns"].as<bool>();
  c.tcp_fallback = !vm["ignore-tc"].as<bool>();
  if (auto e = read_int(vm, "bufsize", 512, 65535, c.edns_size)) return *e;
  if (vm["ipv4"].as<bool>() && vm["ipv6"].as<bool>()) return usage_error("-4 and -6 cannot be given together");
  if (vm["ipv4"].as<bool>()) o.family = probe::model::Family::v4;
  if (vm["ipv6"].as<bool>()) o.family = probe::model::Family::v6;

  // dig-style positional words: @SERVER, +option, NAME, TYPE after its NAME.
  std::vector<Address> servers;
  std::vector<std::pair<std::string, std::uint16_t>> names;
  if (vm.count("arg")) {
    for (const auto& w : vm["arg"].as<std::vector<std::string>>()) {
      if (w.empty()) continue;
      if (w[0] == '@') {
        auto a = server_address(w.substr(1));
        if (!a) return a.error();
        servers.push_back(*a);
      } else if (w[0] == '+') {
        if (w == "+norec" || w == "+norecurse") o.rd = false;
        else if (w == "+rec" || w == "+recurse") o.rd = true;
        else if (w == "+tcp" || w == "+vc") o.tcp = true;
        else if (w == "+notcp") o.tcp = false;
        else if (w == "+dnssec") c.dnssec_ok = true;
        else if (w == "+noedns") c.edns = false;
        else if (w == "+edns") c.edns = true;
        else if (w == "+ignore") c.tcp_fallback = false;
        else if (w == "+short") o.short_answers = true;
        else if (w == "+noshort") o.short_answers = false;
        else if (w.compare(0, 9, "+bufsize=") == 0) {
          int v = 0;
          try {
            v = std::stoi(w.substr(9));
          } catch (const std::exception&) {
            v = -1;
          }
          if (v < 512 || v > 65535) return usage_error(fmt::format("bad {} (512..65535)", w));
          c.edns_size = static_cast<std::uint16_t>(v);
        } else {
          return usage_error(fmt::format("unknown option '{}'", w));
        }
      } else if (!names.empty() && names.back().second == 0 && probe::packet::dns_type_from_name(w)) {
        names.back().second = *probe::packet::dns_type_from_name(w);
      } else if (!names.empty() && names.back().second == 0 && w.find('.') == std::string::npos) {
        // dig would take it as another name; a dotless word in the type's
        // place is far more often a mistyped type (write "kp." for a TLD).
        return usage_error(fmt::format("unknown type '{}' (a second name without a dot must end in '.')", w));
      } else {
        auto n = probe::packet::normalize_dns_name(w);
        if (!n) {
          if (!names.empty()) return usage_error(fmt::format("unknown type or malformed name '{}'", w));
          return usage_error(fmt::format("malformed name '{}'", w));
        }
        names.emplace_back(*n, 0);
      }
    }
  }
  if (vm.count("reverse")) {
    for (const auto& text : vm["reverse"].as<std::vector<std::string>>()) {
      auto a = Address::parse(text);
      if (!a) return usage_error(fmt::format("-x: bad address '{}'", probe::excerpt(text)));
      names.emplace_back(probe::packet::reverse_dns_name(*a), probe::packet::kDnsTypePtr);
    }
  }
  auto ask = [&o](const Address& server, const std::string& name, std::uint16_t type) {
    return DnsQuery{server, name, type ? type : std::uint16_t{1}, o.rd, o.tcp};
  };
  for (const auto& s : servers)
    for (const auto& [name, type] : names) o.queries.push_back(ask(s, name, type));
  if (servers.empty())
    for (const auto& [name, type] : names) o.serverless.push_back(ask(Address(), name, type));
  if (auto e = one_family(o.queries, o.family)) return *e;
  if (auto e = read_int(vm, "port", 1, 65535, c.dport)) return *e;
  o.resolv_conf = vm["resolv-conf"].as<std::string>();

  if (vm.count("check-zone")) {
    o.mode = Mode::zone;
    auto z = probe::packet::normalize_dns_name(vm["check-zone"].as<std::string>());
    if (!z) return usage_error(fmt::format("malformed zone '{}'", vm["check-zone"].as<std::string>()));
    o.zone = *z;
    if (!servers.empty() || !names.empty()) return usage_error("--check-zone takes no @SERVER or NAME");
    // One family per run, as for queries: the parents' family is the
    // glue followed (A or AAAA) and the nameserver addresses asked.
    std::vector<std::string> parents = vm.count("parent") ? vm["parent"].as<std::vector<std::string>>()
                                                          : root_servers(o.family.value_or(probe::model::Family::v4));
    for (const auto& p : parents) {
      auto a = server_address(p);
      if (!a) return a.error();
      o.parents.push_back(*a);
    }
    if (auto e = one_family(o.parents, o.family, "parent")) return *e;
  } else if (vm.count("parent")) {
    return usage_error("--parent goes with --check-zone");
  }
  if (vm["trace"].as<bool>()) {
    if (o.mode == Mode::zone) return usage_error("--trace and --check-zone exclude each other");
    o.mode = Mode::trace;
    if (servers.size() > 1 || names.size() != 1) return usage_error("--trace wants one @SERVER and one NAME");
  }

  if (vm.count("sport")) {
    if (auto e = read_int(vm, "sport", 1, 64000, c.sport)) return *e;
    o.sport_given = true;
  }
  if (auto e = read_int(vm, "tries", 1, 10, c.tries)) return *e;
  if (auto e = flcommon::read_run_option(vm, RunOption::concurrency, c.concurrency)) return *e;
  if (auto e = flcommon::read_run_option(vm, RunOption::max_ttl, o.max_ttl)) return *e;
  if (auto e = flcommon::read_run_option(vm, RunOption::gaplimit, o.gaplimit)) return *e;
  if (auto e = flcommon::read_wait_us(vm, c.wait_us)) return *e;
  if (auto e = flcommon::read_pps(vm, c.pps)) return *e;

  if (auto e = flcommon::read_common(vm, o)) return *e;
  if (vm.count("query-file")) o.query_file = vm["query-file"].as<std::string>();
  if (o.read_path.empty() && o.mode == Mode::query && o.query_file.empty() && names.empty())
    return usage_error("no NAME given");
  if (auto e = flcommon::read_via(vm, o, o.via)) return *e;
  if (vm.count("via")) {
    if (o.mode == Mode::zone) return usage_error("--check-zone cannot be given with --via: fl-probed serves queries, not zone checks");
    if (o.mode == Mode::trace) return usage_error("--trace cannot be given with --via: fl-probed serves DNS queries, not DNS traces");
  }
  return std::nullopt;
}

}  // namespace

probe::Result<Options> parse_options(int argc, const char* const* argv) {
  return flcommon::parse_options_with<Options>(argc, argv, describe, "arg", read_options);
}

}  // namespace fldns
