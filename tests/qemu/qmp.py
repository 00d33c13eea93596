#!/usr/bin/env python3
"""qmp.py - a small QMP client (python3 stdlib only) for the real-QEMU test.

As a module: QMP(path) connects to a QEMU monitor's unix socket, negotiates
capabilities, runs commands (cmd) and keeps every asynchronous event it
reads, each with its QEMU timestamp converted to epoch seconds (QMP events
carry {"seconds", "microseconds"} of the host's wall clock, g_get_real_time:
the clock pcap timestamps come from).

As a command:
  qmp.py wait SOCK [--timeout S]            until the monitor answers
  qmp.py cmd SOCK COMMAND [JSON-ARGUMENTS]  prints the command's return as JSON
  qmp.py migrate --src SOCK --dst SOCK --uri tcp:HOST:PORT [--multifd N]
                 [--id N] [--from NAME] [--to NAME] [--timeout S] [--qmp-log FILE] -o FILE
      one live migration: capabilities and parameters on both sides,
      migrate-incoming on the destination, migrate on the source, polls
      query-migrate until it ends, waits for the destination's RESUME, and
      writes one JSON object: QEMU's own figures (total-time, downtime,
      setup-time, ram.*) and events (source STOP, destination RESUME, the
      MIGRATION status changes) with their epoch timestamps; --qmp-log also
      saves the source's QMP messages as QEMU sent them (its events, then
      the final query-migrate reply), one JSON object a line, for
      migmeter replay --query-migrate.
Exit status: 0 success, 1 failure (one line on stderr), 2 usage.
"""

import argparse
import json
import os
import select
import socket
import sys
import time


class QMPError(Exception):
    """A QMP error reply, a closed monitor or a time-out."""


class QMP:
    def __init__(self, path, timeout=10.0):
        self.path = path
        self.events = []
        self._buf = b""
        self._id = 0
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError as e:
                self.sock.close()
                if time.monotonic() >= deadline:
                    raise QMPError(f"{path}: cannot connect: {e}") from None
                time.sleep(0.05)
        greeting = self._read(deadline)
        if "QMP" not in greeting:
            raise QMPError(f"{path}: no QMP greeting: {greeting}")
        self.version = greeting["QMP"].get("version", {}).get("qemu", {})
        self.cmd("qmp_capabilities")

    def close(self):
        self.sock.close()

    @staticmethod
    def event_ts(ev):
        t = ev.get("timestamp", {})
        return t.get("seconds", 0) + t.get("microseconds", 0) / 1e6

    def _read(self, deadline):
        """The next message, or QMPError at the deadline."""
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QMPError(f"{self.path}: timed out waiting for QEMU")
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            chunk = self.sock.recv(65536)
            if not chunk:
                raise QMPError(f"{self.path}: monitor closed")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        line = line.strip()
        if not line:
            return self._read(deadline)
        return json.loads(line)

    def _dispatch(self, msg):
        """Keeps an event; returns True when msg was one."""
        if "event" in msg:
            msg["ts"] = self.event_ts(msg)
            self.events.append(msg)
            return True
        return False

    def cmd(self, name, timeout=10.0, **args):
        self._id += 1
        req = {"execute": name, "id": self._id}
        if args:
            req["arguments"] = args
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read(deadline)
            if self._dispatch(msg):
                continue
            if msg.get("id") != self._id:
                continue
            if "error" in msg:
                err = msg["error"]
                raise QMPError(f"{name}: {err.get('class')}: {err.get('desc')}")
            return msg.get("return")

    def poll_events(self, wait=0.0):
        """Reads whatever events arrive within wait seconds."""
        deadline = time.monotonic() + wait
        while True:
            if b"\n" not in self._buf:
                left = max(0.0, deadline - time.monotonic())
                r, _, _ = select.select([self.sock], [], [], left)
                if not r:
                    return
            try:
                msg = self._read(time.monotonic() + 1.0)
            except QMPError:
                return
            self._dispatch(msg)

    def wait_event(self, name, timeout, pred=None):
        """The first kept or arriving event NAME (for which pred is true)."""
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.events:
                if ev["event"] == name and (pred is None or pred(ev)):
                    return ev
            if time.monotonic() >= deadline:
                raise QMPError(f"{self.path}: no {name} event within {timeout} s")
            self.poll_events(min(0.05, max(0.0, deadline - time.monotonic())))


def _port_of(uri):
    # tcp:HOST:PORT, tcp:[V6]:PORT
    try:
        return int(uri.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        raise QMPError(f"uri {uri}: no port") from None


def migrate(args):
    src = QMP(args.src)
    dst = QMP(args.dst)
    caps = [{"capability": "events", "state": True},
            {"capability": "multifd", "state": args.multifd > 0}]
    for side in (src, dst):
        side.cmd("migrate-set-capabilities", capabilities=caps)
        params = {}
        if args.multifd > 0:
            params["multifd-channels"] = args.multifd
        if params:
            side.cmd("migrate-set-parameters", **params)
    dst.cmd("migrate-incoming", uri=args.uri)
    t_cmd = time.time()
    src.cmd("migrate", uri=args.uri)
    deadline = time.monotonic() + args.timeout
    info = {}
    while time.monotonic() < deadline:
        info = src.cmd("query-migrate")
        if info.get("status") in ("completed", "failed", "cancelled"):
            break
        src.poll_events(0.05)
        dst.poll_events(0.0)
    status = info.get("status")
    if status != "completed":
        raise QMPError(f"migration {args.id} to {args.uri} ended {status}: "
                       f"{info.get('error-desc', 'no error given')}")
    # QEMU 7.2 sets the status to completed a moment before it works out
    # total-time and downtime (migration_calculate_complete): a query in
    # between reads 0 for both.  Ask again until they are filled in.
    settle = time.monotonic() + 5.0
    while not info.get("total-time") and time.monotonic() < settle:
        src.poll_events(0.02)
        info = src.cmd("query-migrate")
    if not info.get("total-time"):
        raise QMPError(f"migration {args.id}: completed but total-time stays {info.get('total-time')}")
    resume = dst.wait_event("RESUME", 30.0)
    dst.wait_event("MIGRATION", 10.0, lambda e: e["data"].get("status") == "completed")
    src.wait_event("MIGRATION", 10.0, lambda e: e["data"].get("status") == "completed")
    stop = src.wait_event("STOP", 1.0)
    dst_status = dst.cmd("query-status")
    # Whatever else arrives in the next moment (announce timers, etc.).
    src.poll_events(0.1)
    dst.poll_events(0.1)

    def evlist(side):
        return [{"event": e["event"], "ts": e["ts"], "data": e.get("data", {})}
                for e in side.events]

    def status_ts(side, st):
        for e in side.events:
            if e["event"] == "MIGRATION" and e["data"].get("status") == st:
                return e["ts"]
        return None

    ram = info.get("ram", {})
    out = {
        "id": args.id,
        "from": args.src_name,
        "to": args.dst_name,
        "uri": args.uri,
        "port": _port_of(args.uri),
        "multifd_channels": args.multifd,
        "qemu_version": src.version,
        "migrate_cmd_ts": t_cmd,
        "status": status,
        "total_time_ms": info.get("total-time"),
        "downtime_ms": info.get("downtime"),
        "setup_time_ms": info.get("setup-time"),
        "ram_transferred": ram.get("transferred"),
        "ram_total": ram.get("total"),
        "ram_normal": ram.get("normal"),
        "ram_normal_bytes": ram.get("normal-bytes"),
        "ram_duplicate": ram.get("duplicate"),
        "ram_multifd_bytes": ram.get("multifd-bytes"),
        "ram_dirty_sync_count": ram.get("dirty-sync-count"),
        "ram_page_size": ram.get("page-size"),
        "stop_ts": stop["ts"],
        "resume_ts": resume["ts"],
        "src_setup_ts": status_ts(src, "setup"),
        "src_active_ts": status_ts(src, "active"),
        "src_device_ts": status_ts(src, "device"),
        "src_completed_ts": status_ts(src, "completed"),
        "dst_active_ts": status_ts(dst, "active"),
        "dst_completed_ts": status_ts(dst, "completed"),
        "dst_running": dst_status.get("running"),
        "query_migrate": info,
        "events": {"src": evlist(src), "dst": evlist(dst)},
    }
    src.close()
    dst.close()
    if args.qmp_log:
        with open(args.qmp_log + ".tmp", "w") as f:
            for e in src.events:
                f.write(json.dumps({k: e[k] for k in ("timestamp", "event", "data") if k in e}) + "\n")
            f.write(json.dumps({"return": info}) + "\n")
        os.replace(args.qmp_log + ".tmp", args.qmp_log)
    tmp = args.output + ".tmp"
    with open(tmp, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    os.replace(tmp, args.output)
    print(f"migration {args.id}: {args.src_name} -> {args.dst_name} {args.uri}"
          f"{' multifd ' + str(args.multifd) if args.multifd else ''}: "
          f"total-time {out['total_time_ms']} ms, downtime {out['downtime_ms']} ms, "
          f"setup-time {out['setup_time_ms']} ms, ram.transferred {out['ram_transferred']} B, "
          f"RESUME-STOP {1000 * (resume['ts'] - stop['ts']):.1f} ms")


def main(argv):
    p = argparse.ArgumentParser(prog="qmp.py", description="a small QMP client")
    sub = p.add_subparsers(dest="what", required=True)
    w = sub.add_parser("wait")
    w.add_argument("sock")
    w.add_argument("--timeout", type=float, default=10.0)
    c = sub.add_parser("cmd")
    c.add_argument("sock")
    c.add_argument("command")
    c.add_argument("arguments", nargs="?", default="{}")
    c.add_argument("--timeout", type=float, default=10.0)
    m = sub.add_parser("migrate")
    m.add_argument("--src", required=True)
    m.add_argument("--dst", required=True)
    m.add_argument("--uri", required=True)
    m.add_argument("--multifd", type=int, default=0)
    m.add_argument("--id", type=int, default=1)
    m.add_argument("--from", dest="src_name", default="src")
    m.add_argument("--to", dest="dst_name", default="dst")
    m.add_argument("--timeout", type=float, default=60.0)
    m.add_argument("-o", dest="output", required=True)
    m.add_argument("--qmp-log", dest="qmp_log", default=None)
    args = p.parse_args(argv)
    try:
        if args.what == "wait":
            q = QMP(args.sock, args.timeout)
            q.cmd("query-status")
            q.close()
        elif args.what == "cmd":
            try:
                cargs = json.loads(args.arguments)
            except json.JSONDecodeError as e:
                print(f"qmp.py: arguments are not JSON: {e}", file=sys.stderr)
                return 2
            q = QMP(args.sock, args.timeout)
            ret = q.cmd(args.command, timeout=args.timeout, **cargs)
            print(json.dumps(ret))
            q.close()
        else:
            migrate(args)
    except (QMPError, OSError, ValueError) as e:
        print(f"qmp.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
