#!/usr/bin/env python3
"""http_hostile.py - hostile HTTP clients for test_prom.sh; prints one line of figures per mode.

  http_hostile.py oversize HOST PORT BYTES      one request line of BYTES bytes; prints the status or 'closed'
  http_hostile.py flood HOST PORT N             N connections at once, each a full GET /metrics;
                                                prints 'ok=A ended=B hung=C' (answered 200, closed without
                                                an answer, still open after 15 s)
  http_hostile.py slowloris HOST PORT IDLE N SECONDS
                                                IDLE connections send half a request and then nothing;
                                                N more trickle one header line a second for SECONDS;
                                                prints 'idle_closed=A trickle_open=B trickle_refused=C'
Everything is bounded by timeouts; nothing is sent anywhere but HOST.
"""
import select
import socket
import sys
import time


def connect(host, port, timeout=5.0):
    s = socket.create_connection((host, port), timeout=timeout)
    s.setblocking(False)
    return s


def status_of(data):
    line = data.split(b"\r\n", 1)[0].split()
    return line[1].decode() if len(line) >= 2 and line[0].startswith(b"HTTP/") else "garbled"


def oversize(host, port, n):
    s = socket.create_connection((host, port), timeout=5.0)
    req = b"GET /" + b"a" * n + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    try:
        s.sendall(req)
    except OSError:
        pass  # the server answered and closed before taking it all
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    print(status_of(data) if data else "closed")


def flood(host, port, n):
    socks = []
    for _ in range(n):
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((host, port))
            socks.append(s)
        except OSError:
            pass
    req = b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    pending = {s: b"" for s in socks}
    sent = set()
    ok = ended = 0
    deadline = time.time() + 15
    while pending and time.time() < deadline:
        want_w = [s for s in pending if s not in sent]
        r, w, _ = select.select(list(pending), want_w, [], 0.5)
        for s in w:
            try:
                s.sendall(req)
                sent.add(s)
            except OSError:
                pass
        for s in r:
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b""
            if chunk:
                pending[s] += chunk
                continue
            if pending[s].startswith(b"HTTP/1.1 200"):
                ok += 1
            else:
                ended += 1
            del pending[s]
            s.close()
    print("ok=%d ended=%d hung=%d" % (ok, ended, len(pending)))
    for s in pending:
        s.close()


def slowloris(host, port, idle, n, seconds):
    head = b"GET /metrics HTTP/1.1\r\nHost: x\r\n"
    idles = []
    for _ in range(idle):
        s = connect(host, port)
        s.send(head)
        idles.append(s)
    time.sleep(0.2)
    trickle = []
    refused = 0
    for _ in range(n):
        try:
            s = connect(host, port)
            s.send(head)
            trickle.append(s)
        except OSError:
            refused += 1
    closed_idle = set()
    end = time.time() + seconds
    while time.time() < end:
        for s in list(trickle):
            try:
                s.send(b"X-a: b\r\n")
            except OSError:
                trickle.remove(s)
                refused += 1
                s.close()
        r, _, _ = select.select(idles + trickle, [], [], 1.0)
        for s in r:
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b""
            if chunk:
                continue
            if s in idles:
                closed_idle.add(s)
            elif s in trickle:
                trickle.remove(s)
                refused += 1
                s.close()
        idles = [s for s in idles if s not in closed_idle]
    print("idle_closed=%d trickle_open=%d trickle_refused=%d" % (len(closed_idle), len(trickle), refused))
    for s in idles + trickle:
        s.close()


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "oversize":
        oversize(host, port, int(sys.argv[4]))
    elif mode == "flood":
        flood(host, port, int(sys.argv[4]))
    elif mode == "slowloris":
        slowloris(host, port, int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
