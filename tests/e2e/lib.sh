# lib.sh - shared helpers for the end-to-end tests; sourced, never run.
# shellcheck shell=bash
#
# Provides: named checks (pass/fail/skip/summary), cleanup of everything a
# test starts (trap EXIT), a pair of network namespaces joined by a veth,
# capture start/stop, waiting for listeners, and JSON access through jq.
#
# Every test is run with no terminal and no input; all waits are bounded.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$E2E_DIR/../.." && pwd)
MIGMETER=${MIGMETER:-$REPO_DIR/migmeter}
XFER=${XFER:-$REPO_DIR/build/xfer}
# Options every replay gets (the BPF files of the source tree, not the installed ones).
# shellcheck disable=SC2034  # used by the tests that source this file
MM_OPTS=(--bpf-dir "$REPO_DIR/bpf")

E2E_PASS=0
E2E_FAIL=0
E2E_PIDS=()
E2E_NETNS=()
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mm-e2e.XXXXXX")

# ---- checks --------------------------------------------------------------

pass() {
	E2E_PASS=$((E2E_PASS + 1))
	printf 'PASS: %s\n' "$1"
}

# fail NAME REASON
fail() {
	E2E_FAIL=$((E2E_FAIL + 1))
	printf 'FAIL: %s: %s\n' "$1" "${2:-}"
}

# skip NAME REASON - not counted; says why.
skip() {
	printf 'SKIP: %s: %s\n' "$1" "${2:-no reason given}"
}

# check NAME REASON CMD... - pass when CMD succeeds, else fail with REASON.
check() {
	local name=$1 reason=$2
	shift 2
	if "$@"; then
		pass "$name"
	else
		fail "$name" "$reason"
	fi
}

# check_eq NAME EXPECTED GOT
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected '$2', got '$3'"
	fi
}

# summary - prints "N passed, N failed"; returns non-zero if any failed.
summary() {
	printf '%d passed, %d failed\n' "$E2E_PASS" "$E2E_FAIL"
	[ "$E2E_FAIL" -eq 0 ]
}

# die MESSAGE - a set-up error: counted as a failure, summary, exit 1.
die() {
	fail "setup" "$1"
	summary
	exit 1
}

# ---- environment ---------------------------------------------------------

# require_root - live tests need root; CI is root and must never skip them.
require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		die "must run as root (network namespaces, tcpdump, nftables); refusing to skip live tests"
	fi
}

# require_tools TOOL... - fails the suite naming the missing tools.
require_tools() {
	local t missing=()
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		die "missing tools: ${missing[*]} (scripts/setup-deps.sh test installs them)"
	fi
}

# require_binaries NAME... - each of migmeter, xfer must be built.
require_binaries() {
	local b
	for b in "$@"; do
		case $b in
		migmeter) [ -x "$MIGMETER" ] || die "$MIGMETER not built (run make)" ;;
		xfer) [ -x "$XFER" ] || die "$XFER not built (run make build/xfer)" ;;
		esac
	done
}

# ---- cleanup -------------------------------------------------------------

# track_pid PID - killed (TERM, then KILL) and reaped at exit.
track_pid() {
	E2E_PIDS+=("$1")
}

e2e_cleanup() {
	local pid ns i
	for pid in "${E2E_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${E2E_PIDS[@]}"; do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	E2E_PIDS=()
	for ns in "${E2E_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	E2E_NETNS=()
	if [ -n "${E2E_KEEP:-}" ]; then
		printf 'kept %s\n' "$E2E_TMP" >&2
	else
		rm -rf "$E2E_TMP"
	fi
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- namespaces ----------------------------------------------------------

# netns_pair - creates namespaces $NS_A and $NS_B joined by veth-a <-> veth-b.
#   A: 10.199.0.1/24, fd00:199::1/64   B: 10.199.0.2/24, fd00:199::2/64
# Names include $$ and a counter so parallel runs never clash; the veth
# ends are created inside the namespaces, so nothing appears on the host.
E2E_NS_SEQ=0
netns_pair() {
	E2E_NS_SEQ=$((E2E_NS_SEQ + 1))
	NS_A="mm-e2e-$$-$E2E_NS_SEQ-a"
	NS_B="mm-e2e-$$-$E2E_NS_SEQ-b"
	A4=10.199.0.1 B4=10.199.0.2 A6=fd00:199::1 B6=fd00:199::2
	ip netns add "$NS_A" || return 1
	E2E_NETNS+=("$NS_A")
	ip netns add "$NS_B" || return 1
	E2E_NETNS+=("$NS_B")
	ip link add veth-a netns "$NS_A" type veth peer name veth-b netns "$NS_B" || return 1
	ns_setup_side "$NS_A" veth-a "$A4" "$A6" || return 1
	ns_setup_side "$NS_B" veth-b "$B4" "$B6" || return 1
	# Both ends must be up and reachable before anything is measured.
	wait_until 50 ip netns exec "$NS_A" ping -c 1 -W 1 -q "$B4" >/dev/null 2>&1 || return 1
	wait_until 50 ip netns exec "$NS_A" ping -c 1 -W 1 -q "$B6" >/dev/null 2>&1 || return 1
}

ns_setup_side() {
	local ns=$1 dev=$2 v4=$3 v6=$4
	ip -n "$ns" link set lo up &&
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 &&
		ip -n "$ns" addr add "$v4/24" dev "$dev" &&
		ip -n "$ns" addr add "$v6/64" dev "$dev" nodad &&
		ip -n "$ns" link set "$dev" up
}

# shape_link NS DEV RATE - paces DEV's egress to RATE (tc htb): tcpdump,
# writing every frame to a file, keeps up with a paced veth on a loaded
# 2-core machine, not with an unpaced one.
shape_link() {
	tc -n "$1" qdisc add dev "$2" root handle 1: htb default 10 &&
		tc -n "$1" class add dev "$2" parent 1: classid 1:10 htb rate "$3" ceil "$3" quantum 65536
}

# ns_port_range NS LO HI - the namespace's ephemeral (client) port range.
ns_port_range() {
	ip netns exec "$1" sysctl -qw net.ipv4.ip_local_port_range="$2 $3"
}

# ---- waiting -------------------------------------------------------------

# wait_until TRIES CMD... - runs CMD every 0.1 s until it succeeds, at most TRIES times.
wait_until() {
	local tries=$1 i
	shift
	for ((i = 0; i < tries; i++)); do
		if "$@"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# tcp_listening NS PORT - true when something in NS listens on TCP PORT.
tcp_listening() {
	[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null)" ]
}

# wait_listen NS PORT - waits (5 s at most) for a TCP listener.
wait_listen() {
	wait_until 50 tcp_listening "$1" "$2"
}

# ---- capture -------------------------------------------------------------

# capture_start NS IFACE FILE [TCPDUMP-OPTION...] - starts tcpdump in NS
# writing FILE (packet-buffered, immediate mode) and returns once it is
# really capturing.  Sets CAP_PID; the log is FILE.log.
capture_start() {
	local ns=$1 ifc=$2 file=$3
	shift 3
	rm -f "$file" "$file.log"
	ip netns exec "$ns" tcpdump -Z root -i "$ifc" -w "$file" -U --immediate-mode -B 16384 \
		"$@" >"$file.log" 2>&1 </dev/null &
	CAP_PID=$!
	track_pid "$CAP_PID"
	# tcpdump says "listening on" once the handle is active: from then on
	# every frame is kept.
	if ! wait_until 100 grep -q 'listening on' "$file.log"; then
		printf 'capture did not start: %s\n' "$(cat "$file.log")" >&2
		return 1
	fi
}

# capture_stop FILE - SIGINT to the capture started last, waits for it;
# fails when the kernel dropped frames.
capture_stop() {
	local file=$1
	# Let the last frames (FIN/ACK, last replies) reach the capture.
	sleep 0.2
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
	if grep -Eq '^[1-9][0-9]* packets? dropped by kernel' "$file.log"; then
		printf 'capture dropped frames: %s\n' "$(cat "$file.log")" >&2
		return 1
	fi
	[ -s "$file" ]
}

# ---- helpers for results -------------------------------------------------

# jqr FILE FILTER - raw jq output (one value).
jqr() {
	jq -r "$2" "$1"
}

# tshark_sum FILE DISPLAY-FILTER FIELD - sum of FIELD over matching frames.
tshark_sum() {
	tshark -r "$1" -Y "$2" -T fields -e "$3" 2>/dev/null |
		awk '{ s += $1 } END { printf "%d\n", s }'
}

# csv_col_sum FILE COLUMN - sum of the CSV column named COLUMN (header line 1).
csv_col_sum() {
	awk -F, -v c="$2" '
	NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
	k { s += $k }
	END { if (!k) { print "no-column-" c; exit } printf "%.0f\n", s }' "$1"
}

# one_of VALUE CHOICE... - VALUE equals one of the choices.
one_of() {
	local v=$1 c
	shift
	for c in "$@"; do
		[ "$v" = "$c" ] && return 0
	done
	return 1
}

# float_close A B TOL - |A - B| <= TOL.
float_close() {
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'
}

# xfer_listen NAME PORT [XFER-LISTEN-OPTION...] - an xfer listener in $NS_B, in
# the background (its PID in LISTEN_PID); what it received goes to
# $E2E_TMP/NAME.out, its stderr to $E2E_TMP/NAME.err.  Returns once it listens.
xfer_listen() {
	local name=$1 port=$2
	shift 2
	ip netns exec "$NS_B" "$XFER" listen --timeout 30 "$@" "$port" \
		>"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" </dev/null &
	track_pid $!
	LISTEN_PID=$!
	wait_listen "$NS_B" "$port" || die "listener $name on $port did not come up"
}

# iperf3_hold_test_end NS PORT CPORT - makes iperf3 -n exact on the wire.
# iperf3 -n ends the test on its control connection (a one-byte TEST_END
# message) as soon as the client has *written* the last byte; a server that
# reads it before the data closes the data connection with a reset, and what
# is still queued is never sent.  Dropping the first transmissions of that
# message in NS (the kernel resends it after a timeout) lets every byte
# iperf3 counts as sent reach the wire first.  The client's data connection
# must use --cport CPORT (its control connection an ephemeral port).
iperf3_hold_test_end() {
	ip netns exec "$1" nft -f - <<EOF
table inet mmiperf {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp dport $2 tcp sport != $3 @ih,0,8 4 quota until 200 bytes drop
	}
}
EOF
}
