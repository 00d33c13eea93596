#!/usr/bin/env python3
"""compare.py - each real QEMU migration beside migmeter's measurement of it.

Usage: compare.py --qemu QEMU.json --report REPORT.json [--announces RARP.tsv]
                  [--mac MAC] [--guest ADDR] [--checks CHECKS.tsv] [--out FILE]

QEMU.json is a list of the objects tests/qemu/qmp.py migrate writes (QEMU's
query-migrate figures and STOP/RESUME event times); REPORT.json is migmeter's
JSON report of the capture that saw them all; RARP.tsv the announce frames of
the capture's -w file (tshark: frame.time_epoch, eth.src, arp.opcode).

Per migration:
  * migmeter's flows of that migration, grouped here: the flows whose
    listening port is the migrate-incoming port (the main stream and every
    multifd channel connect to it) on the destination's address.  Unique
    payload (forward) >= ram.transferred and at most 0.5 % above it; the
    flows' span (first to last packet) within 200 ms of total-time.
  * when the report has migration records (`migrations`, schema
    migmeter-report/2): the record whose main flow is on that port, its
    unique payload, duration and `resumed` against the same bounds and the
    RESUME event (5 ms).
  * the downtime episode of the echo stream to the guest that covers the
    switchover (first lost request between STOP - 0.2 s and RESUME + 0.2 s):
    exactly one per migration, and no episode outside every migration.
  * the first RARP from the guest's MAC after STOP within 5 ms of RESUME,
    and QEMU's default announce-rounds (5) of them.
Prints the table; with --checks writes one "name<TAB>1|0<TAB>reason" line a
check (the e2e suite turns them into PASS/FAIL); with --out the figures as
JSON.  Exit status: 0 when every check passed, 1 otherwise, 2 bad input.
"""

import argparse
import json
import sys

PAYLOAD_MAX_OVER = 0.005   # unique payload at most 0.5 % above ram.transferred
DURATION_TOL_S = 0.200     # flow span vs total-time
ANNOUNCE_TOL_S = 0.005     # first RARP vs the RESUME event
EPISODE_SLACK_S = 0.200    # episode start around STOP..RESUME
ANNOUNCE_ROUNDS = 5        # QEMU's default announce-rounds


class Checks:
    def __init__(self):
        self.rows = []

    def add(self, name, ok, reason):
        self.rows.append((name, bool(ok), reason))
        return ok

    def failed(self):
        return sum(1 for r in self.rows if not r[1])


def uri_host(uri):
    # tcp:HOST:PORT
    return uri.split(":", 1)[1].rsplit(":", 1)[0].strip("[]")


def flows_of(report, mig):
    host = uri_host(mig["uri"])
    return [f for f in report.get("flows", [])
            if f.get("class") == "migration" and f.get("server_port") == mig["port"]
            and f.get("server") == host and f.get("counted", True)]


def guest_episodes(report, guest):
    eps = []
    for st in report.get("downtime", {}).get("streams", []):
        if guest and st.get("target") != guest:
            continue
        for e in st.get("episodes", []):
            eps.append(dict(e, interval_s=st.get("interval_s")))
    return sorted(eps, key=lambda e: e.get("first_lost_ts", 0))


def read_announces(path, mac):
    out = []
    if not path:
        return out
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[0]:
                continue
            if mac and parts[1].lower() != mac.lower():
                continue
            out.append(float(parts[0]))
    return sorted(out)


def record_of(report, mig):
    """The migmeter migration record (schema /2) whose main flow is on mig's port."""
    for rec in report.get("migrations", []) or []:
        for f in rec.get("flows", []):
            if f.get("server_port") == mig["port"] and f.get("role", "main") == "main":
                return rec
    return None


def pct(a, b):
    return 100.0 * (a - b) / b if b else float("nan")


def compare(qemu, report, announces, guest, checks):
    figures = []
    episodes = guest_episodes(report, guest)
    claimed = set()
    has_records = isinstance(report.get("migrations"), list)
    checks.add("report-schema", report.get("schema", "").startswith("migmeter-report/"),
               f"schema {report.get('schema')}")
    for mig in sorted(qemu, key=lambda m: m["id"]):
        n = f"m{mig['id']}"
        fig = {"id": mig["id"], "from": mig["from"], "to": mig["to"], "port": mig["port"],
               "multifd_channels": mig["multifd_channels"],
               "qemu": {k: mig.get(k) for k in (
                   "total_time_ms", "downtime_ms", "setup_time_ms", "ram_transferred",
                   "ram_total", "ram_normal", "ram_normal_bytes", "ram_duplicate",
                   "ram_multifd_bytes", "stop_ts", "resume_ts", "migrate_cmd_ts")}}
        ram = mig["ram_transferred"]
        total_s = mig["total_time_ms"] / 1000.0

        # -- migmeter's flows, grouped by the migration's port ----------
        flows = flows_of(report, mig)
        kinds = sorted(f.get("kind", "?") for f in flows)
        want = sorted(["qemu"] + ["multifd"] * mig["multifd_channels"])
        checks.add(f"{n}-flows", kinds == want,
                   f"flows on port {mig['port']}: kinds {kinds}, expected {want}")
        if flows:
            unique = sum(f["forward"]["unique_payload_bytes"] for f in flows)
            first = min(f["first_ts"] for f in flows)
            last = max(f["last_ts"] for f in flows)
            span = last - first
            retrans = sum(f["forward"].get("retrans_bytes", 0) for f in flows)
            main = [f for f in flows if f.get("kind") == "qemu"]
            mfd = [f for f in flows if f.get("kind") == "multifd"]
            fig["flows"] = {
                "unique_payload_bytes": unique,
                "main_unique_payload_bytes": sum(f["forward"]["unique_payload_bytes"] for f in main),
                "multifd_unique_payload_bytes": sum(f["forward"]["unique_payload_bytes"] for f in mfd),
                "retrans_bytes": retrans,
                "first_ts": first, "last_ts": last, "span_s": span,
                "payload_over_ram_bytes": unique - ram,
                "payload_over_ram_pct": pct(unique, ram),
                "span_minus_total_time_s": span - total_s,
            }
            checks.add(f"{n}-unique-payload-ge-ram-transferred", unique >= ram,
                       f"unique payload {unique} < ram.transferred {ram}")
            checks.add(f"{n}-unique-payload-within-0.5pct", unique <= ram * (1 + PAYLOAD_MAX_OVER),
                       f"unique payload {unique} is {unique - ram} B ({pct(unique, ram):.3f} %) "
                       f"above ram.transferred {ram}")
            checks.add(f"{n}-span-within-200ms-of-total-time", abs(span - total_s) <= DURATION_TOL_S,
                       f"flow span {span:.3f} s vs total-time {total_s:.3f} s")
            checks.add(f"{n}-span-covers-stop-resume",
                       first <= mig["stop_ts"] <= last + DURATION_TOL_S,
                       f"STOP {mig['stop_ts']:.6f} outside the flows {first:.6f}..{last:.6f}")

        # -- migmeter's own record (schema /2) --------------------------
        if has_records:
            rec = record_of(report, mig)
            if checks.add(f"{n}-record", rec is not None,
                          f"no migration record with its main flow on port {mig['port']}"):
                r_unique = rec.get("unique_payload_bytes")
                if isinstance(r_unique, dict):
                    r_unique = r_unique.get("total")
                r_dur = rec.get("duration_s")
                r_res = rec.get("resumed")
                if isinstance(r_res, dict):
                    r_res = r_res.get("ts")
                fig["record"] = {"id": rec.get("id"), "unique_payload_bytes": r_unique,
                                 "duration_s": r_dur, "resumed": r_res,
                                 "episodes": len(rec.get("episodes", []) or [])}
                if checks.add(f"{n}-record-unique-payload", isinstance(r_unique, int),
                              f"record unique_payload_bytes {r_unique!r}"):
                    checks.add(f"{n}-record-unique-payload-ge-ram-transferred", r_unique >= ram,
                               f"record unique payload {r_unique} < ram.transferred {ram}")
                    checks.add(f"{n}-record-unique-payload-within-0.5pct",
                               r_unique <= ram * (1 + PAYLOAD_MAX_OVER),
                               f"record unique payload {r_unique} is {pct(r_unique, ram):.3f} % above {ram}")
                if checks.add(f"{n}-record-duration", isinstance(r_dur, (int, float)),
                              f"record duration_s {r_dur!r}"):
                    checks.add(f"{n}-record-duration-within-200ms-of-total-time",
                               abs(r_dur - total_s) <= DURATION_TOL_S,
                               f"record duration {r_dur:.3f} s vs total-time {total_s:.3f} s")
                if checks.add(f"{n}-record-resumed", isinstance(r_res, (int, float)),
                              f"record resumed {r_res!r}"):
                    checks.add(f"{n}-record-resumed-within-5ms-of-RESUME",
                               abs(r_res - mig["resume_ts"]) <= ANNOUNCE_TOL_S,
                               f"record resumed {r_res:.6f} vs RESUME {mig['resume_ts']:.6f} "
                               f"({1000 * (r_res - mig['resume_ts']):+.2f} ms)")
                checks.add(f"{n}-record-one-episode", len(rec.get("episodes", []) or []) == 1,
                           f"record has {len(rec.get('episodes', []) or [])} episodes")

        # -- the downtime episode of this switchover --------------------
        lo = mig["stop_ts"] - EPISODE_SLACK_S
        hi = mig["resume_ts"] + EPISODE_SLACK_S
        mine = [i for i, e in enumerate(episodes) if lo <= e.get("first_lost_ts", 0) <= hi]
        claimed.update(mine)
        if checks.add(f"{n}-one-downtime-episode", len(mine) == 1,
                      f"{len(mine)} episodes start between STOP-0.2s and RESUME+0.2s"):
            e = episodes[mine[0]]
            pause = mig["resume_ts"] - mig["stop_ts"]
            fig["episode"] = {k: e.get(k) for k in ("first_lost_ts", "last_lost_ts", "lost",
                                                     "estimate_s", "lower_s", "upper_s")}
            fig["episode"]["resume_minus_stop_s"] = pause
            # The VM is paused from STOP to RESUME and the bridges learn its new
            # port from the first announce: the outage is that pause, give or
            # take the ping interval.
            tol = 3 * (e.get("interval_s") or 0.01) + 0.02
            checks.add(f"{n}-episode-matches-stop-to-resume",
                       abs(e["estimate_s"] - pause) <= tol,
                       f"episode estimate {e['estimate_s']:.3f} s vs RESUME-STOP {pause:.3f} s "
                       f"(tolerance {tol:.3f} s)")

        # -- the announces ----------------------------------------------
        after = [t for t in announces if mig["stop_ts"] <= t <= mig["resume_ts"] + 2.0]
        if checks.add(f"{n}-rarp-announce-seen", bool(after),
                      "no RARP from the guest's MAC between STOP and RESUME + 2 s"):
            d = after[0] - mig["resume_ts"]
            fig["announce"] = {"first_rarp_ts": after[0], "minus_resume_s": d,
                               "rarp_frames": len(after)}
            checks.add(f"{n}-rarp-within-5ms-of-RESUME", abs(d) <= ANNOUNCE_TOL_S,
                       f"first RARP {after[0]:.6f}, RESUME {mig['resume_ts']:.6f} ({1000 * d:+.2f} ms)")
            checks.add(f"{n}-rarp-announce-rounds", len(after) == ANNOUNCE_ROUNDS,
                       f"{len(after)} RARP frames after the switchover, announce-rounds is {ANNOUNCE_ROUNDS}")
        figures.append(fig)
    stray = [episodes[i] for i in range(len(episodes)) if i not in claimed]
    checks.add("no-episode-outside-migrations", not stray,
               "episodes outside every switchover: " + ", ".join(
                   f"{e.get('first_lost_ts', 0):.3f} ({e.get('lost')} lost)" for e in stray))
    return figures


def table(figures):
    lines = []
    hdr = ["figure"] + [f"m{f['id']} {f['from']}->{f['to']} :{f['port']}"
                        + (f" multifd {f['multifd_channels']}" if f["multifd_channels"] else "")
                        for f in figures]
    rows = []

    def row(label, fn):
        vals = []
        for f in figures:
            try:
                vals.append(fn(f))
            except (KeyError, TypeError, ZeroDivisionError):
                vals.append("-")
        rows.append([label] + vals)

    row("QEMU ram.transferred (B)", lambda f: f"{f['qemu']['ram_transferred']}")
    row("migmeter unique payload (B)", lambda f: f"{f['flows']['unique_payload_bytes']}")
    row("  of it main / multifd (B)", lambda f: f"{f['flows']['main_unique_payload_bytes']} / "
        f"{f['flows']['multifd_unique_payload_bytes']}")
    row("  above ram.transferred", lambda f: f"{f['flows']['payload_over_ram_bytes']} B "
        f"({f['flows']['payload_over_ram_pct']:.3f} %)")
    row("  retransmitted (B)", lambda f: f"{f['flows']['retrans_bytes']}")
    row("QEMU total-time (s)", lambda f: f"{f['qemu']['total_time_ms'] / 1000:.3f}")
    row("migmeter flow span (s)", lambda f: f"{f['flows']['span_s']:.3f}")
    row("  span - total-time (ms)", lambda f: f"{1000 * f['flows']['span_minus_total_time_s']:+.1f}")
    row("QEMU setup-time (ms)", lambda f: f"{f['qemu']['setup_time_ms']}")
    row("QEMU downtime (ms)", lambda f: f"{f['qemu']['downtime_ms']}")
    row("RESUME - STOP events (ms)", lambda f: f"{1000 * f['episode']['resume_minus_stop_s']:.1f}")
    row("migmeter episode est. (ms)", lambda f: f"{1000 * f['episode']['estimate_s']:.1f} "
        f"[{1000 * f['episode']['lower_s']:.1f}, {1000 * f['episode']['upper_s']:.1f}]")
    row("  lost echo requests", lambda f: f"{f['episode']['lost']}")
    row("first RARP - RESUME (ms)", lambda f: f"{1000 * f['announce']['minus_resume_s']:+.2f}")
    row("RARP frames", lambda f: f"{f['announce']['rarp_frames']}")
    if any("record" in f for f in figures):
        row("record unique payload (B)", lambda f: f"{f['record']['unique_payload_bytes']}")
        row("record duration (s)", lambda f: f"{f['record']['duration_s']:.3f}")
        row("record resumed - RESUME (ms)",
            lambda f: f"{1000 * (f['record']['resumed'] - f['qemu']['resume_ts']):+.2f}")
        row("record episodes", lambda f: f"{f['record']['episodes']}")
    widths = [max(len(r[i]) for r in [hdr] + rows) for i in range(len(hdr))]
    for r in [hdr] + rows:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))).rstrip())
        if r is hdr:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv):
    p = argparse.ArgumentParser(prog="compare.py")
    p.add_argument("--qemu", required=True)
    p.add_argument("--report", required=True)
    p.add_argument("--announces")
    p.add_argument("--mac")
    p.add_argument("--guest")
    p.add_argument("--checks")
    p.add_argument("--out")
    a = p.parse_args(argv)
    try:
        with open(a.qemu) as f:
            qemu = json.load(f)
        with open(a.report) as f:
            report = json.load(f)
        announces = read_announces(a.announces, a.mac)
    except (OSError, ValueError) as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 2
    checks = Checks()
    figures = compare(qemu, report, announces, a.guest, checks)
    print(table(figures))
    if a.checks:
        with open(a.checks, "w") as f:
            for name, ok, reason in checks.rows:
                f.write(f"{name}\t{1 if ok else 0}\t{reason.replace(chr(9), ' ').replace(chr(10), ' ')}\n")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"migrations": figures, "checks": [
                {"name": n, "ok": ok, "reason": r} for n, ok, r in checks.rows]}, f, indent=1)
            f.write("\n")
    return 1 if checks.failed() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
