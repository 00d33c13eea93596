#!/usr/bin/env bash
# test_records.sh - capture --records: each migration's record appended live (JSON Lines) the moment it completes; -c N stops after N completed migrations.
#
# In namespace A, migmeter capture listens on veth-a with --records R -c 2.
# A pings B every 10 ms.  Three migration-shaped transfers go from A to B
# one after the other (a QEVM main stream of 1 MB, then RARP announces from
# B's MAC): each record must be in R (one JSON object per line, after the
# line R held before) while the capture still runs, with a summary line on
# stderr; the capture must stop by itself after the second, so the third
# is not in it.  R's lines must be the report's migrations, and the replay
# of the -w file must give the same records.  The second migration has an
# outage around its switchover: its episodes (loss and unresponsive) and
# downtime total are in the live line already, equal to the report's and
# the replay's (README "Records, live"); so is every other field, but the
# unresponsive threshold, which live is the streams' median so far (within
# 1 ms of the final one here).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip nft ping jq python3
require_binaries migmeter xfer

# Refused up front: a directory that does not exist; nothing is captured.
"$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i lo --records /nonexistent/x --duration 1s -o /dev/null \
	>"$E2E_TMP/bad.out" 2>"$E2E_TMP/bad.err" </dev/null
rc=$?
check "records-nonexistent-refused" "exit $rc: $(head -c 200 "$E2E_TMP/bad.err")" \
	test "$rc" -ne 0
check "records-nonexistent-said" "$(head -c 200 "$E2E_TMP/bad.err")" \
	grep -q -- '/nonexistent' "$E2E_TMP/bad.err"
check "records-nonexistent-before-capture" "$(head -c 200 "$E2E_TMP/bad.err")" \
	bash -c "! grep -q 'listening on' '$E2E_TMP/bad.err'"
# --records - and the report both on stdout: refused.
"$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i lo --records - --duration 1s >/dev/null 2>"$E2E_TMP/both.err" </dev/null
check_eq "records-stdout-twice-refused" 2 "$?"

netns_pair || die "could not create the namespace pair"
ip netns exec "$NS_B" nft -f - <<'EOF' || die "nftables table in B"
table inet mmrec {
	chain in {
		type filter hook input priority 0; policy accept;
	}
}
EOF
ns_port_range "$NS_A" 40000 40999 || die "port range in A"
BMAC=$(ip netns exec "$NS_B" cat /sys/class/net/veth-b/address) || die "B's MAC"

# announce N - N RARP announces (opcode 3) out of veth-b from B's MAC, 50 ms apart.
announce() {
	ip netns exec "$NS_B" python3 - "$BMAC" "$1" <<'EOF'
import socket, struct, sys, time
mac = bytes.fromhex(sys.argv[1].replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('veth-b', 0))
for i in range(int(sys.argv[2])):
    if i:
        time.sleep(0.05)
    f = b'\xff' * 6 + mac + struct.pack('>HHHBBH', 0x8035, 1, 0x0800, 6, 4, 3) + mac + b'\0' * 4 + mac + b'\0' * 4
    s.send(f + b'\0' * (60 - len(f)))
EOF
}

# migrate N - one migration-shaped transfer from client port 4000N, then 3 announces.
migrate() {
	xfer_listen "main$1" 49152
	ip netns exec "$NS_A" "$XFER" send "$B4" 49152 1048576 --magic qemu --cport "4000$1" \
		>"$E2E_TMP/main$1.sent" 2>"$E2E_TMP/main$1.send.err" </dev/null ||
		fail "xfer-$1" "$(cat "$E2E_TMP/main$1.send.err")"
	wait "$LISTEN_PID"
	announce 3
}

REC=$E2E_TMP/r.jsonl
OUT=$E2E_TMP/live.json
CAP=$E2E_TMP/live.pcapng
echo '{"old":"line"}' >"$REC"
ip netns exec "$NS_A" "$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i veth-a --duration 60s \
	-w "$CAP" --format json -o "$OUT" --records "$REC" -c 2 --timeseries "$E2E_TMP/ts.csv" \
	>"$E2E_TMP/live.out" 2>"$E2E_TMP/live.err" </dev/null &
MM_PID=$!
track_pid "$MM_PID"
wait_until 100 grep -qs 'listening on' "$E2E_TMP/live.err" ||
	die "capture did not start: $(head -c 300 "$E2E_TMP/live.err")"
ip netns exec "$NS_A" ping -n -i 0.01 -w 40 "$B4" >"$E2E_TMP/ping.out" 2>&1 </dev/null &
track_pid $!
sleep 0.5

lines() { wc -l <"$REC"; }
t0=$EPOCHREALTIME
migrate 1
# The record is written while the capture runs, a few seconds after the announces.
wait_until 150 test "$(lines)" -ge 2
check_eq "first-record-live" 2 "$(lines)"
check "first-record-while-running" "capture pid $MM_PID" kill -0 "$MM_PID"
check_eq "first-summary-on-stderr" 1 "$(grep -c 'migmeter: migration 1 completed' "$E2E_TMP/live.err")"
# Migration 2 has an outage around its switchover: B drops echo requests.
ip netns exec "$NS_B" nft add rule inet mmrec in icmp type echo-request drop || die "outage rule"
migrate 2
sleep 0.3
ip netns exec "$NS_B" nft flush chain inet mmrec in || die "outage rule removed"
# -c 2: the capture stops by itself once the second record is written.
wait_until 150 bash -c "! kill -0 $MM_PID 2>/dev/null"
check "stopped-after-two" "capture pid $MM_PID" bash -c "! kill -0 $MM_PID 2>/dev/null"
t1=$EPOCHREALTIME
migrate 3
wait "$MM_PID"
check_eq "capture-exit-0" 0 "$?"
check "stopped-in-time" "$t0 .. $t1" awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 30) }'

check_eq "old-line-kept" '{"old":"line"}' "$(head -n 1 "$REC")"
check_eq "two-lines-appended" 3 "$(lines)"
check_eq "lines-are-json" "1 2" "$(tail -n +2 "$REC" | jq -r '.id' | xargs)"
check_eq "lines-completed" "completed completed" "$(tail -n +2 "$REC" | jq -r '.status' | xargs)"
check_eq "lines-bytes" "1048576 1048576" "$(tail -n +2 "$REC" | jq -r '.bytes_by_role.main' | xargs)"
check_eq "lines-main-flows" "main main" "$(tail -n +2 "$REC" | jq -r '.flows[0].role' | xargs)"
check_eq "summaries-on-stderr" 2 "$(grep -c 'migmeter: migration [12] completed' "$E2E_TMP/live.err")"
check_eq "timeseries-main-bytes" "$(jqr "$OUT" '[.migrations[].bytes_by_role.main] | add') 0 0" \
	"$(csv_col_sum "$E2E_TMP/ts.csv" main_bytes) $(csv_col_sum "$E2E_TMP/ts.csv" multifd_bytes) $(csv_col_sum "$E2E_TMP/ts.csv" nbd_bytes)"
check_eq "report-two-migrations" 2 "$(jqr "$OUT" '.migrations | length')"
# Retired once written, their flows are still in the report and its totals.
check_eq "report-retired-flows-kept" "2 2097152" \
	"$(jqr "$OUT" '"\(.flows | length) \([.flows[].forward.unique_payload_bytes] | add)"')"

# The lines are the report's migrations, less what a live line cannot know yet.
LIVE_ONLY='del(.node, .vantage, .unresponsive.threshold_s)'
if diff <(tail -n +2 "$REC" | jq -S -c "$LIVE_ONLY") <(jq -S -c ".migrations[] | $LIVE_ONLY" "$OUT") \
	>"$E2E_TMP/lines.diff"; then
	pass "lines-are-the-reports-migrations"
else
	fail "lines-are-the-reports-migrations" "$(head -c 1500 "$E2E_TMP/lines.diff")"
fi
check_eq "report-has-the-outage" "0 1" "$(jqr "$OUT" '[.migrations[].episodes | length | tostring] | join(" ")')"
d=$(jqr "$OUT" '.migrations[1].downtime_total_s')
check "report-downtime-total" "$d" awk -v d="$d" 'BEGIN { exit !(d > 0.1 && d < 2) }'
# Written live, the second line carries the outage: its episode and downtime total as the report has them.
check_eq "live-line-has-the-outage" "1 $d" "$(tail -n 1 "$REC" | jq -r '"\(.episodes | length) \(.downtime_total_s)"')"
check_eq "live-line-episodes-are-the-reports" "$(jq -S -c '.migrations[1].episodes' "$OUT")" \
	"$(tail -n 1 "$REC" | jq -S -c '.episodes')"
# The outage is unresponsive time too (no reply in time), at least as long as the loss-based episode.
check_eq "live-line-unresponsive-is-the-reports" "$(jq -S -c '.migrations[1].unresponsive.episodes' "$OUT")" \
	"$(tail -n 1 "$REC" | jq -S -c '.unresponsive.episodes')"
u=$(tail -n 1 "$REC" | jq -r '.unresponsive.total_s')
check "live-line-unresponsive-total" "unresponsive $u, loss-based $d" awk -v u="$u" -v d="$d" 'BEGIN { exit !(u >= d && u < d + 0.1) }'
tl=$(tail -n 1 "$REC" | jq -r '.unresponsive.threshold_s')
tr=$(jqr "$OUT" '.migrations[1].unresponsive.threshold_s')
check "live-threshold-near-the-final" "live $tl, final $tr" awk -v a="$tl" -v b="$tr" 'BEGIN { exit !(a > 0.009 && (a - b < 0.001 && b - a < 0.001)) }'

# The -w file replayed: the same records.
"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$E2E_TMP/replay.json" "$CAP" 2>"$E2E_TMP/replay.err"
check_eq "replay-exit-0" 0 "$?"
if diff <(jq -S -c ".migrations[]" "$OUT") <(jq -S -c ".migrations[]" "$E2E_TMP/replay.json") \
	>"$E2E_TMP/replay.diff" && diff <(jq -S .migrations "$OUT") <(jq -S .migrations "$E2E_TMP/replay.json") \
	>>"$E2E_TMP/replay.diff"; then
	pass "replay-same-records"
else
	fail "replay-same-records" "$(head -c 1500 "$E2E_TMP/replay.diff")"
fi

summary
