#!/usr/bin/env bash
# test_portsany.sh - --ports any live: migration streams on ports outside the range found by their opening bytes through the kernel filter; other TCP left out.
#
# In namespace A, `migmeter capture --ports any` listens on veth-a.  A sends
# B a QEVM main stream (2 MB) to port 8443, and a plain stream with no
# migration opening (64 KB) to port 8080; B's listener on port 10809
# greets with NBDMAGIC (an NBD server) and receives 256 KB.  The report
# must list exactly the QEMU and NBD flows with their bytes, leave the
# plain stream out (counted in capture.flows_not_migration), and a replay
# of the -w file with the default --ports must see no migration at all.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip jq
require_binaries migmeter xfer

netns_pair || die "could not create the namespace pair"
ns_port_range "$NS_A" 40100 40999 || die "port range in A"	# clear of the fixed --cport 4000N

OUT=$E2E_TMP/live.json
CAP=$E2E_TMP/live.pcapng
ip netns exec "$NS_A" "$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i veth-a --duration 4s \
	--ports any -w "$CAP" --format json -o "$OUT" >"$E2E_TMP/live.out" 2>"$E2E_TMP/live.err" </dev/null &
MM_PID=$!
track_pid "$MM_PID"
wait_until 100 grep -qs 'listening on' "$E2E_TMP/live.err" ||
	die "capture did not start: $(head -c 300 "$E2E_TMP/live.err")"

xfer_listen main 8443
MAIN_LISTEN=$LISTEN_PID
xfer_listen plain 8080
PLAIN_LISTEN=$LISTEN_PID
xfer_listen nbd 10809 --greet nbd
NBD_LISTEN=$LISTEN_PID
ip netns exec "$NS_A" "$XFER" send "$B4" 8080 65536 --magic none --cport 40003 \
	>/dev/null 2>"$E2E_TMP/plain.send.err" </dev/null || fail "xfer-plain" "$(cat "$E2E_TMP/plain.send.err")"
ip netns exec "$NS_A" "$XFER" send "$B4" 8443 2097152 --magic qemu --cport 40001 \
	>/dev/null 2>"$E2E_TMP/main.send.err" </dev/null || fail "xfer-main" "$(cat "$E2E_TMP/main.send.err")"
ip netns exec "$NS_A" "$XFER" send "$B4" 10809 262144 --magic none --cport 40002 \
	>/dev/null 2>"$E2E_TMP/nbd.send.err" </dev/null || fail "xfer-nbd" "$(cat "$E2E_TMP/nbd.send.err")"
wait "$MAIN_LISTEN"
wait "$PLAIN_LISTEN"
wait "$NBD_LISTEN"
wait "$MM_PID"
check_eq "capture-exit-0" 0 "$?"
check_eq "received" "2097152 65536 262144" \
	"$(cat "$E2E_TMP/main.out" "$E2E_TMP/plain.out" "$E2E_TMP/nbd.out" | xargs)"
check_eq "ports-any" any "$(jqr "$OUT" '.migration.ports')"
check_eq "flows-qemu-and-nbd-only" "qemu:8443 nbd:10809" \
	"$(jqr "$OUT" '[.flows[] | "\(.kind):\(.server_port)"] | join(" ")')"
check_eq "plain-stream-left-out" 1 "$(jqr "$OUT" '.capture.flows_not_migration')"
check_eq "main-stream-bytes" 2097152 "$(jqr "$OUT" '.flows[0].forward.unique_payload_bytes')"
check_eq "nbd-bytes" 262144 "$(jqr "$OUT" '.flows[1].forward.unique_payload_bytes')"
check_eq "one-migration-with-nbd" "1 main nbd" \
	"$(jqr "$OUT" '"\(.migrations | length) \([.migrations[0].flows[].role] | sort_by(. != "main") | join(" "))"')"

# The -w file with the default range: these ports are not migration ports.
"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$E2E_TMP/replay.json" "$CAP" 2>"$E2E_TMP/replay.err"
check_eq "replay-default-exit-0" 0 "$?"
check_eq "replay-default-sees-none" "0 0" "$(jqr "$E2E_TMP/replay.json" '"\(.flows | length) \(.migrations | length)"')"
"$MIGMETER" replay "${MM_OPTS[@]}" --ports any --format json -o "$E2E_TMP/replay-any.json" "$CAP" \
	2>"$E2E_TMP/replay-any.err"
check_eq "replay-any-same-flows" "$(jqr "$OUT" '[.flows[] | "\(.kind):\(.server_port)"] | join(" ")')" \
	"$(jqr "$E2E_TMP/replay-any.json" '[.flows[] | "\(.kind):\(.server_port)"] | join(" ")')"

summary
