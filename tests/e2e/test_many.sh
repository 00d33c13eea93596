#!/usr/bin/env bash
# test_many.sh - a long experiment in one capture: 10,000 migrations back and forth (tests/gen_many.c) replay in bounded memory with every record whole.
#
# The capture (about 125 MB, 8.3 hours of capture time) holds 10,000 QEMU
# main streams of 4096 bytes each, 3 s apart, alternating direction
# between two hosts, each followed by 3 RARP announces, and a ping every
# 100 ms to the VM; every 10th switchover loses 2 requests.  Replay must
# report 10,000 completed migrations with their switchover and their own
# episodes (1,000 over all) within 32 MB peak RSS (README "Memory"); the
# default flow table (2048 flows) must hold them all, because completed
# migrations leave it as it fills, and that must change no figure: the
# report equals the one made with a table big enough for every flow.
# The CSV outputs hold one row per migration, the events in time order.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_tools jq awk /usr/bin/time
require_binaries migmeter
GEN=$REPO_DIR/build/gen_many
[ -x "$GEN" ] || die "$GEN not built (run make build/gen_many)"

# Under AddressSanitizer (make asan) memory is the sanitizer's: the records
# are checked the same, the 32 MB bound on the plain build only.
N=10000
PLAIN=1
case $MIGMETER in
*/asan/*) PLAIN=0 N=2000 ;;	# and fewer: the sanitizer is 20 times slower
esac
CAP=$E2E_TMP/many.pcap
"$GEN" "$N" "$CAP" >"$E2E_TMP/gen.out" 2>&1 || die "gen_many failed: $(cat "$E2E_TMP/gen.out")"

# replay_rss NAME OPTION... - replays CAP; RSS=peak KB, RC=exit status.
replay_rss() {
	local name=$1
	shift
	/usr/bin/time -f %M -o "$E2E_TMP/$name.rss" "$MIGMETER" replay "${MM_OPTS[@]}" "$@" "$CAP" \
		>"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err"
	RC=$?
	RSS=$(tail -n 1 "$E2E_TMP/$name.rss")
}

J=$E2E_TMP/many.json
replay_rss json --format json -o "$J"
check_eq "json-exit-0" 0 "$RC"
if [ "$PLAIN" = 1 ]; then
	check "json-peak-rss-under-32-MB" "peak RSS ${RSS} KB" [ "$RSS" -lt 32768 ]
fi
printf 'replay of %s migrations: peak RSS %s KB%s\n' "$N" "$RSS" \
	"$([ "$PLAIN" = 1 ] || echo ' (AddressSanitizer build: the 32 MB bound is checked on the plain build)')"
check_eq "json-all-flows-fitted" "0 $N" "$(jqr "$J" '"\(.capture.flows_not_fitted) \(.migration.flows)"')"
check_eq "json-records" "$N" "$(jqr "$J" '.migrations | length')"
check_eq "json-all-completed-by-switchover" "$N" \
	"$(jqr "$J" '[.migrations[] | select(.status == "completed" and .status_reason == "switchover")] | length')"
check_eq "json-ids-in-order" "$N" "$(jqr "$J" '[.migrations | to_entries[] | select(.value.id == .key + 1)] | length')"
check_eq "json-bytes-each" "$N" "$(jqr "$J" '[.migrations[] | select(.unique_payload_bytes == 4096)] | length')"
check_eq "json-back-and-forth" "$((N / 2)) $((N / 2))" \
	"$(jqr "$J" '[.migrations[] | .source] | "\(map(select(. == "10.7.0.1")) | length) \(map(select(. == "10.7.0.2")) | length)"')"
check_eq "json-three-rarp-each" "$N" \
	"$(jqr "$J" '[.migrations[] | select(.switchover.announces == 3 and (.switchover.rarp_times | length) == 3)] | length')"
check_eq "json-episodes-own" "$((N / 10)) 0 $((N / 5))" \
	"$(jqr "$J" '"\([.migrations[].episodes | length] | add) \(.episodes_outside_migrations | length) \(.downtime.total.lost)"')"
check_eq "json-episode-every-10th" "$N" \
	"$(jqr "$J" '[.migrations[] | select((.id % 10 == 0) == ((.episodes | length) == 1))] | length')"

# The same capture with a table that never fills (nothing retired): the same report.
replay_rss big --format json -o "$E2E_TMP/big.json" --max-flows 16777216
check_eq "big-table-exit-0" 0 "$RC"
check "retiring-changes-no-figure" "reports differ" cmp -s "$J" "$E2E_TMP/big.json"

# CSV: one row per migration; events in time order.
replay_rss csv --format csv -o "$E2E_TMP/many.csv" --events "$E2E_TMP/ev.csv"
check_eq "csv-exit-0" 0 "$RC"
if [ "$PLAIN" = 1 ]; then
	check "csv-peak-rss-under-32-MB" "peak RSS ${RSS} KB" [ "$RSS" -lt 32768 ]
fi
check_eq "csv-migration-rows" "$N" "$(($(wc -l <"$E2E_TMP/many-migrations.csv") - 1))"
# connect, first payload, final burst end, 3 announces, end; 2 outage and 2 unresponsive events for every 10th
check_eq "events-rows" "$((N * 7 + 2 * (N / 5)))" "$(($(wc -l <"$E2E_TMP/ev.csv") - 1))"
check_eq "events-in-time-order" 0 \
	"$(awk -F, 'NR > 2 && $1 + 0 < prev { bad++ } NR > 1 { prev = $1 + 0 } END { print bad + 0 }' "$E2E_TMP/ev.csv")"

summary
