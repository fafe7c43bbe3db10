// SPDX-License-Identifier: BSD-2-Clause
/* pcap_loop: the floor for replay speed. Reads a capture (pcap or pcapng)
 * with libpcap and nothing else: counts packets and captured bytes.
 *
 *   cc -O2 -o pcap_loop bench/pcap_loop.c -lpcap
 *   pcap_loop FILE   ->  "PACKETS BYTES SECONDS" on one line
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <time.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: pcap_loop FILE\n");
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE];
  const double t0 = now_s();
  pcap_t* p = pcap_open_offline(argv[1], err);
  if (p == NULL) {
    fprintf(stderr, "pcap_loop: %s\n", err);
    return 1;
  }
  struct pcap_pkthdr* h;
  const u_char* data;
  unsigned long long packets = 0, bytes = 0;
  int rc;
  while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
    ++packets;
    bytes += h->caplen;
  }
  if (rc == PCAP_ERROR) fprintf(stderr, "pcap_loop: %s\n", pcap_geterr(p));
  pcap_close(p);
  printf("%llu %llu %.6f\n", packets, bytes, now_s() - t0);
  return rc == PCAP_ERROR ? 1 : 0;
}
