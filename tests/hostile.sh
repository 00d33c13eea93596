#!/usr/bin/env bash
# hostile.sh - replays the hostile captures of tests/gen_hostile.c and checks that nothing crashes and the good traffic still counts.
#
# Usage: tests/hostile.sh [-q]     (MIGMETER=path picks the binary; default ./migmeter;
#                                   -q prints only the failures and the summary)
#
# build/gen_hostile writes the captures and tests/hostile/expect.json.  Each
# capture is replayed (JSON, then text and CSV) and checked: the exit status
# is 0 or 1 and never a signal, it is the expected one, stderr holds at most
# the expected number of lines (each one "migmeter: ..." naming the problem),
# every good frame before the damage is in the report with its exact bytes
# and nothing hostile is, and the peak memory stays under
# HOSTILE_MAX_RSS_MB (default 256).  Prints PASS/FAIL per check and ends
# with `N passed, N failed`.
set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 2
MM=${MIGMETER:-./migmeter}
DIR=tests/hostile
if [ ! -x "$MM" ] || [ ! -x build/gen_hostile ]; then
	echo "FAIL build: $MM or build/gen_hostile missing (make migmeter build/gen_hostile)"
	echo "0 passed, 1 failed"
	exit 1
fi
mkdir -p "$DIR"
./build/gen_hostile "$DIR" >/dev/null || { echo "FAIL gen_hostile"; echo "0 passed, 1 failed"; exit 1; }

exec python3 - "$MM" "$DIR" "${HOSTILE_MAX_RSS_MB:-256}" "${1:-}" <<'PY'
import json, os, subprocess, sys, tempfile

mm, d, max_rss, quiet = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "-q"
expect = json.load(open(os.path.join(d, "expect.json")))
npass = nfail = 0


def check(name, ok, why=""):
    global npass, nfail
    if ok:
        npass += 1
        if not quiet:
            print("PASS %s" % name)
    else:
        nfail += 1
        print("FAIL %s: %s" % (name, why))


def run(args, out_path):
    """Runs migmeter; returns (exit code or -signal, stderr text, peak RSS in MiB)."""
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen([mm, "replay", "--bpf-dir", "bpf"] + args,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return p.returncode, err.read().decode(errors="replace"), ru.ru_maxrss / 1024


def get(o, path):
    for k in path.split("."):
        if isinstance(o, list):
            o = o[int(k)] if k.isdigit() and int(k) < len(o) else None
        else:
            o = o.get(k) if isinstance(o, dict) else None
    return o


with tempfile.TemporaryDirectory(prefix="mm-hostile.") as tmp:
    for f, x in expect.items():
        cap = os.path.join(d, f)
        js = os.path.join(tmp, "r.json")
        if os.path.exists(js):
            os.remove(js)
        rc, err, rss = run(["--format", "json", "-o", js, cap], js)
        lines = err.splitlines()
        check("%s no-crash" % f, rc in (0, 1), "exit %d%s: %s" % (rc, " (a signal)" if rc < 0 else "", err[-300:]))
        check("%s exit" % f, rc == x["exit"], "expected exit %d, got %d: %s" % (x["exit"], rc, err.strip()[:300]))
        check("%s stderr" % f,
              len(lines) <= x["stderr_max"] and all(l.startswith("migmeter: ") for l in lines) and
              (x["stderr_word"] is None or (lines and x["stderr_word"] in lines[0])),
              "expected at most %d line(s)%s, got %r" % (x["stderr_max"],
              " naming '%s'" % x["stderr_word"] if x["stderr_word"] else "", err[:400]))
        check("%s memory" % f, rss < max_rss, "peak RSS %.0f MiB >= %d MiB" % (rss, max_rss))
        try:
            r = json.load(open(js))
        except (OSError, ValueError) as e:
            check("%s report" % f, False, "no JSON report: %s" % e)
            continue
        bad = ["%s: expected %s, got %s" % (k, v, get(r, k))
               for k, v in x["values"].items() if get(r, k) != v]
        check("%s totals" % f, not bad, "; ".join(bad))
        check("%s complete" % f, r.get("complete") == (x["exit"] == 0),
              "complete is %s with exit %d" % (r.get("complete"), x["exit"]))
        for fmt in ("text", "csv"):
            rc2, err2, _ = run(["--format", fmt, "-o", os.path.join(tmp, "r." + fmt), cap], None)
            check("%s %s" % (f, fmt), rc2 == rc, "exit %d (json run: %d): %s" % (rc2, rc, err2[-300:]))

    # Inputs the fuzzers crashed on once (tests/fuzz/regress/): no signal (a
    # sanitizer abort in the asan run), a JSON report, no negative figure
    # (loss and unresponsive episodes; an unresponsive gap within its bounds),
    # with the default options and with the widest (fuzz_replay_wide's).
    rdir = "tests/fuzz/regress"
    for f in sorted(os.listdir(rdir)) if os.path.isdir(rdir) else []:
        cap = os.path.join(rdir, f)
        if f.startswith(".") or f.endswith(".md"):
            continue
        for name, opts in (("default", []), ("wide", ["--ports", "1-65535", "--icmp-filter", "len >= 0",
                                                       "--bin", "1us"]),
                           ("app", ["--app-filter", "len >= 0", "--app-window", "1s", "--bin", "1ms"])):
            js = os.path.join(tmp, "r.json")
            if os.path.exists(js):
                os.remove(js)
            rc, err, rss = run(opts + ["--format", "json", "-o", js, "--timeseries",
                                       os.path.join(tmp, "s.csv"), cap], js)
            ok = rc in (0, 1) and os.path.exists(js)
            neg = []
            if rc == 2 and "timestamp resolution" in err:
                ok = True	# --bin 1us below a coarser file's resolution: refused, as it should
            elif ok:
                try:
                    r = json.load(open(js))
                    tot = r["downtime"]["total"]
                    neg = [k for k in ("downtime_total_s", "downtime_longest_s", "lost_x_interval_s")
                           if tot.get(k) is not None and tot[k] < 0]
                    neg += [k for k in ("unresponsive_total_s", "unresponsive_longest_s")
                            if tot.get(k) is not None and tot[k] < 0]
                    for s_ in r["downtime"]["streams"]:
                        for e in s_["episodes"]:
                            neg += [k for k in ("lower_s", "estimate_s", "upper_s")
                                    if e.get(k) is not None and e[k] < 0]
                        # unresponsive time: never negative, the gap within its bounds
                        neg += [k for k in ("unresponsive_threshold_s", "unresponsive_total_s",
                                            "unresponsive_worst_rtt_s") if s_.get(k) is not None and s_[k] < 0]
                        for e in s_["unresponsive_episodes"]:
                            neg += [k for k in ("lower_s", "gap_s", "upper_s", "worst_rtt_s")
                                    if e.get(k) is not None and e[k] < 0]
                            if e["lower_s"] > e["gap_s"] or (e["upper_s"] is not None and e["gap_s"] > e["upper_s"]):
                                neg.append("gap_s outside [lower_s, upper_s]")
                    # --app: no negative time, rate or ratio in any phase or blackout.
                    for m in r["migrations"]:
                        a = m.get("app") or {}
                        for ph in a.get("phases", []):
                            neg += ["app " + k for k in ("goodput_bps", "response_median_s", "response_p99_s",
                                                         "longest_stall_s", "goodput_vs_before")
                                    if ph.get(k) is not None and ph[k] < 0]
                        b = a.get("blackout") or {}
                        neg += ["blackout " + k for k in ("gap_s", "lower_s", "upper_s", "resolution_s")
                                if b.get(k) is not None and b[k] < 0]
                except (OSError, ValueError, KeyError) as e:
                    ok, neg = False, [str(e)]
            check("regress %s %s" % (f, name), ok and not neg and rss < max_rss,
                  "exit %d, rss %.0f MiB, negative %s: %s" % (rc, rss, neg, err[-300:]))

print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
PY
