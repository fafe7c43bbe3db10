#!/usr/bin/env bash
# Hand validation of the lab scenarios with peer tools: for each scenario,
# traceroute (UDP, ICMP, TCP) and scamper (icmp-paris, udp-paris, tcp) from
# the vantage. Usage (root): validate_scenarios.sh FL_LAB [SCENARIO...]
# TARGETS="A B ..." traces those addresses instead of 198.18.200.1 (the
# country scenarios: TARGETS="198.18.128.1 198.18.136.1 192.0.2.99").
set -euo pipefail
FL_LAB=${1:?path to fl-lab}; shift
NAME=val$$
NAME=${NAME:0:8}
trap '"$FL_LAB" down "$NAME" >/dev/null 2>&1 || true' EXIT
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || mapfile -t scenarios < <("$FL_LAB" list-scenarios | cut -f1)
TARGETS=${TARGETS:-198.18.200.1}
for s in "${scenarios[@]}"; do
  echo "=== $s"
  # A fresh lab per run: routers' ICMP rate limits (Linux defaults) would
  # otherwise carry one run's debt into the next.
  for T in $TARGETS; do
    for m in "" -I -T; do
      echo "--- traceroute -N1 ${m:-(udp)} $T"
      "$FL_LAB" up "$NAME" "$s" >/dev/null
      timeout 60 "$FL_LAB" exec "$NAME" vp -- traceroute -N1 -n -q1 -w1 -m 8 $m $T | tail -n +2 || true
      "$FL_LAB" down "$NAME" >/dev/null
    done
    for m in icmp-paris udp-paris tcp; do
      echo "--- scamper $m $T"
      "$FL_LAB" up "$NAME" "$s" >/dev/null
      timeout 60 "$FL_LAB" exec "$NAME" vp -- scamper -O json -c "trace -P $m -q 1 -w 1 -m 8" -i $T 2>/dev/null |
        python3 -c '
import json,sys
for l in sys.stdin:
    o=json.loads(l)
    if o.get("type")!="trace": continue
    print(" stop", o.get("stop_reason"), "|", " ".join("%d:%s(%s/%s)"%(h["probe_ttl"],h["addr"],h.get("icmp_type"),h.get("icmp_code")) for h in o.get("hops",[])))
' || true
      "$FL_LAB" down "$NAME" >/dev/null
    done
  done
done
