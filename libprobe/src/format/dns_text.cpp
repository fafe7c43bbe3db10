// SPDX-License-Identifier: BSD-2-Clause
#include "probe/format/dns_text.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "probe/model/words.h"
#include "probe/packet/dns.h"

namespace probe::format {

namespace {

void section(std::ostream& out, const char* title, const std::vector<model::DnsRecord>& rs) {
  if (rs.empty()) return;
  out << ";; " << title << " SECTION:\n";
  for (const auto& r : rs)
    out << fmt::format("{}\t{}\tIN\t{}\t{}\n", r.name, r.ttl, packet::dns_type_name(r.type), r.data);
  out << '\n';
}

bool answered(const model::DnsExchange& e) { return e.response && e.outcome == model::DnsOutcome::answer; }

// Why an exchange has no answer, one ";;" line as dig prints it.
void write_failure(std::ostream& out, const model::DnsExchange& e) {
  switch (e.outcome) {
    case model::DnsOutcome::icmp_error:
      out << fmt::format(";; ICMP type {} code {} from {}\n", e.icmp->type, e.icmp->code, e.icmp->addr.to_string());
      break;
    case model::DnsOutcome::tcp_reset: out << ";; connection reset by the server (TCP)\n"; break;
    case model::DnsOutcome::not_sent: out << ";; not sent\n"; break;
    case model::DnsOutcome::malformed:
      out << fmt::format(";; only untrusted answers ({}: {})\n", e.rejected, e.rejected_reason);
      break;
    default:
      out << fmt::format(";; connection timed out; no servers could be reached ({} {})\n", e.tcp ? "tcp" : "udp",
                         e.tcp ? 1 : e.tries);
  }
}

}  // namespace

void write_text(std::ostream& out, const model::DnsExchange& e) {
  std::string type = packet::dns_type_name(e.query.qtype);
  out << fmt::format("; <<>> fl-dns <<>> @{} {} {}{}\n", e.query.server.to_string(), e.query.qname, type,
                     e.query.rd ? "" : " +norec");
  if (!answered(e)) {
    write_failure(out, e);
    out << '\n';
    return;
  }
  const auto& m = *e.response;
  out << fmt::format(";; ->>HEADER<<- opcode: QUERY, status: {}, id: {}\n", packet::dns_rcode_name(m.rcode), m.id);
  std::string flags;
  for (auto [on, name] : {std::pair{m.qr, "qr"}, {m.aa, "aa"}, {m.tc, "tc"}, {m.rd, "rd"}, {m.ra, "ra"},
                          {m.ad, "ad"}, {m.cd, "cd"}})
    if (on) flags += std::string(" ") + name;
  out << fmt::format(";; flags:{}; QUERY: {}, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}\n\n", flags,
                     m.questions.size(), m.answers.size(), m.authority.size(), m.additional.size());
  out << ";; QUESTION SECTION:\n;" << e.query.qname << "\t\tIN\t" << type << "\n\n";
  section(out, "ANSWER", m.answers);
  section(out, "AUTHORITY", m.authority);
  section(out, "ADDITIONAL", m.additional);
  out << fmt::format(";; Query time: {} usec\n;; SERVER: {}#{}({}){}\n;; MSG SIZE  rcvd: {}\n",
                     e.rtt_us, e.query.server.to_string(), e.dport, e.tcp ? "TCP" : "UDP",
                     e.udp_truncated ? " (UDP answer truncated, retried over TCP)" : "", e.response_bytes);
  if (e.rejected > 0) out << fmt::format(";; WARNING: {} untrusted answers ignored ({})\n", e.rejected, e.rejected_reason);
  out << '\n';
}

void write_short(std::ostream& out, const model::DnsExchange& e) {
  if (!answered(e)) return write_failure(out, e);
  for (const auto& r : e.response->answers) out << r.data << '\n';
}

void write_text(std::ostream& out, const model::ZoneReport& r) {
  out << fmt::format("zone {}: {}\n", r.zone, to_word(r.verdict));
  if (!r.parent_answered) out << "  no parent server answered\n";
  else out << "  delegation: " << fmt::format("{}", fmt::join(r.parent_ns, " ")) << '\n';
  for (const auto& s : r.servers) {
    out << fmt::format("  {:<24} {:<15} {:<12} udp:{} tcp:{} aa:{} rcode:{} serial:{} ns:{}\n", s.name,
                       s.addr.to_string(), to_word(s.status), s.udp ? "yes" : "no", s.tcp ? "yes" : "no",
                       s.authoritative ? "yes" : "no", s.rcode.empty() ? "-" : s.rcode,
                       s.serial ? std::to_string(*s.serial) : "-", s.ns.empty() ? "-" : s.ns_match ? "same" : "differs");
  }
}

}  // namespace probe::format
