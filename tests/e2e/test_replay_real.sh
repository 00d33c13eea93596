#!/usr/bin/env bash
# test_replay_real.sh - real TCP transfers between two namespaces, captured, replayed, checked byte for byte.
#
# Run 1 (pcap, microseconds): one QEMU-style stream of exactly N bytes to
# port 49152 and an iperf3 connection whose *client* port is 49200 (inside
# the migration range, towards 5201): a port collision, never migration.
# Run 2 (pcap, nanoseconds): a QEMU stream plus two multifd channels and an
# NBD block-migration listener reached over IPv6.
# Checks migmeter against what the applications wrote and what tshark sees.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip tc ss tcpdump tshark jq iperf3
require_binaries migmeter xfer

N=3000001          # run 1: bytes of the QEMU stream
N2=1500007         # run 2: bytes of the QEMU stream
MF=262144          # run 2: bytes per multifd channel
NBD=65536          # run 2: bytes written to the NBD listener
NBD_GREETING=18    # "NBDMAGIC" "IHAVEOPT" + 2 flag bytes

netns_pair || die "could not create the namespace pair"
# tcpdump writes every frame of these captures: pace the link so it keeps up.
{ shape_link "$NS_A" veth-a 300mbit && shape_link "$NS_B" veth-b 300mbit; } || die "could not shape the veth pair (tc htb)"
# Client ports outside the migration range, so the only collision is the
# one the test makes on purpose.
ns_port_range "$NS_A" 40000 40999 || die "could not set ip_local_port_range in $NS_A"

# flow_q JSON SELECTOR FILTER - FILTER applied to the one flow SELECTOR picks.
flow_q() {
	jq -r "[.flows[] | select($2)] | if length == 1 then .[0] | $3 else \"count=\" + (length | tostring) end" "$1"
}

# replay_json_or_stop NAME JSON ARG... - replay --format json -o JSON; exit 0 and a
# JSON report are checks, and without a report the suite cannot go on.
replay_json_or_stop() {
	local name=$1 json=$2 rc
	shift 2
	"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$json" "$@" 2>"$E2E_TMP/$name.err"
	rc=$?
	check_eq "$name-exit-0" 0 "$rc"
	if [ ! -s "$json" ] || ! jq -e . "$json" >/dev/null 2>&1; then
		fail "$name-json" "no valid JSON report ($(head -c 300 "$E2E_TMP/$name.err"))"
		summary
		exit 1
	fi
}

# ---- run 1: QEMU stream + iperf3 collision --------------------------------

CAP1=$E2E_TMP/run1.pcap
capture_start "$NS_A" veth-a "$CAP1" tcp || die "capture 1 did not start"
xfer_listen l1 49152
L1=$LISTEN_PID
ip netns exec "$NS_B" iperf3 -s -1 -p 5201 >"$E2E_TMP/iperf-s.log" 2>&1 </dev/null &
IPS=$!
track_pid "$IPS"
wait_listen "$NS_B" 5201 || die "iperf3 server did not come up"

sent=$(ip netns exec "$NS_A" "$XFER" send "$B4" 49152 "$N" --magic qemu --timeout 30 2>"$E2E_TMP/s1.err")
wait "$L1"
received=$(cat "$E2E_TMP/l1.out")
check_eq "xfer-wrote-N" "$N" "$sent"
check_eq "xfer-received-N" "$N" "$received"

if timeout 30 ip netns exec "$NS_A" iperf3 -c "$B4" -p 5201 --cport 49200 -n 2M \
	>"$E2E_TMP/iperf-c.log" 2>&1 </dev/null; then
	pass "iperf3-cport-49200-ran"
else
	fail "iperf3-cport-49200-ran" "$(tail -n 3 "$E2E_TMP/iperf-c.log")"
fi
wait "$IPS" 2>/dev/null
capture_stop "$CAP1" || fail "capture-1" "capture failed or dropped frames"

J1=$E2E_TMP/run1.json
replay_json_or_stop replay1 "$J1" "$CAP1"
pass "replay1-json"
check_eq "schema" "migmeter-report/2" "$(jqr "$J1" .schema)"
check_eq "complete" "true" "$(jqr "$J1" .complete)"

SEL='.server_port == 49152'
check_eq "flow49152-unique-forward-is-N" "$N" "$(flow_q "$J1" "$SEL" .forward.unique_payload_bytes)"
check_eq "flow49152-class" "migration" "$(flow_q "$J1" "$SEL" .class)"
check_eq "flow49152-kind" "qemu" "$(flow_q "$J1" "$SEL" .kind)"
check_eq "flow49152-server" "$B4" "$(flow_q "$J1" "$SEL" .server)"
check_eq "flow49152-direction-known" "false" "$(flow_q "$J1" "$SEL" .direction_inferred)"
check_eq "flow49152-handshake-seen" "1/1" \
	"$(flow_q "$J1" "$SEL" '"\(.forward.syn | if . == true then 1 elif . == false then 0 else . end)/\(.reverse.fin | if . == true then 1 elif . == false then 0 else . end)"')"

ts_wire=$(tshark_sum "$CAP1" 'tcp.port==49152' frame.len)
ts_pkts=$(tshark -r "$CAP1" -Y 'tcp.port==49152' -T fields -e frame.number 2>/dev/null | wc -l)
mm_wire=$(flow_q "$J1" "$SEL" '.forward.wire_bytes + .reverse.wire_bytes')
mm_pkts=$(flow_q "$J1" "$SEL" '.forward.packets + .reverse.packets')
check_eq "flow49152-wire-bytes-vs-tshark" "$ts_wire" "$mm_wire"
check_eq "flow49152-packets-vs-tshark" "$ts_pkts" "$mm_pkts"
ts_fwd_payload=$(tshark_sum "$CAP1" 'tcp.dstport==49152' tcp.len)
check_eq "flow49152-forward-payload-vs-tshark" "$ts_fwd_payload" "$(flow_q "$J1" "$SEL" .forward.payload_bytes)"
ts_first=$(tshark -r "$CAP1" -Y 'tcp.port==49152' -T fields -e frame.time_epoch -c 1 2>/dev/null | head -n 1)
mm_first=$(flow_q "$J1" "$SEL" .first_ts)
check "flow49152-first-ts-vs-tshark" "tshark $ts_first, migmeter $mm_first" \
	float_close "$ts_first" "$mm_first" 0.000002

CSEL='.client_port == 49200'
check_eq "cport49200-class-collision" "collision" "$(flow_q "$J1" "$CSEL" .class)"
check_eq "cport49200-server-port" "5201" "$(flow_q "$J1" "$CSEL" .server_port)"
ts_cwire=$(tshark_sum "$CAP1" 'tcp.port==49200' frame.len)
check_eq "cport49200-wire-bytes-vs-tshark" "$ts_cwire" \
	"$(flow_q "$J1" "$CSEL" '.forward.wire_bytes + .reverse.wire_bytes')"
check_eq "migration-flows-excludes-collision" "1" "$(jqr "$J1" .migration.flows)"
check_eq "migration-collisions" "1" "$(jqr "$J1" .migration.collisions)"
check_eq "migration-unique-forward-excludes-collision" "$N" \
	"$(jqr "$J1" .migration.forward.unique_payload_bytes)"
check_eq "migration-wire-bytes-excludes-collision" "$ts_wire" "$(jqr "$J1" .migration.wire_bytes)"
check_eq "migration-ports" "49152-49261" "$(jqr "$J1" .migration.ports)"
printf 'run 1: N=%s; tshark frame.len sum %s, migmeter wire %s; tshark frames %s, migmeter %s; collision wire tshark %s\n' \
	"$N" "$ts_wire" "$mm_wire" "$ts_pkts" "$mm_pkts" "$ts_cwire"

# CSV: one header, one row per flow.
C1=$E2E_TMP/run1.csv
"$MIGMETER" replay "${MM_OPTS[@]}" --format csv -o "$C1" "$CAP1" 2>/dev/null
rc=$?
check_eq "csv-exit-0" 0 "$rc"
nflows=$(jqr "$J1" '.flows | length')
nlines=$(wc -l <"$C1" 2>/dev/null || echo 0)
check_eq "csv-header-plus-one-row-per-flow" "$((nflows + 1))" "$nlines"
check "csv-row-has-N" "no CSV row carries $N" grep -q "[,\"]${N}[,\"]" "$C1"

# Text: exit 0, mentions the byte count.
T1=$E2E_TMP/run1.txt
"$MIGMETER" replay "${MM_OPTS[@]}" --format text "$CAP1" >"$T1" 2>/dev/null
rc=$?
check_eq "text-exit-0" 0 "$rc"
check "text-mentions-byte-count" "text report does not mention $N (or 3,000,001)" \
	grep -Eq "(^|[^0-9])(3000001|3,000,001|3 000 001)([^0-9]|$)" "$T1"

# ---- run 2: QEMU stream + 2 multifd channels + NBD over IPv6, nanosecond pcap ----

CAP2=$E2E_TMP/run2.pcap
capture_start "$NS_A" veth-a "$CAP2" --time-stamp-precision=nano tcp || die "capture 2 did not start"
xfer_listen m0 49152
P0=$LISTEN_PID
xfer_listen m1 49153
P1=$LISTEN_PID
xfer_listen m2 49154
P2=$LISTEN_PID
xfer_listen nbd 49155 -6 --greet nbd
P3=$LISTEN_PID

ip netns exec "$NS_A" "$XFER" send "$B4" 49152 "$N2" --magic qemu >"$E2E_TMP/s-m0.out" 2>&1 &
S0=$!
track_pid "$S0"
ip netns exec "$NS_A" "$XFER" send "$B4" 49153 "$MF" --magic multifd --channel 0 >"$E2E_TMP/s-m1.out" 2>&1 &
S1=$!
track_pid "$S1"
ip netns exec "$NS_A" "$XFER" send "$B4" 49154 "$MF" --magic multifd --channel 1 >"$E2E_TMP/s-m2.out" 2>&1 &
S2=$!
track_pid "$S2"
ip netns exec "$NS_A" "$XFER" send "$B6" 49155 "$NBD" --magic none >"$E2E_TMP/s-nbd.out" 2>&1 &
S3=$!
track_pid "$S3"
ok=1
for p in "$S0" "$S1" "$S2" "$S3" "$P0" "$P1" "$P2" "$P3"; do
	wait "$p" || ok=0
done
if [ "$ok" = 1 ] && [ "$(cat "$E2E_TMP/m0.out")" = "$N2" ] && [ "$(cat "$E2E_TMP/m1.out")" = "$MF" ] &&
	[ "$(cat "$E2E_TMP/m2.out")" = "$MF" ] && [ "$(cat "$E2E_TMP/nbd.out")" = "$NBD" ] &&
	[ "$(cat "$E2E_TMP/nbd.err")" = "$NBD_GREETING" ]; then
	pass "run2-transfers-complete"
else
	fail "run2-transfers-complete" "a sender or listener failed"
fi
capture_stop "$CAP2" || fail "capture-2" "capture failed or dropped frames"

J2=$E2E_TMP/run2.json
TS2=$E2E_TMP/run2-ts.csv
replay_json_or_stop replay2 "$J2" --timeseries "$TS2" --bin 1ms "$CAP2"
check_eq "run2-kind-49152" "qemu" "$(flow_q "$J2" '.server_port == 49152' .kind)"
check_eq "run2-kind-49153" "multifd" "$(flow_q "$J2" '.server_port == 49153' .kind)"
check_eq "run2-kind-49154" "multifd" "$(flow_q "$J2" '.server_port == 49154' .kind)"
check_eq "run2-kind-49155-nbd" "nbd" "$(flow_q "$J2" '.server_port == 49155' .kind)"
check_eq "run2-unique-49152" "$N2" "$(flow_q "$J2" '.server_port == 49152' .forward.unique_payload_bytes)"
check_eq "run2-unique-49153" "$MF" "$(flow_q "$J2" '.server_port == 49153' .forward.unique_payload_bytes)"
check_eq "run2-unique-49154" "$MF" "$(flow_q "$J2" '.server_port == 49154' .forward.unique_payload_bytes)"
check_eq "run2-unique-49155" "$NBD" "$(flow_q "$J2" '.server_port == 49155' .forward.unique_payload_bytes)"
check_eq "run2-nbd-greeting-reverse" "$NBD_GREETING" \
	"$(flow_q "$J2" '.server_port == 49155' .reverse.unique_payload_bytes)"
check_eq "run2-nbd-ipv6-server" "$B6" "$(flow_q "$J2" '.server_port == 49155' .server)"
check_eq "run2-migration-flows" "4" "$(jqr "$J2" .migration.flows)"
check_eq "run2-migration-collisions" "0" "$(jqr "$J2" .migration.collisions)"
check_eq "run2-migration-unique-forward" "$((N2 + 2 * MF + NBD))" \
	"$(jqr "$J2" .migration.forward.unique_payload_bytes)"
ts_wire2=$(tshark_sum "$CAP2" 'tcp.port>=49152 && tcp.port<=49261' frame.len)
check_eq "run2-migration-wire-vs-tshark" "$ts_wire2" "$(jqr "$J2" .migration.wire_bytes)"
check_eq "run2-timestamp-precision-ns" "ns" "$(jqr "$J2" .timestamp_precision)"
check "run2-start-has-9-decimals" "migration.start not printed with nanoseconds" \
	grep -Eq '"start": [0-9]+\.[0-9]{9},' "$J2"
ts_start=$(tshark -r "$CAP2" -T fields -e frame.time_epoch -c 1 2>/dev/null | head -n 1)
check "run2-start-ns-capture" "tshark $ts_start, migmeter $(jqr "$J2" .migration.start)" \
	float_close "$ts_start" "$(jqr "$J2" .migration.start)" 0.000002
# The time series (1 ms bins) adds up to the totals.
check_eq "run2-timeseries-fwd-bytes" "$(jqr "$J2" .migration.forward.wire_bytes)" "$(csv_col_sum "$TS2" fwd_bytes)"
check_eq "run2-timeseries-rev-bytes" "$(jqr "$J2" .migration.reverse.wire_bytes)" "$(csv_col_sum "$TS2" rev_bytes)"
check_eq "run2-timeseries-unique" "$(jqr "$J2" .migration.unique_payload_bytes)" \
	"$(csv_col_sum "$TS2" unique_payload_bytes)"
check_eq "run2-timeseries-packets" "$(jqr "$J2" .migration.packets)" "$(csv_col_sum "$TS2" packets)"
printf 'run 2: qemu %s + multifd 2x%s + nbd %s (greeting %s); tshark wire %s, migmeter %s\n' \
	"$N2" "$MF" "$NBD" "$NBD_GREETING" "$ts_wire2" "$(jqr "$J2" .migration.wire_bytes)"

summary
