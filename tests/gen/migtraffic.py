#!/usr/bin/env python3
"""migtraffic.py - many small migration-shaped TCP flows, sent as raw frames (or written as pcap).

Each migration is one TCP flow of kind qemu (its first payload starts with
QEMU's "QEVM" magic, version 3) from 10.77.A.B:PORT to 10.78.0.1:49152:
SYN, SYN-ACK, ACK, SEGS data segments of 1000 bytes, FIN, FIN-ACK, ACK.
Migration i uses client address 10.77.(i // 250).(i % 250 + 1) and port
20000 + i % 40000, so every flow is its own 5-tuple and its own migration
(README "Which flows make a migration", rule 1).  The frames are the same
on every run; only the send times differ.  The addresses are no one's in
the test namespaces: the receiving kernel drops them silently (no RST).

  migtraffic.py send IFACE DSTMAC --count N [--rate PER_S] [--first I] [--segs SEGS]
  migtraffic.py pcap FILE --count N [--rate PER_S] [--first I] [--segs SEGS]

send writes to an AF_PACKET socket bound to IFACE (run it inside the
namespace), pacing migrations at PER_S per second (default 50); pcap
writes the same frames with those times from 2026-01-01 into FILE.
Prints the number of migrations sent.  stdlib only.
"""
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(smac, dmac, sip, dip, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = socket.inet_aton(sip) + socket.inet_aton(dip) + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    c = csum(pseudo + tcp + payload)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    tot = 20 + len(tcp) + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 0, 0x4000, 64, 6, 0,
                     socket.inet_aton(sip), socket.inet_aton(dip))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + tcp + payload


def migration(i, smac, dmac, segs):
    """The frames of migration i, each with its offset in seconds from the migration's start."""
    cip = "10.77.%d.%d" % (i // 250 % 250, i % 250 + 1)
    sip = "10.78.0.1"
    cport, sport = 20000 + i % 40000, 49152
    cs, ss = 1000 + i, 5000 + i
    out = []
    t = 0.0

    def add(f):
        nonlocal t
        out.append((t, f))
        t += 0.0005

    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
    add(frame(smac, dmac, cip, sip, cport, sport, cs, 0, SYN))
    add(frame(dmac, smac, sip, cip, sport, cport, ss, cs + 1, SYN | ACK))
    cs += 1
    ss += 1
    add(frame(smac, dmac, cip, sip, cport, sport, cs, ss, ACK))
    for k in range(segs):
        body = (b"QEVM\x00\x00\x00\x03" if k == 0 else b"") + bytes((i + k + j) & 0xFF for j in range(8))
        body += b"\x5a" * (1000 - len(body))
        add(frame(smac, dmac, cip, sip, cport, sport, cs, ss, ACK | PSH, body))
        cs += len(body)
    add(frame(smac, dmac, cip, sip, cport, sport, cs, ss, FIN | ACK))
    cs += 1
    add(frame(dmac, smac, sip, cip, sport, cport, ss, cs, FIN | ACK))
    ss += 1
    add(frame(smac, dmac, cip, sip, cport, sport, cs, ss, ACK))
    return out


def main(argv):
    if len(argv) < 3 or argv[1] not in ("send", "pcap"):
        sys.stderr.write(__doc__)
        return 2
    mode = argv[1]
    opts = {"--count": 100, "--rate": 50.0, "--first": 0, "--segs": 4}
    pos = []
    a = argv[2:]
    while a:
        w = a.pop(0)
        if w in opts:
            opts[w] = type(opts[w])(a.pop(0))
        else:
            pos.append(w)
    smac = bytes.fromhex("02000000beef")
    if mode == "send":
        ifc, dmac = pos[0], bytes.fromhex(pos[1].replace(":", ""))
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((ifc, 0))
        t0 = time.monotonic()
        for n in range(opts["--count"]):
            at = t0 + n / opts["--rate"]
            for off, f in migration(opts["--first"] + n, smac, dmac, opts["--segs"]):
                d = at + off - time.monotonic()
                if d > 0:
                    time.sleep(d)
                s.send(f)
    else:
        dmac = bytes.fromhex("02000000cafe")
        with open(pos[0], "wb") as fp:
            fp.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
            base = 1767225600 * 10**9
            for n in range(opts["--count"]):
                at = base + int(n * 10**9 / opts["--rate"])
                for off, f in migration(opts["--first"] + n, smac, dmac, opts["--segs"]):
                    ts = at + int(off * 10**9)
                    fp.write(struct.pack("<IIII", ts // 10**9, ts % 10**9, len(f), len(f)) + f)
    print(opts["--count"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
