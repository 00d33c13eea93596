#!/usr/bin/env bash
# test_qemu.sh - real QEMU live migrations, measured by migmeter capture and checked against QEMU's own figures.
#
# Two "hosts", network namespaces SRC and DST, joined by the migration link
# (veth mig0, shaped by tc htb to $RATE each way) and by the VM network: a
# bridge br0 in each host with its QEMU's tap0, the two bridges joined by a
# second veth (vm0), so the guest's MAC moves from one host to the other and
# QEMU's RARP announces cross to the other side.  SRC is also the pinger (an
# address on its br0): ping -i 0.01 to the guest the whole time.
#
# The guest (tests/qemu/build-guest.sh, cached in build/guest: Debian's cloud
# kernel and a busybox initramfs) boots under TCG with RAM not a multiple of
# 256 KiB (QEMU 7.2 under TCG can corrupt a guest whose RAM is), answers
# ping and dirties memory at a bounded rate, checking every page it
# rewrites.  In ONE migmeter capture (-i mig0 in SRC, --icmp-iface br0) it is
# live-migrated over QMP (tests/qemu/qmp.py): SRC->DST plain, DST->SRC with
# 4 multifd channels, SRC->DST plain again, each to its own port; each
# migration's QEMU figures (query-migrate, STOP/RESUME events) go to a JSON
# file that tests/qemu/compare.py checks migmeter's migration records
# against: one record per migration with the right hosts and flows (main
# stream, 4 multifd channels of the VM's UUID), unique payload vs
# ram.transferred, duration vs total-time, migmeter's own announce
# (switchover.resumed) vs the RESUME event, each migration's own downtime
# episode vs RESUME - STOP, the VM's MAC; also the X-migrations.csv of a CSV
# replay and the --events timeline.  It prints QEMU's figures beside the
# records between "==== BEGIN" and "==== END" lines.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip tc ping jq awk tshark python3 qemu-system-x86_64
require_binaries migmeter

QEMU_DIR=$REPO_DIR/tests/qemu
GUEST_DIR=${MM_GUEST_DIR:-$REPO_DIR/build/guest}
RATE=${MM_QEMU_RATE:-400mbit}
# 512 MiB - 8 KiB: not a multiple of 256 KiB (see above).
MEM=${MM_QEMU_MEM:-524280K}
FILL_MIB=64
DIRTY_KIB_S=4096
MAC=52:54:00:4d:4d:01
# The VM's UUID (libvirt gives every QEMU of one VM its UUID): multifd
# channels carry it in their MultiFDInit_t header.
VM_UUID=6d6d6574-6572-4d4d-8000-0000000a0b0c
GUEST_IP=10.203.1.10
PINGER_IP=10.203.1.1
SRC_MIG=10.203.0.1
DST_MIG=10.203.0.2
SRC="mm-e2e-$$-qsrc"
DST="mm-e2e-$$-qdst"
T0=$EPOCHREALTIME

[ -e /dev/net/tun ] || die "no /dev/net/tun: QEMU's tap networking needs the tun driver"

# ---- the guest -----------------------------------------------------------
bash "$QEMU_DIR/build-guest.sh" "$GUEST_DIR" 2>"$E2E_TMP/build-guest.log" ||
	die "building the guest failed: $(tail -n 3 "$E2E_TMP/build-guest.log")"
tail -n 1 "$E2E_TMP/build-guest.log"

# ---- the two hosts -------------------------------------------------------
host_ns() {
	ip netns add "$1" || return 1
	E2E_NETNS+=("$1")
	ip -n "$1" link set lo up &&
		ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}
topology() {
	local ns
	host_ns "$SRC" && host_ns "$DST" || return 1
	# Socket buffers sized to the shaped link: QEMU's total-time ends when
	# the source has written its last byte into the socket, so what is still
	# buffered then drains after it.  Linux's default 4 MiB send buffer is
	# 80 ms of queue a connection at 400 Mbit/s (3 ms at 10 Gbit/s, a real
	# migration network); 1 MiB keeps the drain near a real link's.
	for ns in "$SRC" "$DST"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.tcp_wmem="4096 65536 1048576" || return 1
	done
	# The migration link, shaped each way.
	ip link add mig0 netns "$SRC" type veth peer name mig0 netns "$DST" || return 1
	ip -n "$SRC" addr add "$SRC_MIG/24" dev mig0 && ip -n "$DST" addr add "$DST_MIG/24" dev mig0 || return 1
	# The VM network: br0 + tap0 in each host, the bridges joined by vm0.
	ip link add vm0 netns "$SRC" type veth peer name vm0 netns "$DST" || return 1
	for ns in "$SRC" "$DST"; do
		shape_link "$ns" mig0 "$RATE" &&
			ip -n "$ns" link set mig0 up &&
			ip -n "$ns" link add br0 type bridge stp_state 0 forward_delay 0 &&
			ip -n "$ns" tuntap add dev tap0 mode tap &&
			ip -n "$ns" link set tap0 master br0 &&
			ip -n "$ns" link set vm0 master br0 &&
			ip -n "$ns" link set tap0 up &&
			ip -n "$ns" link set vm0 up &&
			ip -n "$ns" link set br0 up || return 1
	done
	ip -n "$SRC" addr add "$PINGER_IP/24" dev br0 || return 1
	wait_until 50 ip netns exec "$SRC" ping -c 1 -W 1 -q "$DST_MIG" >/dev/null 2>&1
}
topology || die "could not build the namespaces (veth, bridge, tap, tc htb)"

# ---- QEMU ----------------------------------------------------------------
# qemu_start NAME NS [-incoming defer] - a QEMU in NS on that host's tap0;
# QMP socket $E2E_TMP/NAME.qmp, serial console $E2E_TMP/NAME.serial, PID in
# QEMU_PID[NAME].  Waits until the monitor answers.
# The first announce leaves within ~0.1 ms of RESUME (QEMU queues it while
# the VM is stopped and flushes it as the VM starts), unless the host's other
# load preempts QEMU's main thread: on a loaded 2-core machine that was seen
# to take 3-6 ms at the default priority, never at nice -10.
QEMU_NICE=${MM_QEMU_NICE:--10}
declare -A QEMU_PID=()
qemu_start() {
	local name=$1 ns=$2
	shift 2
	rm -f "$E2E_TMP/$name.qmp" "$E2E_TMP/$name.serial"
	ip netns exec "$ns" nice -n "$QEMU_NICE" qemu-system-x86_64 -name "mm-$name" -accel tcg -machine pc -smp 1 -m "$MEM" \
		-nodefaults -display none -no-reboot -serial "file:$E2E_TMP/$name.serial" \
		-kernel "$GUEST_DIR/vmlinuz" -initrd "$GUEST_DIR/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 quiet mmguest.ip=$GUEST_IP/24 mmguest.fill_mib=$FILL_MIB mmguest.dirty_kib_s=$DIRTY_KIB_S" \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
		-device virtio-net-pci,netdev=n0,mac=$MAC,romfile= -uuid "$VM_UUID" \
		-qmp "unix:$E2E_TMP/$name.qmp,server=on,wait=off" "$@" \
		>"$E2E_TMP/$name.log" 2>&1 </dev/null &
	QEMU_PID[$name]=$!
	track_pid "$!"
	python3 "$QEMU_DIR/qmp.py" wait "$E2E_TMP/$name.qmp" --timeout 20 2>>"$E2E_TMP/$name.log" || {
		printf 'QEMU %s did not come up: %s\n' "$name" "$(tail -n 3 "$E2E_TMP/$name.log")" >&2
		return 1
	}
}

# gone PID - the process has exited (a zombie waiting to be reaped counts).
gone() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ]
}

# qemu_quit NAME - quit over QMP, wait for the process (5 s), then KILL by PID.
qemu_quit() {
	local pid=${QEMU_PID[$1]}
	python3 "$QEMU_DIR/qmp.py" cmd "$E2E_TMP/$1.qmp" quit >/dev/null 2>&1 || true
	wait_until 50 gone "$pid" || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# ---- the run -------------------------------------------------------------
qemu_start a "$SRC" || die "QEMU a (SRC) did not start"
wait_until 600 grep -qs 'mmguest: ready' "$E2E_TMP/a.serial" ||
	die "the guest did not boot in 60 s: $(tail -n 5 "$E2E_TMP/a.serial" 2>/dev/null)"
printf 'guest booted in SRC (%s)\n' "$(grep -h 'mmguest: \(net\|ready\)' "$E2E_TMP/a.serial" | tr '\n' ' ')"
wait_until 100 ip netns exec "$SRC" ping -c 1 -W 1 -q "$GUEST_IP" >/dev/null 2>&1 ||
	die "the guest does not answer ping"
qemu_start b "$DST" -incoming defer || die "QEMU b (DST, -incoming defer) did not start"

# The capture: migration traffic on SRC's end of the migration link, the
# pings and the announces on SRC's bridge (migmeter's default ICMP filter
# lets QEMU's RARP and the guest's gratuitous ARP through: bpf/announce.bpf).
CAP=$E2E_TMP/run.pcapng
REPORT=$E2E_TMP/report.json
EVENTS=$E2E_TMP/events.csv
ip netns exec "$SRC" "$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i mig0 --icmp-iface br0 \
	-w "$CAP" --format json -o "$REPORT" --timeseries "$E2E_TMP/ts.csv" --events "$EVENTS" \
	--bin 100ms --ping-interval 0.01 >"$E2E_TMP/mm.out" 2>"$E2E_TMP/mm.err" </dev/null &
MM_PID=$!
track_pid "$MM_PID"
wait_until 100 grep -qs 'listening on' "$E2E_TMP/mm.err" ||
	die "migmeter capture did not start: $(head -c 300 "$E2E_TMP/mm.err")"
ip netns exec "$SRC" ping -n -D -i 0.01 "$GUEST_IP" >"$E2E_TMP/ping.out" 2>&1 </dev/null &
PING_PID=$!
track_pid "$PING_PID"
sleep 1.5

# migrate ID FROM-QEMU TO-QEMU FROM-HOST TO-HOST ADDR PORT MULTIFD
MIGRATED=()
migrate() {
	local id=$1 from=$2 to=$3 fh=$4 th=$5 addr=$6 port=$7 mfd=$8
	if python3 "$QEMU_DIR/qmp.py" migrate --src "$E2E_TMP/$from.qmp" --dst "$E2E_TMP/$to.qmp" \
		--uri "tcp:$addr:$port" --multifd "$mfd" --id "$id" --from "$fh" --to "$th" \
		-o "$E2E_TMP/mig-$id.json" --qmp-log "$E2E_TMP/mig-$id.qmp" 2>"$E2E_TMP/mig-$id.err"; then
		pass "migration$id-completed"
		MIGRATED+=("$E2E_TMP/mig-$id.json")
		return 0
	fi
	local q why=
	for q in "$from" "$to"; do
		if gone "${QEMU_PID[$q]}"; then
			why+="; QEMU $q has exited, its console ends: $(grep -v '^$' "$E2E_TMP/$q.serial" 2>/dev/null | tail -n 1)"
		fi
	done
	fail "migration$id-completed" "$(cat "$E2E_TMP/mig-$id.err")$why"
	return 1
}

run_migrations() {
	migrate 1 a b SRC DST "$DST_MIG" 49152 0 || return
	qemu_quit a
	qemu_start c "$SRC" -incoming defer || return
	sleep 1.5
	migrate 2 b c DST SRC "$SRC_MIG" 49153 4 || return
	qemu_quit b
	qemu_start d "$DST" -incoming defer || return
	sleep 1.5
	migrate 3 c d SRC DST "$DST_MIG" 49154 0 || return
	LAST=d
}
LAST=
run_migrations
sleep 1.5
kill -INT "$PING_PID" 2>/dev/null
wait "$PING_PID" 2>/dev/null
sleep 0.3
kill -INT "$MM_PID" 2>/dev/null
wait "$MM_PID"
MM_RC=$?
check_eq "capture-exit-0" 0 "$MM_RC"
check_eq "three-migrations" 3 "${#MIGRATED[@]}"

# The guest survived every move: the last QEMU runs it, still dirtying
# memory, and no page it rewrote was ever found corrupt.
if [ -n "$LAST" ]; then
	check "guest-alive-after-last-migration" "no 'mmguest: alive' on the last QEMU's console" \
		grep -q 'mmguest: alive' "$E2E_TMP/$LAST.serial"
	check_eq "guest-running" '"running"' \
		"$(python3 "$QEMU_DIR/qmp.py" cmd "$E2E_TMP/$LAST.qmp" query-status 2>/dev/null | jq -c .status)"
fi
check "guest-memory-intact" "$(grep -h 'CORRUPT\|errors=[1-9]' "$E2E_TMP"/*.serial | head -n 2)" \
	sh -c "! grep -qh 'CORRUPT\|errors=[1-9]' '$E2E_TMP'/*.serial"

if ! jq -e . "$REPORT" >/dev/null 2>&1; then
	fail "report-json" "no valid report: $(head -c 300 "$E2E_TMP/mm.err")"
	summary
	exit 1
fi
check_eq "capture-kernel-drops-0" 0 "$(jqr "$REPORT" '[.inputs[].kernel | .dropped + .ifdropped] | add')"
check_eq "capture-two-inputs" "migration icmp" "$(jqr "$REPORT" '[.inputs[].role] | join(" ")')"

# Ping's own summary: what it sent and got back is what migmeter counted
# (a request still unanswered when ping was stopped is pending, not lost).
tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$E2E_TMP/ping.out")
rx=$(sed -n 's/^[0-9]* packets transmitted, \([0-9]*\) received.*/\1/p' "$E2E_TMP/ping.out")
STREAM=".downtime.streams[] | select(.target == \"$GUEST_IP\")"
# ping stops counting at SIGINT: the reply to its last request may still
# cross the bridge after that, so migmeter may see one reply more.
replies=$(jqr "$REPORT" "$STREAM | .replies")
check_eq "ping-requests-vs-ping-transmitted" "${tx:-none}" "$(jqr "$REPORT" "$STREAM | .requests")"
check "ping-replies-vs-ping-received" "ping received ${rx:-none}, migmeter replies $replies" \
	one_of "$replies" "${rx:-none}" "$((${rx:-0} + 1))"
check_eq "ping-lost-vs-ping-summary" "$((${tx:-0} - replies))" "$(jqr "$REPORT" "$STREAM | .lost + .pending")"

# The -w file replays to the same figures.
"$MIGMETER" replay "${MM_OPTS[@]}" --ping-interval 0.01 --format json \
	-o "$E2E_TMP/replay.json" "$CAP" 2>"$E2E_TMP/replay.err"
check_eq "replay-exit-0" 0 "$?"
FIGURES='{flows: [.flows[] | {server_port, kind, u: .forward.unique_payload_bytes, first_ts, last_ts, migration}],
	echo: [.downtime.streams[] | {target, requests, replies, lost, e: [.episodes[] | .estimate_s]}],
	migrations: [.migrations[] | del(.peak_bps)]}'
check "replay-same-figures" "live and replay of the -w file differ" \
	[ "$(jq -cS "$FIGURES" "$REPORT")" = "$(jq -cS "$FIGURES" "$E2E_TMP/replay.json" 2>/dev/null)" ]
# The CSV report of the -w file: -o X.csv writes X-migrations.csv beside it.
"$MIGMETER" replay "${MM_OPTS[@]}" --ping-interval 0.01 --format csv \
	-o "$E2E_TMP/replay.csv" "$CAP" 2>"$E2E_TMP/replay-csv.err"
check_eq "replay-csv-exit-0" 0 "$?"
check "replay-csv-migrations-file" "no $E2E_TMP/replay-migrations.csv" [ -s "$E2E_TMP/replay-migrations.csv" ]
check_eq "replay-csv-three-migration-rows" 3 "$(($(wc -l <"$E2E_TMP/replay-migrations.csv" 2>/dev/null || echo 1) - 1))"
check_eq "capture-events-file" 0 "$([ -s "$EVENTS" ]; echo $?)"
check_eq "announces-all-kept" 0 "$(jqr "$REPORT" '.announces.not_kept + .announces.damaged')"

# ---- QEMU's figures beside migmeter's ------------------------------------
jq -s . "${MIGRATED[@]}" >"$E2E_TMP/qemu.json" 2>/dev/null || printf '[]\n' >"$E2E_TMP/qemu.json"
# The announces in the -w file: time and sender MAC of every RARP frame.
tshark -r "$CAP" -Y 'eth.type == 0x8035' -T fields -e frame.time_epoch -e eth.src \
	-e arp.opcode >"$E2E_TMP/rarp.tsv" 2>/dev/null
python3 "$QEMU_DIR/compare.py" --qemu "$E2E_TMP/qemu.json" --report "$REPORT" \
	--hosts "SRC=$SRC_MIG,DST=$DST_MIG" --announces "$E2E_TMP/rarp.tsv" --mac "$MAC" --guest "$GUEST_IP" \
	--uuid "$VM_UUID" --migrations-csv "$E2E_TMP/replay-migrations.csv" --events "$EVENTS" \
	--checks "$E2E_TMP/checks.tsv" --out "$E2E_TMP/compare.json"
while IFS=$'\t' read -r name ok reason; do
	if [ "$ok" = 1 ]; then
		pass "$name"
	else
		fail "$name" "$reason"
	fi
done <"$E2E_TMP/checks.tsv"
[ -s "$E2E_TMP/checks.tsv" ] || fail "compare" "compare.py wrote no checks"
# ---- side by side: QEMU's own query-migrate replies and ping's log in the record ----
# Each migration's QMP messages (its events, the final query-migrate reply) as qmp.py saved them.
for ((i = 1; i <= ${#MIGRATED[@]}; i++)); do cat "$E2E_TMP/mig-$i.qmp"; done >"$E2E_TMP/qmp.jsonl" 2>/dev/null
"$MIGMETER" replay "${MM_OPTS[@]}" --ping-interval 0.01 --format json -o "$E2E_TMP/views.json" \
	--query-migrate "$E2E_TMP/qmp.jsonl" --ping-log "$E2E_TMP/ping.out" "$CAP" 2>"$E2E_TMP/views.err"
check_eq "views-replay-exit-0" 0 "$?"
for ((i = 1; i <= ${#MIGRATED[@]}; i++)); do
	rec=".migrations[$((i - 1))]"
	check_eq "views-migration$i-qemu-by-time" "time" "$(jqr "$E2E_TMP/views.json" "$rec.views.qemu.matched_by")"
	check_eq "views-migration$i-qemu-figures" \
		"$(jq -r '"\(.ram_transferred) \(.downtime_ms) \(.total_time_ms)"' "$E2E_TMP/mig-$i.json")" \
		"$(jqr "$E2E_TMP/views.json" "$rec.views.qemu | \"\(.memory_processed_bytes) \(.downtime_s * 1000 | round) \(.time_elapsed_s * 1000 | round)\"")"
	check "views-migration$i-ping-log-episode" "no episode of ping's log in the record" \
		jq -e "$rec.views.ping.episodes | length >= 1" "$E2E_TMP/views.json" >/dev/null
	printf 'migration %d side by side: %s\n' "$i" \
		"$(jqr "$E2E_TMP/views.json" "$rec | \"wire \(.duration_s) s, \(.unique_payload_bytes) B, downtime \(.downtime_total_s) s; QEMU total-time \(.views.qemu.time_elapsed_s) s, ram.transferred \(.views.qemu.memory_processed_bytes) B, downtime \(.views.qemu.downtime_s) s; ping log \(.views.ping.downtime_s) s\"")"
done
"$MIGMETER" replay "${MM_OPTS[@]}" --ping-interval 0.01 --query-migrate "$E2E_TMP/qmp.jsonl" \
	--ping-log "$E2E_TMP/ping.out" "$CAP" 2>/dev/null | sed -n '/views side by side/,/^$/p'

if [ -n "${MM_QEMU_KEEP:-}" ]; then
	mkdir -p "$MM_QEMU_KEEP" && cp "$E2E_TMP"/{qemu.json,report.json,replay.json,replay-migrations.csv,events.csv,compare.json,rarp.tsv,ts.csv,run.pcapng,ping.out,mm.err} \
		"$E2E_TMP"/*.serial "$MM_QEMU_KEEP"/ 2>/dev/null
	printf 'kept the run in %s\n' "$MM_QEMU_KEEP"
fi
printf 'test_qemu: %s s wall time\n' "$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
summary
