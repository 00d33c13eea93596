#!/usr/bin/env python3
"""seeds.py - seed corpora for the libFuzzer harnesses from real captures.

Usage: tests/fuzz/seeds.py DECODE_DIR REPLAY_DIR CAPTURE...

Every capture (pcap or pcapng) is copied into REPLAY_DIR cut after its
first KEEP_RECORDS records or 64 KiB (a whole record, so the copy is still a valid
capture, and small enough for the fuzzer to mutate quickly); its first frames of each distinct length go into DECODE_DIR, each prefixed
with the byte fuzz_decode.c reads as the link type (its index in that
harness's table).  Captures of a link type the harness has no index for
are only copied.
"""
import hashlib
import os
import struct
import sys

# Link type (as in the file) -> index in fuzz_decode.c's dlts[].
DLT_INDEX = {1: 0, 113: 1, 276: 2, 12: 3, 14: 3, 101: 4, 228: 5, 229: 6, 0: 7, 108: 8}
FRAMES_PER_FILE = 40
KEEP_RECORDS = 48


def pcap_frames(b):
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    dlt = struct.unpack(e + "I", b[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(b):
        caplen = struct.unpack(e + "I", b[off + 8:off + 12])[0]
        if off + 16 + caplen > len(b):
            return
        yield dlt, b[off + 16:off + 16 + caplen], off + 16 + caplen
        off += 16 + caplen


def pcapng_frames(b):
    off, e, links = 0, "<", []
    while off + 12 <= len(b):
        btype = struct.unpack(e + "I", b[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            e = "<" if b[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack(e + "I", b[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(b):
            return
        body = b[off + 8:off + blen - 4]
        if btype == 1:
            links.append(struct.unpack(e + "H", body[0:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifc, _, _, caplen = struct.unpack(e + "IIII", body[0:16])
            if ifc < len(links):
                yield links[ifc], body[20:20 + caplen], off + blen
        off += blen


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    ddir, rdir = sys.argv[1], sys.argv[2]
    os.makedirs(ddir, exist_ok=True)
    os.makedirs(rdir, exist_ok=True)
    nd = nr = 0
    for path in sys.argv[3:]:
        b = open(path, "rb").read()
        ng = b[:4] == b"\x0a\x0d\x0d\x0a"
        cut = len(b)
        for i, (_, _, end) in enumerate(pcapng_frames(b) if ng else pcap_frames(b)):
            if i + 1 == KEEP_RECORDS or (i >= 2 and end > 65536):
                cut = end
                break
        with open(os.path.join(rdir, os.path.basename(path)), "wb") as f:
            f.write(b[:cut])
        nr += 1
        gen = pcapng_frames(b) if ng else pcap_frames(b)
        seen, kept = set(), 0
        for dlt, frame, _ in gen:
            if dlt not in DLT_INDEX or len(frame) in seen:
                continue
            seen.add(len(frame))
            data = bytes([DLT_INDEX[dlt]]) + frame
            name = hashlib.sha1(data).hexdigest()
            with open(os.path.join(ddir, name), "wb") as f:
                f.write(data)
            nd += 1
            kept += 1
            if kept >= FRAMES_PER_FILE:
                break
    print("seeds: %d frames, %d captures" % (nd, nr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
