// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/zone_check.h"

#include <algorithm>
#include <map>
#include <set>

#include "probe/packet/dns.h"

namespace probe::engine {

using model::ServerStatus;
using model::ZoneVerdict;

namespace {

constexpr std::uint16_t kA = 1, kNs = 2, kSoa = 6, kAaaa = 28;

void add_stats(DnsStats& into, const DnsStats& s) {
  into.packets += s.packets;
  into.malformed_ip += s.malformed_ip;
  into.queries_sent += s.queries_sent;
  into.send_errors += s.send_errors;
  into.responses += s.responses;
  into.late += s.late;
  into.wrong_id += s.wrong_id;
  into.wrong_source += s.wrong_source;
  into.malformed_dns += s.malformed_dns;
  into.mismatched += s.mismatched;
  into.icmp_errors += s.icmp_errors;
}

std::vector<model::DnsExchange> run_phase(const ZoneCheckConfig& c, std::uint32_t phase,
                                          std::vector<model::DnsQuery> queries, io::PacketSource& source,
                                          io::PacketSink& sink, io::TcpStreams& streams,
                                          const std::atomic<int>& halt, std::vector<model::DnsExchange>& all,
                                          DnsStats& stats) {
  if (queries.empty()) return {};
  DnsConfig dc = c.dns;
  dc.phase = phase;
  DnsCollector collector;
  DnsEngine engine(dc, std::move(queries), source, sink, streams, collector);
  add_stats(stats, engine.run(halt));
  all.insert(all.end(), collector.exchanges.begin(), collector.exchanges.end());
  return collector.exchanges;
}

bool answered(const model::DnsExchange& e) {
  return e.outcome == model::DnsOutcome::answer && e.response.has_value();
}

std::vector<std::string> ns_set(const model::DnsMessage& m, const std::string& zone, bool answer_only) {
  std::set<std::string> s;
  for (const auto* sec : {&m.answers, &m.authority}) {
    if (answer_only && sec != &m.answers) continue;
    for (const auto& r : *sec)
      if (r.type == kNs && r.name == zone) s.insert(r.data);
  }
  return {s.begin(), s.end()};
}

}  // namespace

void evaluate_server(model::ZoneServer& s, const std::string& zone, const model::DnsExchange& soa_udp,
                     const model::DnsExchange& soa_tcp, const model::DnsExchange& ns_udp,
                     const model::DnsExchange& ns_tcp, const std::vector<std::string>& parent_ns) {
  s.udp = answered(soa_udp) || answered(ns_udp);
  s.tcp = answered(soa_tcp) || answered(ns_tcp);
  const model::DnsExchange* soa = answered(soa_udp) ? &soa_udp : answered(soa_tcp) ? &soa_tcp : nullptr;
  const model::DnsExchange* ns = answered(ns_udp) ? &ns_udp : answered(ns_tcp) ? &ns_tcp : nullptr;
  if (soa) {
    const auto& m = *soa->response;
    s.rcode = packet::dns_rcode_name(m.rcode);
    s.authoritative = m.aa;
    for (const auto& r : m.answers) {
      if (r.type != kSoa || r.name != zone) continue;
      // MNAME RNAME SERIAL ...: the third field.
      auto a = r.data.find(' ');
      auto b = a == std::string::npos ? a : r.data.find(' ', a + 1);
      auto e = b == std::string::npos ? b : r.data.find(' ', b + 1);
      if (e == std::string::npos) continue;
      std::string digits = r.data.substr(b + 1, e - b - 1);
      if (!digits.empty() && digits.size() <= 10 && digits.find_first_not_of("0123456789") == std::string::npos)
        s.serial = static_cast<std::uint32_t>(std::stoull(digits));
    }
  }
  if (ns && ns->response->aa) s.ns = ns_set(*ns->response, zone, true);
  s.ns_match = !s.ns.empty() && s.ns == parent_ns;
  if (!s.udp && !s.tcp) s.status = ServerStatus::unreachable;
  else if (!soa || !s.authoritative || soa->response->rcode != 0 || !s.serial) s.status = ServerStatus::lame;
  else if (!s.ns_match) s.status = ServerStatus::inconsistent;
  else s.status = ServerStatus::ok;
}

model::ZoneVerdict zone_verdict(const model::ZoneReport& r) {
  if (!r.parent_answered) return ZoneVerdict::unreachable;
  if (r.parent_ns.empty()) return ZoneVerdict::no_delegation;
  std::size_t ok = 0, lame = 0, unreachable = 0, inconsistent = 0;
  std::set<std::uint32_t> serials;
  for (const auto& s : r.servers) {
    if (s.status == ServerStatus::ok) ++ok;
    else if (s.status == ServerStatus::lame) ++lame;
    else if (s.status == ServerStatus::unreachable) ++unreachable;
    else if (s.status == ServerStatus::inconsistent) ++inconsistent;
    if (s.serial) serials.insert(*s.serial);
  }
  std::size_t n = r.servers.size();
  if (n == 0 || unreachable == n) return ZoneVerdict::unreachable;
  if (lame + unreachable == n) return ZoneVerdict::lame;
  if (lame + unreachable > 0) return ZoneVerdict::partially_lame;
  if (inconsistent > 0 || serials.size() > 1) return ZoneVerdict::inconsistent;
  return ZoneVerdict::healthy;
}

model::ZoneReport check_zone(const ZoneCheckConfig& c, io::PacketSource& source, io::PacketSink& sink,
                             io::TcpStreams& streams, const std::atomic<int>& halt,
                             std::vector<model::DnsExchange>& all, DnsStats& stats) {
  model::ZoneReport report;
  report.zone = c.zone;
  report.parents = c.parents;
  // A run speaks one family, the parents': its glue (A or AAAA) is followed,
  // and its nameserver addresses are the ones asked.
  const bool v6 = !c.parents.empty() && !c.parents.front().is_v4();
  const std::uint16_t addr_type = v6 ? kAaaa : kA;
  auto address_of = [v6](const model::DnsRecord& r) -> std::optional<model::Address> {
    auto a = model::Address::parse(r.data);
    if (!a || a->is_v4() == v6) return std::nullopt;
    return a;
  };

  // Phase 0: the delegation from every parent.
  std::vector<model::DnsQuery> q0;
  for (const auto& p : c.parents) q0.push_back(model::DnsQuery{p, c.zone, kNs, false, false});
  auto parents = run_phase(c, 0, q0, source, sink, streams, halt, all, stats);
  std::set<std::string> ns;
  std::map<std::string, std::set<model::Address>> glue;
  for (const auto& e : parents) {
    if (!answered(e)) continue;
    report.parent_answered = true;
    for (const auto& n : ns_set(*e.response, c.zone, false)) ns.insert(n);
  }
  for (const auto& e : parents) {
    if (!answered(e)) continue;
    for (const auto* sec : {&e.response->answers, &e.response->additional})
      for (const auto& r : *sec)
        if (r.type == addr_type && ns.count(r.name))
          if (auto a = address_of(r)) glue[r.name].insert(*a);
  }
  report.parent_ns.assign(ns.begin(), ns.end());

  // Phase 1: addresses of nameservers the parents gave no glue for.
  std::vector<model::DnsQuery> q1;
  std::vector<std::string> q1_names;
  for (const auto& n : report.parent_ns) {
    if (glue.count(n)) continue;
    for (const auto& p : c.parents) {
      q1.push_back(model::DnsQuery{p, n, addr_type, false, false});
      q1_names.push_back(n);
    }
  }
  auto resolved = run_phase(c, 1, q1, source, sink, streams, halt, all, stats);
  std::map<std::string, std::set<model::Address>> found;
  for (std::size_t i = 0; i < resolved.size(); ++i) {
    if (!answered(resolved[i])) continue;
    for (const auto* sec : {&resolved[i].response->answers, &resolved[i].response->additional})
      for (const auto& r : *sec)
        if (r.type == addr_type && r.name == q1_names[i])
          if (auto a = address_of(r)) found[r.name].insert(*a);
  }

  // Phase 2: every nameserver address, SOA and NS over UDP and TCP.
  for (const auto& n : report.parent_ns) {
    bool has_glue = glue.count(n) > 0;
    const auto& addrs = has_glue ? glue[n] : found[n];
    for (const auto& a : addrs) {
      model::ZoneServer s;
      s.name = n;
      s.addr = a;
      s.glue = has_glue;
      report.servers.push_back(s);
    }
    if (addrs.empty()) {
      model::ZoneServer s;
      s.name = n;
      s.status = ServerStatus::unresolved;
      report.servers.push_back(s);
    }
  }
  std::vector<model::DnsQuery> q2;
  std::vector<std::size_t> owner;
  for (std::size_t i = 0; i < report.servers.size(); ++i) {
    if (report.servers[i].status == ServerStatus::unresolved) continue;
    for (bool tcp : {false, true})
      for (std::uint16_t t : {kSoa, kNs}) {
        q2.push_back(model::DnsQuery{report.servers[i].addr, c.zone, t, false, tcp});
        owner.push_back(i);
      }
  }
  auto answers = run_phase(c, 2, q2, source, sink, streams, halt, all, stats);
  for (std::size_t k = 0; k + 3 < answers.size(); k += 4)
    evaluate_server(report.servers[owner[k]], c.zone, answers[k], answers[k + 2], answers[k + 1], answers[k + 3],
                    report.parent_ns);
  for (auto& s : report.servers)
    if (s.status == ServerStatus::unresolved) s.status = ServerStatus::unreachable;
  report.verdict = zone_verdict(report);
  return report;
}

}  // namespace probe::engine
