#!/usr/bin/env bash
# test_merge.sh - migmeter merge: the source's and the destination's records of the same migrations paired into one table.
#
# Cases:
#  fixtures  mig_5x.pcap (five migrations back and forth) replayed as seen
#            by the source host and, 250 us later, by the destination host
#            (the same frames shifted), plus vp_src.pcap's migration seen on
#            a third node only: 5 paired rows (same 5-tuple), 1 unpaired
#            row kept and marked; CSV loads with python's csv module under
#            the fixed header, JSON is valid; the differences are 250 us.
#  dups      the same file twice, and a report with the JSON Lines of its
#            own records: every record once, the rest counted as duplicates.
#  vantage   records that say which end they are ("vantage") decide the
#            sides even when the destination's clock is behind.
#  hostile   a JSON Lines file with a truncated line, a 10 MB line, lines
#            that are not objects and binary junk: those lines skipped,
#            counted and named file:line, the good lines kept, exit 1; a
#            report of another schema or cut short: one line naming
#            file:line, exit 1, the other inputs still merged; usage errors.
#  live      real traffic over a veth, `migmeter capture --records` on both
#            ends (namespaces A and B): each line carries node and vantage,
#            each report node and node_addresses; merge pairs the two ends
#            of each migration by their vantage, keeps the one migration B
#            did not see (its capture stopped first) as seen on the source
#            only, and counts the reports' records as duplicates of the lines.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip jq python3
require_binaries migmeter xfer

FIX=$REPO_DIR/tests/fixtures
[ -s "$FIX/mig_5x.pcap" ] && [ -s "$FIX/vp_src.pcap" ] || die "fixtures missing (make build/gen_fixtures; build/gen_fixtures tests/fixtures)"
T=$E2E_TMP

# The fixed CSV header (README "Merging records from many nodes").
SIDE="node file line id vantage status status_reason inferred start start_utc end end_utc duration_s final_burst_end resumed resumed_utc unique_payload_bytes wire_bytes retrans_bytes main_bytes multifd_bytes nbd_bytes other_bytes flows mean_bps downtime_s downtime_source unresponsive_s"
HEADER="row paired paired_by side_rule seen_on source destination client_port server_port uuid vm_mac vm_ip"
for c in $SIDE; do HEADER="$HEADER src_$c"; done
for c in $SIDE; do HEADER="$HEADER dst_$c"; done
HEADER="$HEADER start_diff_s end_diff_s duration_diff_s resumed_diff_s unique_payload_bytes_diff wire_bytes_diff downtime_diff_s"
HEADER=$(echo "$HEADER" | tr ' ' ',')

# merge NAME ARG... - runs migmeter merge; RC; stdout/stderr in $T/NAME.{out,err}.
merge() {
	local name=$1
	shift
	"$MIGMETER" merge "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	RC=$?
}

# py FILE CODE - python3 with the CSV rows of FILE in `rows` (csv.DictReader) and its header in `head`.
py() {
	python3 - "$1" "$2" <<'EOF'
import csv, sys
with open(sys.argv[1], newline='') as f:
    r = csv.reader(f)
    head = next(r)
    rows = [dict(zip(head, x)) for x in r]
exec(sys.argv[2])
EOF
}

# shift_pcap IN OUT US - the same frames US microseconds later (a classic pcap, microsecond stamps).
shift_pcap() {
	python3 - "$1" "$2" "$3" <<'EOF'
import struct, sys
b = open(sys.argv[1], 'rb').read()
assert struct.unpack('<I', b[:4])[0] == 0xa1b2c3d4, 'not a little-endian microsecond pcap'
out, i, us = bytearray(b[:24]), 24, int(sys.argv[3])
while i + 16 <= len(b):
    s, u, cl, ol = struct.unpack('<IIII', b[i:i + 16])
    t = s * 1000000 + u + us
    out += struct.pack('<IIII', t // 1000000, t % 1000000, cl, ol) + b[i + 16:i + 16 + cl]
    i += 16 + cl
open(sys.argv[2], 'wb').write(out)
EOF
}

# ---- fixtures: five migrations from two vantage points, one from a third --------
shift_pcap "$FIX/mig_5x.pcap" "$T/mig_5x_dst.pcap" 250 || die "shifted copy of mig_5x.pcap"
"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$T/src.json" "$FIX/mig_5x.pcap" 2>/dev/null || die "replay mig_5x"
"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$T/dst.json" "$T/mig_5x_dst.pcap" 2>/dev/null || die "replay shifted"
"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$T/third.json" "$FIX/vp_src.pcap" 2>/dev/null || die "replay vp_src"
check_eq "fixture-five-each" "5 5 1" "$(jqr "$T/src.json" '.migrations | length') $(jqr "$T/dst.json" '.migrations | length') $(jqr "$T/third.json" '.migrations | length')"

merge csv --node "$T/src.json=hv-a" --node "$T/dst.json=hv-b" -o "$T/m.csv" "$T/src.json" "$T/dst.json" "$T/third.json"
check_eq "csv-exit-0" 0 "$RC"
check_eq "csv-summary" "migmeter: merged 11 records from 3 files: 6 rows, 5 paired, 1 unpaired, 0 duplicates left out" "$(cat "$T/csv.err")"
check_eq "csv-fixed-header" "$HEADER" "$(head -n 1 "$T/m.csv")"
check_eq "csv-rows" 6 "$(py "$T/m.csv" 'print(len(rows))')"
check_eq "csv-paired-count" 5 "$(py "$T/m.csv" 'print(sum(r["paired"] == "true" for r in rows))')"
check_eq "csv-paired-by-tuple" "tuple tuple tuple tuple tuple" \
	"$(py "$T/m.csv" 'print(" ".join(r["paired_by"] for r in rows if r["paired"] == "true"))')"
# Back and forth: the source and destination hosts alternate; the earlier clock is the source's.
check_eq "csv-directions" "10.1.0.1 10.1.0.2 10.1.0.1 10.1.0.2 10.1.0.1" \
	"$(py "$T/m.csv" 'print(" ".join(r["source"] for r in rows if r["paired"] == "true"))')"
check_eq "csv-sides" "hv-a:hv-b:start hv-a:hv-b:start hv-a:hv-b:start hv-a:hv-b:start hv-a:hv-b:start" \
	"$(py "$T/m.csv" 'print(" ".join(r["src_node"] + ":" + r["dst_node"] + ":" + r["side_rule"] for r in rows if r["paired"] == "true"))')"
check_eq "csv-start-diff-250us" "0.000250 0.000250 0.000250 0.000250 0.000250" \
	"$(py "$T/m.csv" 'print(" ".join(r["start_diff_s"] for r in rows if r["paired"] == "true"))')"
check_eq "csv-bytes-equal" "0 0 0 0 0" \
	"$(py "$T/m.csv" 'print(" ".join(r["unique_payload_bytes_diff"] for r in rows if r["paired"] == "true"))')"
check_eq "csv-bytes-src" "$(jqr "$T/src.json" '[.migrations[].unique_payload_bytes | tostring] | join(" ")')" \
	"$(py "$T/m.csv" 'print(" ".join(r["src_unique_payload_bytes"] for r in rows if r["paired"] == "true"))')"
check_eq "csv-multifd-bytes" "$(jqr "$T/src.json" '.migrations[1].bytes_by_role.multifd')" \
	"$(py "$T/m.csv" 'print([r for r in rows if r["paired"] == "true"][1]["dst_multifd_bytes"])')"
check_eq "csv-iso-beside-unix" "2023-11-14T22:13:21.000000Z 1700000001.000000 2023-11-14T22:13:21.000250Z" \
	"$(py "$T/m.csv" 'r = rows[0]; print(r["src_start_utc"], r["src_start"], r["dst_start_utc"])')"
# The migration only the third node saw: kept, marked, its other side empty (null).
check_eq "csv-unpaired-kept" "false unknown 10.0.0.1 $T/third.json 1000000" \
	"$(py "$T/m.csv" 'r = [r for r in rows if r["paired"] == "false"][0]; print(r["paired"], r["seen_on"], r["source"], r["src_node"], r["src_unique_payload_bytes"])')"
check_eq "csv-unpaired-nulls-empty" "||" \
	"$(py "$T/m.csv" 'r = [r for r in rows if r["paired"] == "false"][0]; print(r["dst_node"] + "|" + r["start_diff_s"] + "|" + r["paired_by"])')"

merge json --format json --node "$T/src.json=hv-a" --node "$T/dst.json=hv-b" "$T/src.json" "$T/dst.json" "$T/third.json"
check_eq "json-exit-0" 0 "$RC"
check "json-valid" "$(head -c 300 "$T/json.out")" python3 -c "import json, sys; json.load(open(sys.argv[1]))" "$T/json.out"
check_eq "json-totals" "6 5 1" "$(jqr "$T/json.out" '.totals | "\(.rows) \(.paired_rows) \(.unpaired_rows)"')"
check_eq "json-schema" "migmeter-merge/1" "$(jqr "$T/json.out" '.schema')"
check_eq "json-same-columns" "$HEADER" "$(jqr "$T/json.out" '.migrations[0] | keys_unsorted | join(",")')"
check_eq "json-types" "boolean number string string" \
	"$(jqr "$T/json.out" '[.migrations[0].paired, .migrations[0].start_diff_s, .migrations[0].src_start_utc, .migrations[0].src_downtime_source] | map(type) | join(" ")')"
check "json-same-as-csv" "the JSON rows differ from the CSV rows" \
	py "$T/m.csv" 'import json; j = json.load(open(sys.argv[1].replace("m.csv", "json.out")))["migrations"]
sys.exit(not (len(j) == len(rows) and all((r[k] == "" and v is None) or (r[k] != "" and v is not None and (v == r[k] or (isinstance(v, bool) and str(v).lower() == r[k]) or (isinstance(v, (int, float)) and not isinstance(v, bool) and float(r[k]) == v))) for r, o in zip(rows, j) for k, v in o.items())))'
check_eq "json-input-nodes" "hv-a hv-b $T/third.json" "$(jqr "$T/json.out" '[.inputs[].nodes[0]] | join(" ")')"
# A column in the man page's FILES for every column of the header.
check "man-lists-columns" "a column is not in man FILES" \
	sh -c "sed -e 's/\\\\f[BIRP]//g' -e 's/\\\\-/-/g' '$REPO_DIR/man/migmeter.1' | sed -n '/^\\.SH FILES/,/^\\.SH /p' | tr -d '\\n' >'$T/files.txt';
		head -n 1 '$T/m.csv' | tr ',' '\\n' | sed -E 's/^(src|dst)_//' |
		while read -r c; do grep -q -- \"\$c\" '$T/files.txt' || { echo \"\$c\"; exit 1; }; done"

# ---- duplicates -------------------------------------------------------------------
merge twice -o "$T/twice.csv" "$T/src.json" "$T/src.json" "$T/dst.json"
check_eq "same-file-twice-exit-0" 0 "$RC"
check_eq "same-file-twice-counted" "migmeter: merged 15 records from 3 files: 5 rows, 5 paired, 0 unpaired, 5 duplicates left out" "$(cat "$T/twice.err")"
# The JSON Lines of the same run, named as the same node as its report.
jq -c '.migrations[]' "$T/src.json" >"$T/src.jsonl"
merge lines --format json --node "$T/src.json=hv-a" --node "$T/src.jsonl=hv-a" --node "$T/dst.json=hv-b" \
	"$T/src.json" "$T/src.jsonl" "$T/dst.json"
check_eq "report-and-lines-once" "5 5 0" "$(jqr "$T/lines.out" '.totals | "\(.rows) \(.paired_rows) \(.unpaired_rows)"')"
check_eq "report-and-lines-dups" "0 5 0" "$(jqr "$T/lines.out" '[.inputs[].duplicates | tostring] | join(" ")')"
check_eq "lines-format" "report records report" "$(jqr "$T/lines.out" '[.inputs[].format] | join(" ")')"
# One file holding both ends never pairs with itself.
cat "$T/src.jsonl" <(jq -c '.migrations[]' "$T/dst.json") >"$T/both.jsonl"
merge onefile --format json "$T/both.jsonl"
check_eq "one-file-never-pairs" "10 0 10" "$(jqr "$T/onefile.out" '.totals | "\(.rows) \(.paired_rows) \(.unpaired_rows)"')"

# ---- vantage ----------------------------------------------------------------------
# The destination's clock 40 ms behind: by start it would look like the source; its vantage says otherwise.
jq -c '.migrations[] | .vantage = "destination" | .node = "hv-b" | .start -= 0.04' "$T/dst.json" >"$T/dst-behind.jsonl"
jq -c '.migrations[] | .vantage = "source" | .node = "hv-a"' "$T/src.json" >"$T/src-v.jsonl"
merge vantage -o "$T/v.csv" "$T/dst-behind.jsonl" "$T/src-v.jsonl"
check_eq "vantage-exit-0" 0 "$RC"
check_eq "vantage-sides" "hv-a:hv-b:vantage:source:destination" \
	"$(py "$T/v.csv" 'print(" ".join(sorted(set(r["src_node"] + ":" + r["dst_node"] + ":" + r["side_rule"] + ":" + r["src_vantage"] + ":" + r["dst_vantage"] for r in rows))))')"
d=$(py "$T/v.csv" 'print(rows[0]["start_diff_s"])')
check "vantage-negative-diff" "start_diff_s $d, not -0.03975" float_close "$d" -0.03975 0.000001
# A window narrower than the skew: no pairs, all ten kept.
merge window --format json --pair-window 10ms "$T/dst-behind.jsonl" "$T/src-v.jsonl"
check_eq "window-too-narrow" "10 0 10" "$(jqr "$T/window.out" '.totals | "\(.rows) \(.paired_rows) \(.unpaired_rows)"')"
check_eq "window-unpaired-sides" "destination destination destination destination destination source source source source source" \
	"$(jqr "$T/window.out" '[.migrations[].seen_on] | sort | join(" ")')"

# ---- hostile input ------------------------------------------------------------------
{
	sed -n 1,2p "$T/src.jsonl"
	head -c 300 "$T/src-v.jsonl" | tail -c 200
	echo
	echo '[1,2]'
	echo 42
	echo '"text"'
	python3 -c "print('{\"start\": 1, \"flows\": [], \"pad\": \"' + 'x' * 10485760 + '\"}')"
	printf '\x00\x01\xfe\xff\n'
	python3 -c "print('[' * 100000)"
	echo '{"start": "soon", "flows": []}'
	sed -n 3,5p "$T/src.jsonl"
	head -c 120 "$T/src.jsonl"
} >"$T/bad.jsonl"
merge bad -o "$T/bad.csv" --node "$T/bad.jsonl=hv-a" --node "$T/dst.json=hv-b" "$T/bad.jsonl" "$T/dst.json"
check_eq "bad-lines-exit-1" 1 "$RC"
check_eq "bad-lines-good-kept" "5 5" "$(py "$T/bad.csv" 'print(len(rows), sum(r["paired"] == "true" for r in rows))')"
check "bad-lines-named" "$(head -c 600 "$T/bad.err")" grep -q "bad.jsonl:3: line skipped: " "$T/bad.err"
check "bad-lines-counted" "$(head -c 600 "$T/bad.err")" grep -q "bad.jsonl: 9 lines skipped (the first on line 3), 5 records read" "$T/bad.err"
check "bad-lines-said-bounded" "$(wc -l <"$T/bad.err") lines" test "$(wc -l <"$T/bad.err")" -le 8
merge badjson --format json --node "$T/bad.jsonl=hv-a" "$T/bad.jsonl"
check_eq "bad-lines-json-counts" "9 3" "$(jqr "$T/badjson.out" '.inputs[0] | "\(.skipped_lines) \(.first_skipped_line)"')"

# 50000 records, each from a node of its own: read, none paired, in bounded time.
python3 -c "
for i in range(50000):
    print('{\"start\": %d.5, \"source\": \"10.9.0.1\", \"destination\": \"10.9.0.2\", \"node\": \"node-%06d\", \"flows\": [{\"role\": \"main\", \"client_port\": %d, \"server_port\": 49152}]}' % (1700000000 + i * 100, i, 1024 + i % 60000))
" >"$T/many.jsonl"
t0=$EPOCHREALTIME
merge many --format json "$T/many.jsonl"
t1=$EPOCHREALTIME
check_eq "many-nodes-read" "0 50000 0" "$RC $(jqr "$T/many.out" '"\(.totals.rows) \(.totals.paired_rows)"')"
check "many-nodes-in-time" "took $t0 .. $t1" awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 60) }'

jq '.schema = "migmeter-report/1"' "$T/src.json" >"$T/v1.json"
merge schema -o "$T/schema.csv" "$T/v1.json" "$T/dst.json"
check_eq "wrong-schema-exit-1" 1 "$RC"
check_eq "wrong-schema-said" "migmeter: $T/v1.json:1: schema 'migmeter-report/1', not migmeter-report/2; its records are left out" \
	"$(head -n 1 "$T/schema.err")"
check_eq "wrong-schema-others-kept" 5 "$(py "$T/schema.csv" 'print(len(rows))')"
head -c 4000 "$T/src.json" >"$T/cut.json"
merge cut "$T/cut.json"
check_eq "cut-report-exit-1" 1 "$RC"
check "cut-report-said" "$(cat "$T/cut.err")" grep -Eq "cut.json:[0-9]+: truncated report" "$T/cut.err"
check_eq "cut-report-header-only" 1 "$(wc -l <"$T/cut.out")"
head -c 65536 /dev/urandom >"$T/junk.bin"
merge junk "$T/junk.bin"
check "junk-no-crash" "exit $RC" test "$RC" -eq 1
merge dir "$T"
check_eq "dir-exit-1" 1 "$RC"
merge missing "$T/nonexistent.jsonl" "$T/src.json"
check_eq "missing-exit-1" 1 "$RC"
check_eq "missing-others-kept" 6 "$(wc -l <"$T/missing.out")"
: >"$T/empty.jsonl"
merge empty "$T/empty.jsonl"
check_eq "empty-exit-0" "0 1" "$RC $(wc -l <"$T/empty.out")"
cp "$T/src.json" "$T/keep.json"
merge overwrite -o "$T/keep.json" "$T/keep.json"
check_eq "output-is-input-refused" 2 "$RC"
check "output-is-input-untouched" "keep.json changed" cmp -s "$T/src.json" "$T/keep.json"
merge nofile
check_eq "no-file-usage" 2 "$RC"
merge fmt --format text "$T/src.json"
check_eq "format-text-usage" 2 "$RC"
merge node --node "$T/other.json=x" "$T/src.json"
check_eq "node-not-an-input-usage" 2 "$RC"

# ---- live: both ends of real migrations, captured with --records in A and B ------------
netns_pair || die "could not create the namespace pair"
ip netns exec "$NS_A" "$XFER" listen --timeout 60 49153 >"$T/back.out" 2>"$T/back.err" </dev/null &
BACK_PID=$!
track_pid "$BACK_PID"
wait_listen "$NS_A" 49153 || die "listener in A"

# cap NS IFACE NAME - migmeter capture in NS, records to $T/NAME.jsonl, report to $T/NAME.json.
cap() {
	ip netns exec "$1" "$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i "$2" --duration 90s \
		--records "$T/$3.jsonl" --format json -o "$T/$3.json" >"$T/$3.out" 2>"$T/$3.err" </dev/null &
	CAP_PID=$!
	track_pid "$CAP_PID"
	wait_until 100 grep -qs 'listening on' "$T/$3.err" || die "capture $3 did not start: $(head -c 300 "$T/$3.err")"
}
cap "$NS_A" veth-a ra
PID_A=$CAP_PID
cap "$NS_B" veth-b rb
PID_B=$CAP_PID

# A -> B, then B -> A (to A's listener), both seen by both captures.
xfer_listen main1 49152
ip netns exec "$NS_A" "$XFER" send "$B4" 49152 1048576 --magic qemu --cport 40001 >"$T/s1.out" 2>&1 </dev/null ||
	fail "xfer-1" "$(cat "$T/s1.out")"
wait "$LISTEN_PID"
ip netns exec "$NS_B" "$XFER" send "$A4" 49153 1048576 --magic qemu --cport 40002 >"$T/s2.out" 2>&1 </dev/null ||
	fail "xfer-2" "$(cat "$T/s2.out")"
wait "$BACK_PID"
sleep 0.5
kill -INT "$PID_B"
wait "$PID_B"
check_eq "live-b-exit-0" 0 "$?"
# A -> B once more: only A's capture sees it.
xfer_listen main3 49152
ip netns exec "$NS_A" "$XFER" send "$B4" 49152 1048576 --magic qemu --cport 40003 >"$T/s3.out" 2>&1 </dev/null ||
	fail "xfer-3" "$(cat "$T/s3.out")"
wait "$LISTEN_PID"
sleep 0.5
kill -INT "$PID_A"
wait "$PID_A"
check_eq "live-a-exit-0" 0 "$?"

HOST=$(hostname)
check_eq "live-a-lines" "source destination source" "$(jq -r '.vantage' "$T/ra.jsonl" | xargs)"
check_eq "live-b-lines" "destination source" "$(jq -r '.vantage' "$T/rb.jsonl" | xargs)"
check_eq "live-lines-node" "$HOST $HOST $HOST $HOST $HOST" "$(cat "$T/ra.jsonl" "$T/rb.jsonl" | jq -r '.node' | xargs)"
check_eq "live-report-node" "$HOST true $HOST true" \
	"$(jqr "$T/ra.json" '"\(.node) \(.node_addresses | index("10.199.0.1") != null)"') $(jqr "$T/rb.json" '"\(.node) \(.node_addresses | index("10.199.0.2") != null)"')"

# One host name in both namespaces: the known, different vantages make them the two ends.
merge live -o "$T/live.csv" "$T/ra.jsonl" "$T/rb.jsonl"
check_eq "live-exit-0" 0 "$RC"
check_eq "live-rows" "3 2" "$(py "$T/live.csv" 'print(len(rows), sum(r["paired"] == "true" for r in rows))')"
check_eq "live-pairs" "40001:10.199.0.1:vantage:ra 40002:10.199.0.2:vantage:rb" \
	"$(py "$T/live.csv" 'import os; print(" ".join(r["client_port"] + ":" + r["source"] + ":" + r["side_rule"] + ":" + os.path.basename(r["src_file"]).split(".")[0] for r in rows if r["paired"] == "true"))')"
check_eq "live-unpaired-source-only" "40003 source ra.jsonl" \
	"$(py "$T/live.csv" 'import os; r = [r for r in rows if r["paired"] == "false"][0]; print(r["client_port"], r["seen_on"], os.path.basename(r["src_file"]))')"
check_eq "live-both-counted-the-bytes" "1048576:1048576 1048576:1048576" \
	"$(py "$T/live.csv" 'print(" ".join(r["src_main_bytes"] + ":" + r["dst_main_bytes"] for r in rows if r["paired"] == "true"))')"
check "live-start-diff-small" "$(py "$T/live.csv" 'print([r["start_diff_s"] for r in rows])')" \
	py "$T/live.csv" 'sys.exit(not all(abs(float(r["start_diff_s"])) < 0.05 for r in rows if r["paired"] == "true"))'
# The reports of the same runs: their records are the lines again.
merge livedup --format json "$T/ra.jsonl" "$T/rb.jsonl" "$T/ra.json" "$T/rb.json"
check_eq "live-reports-are-duplicates" "3 2 1 5" "$(jqr "$T/livedup.out" '.totals | "\(.rows) \(.paired_rows) \(.unpaired_rows) \(.duplicates)"')"

summary
