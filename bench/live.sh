#!/usr/bin/env bash
# live.sh - live capture under load: migmeter capture and tcpdump (default snap length) side by
# side on the same veth traffic, each one's kernel drops next to the other's.
#
# Usage: bench/live.sh [GIB] [RUNS]   (default 4 GiB, 3 runs; as root)
# A network namespace pair joined by a veth (tests/e2e/lib.sh); iperf3 -n GIB
# at full speed to a port in the migration range; both captures run on A's
# veth during the same transfer.  Prints, per run, the rate iperf3 reached,
# the bytes it sent, migmeter's unique payload and drops, and tcpdump's
# received/dropped counts.
set -u
cd "$(dirname "$0")/.."
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh
require_root
require_tools ip iperf3 tcpdump jq nft
require_binaries migmeter
gib=${1:-4}
runs=${2:-3}
port=49160

netns_pair || die "namespace pair"
cport=40123
iperf3_hold_test_end "$NS_A" "$port" "$cport" || die "nftables"
printf '%-4s %-10s %-13s %-13s %-10s %-22s\n' run Gbit/s iperf3-sent mm-unique mm-drops tcpdump-recv/dropped
for ((r = 1; r <= runs; r++)); do
	ip netns exec "$NS_B" iperf3 -s -1 -p "$port" >/dev/null 2>&1 </dev/null &
	track_pid $!
	wait_listen "$NS_B" "$port" || die "iperf3 server"
	ip netns exec "$NS_A" "$MIGMETER" capture --bpf-dir bpf --no-progress -i veth-a \
		--format json -o "$E2E_TMP/live.json" 2>"$E2E_TMP/mm.err" </dev/null &
	mm=$!
	track_pid "$mm"
	ip netns exec "$NS_A" tcpdump -i veth-a -w /dev/null "tcp portrange 49152-49261" \
		2>"$E2E_TMP/td.err" </dev/null &
	td=$!
	track_pid "$td"
	wait_until 100 grep -q 'listening on' "$E2E_TMP/mm.err" || die "migmeter did not start"
	wait_until 100 grep -q 'listening on' "$E2E_TMP/td.err" || die "tcpdump did not start"
	ip netns exec "$NS_A" iperf3 -c "$B4" -p "$port" --cport "$cport" -n "${gib}G" --json >"$E2E_TMP/ip.json" 2>/dev/null
	sleep 1
	kill -INT "$mm" "$td"
	wait "$mm" "$td"
	printf '%-4s %-10s %-13s %-13s %-10s %-22s\n' "$r" \
		"$(jq -r '.end.sum_sent.bits_per_second / 1e9 | . * 10 | floor / 10' "$E2E_TMP/ip.json")" \
		"$(jq -r '.end.sum_sent.bytes' "$E2E_TMP/ip.json")" \
		"$(jq -r '[.flows[].forward.unique_payload_bytes] | max' "$E2E_TMP/live.json")" \
		"$(jq -r '[.inputs[].kernel | .dropped + .ifdropped] | add' "$E2E_TMP/live.json")" \
		"$(sed -n 's/^\([0-9]*\) packets received by filter/\1/p' "$E2E_TMP/td.err")/$(sed -n 's/^\([0-9]*\) packets dropped by kernel/\1/p' "$E2E_TMP/td.err")"
done
