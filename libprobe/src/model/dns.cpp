// SPDX-License-Identifier: BSD-2-Clause
#include "probe/model/dns.h"

namespace probe::model {

std::string_view to_string(DnsOutcome o) {
  switch (o) {
    case DnsOutcome::answer: return "answer";
    case DnsOutcome::timeout: return "timeout";
    case DnsOutcome::icmp_error: return "icmp_error";
    case DnsOutcome::tcp_reset: return "tcp_reset";
    case DnsOutcome::malformed: return "malformed";
    case DnsOutcome::not_sent: return "not_sent";
  }
  return "unknown";
}

}  // namespace probe::model
