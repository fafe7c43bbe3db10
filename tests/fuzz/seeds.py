#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, cut at run time out of capture files.

usage: seeds.py OUTDIR CAPTURE...

Writes OUTDIR/fuzz_datagram/ (whole frames), OUTDIR/fuzz_classify/ (IP
packets, link layer stripped), OUTDIR/fuzz_dns/ (UDP payloads to or from
port 53) and, from the pcapng section comments, one folder per run record
codec: OUTDIR/fuzz_run_record/ (traces), OUTDIR/fuzz_dns_record/ (fl-dns) and
OUTDIR/fuzz_campaign_record/ (fl-locate, with the annotation that closes its
captures, an interface statistics block's comment); a comment that is no run record
seeds all three. Capture files are read in place, never copied into the project:
some of the public ones carry licences (see ../shared/captures-public/README.md).
Files that are not pcap/pcapng, or are damaged, give what could be read.
"""
import hashlib
import json
import os
import struct
import sys

MAX_FRAMES_PER_FILE = 200


def frames_pcap(b):
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    if len(b) < 24:
        return
    linktype = struct.unpack(e + "I", b[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(b):
        caplen = struct.unpack(e + "I", b[off + 8:off + 12])[0]
        data = b[off + 16:off + 16 + caplen]
        if len(data) < caplen:
            return
        yield linktype, data
        off += 16 + caplen


def blocks_pcapng(b):
    off = 0
    e = "<"
    while off + 12 <= len(b):
        btype = struct.unpack(e + "I", b[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            e = "<" if b[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        blen = struct.unpack(e + "I", b[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(b):
            return
        yield e, btype, b[off + 8:off + blen - 4]
        off += blen


def options(e, body):
    off = 0
    while off + 4 <= len(body):
        code, olen = struct.unpack(e + "HH", body[off:off + 4])
        if code == 0:
            return
        yield code, body[off + 4:off + 4 + olen]
        off += 4 + ((olen + 3) & ~3)


def read_pcapng(b):
    linktypes, frames, comments = [], [], []
    for e, btype, body in blocks_pcapng(b):
        if btype == 0x0A0D0D0A:
            linktypes = []
            comments += [v for c, v in options(e, body[16:]) if c == 1]
        elif btype == 5 and len(body) >= 12:
            # fl-locate's annotation closes its captures, split like a run record.
            joined = b"".join(v for c, v in options(e, body[12:]) if c == 1)
            if joined:
                comments.append(joined)
        elif btype == 1 and len(body) >= 8:
            linktypes.append(struct.unpack(e + "H", body[0:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifid, _, _, caplen = struct.unpack(e + "IIII", body[0:16])
            if ifid < len(linktypes):
                frames.append((linktypes[ifid], body[20:20 + caplen]))
        elif btype == 3 and linktypes and len(body) >= 4:
            frames.append((linktypes[0], body[4:]))
    return frames, comments


def strip_link(linktype, f):
    if linktype == 1:
        off, et = 14, f[12:14]
        while et in (b"\x81\x00", b"\x88\xa8") and len(f) >= off + 4:
            et, off = f[off + 2:off + 4], off + 4
        return f[off:]
    return f[{0: 4, 108: 4, 113: 16, 276: 20, 9: 4}.get(linktype, 0):]


def dns_payload(ip):
    """The UDP payload of an IPv4 packet to or from port 53, else None."""
    if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
        return None
    ihl = (ip[0] & 0x0F) * 4
    udp = ip[ihl:]
    if len(udp) < 8:
        return None
    sport, dport = struct.unpack(">HH", udp[:4])
    return udp[8:] if 53 in (sport, dport) else None


RECORD_TAG = b"faultline-run "
ANNOTATION_TAG = b"faultline-annotation "


def record_targets(comment):
    """The fuzz targets whose codec reads this section (or closing) comment."""
    if comment.startswith(ANNOTATION_TAG):
        return ["fuzz_campaign_record"]
    try:
        record = json.loads(comment[len(RECORD_TAG):]) if comment.startswith(RECORD_TAG) else None
    except ValueError:
        record = None
    if not isinstance(record, dict):
        return ["fuzz_run_record", "fuzz_dns_record", "fuzz_campaign_record"]
    if record.get("tool") == "fl-locate":
        return ["fuzz_campaign_record"]
    if record.get("tool") == "fl-dns" and "method" not in record:
        return ["fuzz_dns_record"]
    return ["fuzz_run_record"]


def put(outdir, target, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def main():
    outdir = sys.argv[1]
    for path in sys.argv[2:]:
        try:
            with open(path, "rb") as f:
                b = f.read()
        except OSError:
            continue
        frames, comments = read_pcapng(b) if b[:4] == b"\x0a\x0d\x0d\x0a" else (list(frames_pcap(b)), [])
        for linktype, frame in frames[:MAX_FRAMES_PER_FILE]:
            put(outdir, "fuzz_datagram", frame)
            ip = strip_link(linktype, frame)
            put(outdir, "fuzz_classify", ip)
            dns = dns_payload(ip)
            if dns:
                put(outdir, "fuzz_dns", dns)
        for c in comments:
            for target in record_targets(c):
                put(outdir, target, c)


if __name__ == "__main__":
    main()
