#!/usr/bin/env bash
# test_unresponsive.sh - unresponsive time from real echo traffic: a guest that answers every ping, but late, after a pause.
#
# In namespace B the kernel's echo replies are off and a small responder
# (python3, a raw ICMP socket) answers every echo request instead: at once,
# except from T1 (1.5 s after the first request) for 0.5 s, where the reply
# waits 300 ms decaying linearly to 0 -- a post-copy guest after its
# switchover.  A pings B every 10 ms while `migmeter capture` runs in A.
# No ping is lost, so the loss-based downtime is 0; the unresponsive
# episode (no reply within max(10 x median RTT, interval) = about 10 ms)
# must span from the last timely reply before T1 (within one interval of
# T1) to the first timely one after, within one interval of what the
# responder's law gives (the moment its delay falls to the threshold,
# plus that threshold).  The
# replay of the -w file gives the same episode; --late-threshold 400ms
# finds none; the --unresponsive CSV has the episode's row.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip ping jq python3 awk
require_binaries migmeter

netns_pair || die "could not create the namespace pair"
ip netns exec "$NS_B" sysctl -qw net.ipv4.icmp_echo_ignore_all=1 || die "kernel echo replies in B"

LAW=$E2E_TMP/law.txt
ip netns exec "$NS_B" python3 - "$LAW" >"$E2E_TMP/resp.out" 2>"$E2E_TMP/resp.err" </dev/null <<'PY' &
import heapq, select, socket, struct, sys, time

law = sys.argv[1]
DELAY0, SPAN, START_AFTER, LIFE = 0.300, 0.500, 1.5, 20.0
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)

def csum(b):
    if len(b) % 2:
        b += b"\0"
    n = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while n >> 16:
        n = (n & 0xFFFF) + (n >> 16)
    return ~n & 0xFFFF

first = t1 = None
q = []
end = time.time() + LIFE
open(law + ".ready", "w").close()
while time.time() < end:
    timeout = max(0.0, q[0][0] - time.time()) if q else 0.05
    r, _, _ = select.select([s], [], [], min(timeout, 0.05))
    now = time.time()
    if r:
        pkt, (src, _) = s.recvfrom(65535)
        ihl = (pkt[0] & 15) * 4
        icmp = pkt[ihl:]
        if len(icmp) >= 8 and icmp[0] == 8:
            if first is None:
                first = now
                t1 = first + START_AFTER
                with open(law, "w") as f:
                    f.write("%.6f %.6f %.6f\n" % (t1, DELAY0, SPAN))
            d = 0.0
            if t1 <= now < t1 + SPAN:
                d = DELAY0 * (1 - (now - t1) / SPAN)
            rep = b"\0\0\0\0" + icmp[4:]
            rep = b"\0\0" + struct.pack("!H", csum(rep)) + rep[4:]
            heapq.heappush(q, (now + d, len(q) and q[0][1] + 1 or 0, rep, src))
    while q and q[0][0] <= time.time():
        _, _, rep, dst = heapq.heappop(q)
        s.sendto(rep, (dst, 0))
PY
track_pid $!
wait_until 100 test -e "$LAW.ready" || die "responder did not start: $(head -c 300 "$E2E_TMP/resp.err")"

OUT=$E2E_TMP/live.json
CAP=$E2E_TMP/live.pcapng
ip netns exec "$NS_A" "$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i veth-a --duration 6s \
	-w "$CAP" --format json -o "$OUT" --unresponsive "$E2E_TMP/live-un.csv" \
	>"$E2E_TMP/live.out" 2>"$E2E_TMP/live.err" </dev/null &
MM_PID=$!
track_pid "$MM_PID"
wait_until 100 grep -qs 'listening on' "$E2E_TMP/live.err" ||
	die "capture did not start: $(head -c 300 "$E2E_TMP/live.err")"
ip netns exec "$NS_A" ping -n -i 0.01 -w 4 "$B4" >"$E2E_TMP/ping.out" 2>&1 </dev/null
wait "$MM_PID"
check_eq "capture-exit-0" 0 "$?"
read -r T1 D0 SPAN <"$LAW" || die "the responder wrote no law"

st='.downtime.streams[0]'
check_eq "one-stream" 1 "$(jqr "$OUT" '.downtime.streams | length')"
check_eq "nothing-lost" "0 0" "$(jqr "$OUT" "\"\($st.lost) \($st.n_episodes)\"")"
thr=$(jqr "$OUT" "$st.unresponsive_threshold_s")
iv=$(jqr "$OUT" "$st.interval_s")
check "threshold-is-the-interval" "threshold $thr, interval $iv" \
	awk -v t="$thr" -v i="$iv" 'BEGIN { exit !(t == i && i > 0.009 && i < 0.02) }'
check_eq "threshold-rule" "max(10 x rtt_median, interval)" "$(jqr "$OUT" "$st.unresponsive_threshold_rule")"
# The longest episode is the brownout (a loaded machine may add a short one of its own).
EP="[$st.unresponsive_episodes[]] | max_by(.gap_s)"
gap=$(jqr "$OUT" "$EP | .gap_s")
start=$(jqr "$OUT" "$EP | .start")
known=$(awk -v t1="$T1" -v d0="$D0" -v sp="$SPAN" -v th="$thr" 'BEGIN { printf "%.6f", sp * (1 - th / d0) + th }')
end=$(jqr "$OUT" "$EP | .end")
# Each edge is where the pings sample it: the last timely reply before T1
# (within one interval before it), the first timely reply after the delay
# fell to the threshold (within one interval after that moment).
check "starts-at-the-pause" "start $start, T1 $T1, interval $iv" \
	awk -v s="$start" -v t="$T1" -v i="$iv" 'BEGIN { exit !(s <= t && s > t - i - 0.003) }'
check "ends-within-one-interval-of-the-law" "end $end, T1 + $known, interval $iv" \
	awk -v e="$end" -v t="$T1" -v k="$known" -v i="$iv" 'BEGIN { d = e - (t + k); exit !(d >= -0.003 && d <= i + 0.003) }'
check "gap-is-the-reply-gap" "gap $gap, $start .. $end, known $known" \
	awk -v g="$gap" -v s="$start" -v e="$end" -v k="$known" -v i="$iv" \
	'BEGIN { d = g - (e - s); if (d < 0) d = -d; exit !(d < 0.000002 && g >= k - 0.003 && g <= k + 2 * i + 0.006) }'
late=$(jqr "$OUT" "$EP | .late")
check "late-not-lost" "late $late, lost $(jqr "$OUT" "$EP | .lost")" \
	awk -v l="$late" -v z="$(jqr "$OUT" "$EP | .lost")" -v i="$iv" 'BEGIN { exit !(z == 0 && l >= 0.4 / i && l <= 0.55 / i + 1) }'
w=$(jqr "$OUT" "$EP | .worst_rtt_s")
check "worst-rtt-is-the-first-delay" "worst $w" awk -v w="$w" 'BEGIN { exit !(w > 0.28 && w < 0.33) }'
check_eq "ended-in-capture" true "$(jqr "$OUT" "$EP | .ended_in_capture")"
csvgap=$(python3 -c 'import csv, sys; print(max((r["gap_s"] for r in csv.DictReader(open(sys.argv[1]))), key=float))' \
	"$E2E_TMP/live-un.csv")
check "csv-row" "csv $csvgap, json $gap" awk -v a="$csvgap" -v b="$gap" 'BEGIN { exit !(a + 0 == b + 0) }'

"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$E2E_TMP/replay.json" "$CAP" 2>"$E2E_TMP/replay.err"
check_eq "replay-exit-0" 0 "$?"
check_eq "replay-same-unresponsive" "$(jq -S -c "$st | del(.first_ts, .last_ts)" "$OUT")" \
	"$(jq -S -c "$st | del(.first_ts, .last_ts)" "$E2E_TMP/replay.json")"
"$MIGMETER" replay "${MM_OPTS[@]}" --late-threshold 400ms --format json -o "$E2E_TMP/given.json" "$CAP" \
	2>"$E2E_TMP/given.err"
check_eq "late-threshold-400ms-none" "0.4 --late-threshold 0 0" \
	"$(jqr "$E2E_TMP/given.json" "\"\($st.unresponsive_threshold_s) \($st.unresponsive_threshold_rule) \($st.n_unresponsive_episodes) \($st.unresponsive_total_s)\"")"

summary
