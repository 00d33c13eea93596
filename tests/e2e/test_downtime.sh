#!/usr/bin/env bash
# test_downtime.sh - VM downtime from real ping traffic with outages imposed by nftables, checked against the clock.
#
# A pings B every 10 ms (ping -c, it ends by itself) while a rule in B
# drops echo requests for a known time (an exact kernel-clock window).
# The capture on A's veth is replayed; each outage must come out as
# exactly one episode whose estimate is within two ping intervals of the
# imposed outage and agrees with an independent tshark reckoning, and
# migmeter's loss count must equal ping's own summary.  Cases: one outage
# and two outages over IPv4, a ping restarted with the same identifier
# (ping -e), one outage over IPv6.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip tcpdump tshark nft ping jq awk
require_binaries migmeter

INTERVAL=0.01
# ping -i 0.01 may pace slower on coarse-timer kernels (16 ms seen at HZ=250);
# every check uses the interval migmeter measured, cross-checked with tshark.

netns_pair || die "could not create the namespace pair"
ip netns exec "$NS_B" nft -f - <<'EOF' || die "nftables table in B"
table inet mmdt {
	chain in {
		type filter hook input priority 0; policy accept;
	}
}
EOF

# The outages are nftables rules in B that drop echo requests only inside
# a window of the kernel's realtime clock (meta time, whole seconds), the
# clock the capture timestamps come from: the imposed outage is exactly
# the window, whatever the latency of starting nft.  (Timing an
# add-rule/sleep/delete-rule sequence from the shell is off by up to
# ~15 ms, the time "nft flush" takes to commit, more than one 10 ms
# interval.)
#
# window FROM TO - drop echo requests (ICMP and ICMPv6) in B from epoch second FROM to TO.
window() {
	ip netns exec "$NS_B" nft add rule inet mmdt in \
		meta time '>=' "$1" meta time '<' "$2" icmp type echo-request drop &&
		ip netns exec "$NS_B" nft add rule inet mmdt in \
			meta time '>=' "$1" meta time '<' "$2" icmpv6 type echo-request drop
}

# ref_episodes PCAP - independent reference from tshark (family $FAM): one
# line per episode, "lost estimate_s", estimate = t(first answered request after) - t(first
# unanswered request); then a line "interval MEDIAN_GAP_S".
ref_episodes() {
	local req=8 rep=0 ty=icmp.type sq=icmp.seq
	if [ "$FAM" = 6 ]; then
		req=128 rep=129 ty=icmpv6.type sq=icmpv6.echo.sequence_number
	fi
	tshark -r "$1" -Y "$ty == $req || $ty == $rep" \
		-T fields -e frame.time_epoch -e "$ty" -e "$sq" 2>/dev/null |
		awk -v req="$req" -v rep="$rep" '
		$2 == req && !($3 in t) { t[$3] = $1; if (lo == "" || $3 < lo) lo = $3; if ($3 > hi) hi = $3 }
		$2 == rep { r[$3] = 1 }
		END {
			run = 0
			for (s = lo; s <= hi; s++) {
				if (!(s in t)) continue
				if (!(s in r)) {
					if (!run) { run = 1; first = t[s]; c = 0 }
					c++
				} else if (run) {
					run = 0
					printf "%d %.9f\n", c, t[s] - first
				}
			}
		}'
	tshark -r "$1" -Y "$ty == $req" -T fields -e frame.time_epoch 2>/dev/null |
		awk 'NR > 1 { printf "%.9f\n", $1 - p } { p = $1 }' | sort -n |
		awk '{ g[NR] = $1 } END { if (NR % 2) m = g[(NR + 1) / 2]; else m = (g[NR / 2] + g[NR / 2 + 1]) / 2; printf "interval %.9f\n", m }'
}

# same_episode LOST EST "REF_LOST REF_EST" - same loss count, estimates within 2 us.
same_episode() {
	[ "$1" = "${3%% *}" ] && float_close "$2" "${3##* }" 0.000002
}

# run_case NAME COUNT OUT1 [GAP OUT2] - one capture, ping -c COUNT, one or
# two outages (whole seconds) starting one second after ping does.
run_case() {
	local name=$1 count=$2 out1=$3 gap=${4:-} out2=${5:-}
	local cap=$E2E_TMP/$name.pcap json=$E2E_TMP/$name.json eps=$E2E_TMP/$name-episodes.csv
	local ts=$E2E_TMP/$name-ts.csv
	local ping_pid rc tx rx want i n lost interval est imp tol ref ref_interval ref_line ep_lost
	local start t0 t1 target
	IMPOSED=()

	ip netns exec "$NS_B" nft flush chain inet mmdt in
	capture_start "$NS_A" veth-a "$cap" icmp or icmp6 || {
		fail "$name-capture" "capture did not start"
		return
	}
	# Start ping on a whole second S; outages from S+1.
	start=${EPOCHREALTIME%.*}
	start=$((start + 1))
	t0=$((start + 1))
	t1=$((t0 + out1))
	window "$t0" "$t1" || fail "$name-nft" "could not add the outage rule"
	IMPOSED+=("$out1")
	want=1
	if [ -n "$out2" ]; then
		t0=$((t1 + gap))
		t1=$((t0 + out2))
		window "$t0" "$t1" || fail "$name-nft" "could not add the outage rule"
		IMPOSED+=("$out2")
		want=2
	fi
	sleep "$(awk -v s="$start" -v n="$EPOCHREALTIME" 'BEGIN { d = s - n; printf "%.6f", (d > 0 ? d : 0) }')"
	target=$B4
	[ "$FAM" = 6 ] && target=$B6
	ip netns exec "$NS_A" ping -n -i "$INTERVAL" -c "$count" -W 1 "$target" \
		>"$E2E_TMP/$name.ping" 2>&1 </dev/null &
	ping_pid=$!
	track_pid "$ping_pid"
	wait "$ping_pid"
	if [ "${EPOCHREALTIME%.*}" -lt "$t1" ]; then
		fail "$name-ping-outlasts-outages" "ping -c $count ended before the last outage did"
	fi
	capture_stop "$cap" || fail "$name-capture" "capture failed or dropped frames"

	# Ping's own summary: "N packets transmitted, M received, ..."
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$E2E_TMP/$name.ping")
	rx=$(sed -n 's/^[0-9]* packets transmitted, \([0-9]*\) received.*/\1/p' "$E2E_TMP/$name.ping")
	if [ -z "$tx" ] || [ -z "$rx" ]; then
		fail "$name-ping-summary" "no summary in ping output: $(tail -n 2 "$E2E_TMP/$name.ping")"
		return
	fi

	"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$json" --episodes "$eps" \
		--timeseries "$ts" --bin 100ms --ping-interval 0.01 "$cap" \
		2>"$E2E_TMP/$name.err"
	rc=$?
	check_eq "$name-replay-exit-0" 0 "$rc"
	if [ ! -s "$json" ] || ! jq -e . "$json" >/dev/null 2>&1; then
		fail "$name-json" "no valid JSON report ($(head -c 300 "$E2E_TMP/$name.err"))"
		return
	fi
	check_eq "$name-one-stream" 1 "$(jqr "$json" '.downtime.streams | length')"
	check_eq "$name-tshark-reference-episodes" "$want" "$(ref_episodes "$cap" | grep -vc '^interval')"
	check_eq "$name-episodes" "$want" "$(jqr "$json" '.downtime.streams[0].episodes | length')"
	check_eq "$name-requests-vs-ping-transmitted" "$tx" "$(jqr "$json" '.downtime.streams[0].requests')"
	check_eq "$name-replies-vs-ping-received" "$rx" "$(jqr "$json" '.downtime.streams[0].replies')"
	lost=$(jqr "$json" '.downtime.streams[0].lost')
	check_eq "$name-lost-vs-ping-summary" "$((tx - rx))" "$lost"
	check_eq "$name-episode-lost-sums-to-lost" "$lost" \
		"$(jqr "$json" '[.downtime.streams[0].episodes[].lost] | add')"
	interval=$(jqr "$json" '.downtime.streams[0].interval_s')
	ref=$(ref_episodes "$cap")
	ref_interval=$(printf '%s\n' "$ref" | awk '$1 == "interval" { print $2 }')
	check "$name-interval-is-median-gap" "interval_s $interval, median request gap from tshark $ref_interval" \
		float_close "$interval" "$ref_interval" 0.0001
	check "$name-lost-x-interval" \
		"lost_x_interval_s $(jqr "$json" '.downtime.streams[0].lost_x_interval_s') != $lost x $interval" \
		float_close "$(jqr "$json" '.downtime.streams[0].lost_x_interval_s')" \
		"$(awk -v l="$lost" -v i="$interval" 'BEGIN { printf "%.9f", l * i }')" 0.000001
	check "$name-lost-x-nominal-interval" \
		"lost_x_nominal_interval_s $(jqr "$json" '.downtime.streams[0].lost_x_nominal_interval_s') != $lost x 0.01" \
		float_close "$(jqr "$json" '.downtime.streams[0].lost_x_nominal_interval_s')" \
		"$(awk -v l="$lost" 'BEGIN { printf "%.9f", l * 0.01 }')" 0.000001
	check "$name-total-is-sum-of-estimates" "downtime_total_s differs from the sum of estimates" \
		float_close "$(jqr "$json" '.downtime.streams[0].downtime_total_s')" \
		"$(jqr "$json" '[.downtime.streams[0].episodes[].estimate_s] | add')" 0.000001
	tol=$(awk -v i="$interval" 'BEGIN { printf "%.6f", 2 * i }')
	n=$(jqr "$json" '.downtime.streams[0].episodes | length')
	for ((i = 0; i < want && i < n; i++)); do
		est=$(jqr "$json" ".downtime.streams[0].episodes[$i].estimate_s")
		imp=${IMPOSED[$i]}
		check "$name-episode$((i + 1))-within-2-intervals" "imposed $imp s, estimate $est s, tolerance $tol s" \
			float_close "$est" "$imp" "$tol"
		ref_line=$(printf '%s\n' "$ref" | awk -v k=$((i + 1)) '$1 != "interval" && ++n == k')
		ep_lost=$(jqr "$json" ".downtime.streams[0].episodes[$i].lost")
		check "$name-episode$((i + 1))-vs-tshark-reference" \
			"tshark reference (lost estimate) = ($ref_line), migmeter ($ep_lost $est)" \
			same_episode "$ep_lost" "$est" "$ref_line"
		check_eq "$name-episode$((i + 1))-inside-capture" "true/true" \
			"$(jqr "$json" ".downtime.streams[0].episodes[$i] | \"\(.began_in_capture)/\(.ended_in_capture)\"")"
		printf '%s: outage %d imposed %s s, measured estimate %s s [lower %s, upper %s], lost %s\n' \
			"$name" "$((i + 1))" "$imp" "$est" \
			"$(jqr "$json" ".downtime.streams[0].episodes[$i].lower_s")" \
			"$(jqr "$json" ".downtime.streams[0].episodes[$i].upper_s")" \
			"$(jqr "$json" ".downtime.streams[0].episodes[$i].lost")"
	done
	check_eq "$name-timeseries-requests" "$tx" "$(csv_col_sum "$ts" ping_requests)"
	check_eq "$name-timeseries-replies" "$rx" "$(csv_col_sum "$ts" ping_replies)"
	check_eq "$name-timeseries-lost" "$lost" "$(csv_col_sum "$ts" ping_lost)"
	check_eq "$name-episodes-csv-rows" "$((want + 1))" "$(wc -l <"$eps" 2>/dev/null || echo 0)"
	printf '%s: ping %s transmitted, %s received (lost %s); migmeter requests %s, replies %s, lost %s, interval %s s, lost x interval %s s, lost x 0.01 s %s s, downtime %s s\n' \
		"$name" "$tx" "$rx" "$((tx - rx))" "$(jqr "$json" '.downtime.streams[0].requests')" \
		"$(jqr "$json" '.downtime.streams[0].replies')" "$lost" "$interval" \
		"$(jqr "$json" '.downtime.streams[0].lost_x_interval_s')" \
		"$(jqr "$json" '.downtime.streams[0].lost_x_nominal_interval_s')" \
		"$(jqr "$json" '.downtime.streams[0].downtime_total_s')"
}

# run_restart - one capture, two ping runs with the same identifier (ping -e,
# as a pinger in a fresh PID namespace gets the same one): a 1 s outage in
# the first run, none in the second, begun 1 s after the first ended.  Two
# streams of that id, the second following the first; the outage is the
# first run's one episode; each run's loss is its ping's own.
run_restart() {
	local name=restart cap=$E2E_TMP/restart.pcap json=$E2E_TMP/restart.json start t0 t1 est interval
	local tx1 rx1 tx2 rx2

	ip netns exec "$NS_B" nft flush chain inet mmdt in
	capture_start "$NS_A" veth-a "$cap" icmp || {
		fail "$name-capture" "capture did not start"
		return
	}
	start=${EPOCHREALTIME%.*}
	start=$((start + 1))
	t0=$((start + 1))
	t1=$((t0 + 1))
	window "$t0" "$t1" || fail "$name-nft" "could not add the outage rule"
	sleep "$(awk -v s="$start" -v n="$EPOCHREALTIME" 'BEGIN { d = s - n; printf "%.6f", (d > 0 ? d : 0) }')"
	ip netns exec "$NS_A" ping -n -e 4242 -i "$INTERVAL" -c 300 -W 1 "$B4" >"$E2E_TMP/$name-1.ping" 2>&1 </dev/null
	sleep 1
	ip netns exec "$NS_A" ping -n -e 4242 -i "$INTERVAL" -c 200 -W 1 "$B4" >"$E2E_TMP/$name-2.ping" 2>&1 </dev/null
	capture_stop "$cap" || fail "$name-capture" "capture failed or dropped frames"
	tx1=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$E2E_TMP/$name-1.ping")
	rx1=$(sed -n 's/^[0-9]* packets transmitted, \([0-9]*\) received.*/\1/p' "$E2E_TMP/$name-1.ping")
	tx2=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$E2E_TMP/$name-2.ping")
	rx2=$(sed -n 's/^[0-9]* packets transmitted, \([0-9]*\) received.*/\1/p' "$E2E_TMP/$name-2.ping")
	"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$json" "$cap" 2>"$E2E_TMP/$name.err"
	check_eq "$name-replay-exit-0" 0 "$?"
	check_eq "$name-streams" "2 4242 4242" \
		"$(jqr "$json" '.downtime.streams | "\(length) \(.[0].id) \(.[1].id)"')"
	check_eq "$name-follows" "null 1" "$(jqr "$json" '.downtime.streams | "\(.[0].follows_stream) \(.[1].follows_stream)"')"
	check_eq "$name-run1-counts" "$tx1 $rx1 $((tx1 - rx1))" \
		"$(jqr "$json" '.downtime.streams[0] | "\(.requests) \(.replies) \(.lost)"')"
	check_eq "$name-run2-counts" "$tx2 $rx2 $((tx2 - rx2))" \
		"$(jqr "$json" '.downtime.streams[1] | "\(.requests) \(.replies) \(.lost)"')"
	check_eq "$name-no-dups-or-late" "0 0 0 0" \
		"$(jqr "$json" '.downtime.streams | "\(.[0].duplicates) \(.[0].late) \(.[1].duplicates) \(.[1].late)"')"
	check_eq "$name-one-episode" "1 0 1" \
		"$(jqr "$json" '"\(.downtime.streams[0].n_episodes) \(.downtime.streams[1].n_episodes) \(.downtime.total.episodes)"')"
	est=$(jqr "$json" '.downtime.streams[0].episodes[0].estimate_s')
	interval=$(jqr "$json" '.downtime.streams[0].interval_s')
	check "$name-episode-1s" "estimate $est s for an imposed 1 s (interval $interval s)" \
		awk -v e="$est" -v i="$interval" 'BEGIN { d = e - 1; if (d < 0) d = -d; exit !(d <= 2 * i) }'
	printf '%s: run 1 ping %s/%s, run 2 ping %s/%s; streams %s; episode %s s for an imposed 1 s\n' "$name" \
		"$tx1" "$rx1" "$tx2" "$rx2" "$(jqr "$json" '[.downtime.streams[] | "\(.requests)/\(.replies)"] | join(" ")')" "$est"
}

# Counts cover 1 s before, the outages and >= 1 s after at 10 ms a ping.
FAM=4
run_case one-outage 300 1
run_case two-outages 600 1 1 2
run_restart
FAM=6
run_case ipv6-one-outage 300 1

summary
