#!/usr/bin/env python3
"""compare.py - each real QEMU migration beside migmeter's record of it.

Usage: compare.py --qemu QEMU.json --report REPORT.json --hosts NAME=ADDR,...
                  [--announces RARP.tsv] [--mac MAC] [--guest ADDR] [--uuid UUID]
                  [--migrations-csv X-migrations.csv] [--events EVENTS.csv]
                  [--checks CHECKS.tsv] [--out FILE]

QEMU.json is a list of the objects tests/qemu/qmp.py migrate writes (QEMU's
query-migrate figures and STOP/RESUME event times); REPORT.json is migmeter's
JSON report (schema migmeter-report/2) of the capture that saw them all;
--hosts maps qmp.py's host names (its --from/--to) to their migration
addresses.  RARP.tsv holds the announce frames of the capture's -w file as
tshark reads them (frame.time_epoch, eth.src, arp.opcode): an independent
reading of the frames migmeter detects itself.

The subject is migmeter's migration record (the report's `migrations`):
  * one record per QEMU migration and no other: exactly as many records as
    migrations, each matched by its main stream's destination address and
    listening port (the migrate URI), status `completed`, source and
    destination the right hosts;
  * its flows: the main stream (role main, kind qemu) and, for a multifd
    migration, its N channels (role multifd) with one UUID (the record's)
    and channel ids 0..N-1 (with --uuid: the VM's -uuid); nothing else;
  * unique payload >= ram.transferred and at most 0.5 % above it (device
    state, multifd packet headers and the return path);
  * duration within 200 ms of total-time;
  * switchover.resumed (migmeter's own announce detection) within 5 ms of
    the destination's RESUME event, by RARP, and the same frame tshark
    finds; QEMU's default announce-rounds (5) RARPs in rarp_times;
  * its own downtime episode: exactly one in the record's `episodes`, whose
    estimate is RESUME - STOP within a few ping intervals; none in
    `episodes_outside_migrations`;
  * the VM: vm.mac is the guest's MAC, vm.ip the guest's address;
  * with --migrations-csv: one row per record, the same id, status, hosts,
    bytes and resumed; with --events: per migration a connect per flow,
    its announces (as many as the record counts) and one outage_start and
    outage_end.
Prints the side-by-side table between "==== BEGIN" and "==== END" lines;
with --checks writes one "name<TAB>1|0<TAB>reason" line a check (the e2e
suite turns them into PASS/FAIL); with --out the figures as JSON.
Exit status: 0 when every check passed, 1 otherwise, 2 bad input.
"""

import argparse
import csv
import json
import sys

PAYLOAD_MAX_OVER = 0.005   # unique payload at most 0.5 % above ram.transferred
DURATION_TOL_S = 0.200     # duration vs total-time
ANNOUNCE_TOL_S = 0.005     # resumed vs the RESUME event
ANNOUNCE_ROUNDS = 5        # QEMU's default announce-rounds
SAME_FRAME_S = 2e-6        # one frame's time, as JSON and tshark print it


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


def read_csv(path):
    if not path:
        return None
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def record_of(report, mig):
    """The records whose main stream listens on mig's URI (destination address and port)."""
    host = uri_host(mig["uri"])
    out = []
    for rec in report.get("migrations") or []:
        main = [f for f in rec.get("flows") or [] if f.get("role") == "main"]
        if main and main[0].get("server_port") == mig["port"] and rec.get("destination") == host:
            out.append(rec)
    return out


def pct(a, b):
    return 100.0 * (a - b) / b if b else float("nan")


def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_flows(n, rec, mig, want_uuid, checks):
    flows = rec.get("flows") or []
    main = [f for f in flows if f.get("role") == "main"]
    mfd = [f for f in flows if f.get("role") == "multifd"]
    rest = [f for f in flows if f.get("role") not in ("main", "multifd")]
    nch = mig["multifd_channels"]
    checks.add(f"{n}-main-stream", len(main) == 1 and main[0].get("kind") == "qemu" and flows[0] is main[0],
               f"main flows {[(f.get('flow'), f.get('kind')) for f in main]}, first flow {flows[:1]}")
    checks.add(f"{n}-multifd-channels", len(mfd) == nch and all(f.get("kind") == "multifd" for f in mfd),
               f"{len(mfd)} multifd flows (kinds {[f.get('kind') for f in mfd]}), QEMU had {nch}")
    checks.add(f"{n}-no-other-flows", not rest,
               f"other flows {[(f.get('flow'), f.get('role'), f.get('kind')) for f in rest]}")
    uuids = sorted({f.get("uuid") for f in mfd}, key=str)
    if nch:
        checks.add(f"{n}-multifd-one-uuid", len(uuids) == 1 and uuids[0] is not None and rec.get("uuid") == uuids[0],
                   f"channel UUIDs {uuids}, record uuid {rec.get('uuid')}")
        if want_uuid:
            checks.add(f"{n}-multifd-uuid-is-the-vms", rec.get("uuid") == want_uuid.lower(),
                       f"record uuid {rec.get('uuid')}, QEMU's -uuid {want_uuid}")
        chans = sorted(f.get("channel") for f in mfd if f.get("channel") is not None)
        checks.add(f"{n}-multifd-channel-ids", chans == list(range(nch)),
                   f"channel ids {chans}, expected 0..{nch - 1}")
        by = rec.get("bytes_by_role") or {}
        checks.add(f"{n}-multifd-carries-the-ram", (by.get("multifd") or 0) > (by.get("main") or 0),
                   f"bytes_by_role {by}: the multifd channels carry the pages")
    else:
        checks.add(f"{n}-no-uuid", rec.get("uuid") is None, f"record uuid {rec.get('uuid')} with no multifd")
    return {"flows": len(flows), "multifd": len(mfd), "uuids": uuids,
            "channels": sorted(f.get("channel") for f in mfd if f.get("channel") is not None)}


def compare(qemu, report, hosts, announces, mac, guest, want_uuid, checks):
    figures = []
    records = report.get("migrations")
    checks.add("report-schema", report.get("schema") == "migmeter-report/2", f"schema {report.get('schema')}")
    if not isinstance(records, list):
        checks.add("report-migrations", False, "the report has no migrations array")
        return figures
    checks.add("records-one-per-qemu-migration", len(records) == len(qemu),
               f"{len(records)} migration records for {len(qemu)} QEMU migrations: "
               + ", ".join(f"{r.get('id')} {r.get('source')}->{r.get('destination')}" for r in records))
    outside = report.get("episodes_outside_migrations")
    checks.add("no-episode-outside-migrations", outside == [],
               f"episodes_outside_migrations: {outside}")
    all_eps = sum(len(st.get("episodes") or []) for st in (report.get("downtime") or {}).get("streams") or []
                  if not guest or st.get("target") == guest)
    checks.add("every-episode-in-a-record", all_eps == sum(len(r.get("episodes") or []) for r in records),
               f"{all_eps} episodes of the guest's echo stream, "
               f"{sum(len(r.get('episodes') or []) for r in records)} in records")
    matched = []
    for mig in sorted(qemu, key=lambda m: m["id"]):
        n = f"m{mig['id']}"
        fig = {"id": mig["id"], "from": mig["from"], "to": mig["to"], "port": mig["port"],
               "multifd_channels": mig["multifd_channels"],
               "qemu": {k: mig.get(k) for k in (
                   "total_time_ms", "downtime_ms", "setup_time_ms", "ram_transferred",
                   "ram_total", "ram_normal", "ram_normal_bytes", "ram_duplicate",
                   "ram_multifd_bytes", "stop_ts", "resume_ts", "migrate_cmd_ts")}}
        figures.append(fig)
        ram = mig["ram_transferred"]
        total_s = mig["total_time_ms"] / 1000.0
        pause = mig["resume_ts"] - mig["stop_ts"]
        fig["qemu"]["resume_minus_stop_s"] = pause
        recs = record_of(report, mig)
        if not checks.add(f"{n}-record", len(recs) == 1,
                          f"{len(recs)} records with their main stream on {mig['uri']}"):
            continue
        rec = recs[0]
        matched.append(rec.get("id"))
        sw = rec.get("switchover") or {}
        eps = rec.get("episodes") or []
        fig["record"] = r = {k: rec.get(k) for k in (
            "id", "status", "status_reason", "source", "destination", "uuid", "start", "end",
            "duration_s", "setup_s", "unique_payload_bytes", "wire_bytes", "retrans_bytes",
            "bytes_by_role", "downtime_total_s", "announce_bound_s", "vm")}
        r["switchover"] = sw
        r["episodes"] = eps
        r["flow_summary"] = check_flows(n, rec, mig, want_uuid, checks)

        checks.add(f"{n}-status-completed", rec.get("status") == "completed",
                   f"status {rec.get('status')} ({rec.get('status_reason')})")
        want_src, want_dst = hosts.get(mig["from"]), hosts.get(mig["to"])
        checks.add(f"{n}-source-destination", (rec.get("source"), rec.get("destination")) == (want_src, want_dst),
                   f"record {rec.get('source')} -> {rec.get('destination')}, "
                   f"QEMU {mig['from']} {want_src} -> {mig['to']} {want_dst}")

        u = rec.get("unique_payload_bytes")
        if checks.add(f"{n}-unique-payload", num(u), f"unique_payload_bytes {u!r}"):
            r["payload_over_ram_bytes"] = u - ram
            r["payload_over_ram_pct"] = pct(u, ram)
            checks.add(f"{n}-unique-payload-ge-ram-transferred", u >= ram,
                       f"unique payload {u} < ram.transferred {ram}")
            checks.add(f"{n}-unique-payload-within-0.5pct", u <= ram * (1 + PAYLOAD_MAX_OVER),
                       f"unique payload {u} is {u - ram} B ({pct(u, ram):.3f} %) above ram.transferred {ram}")
        d = rec.get("duration_s")
        if checks.add(f"{n}-duration", num(d), f"duration_s {d!r}"):
            checks.add(f"{n}-duration-within-200ms-of-total-time", abs(d - total_s) <= DURATION_TOL_S,
                       f"duration {d:.3f} s vs total-time {total_s:.3f} s ({1000 * (d - total_s):+.1f} ms)")

        res = sw.get("resumed")
        if checks.add(f"{n}-resumed", num(res), f"switchover.resumed {res!r}"):
            dr = res - mig["resume_ts"]
            checks.add(f"{n}-resumed-within-5ms-of-RESUME", abs(dr) <= ANNOUNCE_TOL_S,
                       f"resumed {res:.6f} vs RESUME {mig['resume_ts']:.6f} ({1000 * dr:+.2f} ms)")
            checks.add(f"{n}-resumed-by-rarp", sw.get("resumed_by") == "rarp",
                       f"resumed_by {sw.get('resumed_by')}")
            if announces:
                first = [t for t in announces if t >= mig["stop_ts"]][:1]
                checks.add(f"{n}-resumed-is-the-first-rarp", bool(first) and abs(first[0] - res) <= SAME_FRAME_S,
                           f"resumed {res:.6f}, first RARP after STOP in the -w file (tshark) "
                           f"{first[0] if first else None}")
            fb = sw.get("final_burst_end")
            checks.add(f"{n}-final-burst-before-resumed", num(fb) and fb <= res,
                       f"final_burst_end {fb!r}, resumed {res:.6f}")
        rt = sw.get("rarp_times") or []
        checks.add(f"{n}-announce-rounds", len(rt) == ANNOUNCE_ROUNDS,
                   f"{len(rt)} RARP rounds in the record, QEMU's announce-rounds is {ANNOUNCE_ROUNDS}")

        if checks.add(f"{n}-own-downtime-episode", len(eps) == 1, f"record has {len(eps)} episodes"):
            e = eps[0]
            # The VM is paused from STOP to RESUME and the bridges learn its
            # new port from the first announce: the outage is that pause,
            # give or take the ping interval.
            streams = (report.get("downtime") or {}).get("streams") or []
            ival = [st.get("interval_s") for st in streams if st.get("id") == e.get("stream")]
            tol = 3 * (ival[0] if ival and num(ival[0]) else 0.01) + 0.02
            est = e.get("estimate_s")
            checks.add(f"{n}-episode-matches-stop-to-resume", num(est) and abs(est - pause) <= tol,
                       f"episode estimate {est!r} s vs RESUME-STOP {pause:.3f} s (tolerance {tol:.3f} s)")
            checks.add(f"{n}-episode-target-is-guest", not guest or e.get("target") == guest,
                       f"episode target {e.get('target')}")
            checks.add(f"{n}-downtime-total", num(rec.get("downtime_total_s"))
                       and abs(rec["downtime_total_s"] - (est or 0)) < 1e-9,
                       f"downtime_total_s {rec.get('downtime_total_s')!r}, episode {est!r}")
        vm = rec.get("vm") or {}
        checks.add(f"{n}-vm-mac", mac and (vm.get("mac") or "").lower() == mac.lower(),
                   f"vm.mac {vm.get('mac')}, the guest's MAC {mac}")
        checks.add(f"{n}-vm-ip", not guest or vm.get("ip") == guest, f"vm.ip {vm.get('ip')}, guest {guest}")
    checks.add("records-matched-once", len(set(matched)) == len(matched) == len(records),
               f"records matched {matched} of {[r.get('id') for r in records]}")
    return figures


def compare_csv(rows, report, checks):
    recs = {r.get("id"): r for r in report.get("migrations") or []}
    if not checks.add("migrations-csv-rows", len(rows) == len(recs),
                      f"{len(rows)} rows in the migrations CSV, {len(recs)} records"):
        return
    for row in rows:
        rec = recs.get(int(row["id"])) if row.get("id", "").isdigit() else None
        n = f"csv-m{row.get('id')}"
        if not checks.add(f"{n}-is-a-record", rec is not None, f"row id {row.get('id')!r}"):
            continue
        want = {"status": rec["status"], "source": rec["source"], "destination": rec["destination"],
                "vm_mac": rec["vm"]["mac"], "uuid": rec["uuid"] or "",
                "flows": str(len(rec["flows"])),
                "multifd_channels": str(sum(1 for f in rec["flows"] if f["role"] == "multifd")),
                "unique_payload_bytes": str(rec["unique_payload_bytes"]),
                "episodes": str(len(rec["episodes"]))}
        got = {k: row.get(k) for k in want}
        checks.add(f"{n}-same-as-record", got == want, f"CSV {got}, record {want}")
        ok = all(row.get(k) and abs(float(row[k]) - rec["switchover"][k]) <= SAME_FRAME_S
                 for k in ("resumed", "final_burst_end")) and \
            abs(float(row["duration_s"]) - rec["duration_s"]) <= SAME_FRAME_S
        checks.add(f"{n}-same-times", ok,
                   f"CSV resumed {row.get('resumed')} duration {row.get('duration_s')}, "
                   f"record {rec['switchover'].get('resumed')} {rec.get('duration_s')}")


def compare_events(rows, report, checks):
    for rec in report.get("migrations") or []:
        mid = str(rec["id"])
        n = f"events-m{mid}"
        mine = [r for r in rows if r.get("migration") == mid]
        count = {}
        for r in mine:
            count[r["event"]] = count.get(r["event"], 0) + 1
        un = len((rec.get("unresponsive") or {}).get("episodes") or [])
        want = {"connect": len(rec["flows"]), "first_payload": 1, "final_burst_end": 1,
                "announce": rec["switchover"].get("announces"), "outage_start": len(rec["episodes"]),
                "outage_end": len(rec["episodes"]), "end": 1}
        if un:
            want["unresponsive_start"] = want["unresponsive_end"] = un
        checks.add(f"{n}-counts", count == want and (want["announce"] or 0) > 0 and want["outage_start"] > 0,
                   f"events {count}, record says {want}")
        ann = [float(r["time"]) for r in mine if r["event"] == "announce"]
        res = rec["switchover"].get("resumed")
        checks.add(f"{n}-first-announce-is-resumed", bool(ann) and num(res) and abs(min(ann) - res) <= SAME_FRAME_S,
                   f"first announce event {min(ann) if ann else None}, resumed {res}")
    # A guest under TCG answers late now and then (unresponsive time outside every
    # migration is real and listed); no request is lost outside a migration.
    stray = [r for r in rows if r.get("migration") == "" and r["event"].startswith("outage")]
    checks.add("events-no-outage-outside-migrations", not stray, f"{len(stray)} outage events outside every migration")


def table(figures):
    hdr = ["figure"] + [f"m{f['id']} {f['from']}->{f['to']} :{f['port']}"
                        + (f" multifd {f['multifd_channels']}" if f["multifd_channels"] else "")
                        for f in figures]
    rows = []

    def row(label, fn):
        vals = []
        for f in figures:
            try:
                vals.append(fn(f, f["qemu"], f["record"]))
            except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
                vals.append("-")
        rows.append([label] + vals)

    def ms(v):
        return f"{1000 * v:.1f}"

    row("record id / status", lambda f, q, r: f"{r['id']} {r['status']} ({r['status_reason']})")
    row("source -> destination", lambda f, q, r: f"{r['source']} -> {r['destination']}")
    row("flows (multifd ch ids)", lambda f, q, r: f"{r['flow_summary']['flows']}"
        + (f" ({','.join(str(c) for c in r['flow_summary']['channels'])})" if r['flow_summary']['multifd'] else ""))
    row("multifd UUID", lambda f, q, r: r["uuid"] or "-")
    row("vm mac / ip", lambda f, q, r: f"{r['vm']['mac']} {r['vm']['ip']}")
    row("QEMU ram.transferred (B)", lambda f, q, r: f"{q['ram_transferred']}")
    row("record unique payload (B)", lambda f, q, r: f"{r['unique_payload_bytes']}")
    row("  main / multifd (B)", lambda f, q, r: f"{r['bytes_by_role']['main']} / {r['bytes_by_role']['multifd']}")
    row("  above ram.transferred", lambda f, q, r: f"{r['payload_over_ram_bytes']} B "
        f"({r['payload_over_ram_pct']:.3f} %)")
    row("  wire / retransmitted (B)", lambda f, q, r: f"{r['wire_bytes']} / {r['retrans_bytes']}")
    row("QEMU total-time (s)", lambda f, q, r: f"{q['total_time_ms'] / 1000:.3f}")
    row("record duration (s)", lambda f, q, r: f"{r['duration_s']:.3f}")
    row("  duration - total-time (ms)", lambda f, q, r: f"{1000 * r['duration_s'] - q['total_time_ms']:+.1f}")
    row("QEMU setup-time (ms)", lambda f, q, r: f"{q['setup_time_ms']}")
    row("record setup (ms)", lambda f, q, r: ms(r["setup_s"]))
    row("QEMU downtime (ms)", lambda f, q, r: f"{q['downtime_ms']}")
    row("QEMU RESUME - STOP (ms)", lambda f, q, r: ms(q["resume_minus_stop_s"]))
    row("record episode est. (ms)", lambda f, q, r: f"{ms(r['episodes'][0]['estimate_s'])} "
        f"[{ms(r['episodes'][0]['lower_s'])}, {ms(r['episodes'][0]['upper_s'])}]")
    row("  lost echo requests", lambda f, q, r: f"{r['episodes'][0]['lost']}")
    row("record announce bound (ms)", lambda f, q, r: ms(r["announce_bound_s"]))
    row("record resumed - RESUME (ms)", lambda f, q, r: f"{1000 * (r['switchover']['resumed'] - q['resume_ts']):+.2f}")
    row("  final burst end -> resumed (ms)", lambda f, q, r: f"{1000 * r['switchover']['burst_to_resumed_s']:.2f}")
    row("  announces (rarp rounds)", lambda f, q, r: f"{r['switchover']['announces']} "
        f"({len(r['switchover']['rarp_times'])})")
    widths = [max(len(r[i]) for r in [hdr] + rows) for i in range(len(hdr))]
    lines = []
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
    p.add_argument("--hosts", required=True, help="NAME=ADDR,... (qmp.py's --from/--to names)")
    p.add_argument("--announces")
    p.add_argument("--mac")
    p.add_argument("--guest")
    p.add_argument("--uuid", help="the VM's -uuid: the multifd channels' UUID")
    p.add_argument("--migrations-csv")
    p.add_argument("--events")
    p.add_argument("--checks")
    p.add_argument("--out")
    a = p.parse_args(argv)
    try:
        hosts = dict(h.split("=", 1) for h in a.hosts.split(","))
        with open(a.qemu) as f:
            qemu = json.load(f)
        with open(a.report) as f:
            report = json.load(f)
        announces = read_announces(a.announces, a.mac)
        mig_rows = read_csv(a.migrations_csv)
        ev_rows = read_csv(a.events)
    except (OSError, ValueError) as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 2
    checks = Checks()
    figures = compare(qemu, report, hosts, announces, a.mac, a.guest, a.uuid, checks)
    if mig_rows is not None:
        compare_csv(mig_rows, report, checks)
    if ev_rows is not None:
        compare_events(ev_rows, report, checks)
    print("==== BEGIN QEMU vs migmeter migration records ====")
    print(table(figures))
    print("==== END QEMU vs migmeter migration records ====")
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
