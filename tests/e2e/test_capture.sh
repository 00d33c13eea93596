#!/usr/bin/env bash
# test_capture.sh - migmeter capture, live, in network namespaces joined by a veth pair.
#
# Cases:
#  bulk     iperf3 -n 1 GiB to a port in the range at full speed while A pings
#           B every 10 ms and nftables drops B's echo requests for exactly
#           one second; stopped by SIGTERM.  The data flow's unique payload
#           equals what iperf3 says it sent (plus its 37-byte cookie), the
#           kernel dropped nothing, the link counters agree with the
#           captured bytes, one downtime episode of ~1 s, and the live
#           report and a replay of its -w file agree on every figure.
#  sigint   SIGINT in the middle of a capture: exit 0 within a second, the
#           report and the -w file (pcap) complete and readable.
#  idle     --idle-stop stops once the migration traffic has been idle.
#  any      -i any (cooked v2) with the pings on lo: two link types, two -w
#           files, the progress line.
#  two      -i veth-a --icmp-iface lo: one pcapng with two interface blocks, replayed the same.
#  full     -w to a full disk: exit 1, the report is still written.
#  vanish   the interface is deleted mid-capture: exit 1, report incomplete.
#  duration --duration stops an idle capture on time.
#  privs    without CAP_NET_RAW: one line naming it, exit 1; with root, the
#           packet parser runs as nobody.
#  netlink  interfaces lists the namespace's links and addresses; -i auto
#           --peer picks the interface the routes say.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip iperf3 nft ping jq awk capinfos tshark setpriv setcap
require_binaries migmeter xfer

PORT=49160
CPORT=40123	# iperf3's data connection, outside the range
IFACE_OPTS=(--bpf-dir "$REPO_DIR/bpf" --no-progress)

netns_pair || die "could not create the namespace pair"
ip netns exec "$NS_B" nft -f - <<'EOF' || die "nftables table in B"
table inet mmcap {
	chain in {
		type filter hook input priority 0; policy accept;
	}
}
EOF

# mm_start NAME OPTION... - migmeter capture in A in the background (PID in
# MM_PID, stderr in $E2E_TMP/NAME.err); returns once both captures listen.
mm_start() {
	local name=$1
	shift
	ip netns exec "$NS_A" "$MIGMETER" capture "${IFACE_OPTS[@]}" "$@" \
		>"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" </dev/null &
	MM_PID=$!
	track_pid "$MM_PID"
	if ! wait_until 100 grep -qs 'listening on' "$E2E_TMP/$name.err"; then
		fail "$name-start" "capture did not start: $(head -c 300 "$E2E_TMP/$name.err")"
		return 1
	fi
}

# mm_wait - waits for the capture started last; its exit status in MM_RC.
mm_wait() {
	wait "$MM_PID"
	MM_RC=$?
}

# figures JSON - every measured figure of a report, without what names the
# capture point (an interface live, a file in replay).
figures() {
	jq -S '{migration, capture: (.capture | del(.filtered_out)),
		flows: [.flows[] | del(.capture)],
		downtime: (.downtime | .streams |= map(del(.capture)))}' "$1"
}

# pcap_frames FILE - the number of frames capinfos counts in FILE.
pcap_frames() {
	capinfos -M -c "$1" 2>/dev/null | awk '/Number of packets/ { print $NF }'
}

# ---- bulk: 1 GiB at full speed, ping with a 1 s outage -------------------
case_bulk() {
	local live=$E2E_TMP/bulk.json rep=$E2E_TMP/bulk-replay.json cap=$E2E_TMP/bulk.pcapng
	local sent unique drops ping_pid start t0 t1 tx rx est interval fwd_wire link_tx
	iperf3_hold_test_end "$NS_A" "$PORT" "$CPORT" || die "nftables: delay of iperf3's TEST_END"
	ip netns exec "$NS_B" iperf3 -s -1 -p "$PORT" >"$E2E_TMP/iperf3-s.log" 2>&1 </dev/null &
	track_pid $!
	wait_listen "$NS_B" "$PORT" || die "iperf3 server did not come up"
	mm_start bulk -i veth-a -w "$cap" --format json -o "$live" \
		--timeseries "$E2E_TMP/bulk-ts.csv" --bin 100ms --progress || return

	# The outage: B drops echo requests for one whole second of the kernel clock.
	start=${EPOCHREALTIME%.*}
	t0=$((start + 2))
	t1=$((t0 + 1))
	ip netns exec "$NS_B" nft add rule inet mmcap in meta time '>=' "$t0" meta time '<' "$t1" \
		icmp type echo-request drop || fail "bulk-nft" "could not add the outage rule"
	ip netns exec "$NS_A" ping -n -i 0.01 -c 400 -W 1 "$B4" >"$E2E_TMP/bulk.ping" 2>&1 </dev/null &
	ping_pid=$!
	track_pid "$ping_pid"
	sleep 1
	ip netns exec "$NS_A" iperf3 -c "$B4" -p "$PORT" --cport "$CPORT" -n 1G --json \
		>"$E2E_TMP/iperf3-c.json" 2>"$E2E_TMP/iperf3-c.err" </dev/null ||
		fail "bulk-iperf3" "iperf3 failed: $(head -c 300 "$E2E_TMP/iperf3-c.err")"
	wait "$ping_pid"
	sleep 0.3
	kill -TERM "$MM_PID"
	mm_wait
	check_eq "bulk-exit-0" 0 "$MM_RC"
	if ! jq -e . "$live" >/dev/null 2>&1; then
		fail "bulk-json" "no valid report: $(head -c 300 "$E2E_TMP/bulk.err")"
		return
	fi

	sent=$(jq -r '.end.sum_sent.bytes' "$E2E_TMP/iperf3-c.json")
	# iperf3 opens its data connection with a 37-byte cookie, then the bytes it counts.
	unique=$(jqr "$live" "[.flows[] | select(.server_port == $PORT) | .forward.unique_payload_bytes] | max")
	check_eq "bulk-unique-equals-iperf3-sent-plus-cookie" "$((sent + 37))" "$unique"
	# -n is a floor: iperf3 may finish the block it is writing (128 KiB).
	check "bulk-iperf3-sent-1GiB" "iperf3 sent $sent" [ "$sent" -ge 1073741824 ]
	drops=$(jqr "$live" '[.inputs[].kernel | .dropped + .ifdropped] | add')
	check_eq "bulk-kernel-drops-0" 0 "$drops"
	check_eq "bulk-not-lower-bounds" false "$(jqr "$live" '.counts_are_lower_bounds')"
	check_eq "bulk-two-captures" "migration icmp" "$(jqr "$live" '[.inputs[].role] | join(" ")')"
	check_eq "bulk-kernel-received-equals-frames" \
		"$(jqr "$live" '[.inputs[] | .frames] | join(" ")')" \
		"$(jqr "$live" '[.inputs[] | .kernel.received] | join(" ")')"
	# The link's own counter of bytes sent covers the captured migration bytes, plus a little else.
	fwd_wire=$(jqr "$live" '.migration.forward.wire_bytes')
	link_tx=$(jqr "$live" '.inputs[0].link_counters.delta.tx_bytes')
	check "bulk-link-counter-covers-capture" "link tx $link_tx < captured forward $fwd_wire" \
		[ "$link_tx" -ge "$fwd_wire" ]
	check "bulk-link-counter-close" "link tx $link_tx vs captured forward $fwd_wire (>1% apart)" \
		awk -v l="$link_tx" -v f="$fwd_wire" 'BEGIN { exit !((l - f) <= f / 100) }'
	# What the migration capture took, beside the link's own rx + tx.
	check "bulk-captured-beside-link" \
		"captured $(jqr "$live" '.inputs[0].wire_bytes') vs link rx+tx $(jqr "$live" '.inputs[0].link_counters.delta | .rx_bytes + .tx_bytes')" \
		jq -e '.inputs[0] | .wire_bytes as $c | (.link_counters.delta | .rx_bytes + .tx_bytes) as $l |
			$c <= $l and ($l - $c) <= $l / 100' "$live"

	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$E2E_TMP/bulk.ping")
	rx=$(sed -n 's/^[0-9]* packets transmitted, \([0-9]*\) received.*/\1/p' "$E2E_TMP/bulk.ping")
	check_eq "bulk-lost-vs-ping-summary" "$((tx - rx))" "$(jqr "$live" '.downtime.streams[0].lost')"
	check_eq "bulk-one-episode" 1 "$(jqr "$live" '.downtime.streams[0].episodes | length')"
	check "bulk-progress-episodes" "last progress line: $(tr '\r' '\n' <"$E2E_TMP/bulk.err" | grep flows | tail -n 1)" \
		sh -c "tr '\r' '\n' <'$E2E_TMP/bulk.err' | grep flows | tail -n 1 | grep -q 'episodes 1  drops 0'"
	est=$(jqr "$live" '.downtime.streams[0].episodes[0].estimate_s')
	interval=$(jqr "$live" '.downtime.streams[0].interval_s')
	check "bulk-outage-within-2-intervals" "imposed 1 s, estimate $est s, interval $interval s" \
		float_close "$est" 1 "$(awk -v i="$interval" 'BEGIN { print 2 * i }')"

	"$MIGMETER" replay "${MM_OPTS[@]}" --bin 100ms --format json -o "$rep" "$cap" \
		2>"$E2E_TMP/bulk-replay.err"
	check_eq "bulk-replay-exit-0" 0 "$?"
	if figures "$live" >"$E2E_TMP/bulk.live.fig" && figures "$rep" >"$E2E_TMP/bulk.rep.fig" &&
		cmp -s "$E2E_TMP/bulk.live.fig" "$E2E_TMP/bulk.rep.fig"; then
		pass "bulk-live-equals-replay"
	else
		fail "bulk-live-equals-replay" "$(diff "$E2E_TMP/bulk.live.fig" "$E2E_TMP/bulk.rep.fig" | head -20)"
	fi
	check_eq "bulk-pcapng-frames" "$(jqr "$live" '[.inputs[].frames] | add')" \
		"$(pcap_frames "$cap")"
	printf 'bulk: iperf3 sent %s bytes; migmeter unique %s (cookie 37), wire fwd %s, link tx %s, frames %s, kernel drops %s; outage 1 s -> %s s (interval %s s, lost %s)\n' \
		"$sent" "$unique" "$fwd_wire" "$link_tx" "$(jqr "$live" '.inputs[0].frames')" "$drops" \
		"$est" "$interval" "$((tx - rx))"
}

# ---- sigint: stop in the middle, within a second --------------------------
case_sigint() {
	local json=$E2E_TMP/sigint.json cap=$E2E_TMP/sigint.pcap ping_pid t0 t1 ms
	mm_start sigint -i veth-a -w "$cap" --format json -o "$json" || return
	ip netns exec "$NS_A" ping -n -i 0.01 -c 1000 "$B4" >/dev/null 2>&1 </dev/null &
	ping_pid=$!
	track_pid "$ping_pid"
	xfer_listen sigint 49170
	ip netns exec "$NS_A" "$XFER" send "$B4" 49170 5000000 --magic qemu >/dev/null 2>&1 ||
		fail "sigint-xfer" "transfer failed"
	sleep 0.5
	t0=${EPOCHREALTIME/./}
	kill -INT "$MM_PID"
	mm_wait
	t1=${EPOCHREALTIME/./}
	ms=$(((t1 - t0) / 1000))
	kill "$ping_pid" 2>/dev/null
	check_eq "sigint-exit-0" 0 "$MM_RC"
	check "sigint-within-1s" "took $ms ms" [ "$ms" -lt 1000 ]
	check "sigint-report-valid" "report not valid JSON" sh -c "jq -e .schema '$json' >/dev/null"
	check_eq "sigint-unique" 5000000 "$(jqr "$json" '[.flows[] | .forward.unique_payload_bytes] | max')"
	check "sigint-echo-seen" "no echo stream" [ "$(jqr "$json" '.downtime.streams | length')" -ge 1 ]
	check "sigint-pcap-readable" "capinfos cannot read $cap" sh -c "capinfos '$cap' >/dev/null"
	check_eq "sigint-pcap-frames" "$(jqr "$json" '[.inputs[].frames] | add')" \
		"$(pcap_frames "$cap")"
	check_eq "sigint-replay-same-unique" 5000000 \
		"$("$MIGMETER" replay "${MM_OPTS[@]}" --format json "$cap" 2>/dev/null |
			jq -r '[.flows[] | .forward.unique_payload_bytes] | max')"
	printf 'sigint: exit %s after %s ms\n' "$MM_RC" "$ms"
}

# ---- idle-stop and duration -------------------------------------------------
case_idle() {
	local json=$E2E_TMP/idle.json t0 t1 ms
	mm_start idle -i veth-a --idle-stop 1s --duration 30s --format json -o "$json" || return
	sleep 0.5
	check "idle-waits-for-traffic" "stopped before any migration traffic" kill -0 "$MM_PID"
	xfer_listen idle 49171
	ip netns exec "$NS_A" "$XFER" send "$B4" 49171 1000000 >/dev/null 2>&1 ||
		fail "idle-xfer" "transfer failed"
	t0=${EPOCHREALTIME/./}
	mm_wait
	t1=${EPOCHREALTIME/./}
	ms=$(((t1 - t0) / 1000))
	check_eq "idle-exit-0" 0 "$MM_RC"
	check "idle-stopped-after-1s-idle" "stopped $ms ms after the transfer" \
		[ "$ms" -ge 900 ] && [ "$ms" -lt 2500 ]
	check_eq "idle-unique" 1000000 "$(jqr "$json" '.migration.forward.unique_payload_bytes')"
}

case_duration() {
	local json=$E2E_TMP/duration.json t0 t1 ms
	t0=${EPOCHREALTIME/./}
	mm_start duration -i veth-a --duration 1s --format json -o "$json" || return
	mm_wait
	t1=${EPOCHREALTIME/./}
	ms=$(((t1 - t0) / 1000))
	check_eq "duration-exit-0" 0 "$MM_RC"
	check "duration-on-time" "took $ms ms for --duration 1s" [ "$ms" -ge 1000 ] && [ "$ms" -lt 2500 ]
	check_eq "duration-empty-report" 0 "$(jqr "$json" '.flows | length')"
}

# ---- -i any with the pings on another interface; -w to a full disk ---------
case_any() {
	local json=$E2E_TMP/any.json cap=$E2E_TMP/any.pcapng ping_pid
	# Two link types (any: Linux cooked v2; lo: Ethernet): the ICMP capture
	# is saved beside the -w file, and each replays to the same figures.
	mm_start any -i any --icmp-iface lo -w "$cap" --format json -o "$json" --progress || return
	ip netns exec "$NS_A" ping -n -i 0.05 -c 10 127.0.0.1 >/dev/null 2>&1 </dev/null &
	ping_pid=$!
	track_pid "$ping_pid"
	xfer_listen any 49172
	ip netns exec "$NS_A" "$XFER" send "$B4" 49172 2000000 --magic multifd >/dev/null 2>&1 ||
		fail "any-xfer" "transfer failed"
	wait "$ping_pid"
	sleep 0.3
	kill -INT "$MM_PID"
	mm_wait
	check_eq "any-exit-0" 0 "$MM_RC"
	check_eq "any-link-types" "LINUX_SLL2 EN10MB" "$(jqr "$json" '[.inputs[].link_type] | join(" ")')"
	check_eq "any-unique" 2000000 "$(jqr "$json" '.migration.forward.unique_payload_bytes')"
	check_eq "any-kind" multifd "$(jqr "$json" '.flows[0].kind')"
	check "any-ifindex" "flow has no interface index" [ "$(jqr "$json" '.flows[0].ifindex')" -gt 0 ]
	check_eq "any-echo-on-lo" "10 10" "$(jqr "$json" '"\(.downtime.streams[0].requests) \(.downtime.streams[0].replies)"')"
	check "any-icmp-file" "no $E2E_TMP/any-icmp.pcapng" [ -s "$E2E_TMP/any-icmp.pcapng" ]
	check_eq "any-replay-both-files" "2000000 10" \
		"$("$MIGMETER" replay "${MM_OPTS[@]}" --format json "$cap" "$E2E_TMP/any-icmp.pcapng" 2>/dev/null |
			jq -r '"\(.migration.forward.unique_payload_bytes) \(.downtime.streams[0].replies)"')"
	check "any-progress-line" "no progress line on stderr" grep -q 'migration .* in [0-9]* flows  .*bit/s  echo [0-9]*  episodes [0-9]*.*  drops 0' "$E2E_TMP/any.err"
}

# Two interfaces of one link type: one pcapng with an interface block each.
case_two_ifaces() {
	local json=$E2E_TMP/two.json cap=$E2E_TMP/two.pcapng rep=$E2E_TMP/two-replay.json
	mm_start two -i veth-a --icmp-iface lo -w "$cap" --format json -o "$json" || return
	xfer_listen two 49174
	ip netns exec "$NS_A" "$XFER" send "$B4" 49174 1500000 --magic qemu >/dev/null 2>&1 ||
		fail "two-xfer" "transfer failed"
	ip netns exec "$NS_A" ping -n -i 0.05 -c 6 127.0.0.1 >/dev/null 2>&1 </dev/null
	sleep 0.3
	kill -INT "$MM_PID"
	mm_wait
	check_eq "two-exit-0" 0 "$MM_RC"
	check_eq "two-interface-blocks" 2 \
		"$(capinfos "$cap" 2>/dev/null | awk -F: '/Number of interfaces in file/ { gsub(/ /, "", $2); print $2 }')"
	"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$rep" "$cap" 2>/dev/null
	check_eq "two-replay-exit-0" 0 "$?"
	check_eq "two-unique" "1500000 1500000" \
		"$(jqr "$json" '.migration.forward.unique_payload_bytes') $(jqr "$rep" '.migration.forward.unique_payload_bytes')"
	check_eq "two-echo" "6 6 6 6" \
		"$(jqr "$json" '"\(.downtime.streams[0].requests) \(.downtime.streams[0].replies)"') $(jqr "$rep" '"\(.downtime.streams[0].requests) \(.downtime.streams[0].replies)"')"
}

case_full_disk() {
	local json=$E2E_TMP/full.json
	xfer_listen full 49173
	mm_start full -i veth-a -w /dev/full --format json -o "$json" || return
	ip netns exec "$NS_A" "$XFER" send "$B4" 49173 300000 >/dev/null 2>&1 || fail "full-xfer" "transfer failed"
	sleep 0.3
	kill -INT "$MM_PID"
	mm_wait
	check_eq "full-exit-1" 1 "$MM_RC"
	check "full-says-why" "stderr: $(cat "$E2E_TMP/full.err")" grep -q 'cannot write /dev/full' "$E2E_TMP/full.err"
	check_eq "full-report-still-written" 300000 "$(jqr "$json" '.migration.forward.unique_payload_bytes')"
}

# The interface goes away in the middle: exit 1, and a report that says so.
case_vanish() {
	local json=$E2E_TMP/vanish.json t0 t1 ms
	ip -n "$NS_A" link add mmvan0 type veth peer name mmvan1 &&
		ip -n "$NS_A" link set mmvan0 up && ip -n "$NS_A" link set mmvan1 up ||
		die "veth pair in A"
	mm_start vanish -i mmvan0 --format json -o "$json" || return
	t0=${EPOCHREALTIME/./}
	ip -n "$NS_A" link del mmvan0
	mm_wait
	t1=${EPOCHREALTIME/./}
	ms=$(((t1 - t0) / 1000))
	check_eq "vanish-exit-1" 1 "$MM_RC"
	check "vanish-prompt" "took $ms ms" [ "$ms" -lt 1000 ]
	check "vanish-says-why" "stderr: $(tail -n 1 "$E2E_TMP/vanish.err")" \
		grep -q 'capture on mmvan0 failed' "$E2E_TMP/vanish.err"
	check_eq "vanish-report-incomplete" false "$(jqr "$json" '.complete')"
}

# ---- privileges ------------------------------------------------------------
case_privs() {
	local err=$E2E_TMP/noperm.err rc user
	ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$MIGMETER" capture "${IFACE_OPTS[@]}" -i veth-a --duration 1s \
		>/dev/null 2>"$err" </dev/null
	rc=$?
	check_eq "privs-exit-1" 1 "$rc"
	check "privs-names-cap-net-raw" "stderr: $(cat "$err")" grep -q 'CAP_NET_RAW' "$err"
	check_eq "privs-one-line" 1 "$(wc -l <"$err")"

	# An ordinary user with file capabilities (setcap) captures, then holds none.
	local bin=$E2E_TMP/capbin pid caps
	chmod 711 "$E2E_TMP"
	mkdir -p "$bin" && cp "$MIGMETER" "$bin/migmeter" && cp -r "$REPO_DIR/bpf" "$bin/bpf" &&
		chmod -R a+rX "$bin" && setcap cap_net_raw,cap_net_admin=eip "$bin/migmeter" ||
		die "setcap on a copy of migmeter"
	ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$bin/migmeter" capture --bpf-dir "$bin/bpf" --no-progress -i veth-a --duration 2s \
		--format json >"$E2E_TMP/capbin.json" 2>"$E2E_TMP/capbin.err" </dev/null &
	pid=$!
	track_pid "$pid"
	wait_until 50 grep -qs 'listening on' "$E2E_TMP/capbin.err"
	caps=$(awk '/^Cap(Prm|Eff):/ { printf "%s%s", sep, $2; sep = " " }' "/proc/$pid/status" 2>/dev/null)
	wait "$pid"
	rc=$?
	check_eq "privs-setcap-user-captures" 0 "$rc"
	check_eq "privs-setcap-caps-dropped" "0000000000000000 0000000000000000" "$caps"
	check_eq "privs-setcap-report" veth-a "$(jqr "$E2E_TMP/capbin.json" '.inputs[0].interface')"

	mm_start privs -i veth-a --duration 3s -o "$E2E_TMP/privs.txt" || return
	sleep 0.3
	# The parser is the child of the root process that only writes the outputs
	# (ip netns exec execs migmeter: MM_PID is migmeter's own).
	user=$(ps -o user= --ppid "$MM_PID" 2>/dev/null | tr -d ' ')
	check_eq "privs-parser-runs-as-nobody" nobody "$user"
	check_eq "privs-writer-runs-as-root" root "$(ps -o user= -p "$MM_PID" 2>/dev/null | tr -d ' ')"
	mm_wait
	check_eq "privs-root-writes-report" "0 root" "$MM_RC $(stat -c %U "$E2E_TMP/privs.txt" 2>/dev/null)"
}

# ---- netlink: interfaces and -i auto --peer --------------------------------
case_netlink() {
	local j=$E2E_TMP/ifaces.json rc
	# A second link with its own subnet and a route through it (a veth pair
	# inside A: the dummy module may be missing).
	ip -n "$NS_A" link add mmdum0 type veth peer name mmdum1 &&
		ip -n "$NS_A" link set mmdum1 up &&
		ip -n "$NS_A" addr add 10.198.0.1/24 dev mmdum0 &&
		ip -n "$NS_A" link set mmdum0 up &&
		ip -n "$NS_A" route add 10.200.0.0/16 via 10.198.0.2 dev mmdum0 ||
		die "second link and route in A"
	ip netns exec "$NS_A" "$MIGMETER" interfaces --format json >"$j"
	check_eq "interfaces-exit-0" 0 "$?"
	check_eq "interfaces-names" "lo mmdum0 mmdum1 veth-a" "$(jq -r '[.interfaces[].name] | sort | join(" ")' "$j")"
	check_eq "interfaces-veth-addrs" "$A4/24 $A6/64" \
		"$(jq -r '.interfaces[] | select(.name == "veth-a") | [.addresses[] | select(startswith("fe80") | not)] | join(" ")' "$j")"
	check_eq "interfaces-veth-kind-state" "veth up" \
		"$(jq -r '.interfaces[] | select(.name == "veth-a") | "\(.kind) \(.state)"' "$j")"
	check_eq "interfaces-second-link-addr" "10.198.0.1/24" \
		"$(jq -r '.interfaces[] | select(.name == "mmdum0") | [.addresses[] | select(startswith("fe80") | not)] | join(" ")' "$j")"
	check "interfaces-counters" "veth-a rx_bytes not above zero" \
		[ "$(jq -r '.interfaces[] | select(.name == "veth-a") | .counters.rx_bytes' "$j")" -gt 0 ]
	check "interfaces-text" "no veth-a line" \
		sh -c "ip netns exec '$NS_A' '$MIGMETER' interfaces veth-a | grep -q '^[0-9]*: veth-a (veth)'"
	ip netns exec "$NS_A" "$MIGMETER" interfaces nosuch0 >/dev/null 2>&1
	check_eq "interfaces-unknown-exit-1" 1 "$?"

	# -i auto --peer: the routing table's answer.
	auto_iface() {
		ip netns exec "$NS_A" "$MIGMETER" capture "${IFACE_OPTS[@]}" -i auto --peer "$1" \
			--duration 0.2s --format json 2>/dev/null | jq -r '.inputs[0].interface'
	}
	check_eq "peer-direct" veth-a "$(auto_iface "$B4")"
	check_eq "peer-v6" veth-a "$(auto_iface "$B6")"
	check_eq "peer-via-route" mmdum0 "$(auto_iface 10.200.3.4)"
	check_eq "peer-on-dummy-subnet" mmdum0 "$(auto_iface 10.198.0.9)"
	ip netns exec "$NS_A" "$MIGMETER" capture "${IFACE_OPTS[@]}" -i auto --peer 192.0.2.1 \
		--duration 0.2s >/dev/null 2>"$E2E_TMP/noroute.err"
	rc=$?
	check_eq "peer-no-route-exit-1" 1 "$rc"
	check "peer-no-route-message" "stderr: $(cat "$E2E_TMP/noroute.err")" \
		grep -q 'no route to 192.0.2.1' "$E2E_TMP/noroute.err"
}

case_bulk
[ -n "${ONLY_BULK:-}" ] || case_sigint
[ -n "${ONLY_BULK:-}" ] || case_idle
[ -n "${ONLY_BULK:-}" ] || case_duration
[ -n "${ONLY_BULK:-}" ] || case_any
[ -n "${ONLY_BULK:-}" ] || case_two_ifaces
[ -n "${ONLY_BULK:-}" ] || case_full_disk
[ -n "${ONLY_BULK:-}" ] || case_vanish
[ -n "${ONLY_BULK:-}" ] || case_privs
[ -n "${ONLY_BULK:-}" ] || case_netlink
summary
