#!/usr/bin/env bash
# test_plot.sh - migmeter plot: PNG, SVG and PDF of the sample and of five migrations, the kept script, bad input.
#
# The PNG is decoded here (python3's zlib, no other package): its size, and
# several distinct colours inside the panels, so a blank or one-colour
# figure fails.  The SVG must hold the series titles; a kept --plot-script
# must run in gnuplot unchanged and make the same kind of file, with the
# --timeseries CSV of the same replay as its data.  Bad input: one line on
# stderr, the exit status, and no figure (nor temporary file) left behind.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_tools gnuplot python3 jq
require_binaries migmeter

GEN=$REPO_DIR/build/gen_fixtures
[ -x "$GEN" ] || die "$GEN not built (make build/gen_fixtures)"
FX=$E2E_TMP/fx
mkdir -p "$FX" && "$GEN" "$FX" >/dev/null || die "gen_fixtures failed"
SAMPLE=$REPO_DIR/samples/migration-49152.pcapng
MIG5=$FX/mig_5x.pcap
# Every run's temporary files go here: it must be empty at the end.
export TMPDIR=$E2E_TMP/tmp
mkdir -p "$TMPDIR"

# png.py FILE [X0 Y0 X1 Y1] - "W H N": the size and the distinct colours in the box (fractions of the image).
cat >"$E2E_TMP/png.py" <<'EOF'
import struct, sys, zlib

def decode(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat, w = 8, b'', None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            assert depth == 8 and ctype in (2, 6), 'depth %d colour type %d' % (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows

w, h, bpp, rows = decode(sys.argv[1])
x0, y0, x1, y1 = (float(v) for v in sys.argv[2:6]) if len(sys.argv) > 2 else (0, 0, 1, 1)
colours = set()
for y in range(int(y0 * h), int(y1 * h)):
    r = rows[y]
    for x in range(int(x0 * w), int(x1 * w)):
        colours.add(r[x * bpp:x * bpp + 3])
print(w, h, len(colours))
EOF
png() {
	python3 "$E2E_TMP/png.py" "$@" 2>&1
}

# plot NAME ARGS... - runs migmeter plot (with PATH=$PLOT_PATH when set); $RC, $E2E_TMP/NAME.err, its
# line count in $ERRLINES.
plot() {
	local name=$1
	shift
	PATH=${PLOT_PATH:-$PATH} "$MIGMETER" plot "${MM_OPTS[@]}" "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err"
	RC=$?
	ERRLINES=$(wc -l <"$E2E_TMP/$name.err")
}

# at_least NAME MIN GOT
at_least() {
	if [ "$3" -ge "$2" ] 2>/dev/null; then pass "$1"; else fail "$1" "expected at least $2, got '$3'"; fi
}

# ---- the sample: one migration, an outage outside it ----------------------------
D=$E2E_TMP/sample
mkdir -p "$D"
for ext in png svg pdf; do
	plot "sample-$ext" --bin 100ms -o "$D/fig.$ext" "$SAMPLE"
	check_eq "sample-$ext-exit-0" 0 "$RC"
	check_eq "sample-$ext-stderr-empty" 0 "$ERRLINES"
done
read -r W H N <<<"$(png "$D/fig.png")"
check_eq "sample-png-size" "1200 800" "$W $H"
# The throughput panel (top) and the RTT panel: bars of three roles, a band, grid, text.
read -r _ _ N <<<"$(png "$D/fig.png" 0.1 0.08 0.9 0.48)"
at_least "sample-png-throughput-panel-colours" 6 "$N"
read -r _ _ N <<<"$(png "$D/fig.png" 0.1 0.55 0.9 0.85)"
at_least "sample-png-rtt-panel-colours" 6 "$N"
for t in "main stream" "multifd" "NBD" "echo RTT, mean per bin" "echo RTT, largest per bin" "lost requests" \
	"downtime (loss)" "throughput (Mbit/s)" "echo RTT (ms)" "migration-49152.pcapng: migration 1" \
	"#1"; do
	check "sample-svg-has-'$t'" "no text '$t' in the SVG" grep -qF ">$t<" "$D/fig.svg"
done
check "sample-svg-is-svg" "no <svg" grep -q "<svg" "$D/fig.svg"
check_eq "sample-svg-no-summary-for-one-migration" 0 "$(grep -c '>duration (s)<' "$D/fig.svg")"
check_eq "sample-pdf-magic" "%PDF-" "$(head -c 5 "$D/fig.pdf")"
check "sample-pdf-complete" "no %%EOF at the end" sh -c "tail -c 64 '$D/fig.pdf' | grep -q '%%EOF'"

# ---- five migrations: bands, switchovers, the summary --------------------------
D=$E2E_TMP/five
mkdir -p "$D"
for ext in png svg pdf; do
	plot "five-$ext" --bin 100ms -o "$D/fig.$ext" "$MIG5"
	check_eq "five-$ext-exit-0" 0 "$RC"
done
read -r W H N <<<"$(png "$D/fig.png")"
check_eq "five-png-size" "1200 800" "$W $H"
read -r _ _ N <<<"$(png "$D/fig.png" 0.1 0.08 0.9 0.35)"
at_least "five-png-throughput-panel-colours" 8 "$N"
read -r _ _ N <<<"$(png "$D/fig.png" 0.1 0.72 0.9 0.87)"
at_least "five-png-summary-colours" 5 "$N"
for t in "mig_5x.pcap: migrations 1-5" "#1" "#2" "#3" "#4" "#5" "switchover #1" "switchover #5" "main stream" \
	"multifd" "duration (s)" "data (MB)" "downtime, loss-based" "downtime (ms)" "migration"; do
	check "five-svg-has-'$t'" "no text '$t' in the SVG" grep -qF ">$t<" "$D/fig.svg"
done
check_eq "five-svg-no-nbd-without-nbd" 0 "$(grep -c '>NBD<' "$D/fig.svg")"
check_eq "five-pdf-magic" "%PDF-" "$(head -c 5 "$D/fig.pdf")"
# A paper column.
plot five-small --bin 100ms --size 600x450 -o "$D/small.png" "$MIG5"
check_eq "five-small-exit-0" 0 "$RC"
read -r W H N <<<"$(png "$D/small.png")"
check_eq "five-small-size" "600 450" "$W $H"
at_least "five-small-colours" 8 "$N"
# Overlaid from each migration's start.
plot five-align --bin 100ms --align migration -o "$D/align.svg" "$MIG5"
check_eq "five-align-exit-0" 0 "$RC"
for t in "time since the migration's start (s)" "RTT #1" "RTT #5" "mig_5x.pcap: migrations 1-5 (overlaid from each start)"; do
	check "five-align-svg-has-'$t'" "no text '$t' in the SVG" grep -qF ">$t<" "$D/align.svg"
done
# No -o: the first input's name with .png, beside it.
cp "$MIG5" "$D/run.pcap"
plot five-default --bin 100ms "$D/run.pcap"
check_eq "five-default-exit-0" 0 "$RC"
read -r W H N <<<"$(png "$D/run.png")"
check_eq "five-default-beside-the-input" "1200 800" "$W $H"
# Standard output.
plot five-stdout --bin 100ms -o - "$MIG5"
check_eq "five-stdout-exit-0" 0 "$RC"
check_eq "five-stdout-png-magic" "PNG" "$(head -c 4 "$E2E_TMP/five-stdout.out" | tail -c 3)"

# ---- from the JSON report; the kept script and its data -------------------------
D=$E2E_TMP/json
mkdir -p "$D/a" "$D/b"
"$MIGMETER" replay "${MM_OPTS[@]}" --format json --with-series --bin 100ms -o "$D/r.json" \
	--timeseries "$D/replay-series.csv" "$MIG5" 2>"$E2E_TMP/json-replay.err"
check_eq "json-replay-exit-0" 0 "$?"
check_eq "json-timeseries-section" "0.1 105 15" \
	"$(jq -r '.timeseries | "\(.bin_s) \(.len) \(.columns | length)"' "$D/r.json")"
(cd "$D/a" && "$MIGMETER" plot "${MM_OPTS[@]}" --bin 100ms -o fig.png --plot-script fig.gp "$MIG5") 2>"$E2E_TMP/json-a.err"
check_eq "json-a-captures-exit-0" 0 "$?"
cp "$D/r.json" "$D/b/r.json"
(cd "$D/b" && "$MIGMETER" plot -o fig.png --plot-script fig.gp r.json) 2>"$E2E_TMP/json-b.err"
check_eq "json-b-report-exit-0" 0 "$?"
check "json-same-script-from-captures-and-report" "the scripts differ" cmp -s "$D/a/fig.gp" "$D/b/fig.gp"
check "json-script-data-is-the-timeseries-csv" "fig-series.csv differs from replay --timeseries" \
	cmp -s "$D/a/fig-series.csv" "$D/replay-series.csv"
check "json-same-figure" "the PNGs differ" cmp -s "$D/a/fig.png" "$D/b/fig.png"
# The kept script runs in gnuplot unchanged and makes the same kind of file.
mv "$D/a/fig.png" "$D/a/first.png"
(cd "$D/a" && gnuplot fig.gp) >"$E2E_TMP/json-gnuplot.err" 2>&1
check_eq "kept-script-gnuplot-exit-0" 0 "$?"
read -r W H N <<<"$(png "$D/a/fig.png")"
check_eq "kept-script-png-size" "1200 800" "$W $H"
at_least "kept-script-png-colours" 10 "$N"
check "kept-script-same-png" "gnuplot on the kept script drew another figure" cmp -s "$D/a/first.png" "$D/a/fig.png"
(cd "$D/a" && "$MIGMETER" plot "${MM_OPTS[@]}" -o fig.svg --plot-script svg.gp "$MIG5") 2>/dev/null
rm -f "$D/a/fig.svg"
(cd "$D/a" && gnuplot svg.gp) >/dev/null 2>&1
check_eq "kept-script-svg-gnuplot-exit-0" 0 "$?"
check "kept-script-svg-is-svg" "no SVG written by the kept script" grep -q "<svg" "$D/a/fig.svg"
# A report without its time series: each migration's mean, and a note.
"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$D/plain.json" "$MIG5" 2>/dev/null
plot json-plain -o "$D/plain.svg" "$D/plain.json"
check_eq "json-plain-exit-0" 0 "$RC"
check_eq "json-plain-one-note" 1 "$ERRLINES"
check "json-plain-note-says-with-series" "no --with-series in the note" grep -q -- "--with-series" "$E2E_TMP/json-plain.err"
check "json-plain-means" "no mean line" grep -qF ">mean per migration (the report has no time series)<" "$D/plain.svg"

# ---- application and unresponsive records (issue 11's fields), when present ----
jq '.migrations[0].app = {"phases": [{"phase": "before", "start": 1700000000.5, "end": 1700000001.0,
	"goodput_bps": 8000000, "response_median_s": 0.002},
	{"phase": "switchover", "start": 1700000001.2, "end": 1700000001.3, "goodput_bps": 0,
	"response_median_s": 0.09}]}
    | .migrations[1].unresponsive = {"total_s": 0.2, "episodes": [{"start": 1700000003.1, "end": 1700000003.3}]}' \
	"$D/r.json" >"$D/app.json"
plot json-app -o "$D/app.svg" "$D/app.json"
check_eq "json-app-exit-0" 0 "$RC"
for t in "goodput (Mbit/s)" "response (ms)" "app goodput per phase" "app response time, median per phase" "unresponsive"; do
	check "json-app-svg-has-'$t'" "no text '$t' in the SVG" grep -qF ">$t<" "$D/app.svg"
done
check_eq "json-no-app-panel-without-app" 0 "$(grep -c '>app goodput per phase<' "$E2E_TMP/five/fig.svg")"

# ---- bad input: one line, the exit status, nothing left behind -------------------
D=$E2E_TMP/bad
mkdir -p "$D"
# bad NAME WANT-RC FIGURE ARGS... - FIGURE must not exist afterwards.
bad() {
	local name=$1 want=$2 fig=$3
	shift 3
	plot "$name" "$@"
	check_eq "bad-$name-exit-$want" "$want" "$RC"
	check_eq "bad-$name-one-line" 1 "$ERRLINES"
	check "bad-$name-no-figure" "$fig was left behind" [ ! -e "$fig" ]
}
bad no-such-file 1 "$D/a.png" -o "$D/a.png" "$D/nothing.json"
check "bad-no-such-file-says-so" "not 'FILE: No such file'" grep -q "nothing.json: No such file" "$E2E_TMP/no-such-file.err"
printf '{ "schema": "migmeter-report/2", "migrations": [ \n' >"$D/corrupt.json"
bad corrupt-json 1 "$D/b.png" -o "$D/b.png" "$D/corrupt.json"
check "bad-corrupt-json-says-so" "not 'not a JSON report (it ends inside...)'" \
	grep -q "corrupt.json: not a JSON report (it ends inside the JSON document)" "$E2E_TMP/corrupt-json.err"
echo '{"hello": 1}' >"$D/other.json"
bad not-a-report 1 "$D/c.png" -o "$D/c.png" "$D/other.json"
check "bad-not-a-report-says-so" "no 'not a migmeter JSON report'" grep -q "not a migmeter JSON report" "$E2E_TMP/not-a-report.err"
jq '.timeseries.data[3] = [999999, 1]' "$E2E_TMP/json/r.json" >"$D/damaged.json"
bad damaged-series 1 "$D/d.png" -o "$D/d.png" "$D/damaged.json"
check "bad-damaged-series-says-so" "the row is not named" grep -q "timeseries\" row 4 is damaged" "$E2E_TMP/damaged-series.err"
bad unknown-extension 2 "$D/e.jpg" -o "$D/e.jpg" "$MIG5"
check "bad-unknown-extension-says-so" "the extension is not named" grep -q "unknown figure type '.jpg'" "$E2E_TMP/unknown-extension.err"
bad no-extension 2 "$D/e" -o "$D/e" "$MIG5"
bad format-contradicts 2 "$D/f.png" --format svg -o "$D/f.png" "$MIG5"
bad bad-size 2 "$D/g.png" --size 10x10 -o "$D/g.png" "$MIG5"
bad bad-align 2 "$D/h.png" --align sideways -o "$D/h.png" "$MIG5"
bad script-stdout 2 "$D/i.png" --plot-script - -o "$D/i.png" "$MIG5"
bad output-is-input 2 "$D/none" -o "$E2E_TMP/json/r.json" "$E2E_TMP/json/r.json"
bad report-option 2 "$D/j.png" --episodes "$D/ep.csv" -o "$D/j.png" "$MIG5"
mkdir -p "$D/empty-path"
PLOT_PATH=$D/empty-path bad no-gnuplot 1 "$D/k.png" -o "$D/k.png" "$MIG5"
check "bad-no-gnuplot-says-so" "the message does not name gnuplot" grep -q "gnuplot is not in PATH" "$E2E_TMP/no-gnuplot.err"
# A gnuplot that fails: its message, and an existing figure is left as it was.
mkdir -p "$D/fake"
printf '#!/bin/sh\necho "\\"plot.gp\\", line 3: unknown terminal type" >&2\nexit 1\n' >"$D/fake/gnuplot"
chmod +x "$D/fake/gnuplot"
echo "old figure" >"$D/keep.png"
PLOT_PATH=$D/fake:$PATH plot failing-gnuplot -o "$D/keep.png" "$MIG5"
check_eq "bad-failing-gnuplot-exit-1" 1 "$RC"
check_eq "bad-failing-gnuplot-one-line" 1 "$ERRLINES"
check "bad-failing-gnuplot-message" "gnuplot's message not shown" grep -q "line 3: unknown terminal type" \
	"$E2E_TMP/failing-gnuplot.err"
check_eq "bad-failing-gnuplot-old-figure-kept" "old figure" "$(cat "$D/keep.png")"
# A truncated capture: what was read is drawn, and the exit status says the input was damaged.
plot truncated -o "$D/trunc.png" "$FX/truncated.pcap"
check_eq "truncated-exit-1" 1 "$RC"
check "truncated-figure-drawn" "no figure of what was read" [ -s "$D/trunc.png" ]

# Every generated capture draws (odd timestamps, 14 days of sparse frames, no pings, no migration, a
# capture nothing in passes the filters); the damaged ones draw what was read and exit 1.
n=0
bad_fx=""
for f in "$FX"/*.pcap; do
	case $(basename "$f") in
	badlink.pcap) want=1 fig=no ;;
	corrupt.pcap | truncated.pcap | truncated_hdr.pcap) want=1 fig=yes ;;
	*) want=0 fig=yes ;;
	esac
	rm -f "$D/each.png"
	PATH=${PLOT_PATH:-$PATH} "$MIGMETER" plot "${MM_OPTS[@]}" -q -o "$D/each.png" "$f" >/dev/null 2>"$E2E_TMP/each.err"
	rc=$?
	n=$((n + 1))
	if [ "$rc" != "$want" ] || { [ $fig = yes ] && [ "$(head -c 4 "$D/each.png" 2>/dev/null | tail -c 3)" != PNG ]; } ||
		{ [ $fig = no ] && [ -e "$D/each.png" ]; }; then
		bad_fx="$bad_fx $(basename "$f"):$rc:$(head -c 120 "$E2E_TMP/each.err")"
	fi
done
at_least "every-fixture-tried" 40 "$n"
check_eq "every-fixture-draws" "" "$bad_fx"
# Overlaid, captures without a switchover, with concurrent migrations, spread over 14 days.
for f in "$SAMPLE" "$FX/mixed.pcap" "$FX/mig_concurrent.pcap" "$FX/sparse_14d.pcap"; do
	plot "align-$(basename "$f")" -q --align migration -o "$D/al.svg" "$f"
	check_eq "align-$(basename "$f")-exit-0" 0 "$RC"
	check "align-$(basename "$f")-svg" "no SVG" grep -q "time since the migration's start" "$D/al.svg"
done

check_eq "no-temporary-files-left" "" "$(ls -A "$TMPDIR")"
summary
