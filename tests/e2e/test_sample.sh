#!/usr/bin/env bash
# test_sample.sh - golden test: the committed sample capture must still give the committed expected report.
#
# samples/migration-49152.pcapng is replayed and its JSON report compared
# with samples/migration-49152.expected.json (both normalised by jq: keys
# sorted, the tool version removed, as it changes with every release).
# The figures the sample was made with (samples/README.md) are checked on
# their own too, so a regenerated golden file cannot hide a wrong count.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_tools jq editcap diff
require_binaries migmeter

SAMPLE=samples/migration-49152.pcapng
EXPECTED=samples/migration-49152.expected.json
cd "$REPO_DIR" || die "cannot cd to $REPO_DIR"
[ -s "$SAMPLE" ] || die "$SAMPLE missing (samples/make-sample.sh makes it)"
[ -s "$EXPECTED" ] || die "$EXPECTED missing"

NORM='del(.tool.version)'
GOT=$E2E_TMP/sample.json
# The path is given relative to the repository, as when the golden file was made.
"$MIGMETER" replay --bpf-dir bpf --format json -o "$GOT" "$SAMPLE" 2>"$E2E_TMP/sample.err"
rc=$?
check_eq "sample-replay-exit-0" 0 "$rc"
if jq -S "$NORM" "$EXPECTED" >"$E2E_TMP/want.n" 2>/dev/null &&
	jq -S "$NORM" "$GOT" >"$E2E_TMP/got.n" 2>/dev/null &&
	diff -u "$E2E_TMP/want.n" "$E2E_TMP/got.n" >"$E2E_TMP/golden.diff"; then
	pass "sample-matches-golden-json"
else
	fail "sample-matches-golden-json" "report differs from $EXPECTED:
$(head -n 40 "$E2E_TMP/golden.diff")"
fi

# What the sample is known to contain (samples/README.md).
flow() {
	jq -r "[.flows[] | select($1)] | if length == 1 then .[0] | $2 else \"count=\" + (length | tostring) end" "$GOT"
}
check_eq "sample-qemu-49152" "migration qemu 1048576" \
	"$(flow '.server_port == 49152' '"\(.class) \(.kind) \(.forward.unique_payload_bytes)"')"
check_eq "sample-multifd-49153" "migration multifd 262144" \
	"$(flow '.server_port == 49153' '"\(.class) \(.kind) \(.forward.unique_payload_bytes)"')"
check_eq "sample-nbd-49154" "migration nbd 65536 18" \
	"$(flow '.server_port == 49154' '"\(.class) \(.kind) \(.forward.unique_payload_bytes) \(.reverse.unique_payload_bytes)"')"
check_eq "sample-iperf3-cport-49200" "collision 5201" \
	"$(flow '.client_port == 49200' '"\(.class) \(.server_port)"')"
check_eq "sample-migration-totals" "3 1 1376256" \
	"$(jqr "$GOT" '.migration | "\(.flows) \(.collisions) \(.forward.unique_payload_bytes)"')"
# The ping stream and its one imposed 1.000 s outage; ping's summary said 300 sent, 237 received.
check_eq "sample-ping-counts" "1 300 237 63 1" \
	"$(jqr "$GOT" '.downtime | "\(.streams | length) \(.total.requests) \(.total.replies) \(.total.lost) \(.total.episodes)"')"
check "sample-outage-within-2-intervals" "estimate not within 2 intervals of the imposed 1.000 s" \
	float_close "$(jqr "$GOT" '.downtime.streams[0].episodes[0].estimate_s')" 1.0 \
	"$(awk -v i="$(jqr "$GOT" '.downtime.streams[0].interval_s')" 'BEGIN { printf "%.6f", 2 * i }')"
check "sample-outage-inside-bounds" "the imposed 1.000 s is outside [lower, upper]" \
	awk -v l="$(jqr "$GOT" '.downtime.streams[0].episodes[0].lower_s')" \
	-v u="$(jqr "$GOT" '.downtime.streams[0].episodes[0].upper_s')" 'BEGIN { exit !(l <= 1.0 && 1.0 <= u) }'

# The same capture cut to 96 bytes a frame: headers and 30 payload bytes
# remain, enough for every count and every stream kind.
editcap -s 96 "$SAMPLE" "$E2E_TMP/snap96.pcapng" 2>/dev/null || die "editcap -s 96 failed"
"$MIGMETER" replay --bpf-dir bpf --format json -o "$E2E_TMP/snap96.json" "$E2E_TMP/snap96.pcapng" 2>/dev/null
rc=$?
check_eq "snap96-exit-0" 0 "$rc"
SUMMARY='[.migration | .flows, .collisions, .packets, .wire_bytes, .unique_payload_bytes, .forward.payload_bytes], [.flows[] | .kind, .forward.unique_payload_bytes, .reverse.wire_bytes], [.downtime.streams[] | .lost, (.episodes[] | .estimate_s)]'
check_eq "snap96-same-counts-and-kinds" "$(jq -c "$SUMMARY" "$GOT")" "$(jq -c "$SUMMARY" "$E2E_TMP/snap96.json" 2>/dev/null)"

# make demo prints the text report of the sample.
"$MIGMETER" replay --bpf-dir bpf "$SAMPLE" >"$E2E_TMP/sample.txt" 2>&1
rc=$?
check_eq "sample-text-exit-0" 0 "$rc"
check "sample-text-mentions-1048576" "text report lacks 1048576" grep -q 1048576 "$E2E_TMP/sample.txt"

summary
