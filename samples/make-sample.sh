#!/usr/bin/env bash
# make-sample.sh - regenerates samples/migration-49152.pcapng from a real capture between two network namespaces.
#
# Usage (root): samples/make-sample.sh [OUTPUT]   (default samples/migration-49152.pcapng)
#
# Namespace A (10.199.0.1, the "source host") connects to namespace B
# (10.199.0.2, the "destination host"); tcpdump on A's veth captures with
# snap length 128 (headers kept, payload cut) and editcap converts the file
# to pcapng.  (tcpdump, because its "listening on" is printed only once the
# capture is active; dumpcap announces itself earlier and can miss the
# first frames.)  What is captured:
#   1. block migration: an NBD server on 49154 sends its 18-byte newstyle
#      greeting, the client writes 65536 bytes     (client port 40003)
#   2. the QEMU migration stream: 1048576 bytes starting "QEVM" v3 to 49152
#                                                  (client port 40001)
#      and, at the same time, one multifd channel: 262144 bytes to 49153
#                                                  (client port 40002)
#      and an iperf3 test (-n 256K) to 5201 whose data connection comes
#      from client port 49200: a port collision, not migration traffic.
#   3. all along, `ping -i 0.01 -c 300` from A to B (the "VM"), whose echo
#      requests B drops for exactly one second (an nftables rule bounded by
#      `meta time` to one whole second of the kernel clock, the clock the
#      capture stamps frames with): the "downtime" the report must find.
# The capture file differs at every run (timestamps, sequence numbers);
# after regenerating it, regenerate samples/migration-49152.expected.json
# (see samples/README.md) and check that the report still says the above.
set -u

SAMPLES_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$SAMPLES_DIR/.." && pwd)
OUT=${1:-$SAMPLES_DIR/migration-49152.pcapng}

# The namespace, capture and cleanup helpers of the end-to-end tests.
# shellcheck source=tests/e2e/lib.sh
. "$REPO/tests/e2e/lib.sh"

require_root
require_tools ip ss tcpdump editcap tshark iperf3 make nft ping
if [ ! -x "$XFER" ]; then
	make -C "$REPO" --no-print-directory build/xfer >/dev/null || die "could not build $XFER"
fi

MIG=1048576
MF=262144
NBD=65536

netns_pair || die "could not create the namespace pair"
ns_port_range "$NS_A" 40000 40999 || die "ip_local_port_range"


send() {
	ip netns exec "$NS_A" "$XFER" send --timeout 30 "$@" >/dev/null 2>"$E2E_TMP/send.err" </dev/null
}

printf 'table inet mmsample {\n\tchain in {\n\t\ttype filter hook input priority 0; policy accept;\n\t}\n}\n' |
	ip netns exec "$NS_B" nft -f - || die "nftables table in B"

CAP=$E2E_TMP/sample.pcap
capture_start "$NS_A" veth-a "$CAP" -s 128 tcp or icmp || die "tcpdump did not start"

# Ping from the next whole second S; the outage is [S+2, S+3).
START=${EPOCHREALTIME%.*}
START=$((START + 1))
OUT_FROM=$((START + 2))
OUT_TO=$((START + 3))
ip netns exec "$NS_B" nft add rule inet mmsample in \
	meta time '>=' "$OUT_FROM" meta time '<' "$OUT_TO" icmp type echo-request drop ||
	die "could not add the outage rule"
sleep "$(awk -v s="$START" -v n="$EPOCHREALTIME" 'BEGIN { d = s - n; printf "%.6f", (d > 0 ? d : 0) }')"
ip netns exec "$NS_A" ping -n -i 0.01 -c 300 -W 1 "$B4" >"$E2E_TMP/ping.log" 2>&1 </dev/null &
P_PING=$!
track_pid "$P_PING"
sleep 0.5

xfer_listen nbd 49154 --greet nbd
P_NBD=$LISTEN_PID
send "$B4" 49154 "$NBD" --magic none --cport 40003 || die "NBD transfer failed"
wait "$P_NBD"

xfer_listen qemu 49152
P_QEMU=$LISTEN_PID
xfer_listen mfd 49153
P_MFD=$LISTEN_PID
ip netns exec "$NS_B" iperf3 -s -1 -p 5201 >"$E2E_TMP/iperf-s.log" 2>&1 </dev/null &
P_IPS=$!
track_pid "$P_IPS"
wait_listen "$NS_B" 5201 || die "iperf3 server did not come up"

send "$B4" 49152 "$MIG" --magic qemu --cport 40001 &
S1=$!
track_pid "$S1"
send "$B4" 49153 "$MF" --magic multifd --channel 1 --cport 40002 &
S2=$!
track_pid "$S2"
timeout 30 ip netns exec "$NS_A" iperf3 -c "$B4" -p 5201 --cport 49200 -n 256K \
	>"$E2E_TMP/iperf-c.log" 2>&1 </dev/null || die "iperf3 failed: $(tail -n 3 "$E2E_TMP/iperf-c.log")"
wait "$S1" || die "QEMU stream transfer failed"
wait "$S2" || die "multifd transfer failed"
wait "$P_QEMU"
wait "$P_MFD"
wait "$P_IPS"
wait "$P_PING"
[ "${EPOCHREALTIME%.*}" -ge "$OUT_TO" ] || die "ping ended before the outage did"

capture_stop "$CAP" || die "capture failed or dropped frames: $(cat "$CAP.log")"

[ "$(cat "$E2E_TMP/qemu.out")" = "$MIG" ] || die "49152 received $(cat "$E2E_TMP/qemu.out"), not $MIG"
[ "$(cat "$E2E_TMP/mfd.out")" = "$MF" ] || die "49153 received $(cat "$E2E_TMP/mfd.out"), not $MF"
[ "$(cat "$E2E_TMP/nbd.out")" = "$NBD" ] || die "49154 received $(cat "$E2E_TMP/nbd.out"), not $NBD"
[ "$(cat "$E2E_TMP/nbd.err")" = 18 ] || die "NBD greeting not sent"

editcap -F pcapng "$CAP" "$OUT.tmp" || die "editcap could not write $OUT.tmp"
mv "$OUT.tmp" "$OUT" || die "could not write $OUT"
chmod 644 "$OUT"
printf 'wrote %s (%s bytes)\n' "$OUT" "$(stat -c %s "$OUT")"
tshark -r "$OUT" -q -z conv,tcp 2>/dev/null | sed -n '/<->/p'
printf 'outage imposed: [%s, %s) epoch seconds\n' "$OUT_FROM" "$OUT_TO"
tail -n 2 "$E2E_TMP/ping.log"
