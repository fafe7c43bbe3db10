// SPDX-License-Identifier: BSD-2-Clause
#include "probe/engine/dns_trace.h"

namespace probe::engine {

TraceConfig dns_trace_config(const DnsConfig& dns, const model::DnsQuery& query, std::uint8_t max_ttl, int gaplimit) {
  TraceConfig t;
  t.method = model::Method::dns;
  t.src = dns.src;
  t.sport = dns.sport;
  t.dport = dns.dport;
  t.max_ttl = max_ttl;
  t.attempts = dns.tries;
  t.wait_us = dns.wait_us;
  t.gaplimit = gaplimit;
  t.pps = dns.pps;
  t.run_key = dns.run_key;
  t.dns_qname = query.qname;
  t.dns_qtype = query.qtype;
  t.dns_rd = query.rd;
  return t;
}

}  // namespace probe::engine
