#!/usr/bin/env bash
# test_migrations.sh - migration records live: a migration-shaped transfer, RARP/GARP announces (plain and VLAN-tagged) through the kernel filter, an outage.
#
# In namespace A, migmeter capture listens on veth-a (both roles: the
# announce lines of bpf/announce.bpf join the ICMP capture's kernel
# filter).  A pings B every 10 ms.  B plays the destination host and the
# VM: it receives a QEVM main stream (2 MB) and one multifd channel
# (MultiFDInit_t, channel 0) from A; right after the transfer it sends,
# from its own MAC, a RARP reverse request, the same behind an 802.1Q
# tag and behind 802.1ad + 802.1Q (the kernel hands the filter these
# frames with the outer tag taken off), a gratuitous ARP and one more
# RARP; and nftables drops its echo requests for one whole second just
# after.  The report must hold exactly one migration with both flows in
# their roles, the multifd UUID, the VM's MAC and address, the five
# announces, the switchover in order on one clock, and the outage
# attributed to it; a replay of the -w file must give the same records.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip nft ping jq awk python3
require_binaries migmeter xfer

netns_pair || die "could not create the namespace pair"
ip netns exec "$NS_B" nft -f - <<'EOF' || die "nftables table in B"
table inet mmmig {
	chain in {
		type filter hook input priority 0; policy accept;
	}
}
EOF
ns_port_range "$NS_A" 40100 40999 || die "port range in A"	# clear of the fixed --cport 4000N
BMAC=$(ip netns exec "$NS_B" cat /sys/class/net/veth-b/address) || die "B's MAC"
UUID=6d69676d-6574-6572-2d74-6573742d3031	# tests/xfer.c's MultiFDInit_t UUID

# announce KIND:TAGS... - announce frames out of veth-b from B's MAC, 50 ms
# apart: KIND rarp (reverse request, opcode 3) or garp (sender IP = target
# IP = B4), behind TAGS VLAN tags (0, 1 or 2).
announce() {
	ip netns exec "$NS_B" python3 - "$BMAC" "$B4" "$@" <<'EOF'
import socket, struct, sys, time
mac, ip = bytes.fromhex(sys.argv[1].replace(':', '')), socket.inet_aton(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('veth-b', 0))
for i, spec in enumerate(sys.argv[3:]):
    kind, tags = spec.split(':')
    f = b'\xff' * 6 + mac
    if tags == '2':
        f += struct.pack('>HH', 0x88a8, 200)
    if tags in ('1', '2'):
        f += struct.pack('>HH', 0x8100, 5)
    if kind == 'rarp':
        f += struct.pack('>HHHBBH', 0x8035, 1, 0x0800, 6, 4, 3) + mac + b'\0' * 4 + mac + b'\0' * 4
    else:
        f += struct.pack('>HHHBBH', 0x0806, 1, 0x0800, 6, 4, 1) + mac + ip + b'\0' * 6 + ip
    if i:
        time.sleep(0.05)
    s.send(f + b'\0' * max(0, 60 - len(f)))
EOF
}

OUT=$E2E_TMP/live.json
CAP=$E2E_TMP/live.pcapng
ip netns exec "$NS_A" "$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i veth-a --duration 6s \
	-w "$CAP" --format json -o "$OUT" --migrations "$E2E_TMP/live-migrations.csv" \
	--events "$E2E_TMP/live-events.csv" >"$E2E_TMP/live.out" 2>"$E2E_TMP/live.err" </dev/null &
MM_PID=$!
track_pid "$MM_PID"
wait_until 100 grep -qs 'listening on' "$E2E_TMP/live.err" ||
	die "capture did not start: $(head -c 300 "$E2E_TMP/live.err")"

# Ping from a whole second S; the outage [S+2, S+3) (echo requests only);
# the transfer and the announces inside it, as a switchover is.
start=${EPOCHREALTIME%.*}
start=$((start + 1))
ip netns exec "$NS_B" nft add rule inet mmmig in meta time '>=' $((start + 2)) \
	meta time '<' $((start + 3)) icmp type echo-request drop || die "outage rule"
xfer_listen main 49152
MAIN_LISTEN=$LISTEN_PID
xfer_listen mfd 49153
MFD_LISTEN=$LISTEN_PID
sleep "$(awk -v s="$start" -v n="$EPOCHREALTIME" 'BEGIN { d = s - n; printf "%.6f", (d > 0 ? d : 0) }')"
ip netns exec "$NS_A" ping -n -i 0.01 -c 400 -W 1 "$B4" >"$E2E_TMP/ping.out" 2>&1 </dev/null &
track_pid $!
sleep 2.1
ip netns exec "$NS_A" "$XFER" send "$B4" 49152 2097152 --magic qemu --cport 40001 \
	>"$E2E_TMP/main.sent" 2>"$E2E_TMP/main.send.err" </dev/null &
SEND_PID=$!
track_pid "$SEND_PID"
sleep 0.02
ip netns exec "$NS_A" "$XFER" send "$B4" 49153 524288 --magic multifd --channel 0 --cport 40002 \
	>"$E2E_TMP/mfd.sent" 2>"$E2E_TMP/mfd.send.err" </dev/null
wait "$SEND_PID" || fail "xfer-main" "$(cat "$E2E_TMP/main.send.err")"
wait "$MAIN_LISTEN"
wait "$MFD_LISTEN"
announce rarp:0 rarp:1 rarp:2 garp:0 rarp:0
wait "$MM_PID"
check_eq "capture-exit-0" 0 "$?"

check_eq "sent-what-was-received" "2097152 524288" "$(cat "$E2E_TMP/main.out" "$E2E_TMP/mfd.out" | xargs)"
M='.migrations[0]'
check_eq "one-migration" 1 "$(jqr "$OUT" '.migrations | length')"
check_eq "status" "completed switchover" "$(jqr "$OUT" "$M | \"\(.status) \(.status_reason)\"")"
check_eq "hosts" "$A4 $B4" "$(jqr "$OUT" "$M | \"\(.source) \(.destination)\"")"
check_eq "flows-and-roles" "main:null:49152 multifd:0:49153" \
	"$(jqr "$OUT" "[$M.flows[] | \"\(.role):\(.channel):\(.server_port)\"] | join(\" \")")"
check_eq "multifd-uuid" "$UUID $UUID" "$(jqr "$OUT" "\"\($M.uuid) \($M.flows[1].uuid)\"")"
check_eq "bytes-by-role" "2097152 524288" "$(jqr "$OUT" "$M.bytes_by_role | \"\(.main) \(.multifd)\"")"
check_eq "vm" "$BMAC $B4" "$(jqr "$OUT" "$M.vm | \"\(.mac) \(.ip)\"")"
check_eq "announces-through-the-kernel-filter" "5 4 1 rarp" \
	"$(jqr "$OUT" "$M.switchover | \"\(.announces) \(.rarp_times | length) \(.garp_times | length) \(.resumed_by)\"")"
check_eq "announce-counts" "4 1 0" "$(jqr "$OUT" '.announces | "\(.rarp) \(.garp) \(.damaged)"')"
# in_order: start <= first payload < final burst end < resumed < the VM's
# first frame (its GARP, or a reply on a slow machine) <= its first reply
# after; its last reply before < resumed.
in_order() {
	jq -e "$M | .start <= .first_payload and .first_payload < .switchover.final_burst_end and
		.switchover.final_burst_end < .switchover.resumed and .switchover.resumed < .switchover.vm_first_frame and
		.switchover.vm_first_frame <= .switchover.first_reply_after and
		.switchover.last_reply_before < .switchover.resumed and
		.switchover.resumed - .switchover.final_burst_end < 1" "$OUT" >/dev/null
}
check "timeline-in-order" "$(jqr "$OUT" "$M | [.start, .first_payload, .switchover[]] | @text")" in_order
check_eq "outage-is-this-migrations" "1 0" \
	"$(jqr "$OUT" "\"\($M.episodes | length) \(.episodes_outside_migrations | length)\"")"
interval=$(jqr "$OUT" '.downtime.streams[0].interval_s')
check "outage-about-1s" "estimate $(jqr "$OUT" "$M.episodes[0].estimate_s"), interval $interval" \
	float_close "$(jqr "$OUT" "$M.episodes[0].estimate_s")" 1.0 "$(awk -v i="$interval" 'BEGIN { printf "%.6f", 2 * i }')"
check_eq "downtime-total" "$(jqr "$OUT" "$M.episodes[0].estimate_s")" "$(jqr "$OUT" "$M.downtime_total_s")"
check_eq "first-reply-after-the-outage" true \
	"$(jqr "$OUT" "$M | .switchover.first_reply_after >= .episodes[0].end_ts")"
check_eq "migrations-csv-one-row" 1 "$(($(wc -l <"$E2E_TMP/live-migrations.csv") - 1))"
check_eq "events-csv-announces" 5 "$(grep -c ',1,announce,' "$E2E_TMP/live-events.csv")"

# The -w file replayed: the same records.
"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$E2E_TMP/replay.json" "$CAP" 2>"$E2E_TMP/replay.err"
check_eq "replay-exit-0" 0 "$?"
if diff <(jq -S '{migrations, episodes_outside_migrations, announces}' "$OUT") \
	<(jq -S '{migrations, episodes_outside_migrations, announces}' "$E2E_TMP/replay.json") >"$E2E_TMP/records.diff"; then
	pass "replay-same-records"
else
	fail "replay-same-records" "$(head -20 "$E2E_TMP/records.diff")"
fi

summary
