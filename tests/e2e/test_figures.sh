#!/usr/bin/env bash
# test_figures.sh - figures that must not lie by omission, on real traffic: two vantage points counted once everywhere, stable CSV headers, null downtime where none can be told.
#
# A pings B every 10 ms while sending B a QEMU-like stream on port 49152;
# B drops every 7th echo request (nftables numgen), so there are losses.
# Both veth ends are captured (A's node and B's node: two vantage points
# of the same packets).  Replaying both files together must give the same
# totals as one file alone, and the --timeseries sums must equal the
# report's totals (requests, replies, lost, migration packets, bytes,
# unique payload).  The peak throughput is the busiest --bin bin of the
# series.  Then: CSV headers on captures with no echo, no migration flow
# and no frame at all are the full ones; --ping-target naming no stream
# says so and gives null figures.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip tc tcpdump nft ping jq awk
require_binaries migmeter xfer

N=4000000
COUNT=150

netns_pair || die "could not create the namespace pair"
# tcpdump writes every frame of these captures: pace the link so it keeps up.
{ shape_link "$NS_A" veth-a 300mbit && shape_link "$NS_B" veth-b 300mbit; } || die "could not shape the veth pair (tc htb)"
ip netns exec "$NS_B" nft -f - <<'EOF' || die "nftables table in B"
table inet mmfig {
	chain in {
		type filter hook input priority 0; policy accept;
		icmp type echo-request numgen inc mod 7 == 3 drop
	}
}
EOF

CAPA=$E2E_TMP/node-a.pcap
CAPB=$E2E_TMP/node-b.pcap
capture_start "$NS_A" veth-a "$CAPA" tcp port 49152 or icmp || die "capture on A did not start"
PID_A=$CAP_PID
capture_start "$NS_B" veth-b "$CAPB" tcp port 49152 or icmp || die "capture on B did not start"
PID_B=$CAP_PID

ip netns exec "$NS_A" ping -c "$COUNT" -i 0.01 -q "$B4" >"$E2E_TMP/ping.log" 2>&1 </dev/null &
PING=$!
track_pid "$PING"
xfer_listen l1 49152
L1=$LISTEN_PID
sleep 0.3
sent=$(ip netns exec "$NS_A" "$XFER" send "$B4" 49152 "$N" --magic qemu --timeout 30 2>"$E2E_TMP/send.err")
wait "$L1"
check_eq "xfer-sent-N" "$N" "$sent"
wait "$PING"
# Stop both captures (capture_stop waits for the one started last).
sleep 0.2
kill -INT "$PID_A" 2>/dev/null
wait "$PID_A" 2>/dev/null
CAP_PID=$PID_B
capture_stop "$CAPB" || die "capture on B failed"
[ -s "$CAPA" ] || die "capture on A is empty"

# replay NAME ARGS... - migmeter replay; $E2E_TMP/NAME.{out,err}, exit status in RC.
replay() {
	local name=$1
	shift
	"$MIGMETER" replay "${MM_OPTS[@]}" "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err"
	RC=$?
}

# ---- two vantage points: counted once in the report and in the series ------------
replay one --format json "$CAPA"
check_eq "one-view-exit-0" 0 "$RC"
replay two --format json --timeseries "$E2E_TMP/two.csv" --bin 100ms "$CAPA" "$CAPB"
check_eq "two-views-exit-0" 0 "$RC"
ONE=$E2E_TMP/one.out
TWO=$E2E_TMP/two.out
sent_pings=$(jqr "$TWO" '.downtime.total.requests')
check_eq "requests-are-ping-count" "$COUNT" "$sent_pings"
lost=$(jqr "$TWO" '.downtime.total.lost')
check "some-requests-lost" "no loss imposed ($lost)" test "$lost" -ge 15
check_eq "two-views-one-stream" 1 "$(jqr "$TWO" '.downtime.streams | length')"
check_eq "two-views-flow-listed-twice-counted-once" "true false" \
	"$(jqr "$TWO" '[.flows[] | .counted] | map(tostring) | join(" ")')"
SUMMARY='[.migration.packets, .migration.wire_bytes, .migration.unique_payload_bytes, .downtime.total.requests, .downtime.total.replies, .downtime.total.lost, .downtime.total.episodes]'
check_eq "two-views-same-totals-as-one" "$(jq -c "$SUMMARY" "$ONE")" "$(jq -c "$SUMMARY" "$TWO")"
check_eq "unique-payload-is-what-xfer-sent" "$N" "$(jqr "$TWO" '.migration.forward.unique_payload_bytes')"
CSV=$E2E_TMP/two.csv
check_eq "series-ping-requests-sum" "$(jqr "$TWO" '.downtime.total.requests')" "$(csv_col_sum "$CSV" ping_requests)"
check_eq "series-ping-replies-sum" "$(jqr "$TWO" '.downtime.total.replies')" "$(csv_col_sum "$CSV" ping_replies)"
check_eq "series-ping-lost-sum" "$(jqr "$TWO" '.downtime.total.lost')" "$(csv_col_sum "$CSV" ping_lost)"
check_eq "series-packets-sum" "$(jqr "$TWO" '.migration.packets')" "$(csv_col_sum "$CSV" packets)"
check_eq "series-fwd-bytes-sum" "$(jqr "$TWO" '.migration.forward.wire_bytes')" "$(csv_col_sum "$CSV" fwd_bytes)"
check_eq "series-rev-bytes-sum" "$(jqr "$TWO" '.migration.reverse.wire_bytes')" "$(csv_col_sum "$CSV" rev_bytes)"
check_eq "series-unique-sum" "$(jqr "$TWO" '.migration.unique_payload_bytes')" "$(csv_col_sum "$CSV" unique_payload_bytes)"
peak=$(awk -F, 'NR > 1 && $5 > m { m = $5 } END { printf "%.0f\n", m * 8 * 10 }' "$CSV")
check_eq "peak-is-busiest-100ms-bin" "$peak" "$(jqr "$TWO" '.migration.peak_throughput_bps')"

# ---- CSV headers do not change with the data --------------------------------------
tcpdump -r "$CAPA" -w "$E2E_TMP/tcp-only.pcap" tcp 2>/dev/null || die "tcpdump -r tcp"
tcpdump -r "$CAPA" -w "$E2E_TMP/icmp-only.pcap" icmp 2>/dev/null || die "tcpdump -r icmp"
tcpdump -r "$CAPA" -w "$E2E_TMP/nothing.pcap" udp 2>/dev/null || die "tcpdump -r udp"
for c in full:"$CAPA" tcp:"$E2E_TMP/tcp-only.pcap" icmp:"$E2E_TMP/icmp-only.pcap" none:"$E2E_TMP/nothing.pcap"; do
	name=${c%%:*}
	replay "csv-$name" --format csv -o "$E2E_TMP/$name.csv" --timeseries "$E2E_TMP/$name-series.csv" "${c#*:}"
	check_eq "csv-$name-exit-0" 0 "$RC"
done
for t in "" -episodes -streams -totals -series; do
	want=$(head -n 1 "$E2E_TMP/full$t.csv")
	for name in tcp icmp none; do
		check_eq "csv${t:--flows}-header-$name" "$want" "$(head -n 1 "$E2E_TMP/$name$t.csv")"
	done
done
check_eq "csv-flows-no-migration-header-only" 1 "$(wc -l <"$E2E_TMP/icmp.csv")"
check_eq "csv-episodes-no-echo-header-only" 1 "$(wc -l <"$E2E_TMP/tcp-episodes.csv")"
check_eq "csv-streams-no-echo-header-only" 1 "$(wc -l <"$E2E_TMP/tcp-streams.csv")"
check_eq "csv-totals-always-one-row" "2 2 2" \
	"$(wc -l <"$E2E_TMP/tcp-totals.csv") $(wc -l <"$E2E_TMP/icmp-totals.csv") $(wc -l <"$E2E_TMP/none-totals.csv")"
check_eq "csv-series-nothing-header-only" 1 "$(wc -l <"$E2E_TMP/none-series.csv")"

# ---- downtime figures null, with a reason, where none can be told ---------------------
replay notarget --format json --ping-target 10.9.9.9 "$CAPA"
check_eq "ping-target-no-stream-exit-0" 0 "$RC"
check_eq "ping-target-no-stream-null-figures" "0 null null" \
	"$(jqr "$E2E_TMP/notarget.out" '.downtime.total | "\(.streams) \(.downtime_total_s) \(.lost_x_interval_s)"')"
check_eq "ping-target-no-stream-reason" "no echo stream to 10.9.9.9 in the capture" \
	"$(jqr "$E2E_TMP/notarget.out" '.downtime.total.reason')"
check "ping-target-no-stream-warns" "no warning on stderr: $(cat "$E2E_TMP/notarget.err")" \
	grep -q "^migmeter: --ping-target 10.9.9.9: no echo stream to it in the capture (streams to $B4)" \
	"$E2E_TMP/notarget.err"
replay noecho --format json "$E2E_TMP/tcp-only.pcap"
check_eq "no-echo-downtime-null" "null null no echo traffic in the capture" \
	"$(jqr "$E2E_TMP/noecho.out" '.downtime.total | "\(.downtime_total_s) \(.lost_x_interval_s) \(.reason)"')"

summary
