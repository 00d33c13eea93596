#!/usr/bin/env bash
# test_app.sh - capture --app: a real HTTP service (busybox httpd) driven by ab, frozen by SIGSTOP for a known time around a migration.
#
# Namespace B is the "VM": busybox httpd serves a small file on port 80 in
# a process group of its own.  From namespace A, ab -k -c 4 drives it while
# `migmeter capture --app 80` runs on veth-a (saving -w).  In the middle of
# the ab run the whole httpd process group is frozen with SIGSTOP for 1 s
# (as a paused VM would be); while it is frozen a migration-shaped transfer
# (xfer --magic qemu, the final burst) goes from A to B:49152, and at
# SIGCONT B sends RARP announces: one migration whose phases hold the
# pause.  Checked against ab's own figures and the measured pause:
#   - migmeter's completed turns == ab's "Complete requests";
#   - the longest stall is within one request turn of the imposed pause
#     (a turn: what 99 % of ab's requests took, from its percentile table,
#     and never less than its mean time per request; the pause is timed by
#     one real-time process around its two signals);
#   - the -w file replayed gives the same app figures;
#   - a second run with ICMP dropped by nftables in B: the migration's
#     downtime comes from the app's own traffic (downtime_source "app"),
#     its blackout within the same tolerance of the pause.
# ab's "Time per request" is printed beside migmeter's response times.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip nft ab busybox jq python3 setsid chrt
require_binaries migmeter xfer

netns_pair || die "could not create the namespace pair"
ns_port_range "$NS_A" 40000 48999 || die "port range in A"
BMAC=$(ip netns exec "$NS_B" cat /sys/class/net/veth-b/address) || die "B's MAC"
WWW=$E2E_TMP/www
mkdir -p "$WWW" && head -c "${APP_FILE_BYTES:-3000}" /dev/zero | tr '\0' x >"$WWW/f.html" || die "web root"
PAUSE=1.0

# The service, in a process group of its own (setsid): SIGSTOP to the group freezes every child too.
ip netns exec "$NS_B" setsid busybox httpd -f -p 80 -h "$WWW" </dev/null >"$E2E_TMP/httpd.log" 2>&1 &
HTTPD_PID=$!
track_pid "$HTTPD_PID"
wait_listen "$NS_B" 80 || die "httpd did not start"
# A background job is no group leader: setsid makes httpd one (its own group) without forking.
HTTPD_PGID=$(ps -o pgid= -p "$HTTPD_PID" | tr -d ' ')
[ -n "$HTTPD_PGID" ] && [ "$HTTPD_PGID" != "$(ps -o pgid= -p $$ | tr -d ' ')" ] || die "httpd's process group"

# announcer N FIFO - started ahead (python starts slowly on a loaded machine): once a line
# comes on FIFO, N RARP announces (opcode 3) out of veth-b from B's MAC, 50 ms apart.
announcer() {
	ip netns exec "$NS_B" python3 - "$BMAC" "$1" "$2" <<'EOF' &
import socket, struct, sys, time
mac = bytes.fromhex(sys.argv[1].replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('veth-b', 0))
with open(sys.argv[3]) as trigger:
    trigger.readline()
for i in range(int(sys.argv[2])):
    if i:
        time.sleep(0.05)
    f = b'\xff' * 6 + mac + struct.pack('>HHHBBH', 0x8035, 1, 0x0800, 6, 4, 3) + mac + b'\0' * 4 + mac + b'\0' * 4
    s.send(f + b'\0' * (60 - len(f)))
EOF
	ANN_PID=$!
	track_pid "$ANN_PID"
}

# How fast this machine answers: ab runs about 5 s (2 s before the pause, 2 s after it).
ip netns exec "$NS_A" ab -q -n 2000 -c 4 -k "http://$B4/f.html" >"$E2E_TMP/warm.out" 2>&1 </dev/null ||
	die "ab warm-up: $(tail -n 3 "$E2E_TMP/warm.out")"
RPS=$(awk '/^Requests per second:/ { printf "%d", $4 }' "$E2E_TMP/warm.out")
[ "${RPS:-0}" -gt 0 ] || die "ab warm-up rate: $(cat "$E2E_TMP/warm.out")"
N=$((RPS * 4))
[ "$N" -gt 200000 ] && N=200000
[ "$N" -lt 2000 ] && N=2000

# run TAG - one measured run: capture, ab, the pause with the migration inside it, the report.
run() {
	local tag=$1 s0 s1 c0 c1
	ip netns exec "$NS_A" "$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i veth-a --app 80 \
		--app-window 2s --duration 60s -w "$E2E_TMP/$tag.pcapng" --format json -o "$E2E_TMP/$tag.json" \
		--app-csv "$E2E_TMP/$tag-app.csv" --records "$E2E_TMP/$tag.jsonl" >"$E2E_TMP/$tag.out" 2>"$E2E_TMP/$tag.err" </dev/null &
	MM_PID=$!
	track_pid "$MM_PID"
	wait_until 100 grep -qs 'listening on' "$E2E_TMP/$tag.err" ||
		die "capture did not start: $(head -c 300 "$E2E_TMP/$tag.err")"
	ip netns exec "$NS_A" ping -n -i 0.01 -w 30 "$B4" >"$E2E_TMP/$tag.ping" 2>&1 </dev/null &
	PING_PID=$!
	track_pid "$PING_PID"
	xfer_listen "$tag-main" 49152
	ip netns exec "$NS_A" ab -k -n "$N" -c 4 "http://$B4/f.html" >"$E2E_TMP/$tag.ab" 2>&1 </dev/null &
	AB_PID=$!
	track_pid "$AB_PID"
	rm -f "$E2E_TMP/$tag.go"
	mkfifo "$E2E_TMP/$tag.go" || die "fifo"
	announcer 3 "$E2E_TMP/$tag.go"
	# After 2 s of ab, the VM pauses; its final burst goes over while it is paused; it resumes
	# and is announced.  One real-time process signals and takes the times, so that nothing
	# runs between them; it starts now and sleeps, so its start-up does not slow the service.
	ip netns exec "$NS_A" chrt -f 50 python3 - "$HTTPD_PGID" "$PAUSE" "$XFER" "$B4" "$E2E_TMP/$tag.go" \
		"$E2E_TMP/$tag.sent" "$AB_PID" >"$E2E_TMP/$tag.pause" 2>"$E2E_TMP/$tag.send.err" </dev/null <<'EOF' ||
import os, signal, subprocess, sys, time
pg, pause = int(sys.argv[1]), float(sys.argv[2])
time.sleep(2)
try:
    os.kill(int(sys.argv[7]), 0)
except OSError:
    sys.exit('ab ended before the pause')
s0 = time.time()
os.killpg(pg, signal.SIGSTOP)
s1 = time.time()
time.sleep(0.3)
# The transfer need not be real-time.
with open(sys.argv[6], 'w') as out:
    rc = subprocess.call([sys.argv[3], 'send', sys.argv[4], '49152', '4194304', '--magic', 'qemu',
                          '--cport', '49000'], stdout=out,
                         preexec_fn=lambda: os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0)))
time.sleep(max(0.0, s1 + pause - time.time()))
c0 = time.time()
os.killpg(pg, signal.SIGCONT)
c1 = time.time()
# Real-time no longer: the rest of this (and python's exit) must not delay the resumed service.
os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
with open(sys.argv[5], 'w') as f:
    f.write('go\n')
print('%.6f %.6f %.6f %.6f' % (s0, s1, c0, c1))
sys.exit(rc)
EOF
		fail "$tag-pause" "$(cat "$E2E_TMP/$tag.send.err")"
	wait "$ANN_PID"
	read -r s0 s1 c0 c1 <"$E2E_TMP/$tag.pause"
	# From the middle of one signal's call to the middle of the other's (each takes microseconds).
	IMPOSED=$(awk -v a="$s0" -v b="$s1" -v c="$c0" -v d="$c1" 'BEGIN { printf "%.6f", (c + d - a - b) / 2 }')
	T_STOP=$s1 T_CONT=$c0
	wait "$AB_PID"
	check_eq "$tag-ab-exit-0" 0 "$?"
	wait "$LISTEN_PID"
	sleep 1
	kill -TERM "$PING_PID" 2>/dev/null
	kill -INT "$MM_PID"
	wait "$MM_PID"
	check_eq "$tag-capture-exit-0" 0 "$?"
	AB_DONE=$(awk '/^Complete requests:/ { print $3 }' "$E2E_TMP/$tag.ab")
	AB_FAILED=$(awk '/^Failed requests:/ { print $3 }' "$E2E_TMP/$tag.ab")
	# "Time per request: X [ms] (mean)": one client's turn.
	AB_TPR=$(awk '/^Time per request:/ && !/across/ { print $4; exit }' "$E2E_TMP/$tag.ab")
	# ab's percentile table: 99 % of the requests took at most this (whole ms, so one more).
	AB_P99=$(awk '$1 == "99%" { print $2; exit }' "$E2E_TMP/$tag.ab")
	# One request turn: what 99 % of ab's requests took, never less than its mean.
	TURN_S=$(awk -v t="$AB_TPR" -v p="$AB_P99" 'BEGIN { p = (p + 1) / 1000; t /= 1000; printf "%.6f", (p > t ? p : t) }')
}

# within TAG NAME VALUE - VALUE (s) is within one request turn of the imposed pause.
within() {
	check "$1-$2-within-one-turn" "$2 $3 s, imposed $IMPOSED s, one turn $TURN_S s" \
		float_close "$3" "$IMPOSED" "$TURN_S"
}

# ---- run 1: pings answered ----------------------------------------------------
run live
R=$E2E_TMP/live.json
check_eq "live-no-drops" 0 "$(jqr "$R" .dropped_frames)"
check_eq "live-one-migration-completed" "1 completed rarp" \
	"$(jqr "$R" '"\(.migrations | length) \(.migrations[0].status) \(.migrations[0].switchover.resumed_by)"')"
check_eq "live-migration-bytes" 4194304 "$(jqr "$R" '.migrations[0].bytes_by_role.main')"
check_eq "live-turns-equal-ab-complete-requests" "$AB_DONE" "$(jqr "$R" .app.turns)"
check_eq "live-no-unanswered" 0 "$(jqr "$R" .app.unanswered)"
STALL=$(jqr "$R" .app.longest_stall.stall_s)
within live longest-stall "$STALL"
MSTALL=$(jqr "$R" '.migrations[0].app.longest_stall_s')
within live migration-longest-stall "$MSTALL"
check_eq "live-stall-ends-in-switchover" "$MSTALL" \
	"$(jqr "$R" '.migrations[0].app.phases[] | select(.phase == "switchover") | .longest_stall_s')"
check_eq "live-four-phases" "before pre-copy switchover after" \
	"$(jqr "$R" '[.migrations[0].app.phases[].phase] | join(" ")')"
check_eq "live-phases-contiguous" true \
	"$(jqr "$R" '[.migrations[0].app.phases[] | [.start, .end]] | (.[0][1] == .[1][0] and .[1][1] == .[2][0] and .[2][1] == .[3][0])')"
check_eq "live-downtime-source-echo" echo "$(jqr "$R" '.migrations[0].downtime_source')"
check_eq "live-app-csv-4-rows" 5 "$(wc -l <"$E2E_TMP/live-app.csv")"
# The live record line has the phases too (what was seen when it completed).
check_eq "live-record-has-app-phases" "1 4 echo" \
	"$(wc -l <"$E2E_TMP/live.jsonl") $(jq -r '"\(.app.phases | length) \(.downtime_source)"' "$E2E_TMP/live.jsonl")"
printf '  ab: %s complete requests (%s failed), time per request %s ms (mean), %s ms across all, 99%% within %s ms\n' \
	"$AB_DONE" "$AB_FAILED" "$AB_TPR" \
	"$(awk '/^Time per request:/ && /across/ { print $4 }' "$E2E_TMP/live.ab")" "$AB_P99"
printf '  migmeter: %s turns, response median %s s, mean %s s, p99 %s s\n' "$(jqr "$R" .app.turns)" \
	"$(jqr "$R" .app.response_median_s)" "$(jqr "$R" .app.response_mean_s)" "$(jqr "$R" .app.response_p99_s)"
printf '  pause: imposed %s s (%s .. %s), longest stall %s s (%s .. %s; in the migration %s s)\n' "$IMPOSED" \
	"$T_STOP" "$T_CONT" "$STALL" "$(jqr "$R" .app.longest_stall.start)" "$(jqr "$R" .app.longest_stall.end)" "$MSTALL"

# The -w file replayed: the same figures.
"$MIGMETER" replay "${MM_OPTS[@]}" --app 80 --app-window 2s --format json -o "$E2E_TMP/replay.json" \
	"$E2E_TMP/live.pcapng" 2>"$E2E_TMP/replay.err"
check_eq "replay-exit-0" 0 "$?"
if diff <(jq -S '.app, .migrations[].app, .migrations[].downtime_source' "$R") \
	<(jq -S '.app, .migrations[].app, .migrations[].downtime_source' "$E2E_TMP/replay.json") >"$E2E_TMP/replay.diff"; then
	pass "replay-same-app-figures"
else
	fail "replay-same-app-figures" "$(head -c 1500 "$E2E_TMP/replay.diff")"
fi

# ---- run 2: ICMP dropped in B (clouds that block ping) -----------------------
ip netns exec "$NS_B" nft -f - <<'EOF' || die "nftables drop rule in B"
table inet mmapp {
	chain in {
		type filter hook input priority 0; policy accept;
		ip protocol icmp drop
	}
}
EOF
run noicmp
R=$E2E_TMP/noicmp.json
check_eq "noicmp-no-drops" 0 "$(jqr "$R" .dropped_frames)"
check_eq "noicmp-no-echo-reply" 0 "$(jqr "$R" .downtime.total.replies)"
check_eq "noicmp-one-migration" 1 "$(jqr "$R" '.migrations | length')"
check_eq "noicmp-turns-equal-ab-complete-requests" "$AB_DONE" "$(jqr "$R" .app.turns)"
check_eq "noicmp-downtime-source-app" "app app" \
	"$(jqr "$R" '"\(.migrations[0].downtime_source) \(.migrations[0].app.blackout.source)"')"
GAP=$(jqr "$R" '.migrations[0].app.blackout.gap_s')
within noicmp blackout "$GAP"
within noicmp longest-stall "$(jqr "$R" '.migrations[0].app.longest_stall_s')"
check_eq "noicmp-blackout-bounds" true \
	"$(jqr "$R" '.migrations[0].app.blackout | (.lower_s <= .gap_s and .gap_s <= .upper_s and .resolution_s > 0)')"
printf '  no ICMP: imposed %s s, blackout from the app %s s (resolution %s s), ab %s ms per request, 99%% within %s ms\n' \
	"$IMPOSED" "$GAP" "$(jqr "$R" '.migrations[0].app.blackout.resolution_s')" "$AB_TPR" "$AB_P99"

summary
