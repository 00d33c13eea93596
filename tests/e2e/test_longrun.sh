#!/usr/bin/env bash
# test_longrun.sh - days of capture time through the live path: memory and descriptors flat, every record right.
#
# tests/gen_many.c makes one day and three days of a busy compute node: a
# migration every 10 s back and forth (a QEMU main stream, 3 RARP rounds),
# the VM pinged every second (the ICMP sequence wraps every 18 h), every
# 4th switchover losing a request, and every 5th migration followed by a
# port collision (an HTTPS fetch from an ephemeral port inside the
# migration range, its 5-tuple used again every 300 migrations) and a SYN
# nobody answers.  Three days hold 25,920 migrations, 77,760 announces
# (more than the 65,536 a table once held) and 6,480 outages (more than
# the 4,096 episodes once listed).
#
# Each goes through `migmeter capture --from FILE` -- the capture command's
# whole live path (records as migrations complete, retention, -w rotation,
# the privilege drop, the Prometheus textfile) at the file's own times --
# as a service would run it.  Checked:
#   * the peak RSS of three days is that of one day (within 1.5 MB, the
#     allocator's slack), and the worker's open descriptors, sampled every
#     0.2 s, range over the same numbers in three days as in one;
#   * every record once, completed by its switchover with 3 announces,
#     4096 unique bytes, the outage of every 4th in its own record and no
#     other -- the last day's as the first's;
#   * the one-day records equal a replay's migrations (ids, times, bytes,
#     downtime);
#   * the final report lists the newest 1000 migrations, says how many it
#     let go, and its capture totals still count every byte;
#   * the textfile's counters and histogram counts equal the records;
#   * -G 6 h -W 3 keeps three files, and --records-rotate whole lines.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools jq awk /usr/bin/time
require_binaries migmeter
GEN=$REPO_DIR/build/gen_many
[ -x "$GEN" ] || die "$GEN not built (run make build/gen_many)"

T=$E2E_TMP
# The day's migrations: every 10 s; under AddressSanitizer (20 times slower) every 40 s.
SPACING=10000
case $MIGMETER in
*/asan/*) SPACING=40000 ;;	# 6480 migrations in 3 days: still past the 1000 kept
esac
PER_DAY=$((86400000 / SPACING))
# Under a sanitizer build, freed memory is held in a quarantine: none, so RSS means the same.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0

# mode FILE FROM TO - the most frequent number among lines FROM..TO of FILE.
mode() {
	sed -n "$2,$3p" "$1" | sort -n | uniq -c | sort -k1,1nr -k2,2n | awk 'NR == 1 { print $2 }'
}

# run DAYS - generates DAYS of capture and takes it through capture --from; sets RSS, FDS, RC, N.
# FDS: the worker's usual number of open descriptors in the first half of the run and in the second
# (sampled every 0.2 s; a rotation holds the next file open a moment, the mode passes over it).
run() {
	local days=$1 d=$T/d$1 pid ppid wpid ns
	local -a fd
	N=$((PER_DAY * days))
	mkdir -p "$d"
	"$GEN" -s "$SPACING" -p 1000 -k 5 -e 4 "$N" "$d/cap.pcap" >"$d/gen.out" 2>&1 ||
		die "gen_many failed: $(cat "$d/gen.out")"
	chmod 0755 "$d"
	/usr/bin/time -f %M -o "$d/rss" "$MIGMETER" capture "${MM_OPTS[@]}" -q --from "$d/cap.pcap" \
		--records "$d/r.jsonl" --records-rotate 2M --prom-textfile "$d/m.prom" --node hv01 \
		-w "$d/w-%Y%m%d-%H%M%S.pcap" -G 21600 -W 3 --format json -o "$d/report.json" \
		>"$d/out" 2>"$d/err" </dev/null &
	pid=$!
	track_pid "$pid"
	: >"$d/fds"
	# The worker (-Z nobody) is the root parent's child, under /usr/bin/time: found once, then
	# its descriptors counted with shell builtins only (no process started per sample).
	wpid=
	while [ -z "$wpid" ] && kill -0 "$pid" 2>/dev/null; do
		ppid=$(pgrep -P "$pid" 2>/dev/null | head -n 1)
		wpid=${ppid:+$(pgrep -P "$ppid" 2>/dev/null | head -n 1)}
		[ -n "$wpid" ] || sleep 0.05
	done
	while [ -n "$wpid" ] && [ -d "/proc/$wpid/fd" ]; do
		fd=(/proc/"$wpid"/fd/*)
		[ -e "${fd[0]}" ] && echo "${#fd[@]}" >>"$d/fds"
		sleep 0.2
	done
	wait "$pid"
	RC=$?
	RSS=$(tail -n 1 "$d/rss")
	ns=$(wc -l <"$d/fds")
	FDS="$(mode "$d/fds" 1 $((ns / 2))) $(mode "$d/fds" $((ns / 2 + 1)) "$ns")"
	printf '%s day(s): %s migrations, peak RSS %s KB, worker descriptors %s (first half, second half of %s samples), %s\n' \
		"$days" "$N" "$RSS" "$FDS" "$ns" "$(cat "$d/gen.out")"
}

# records_ok NAME DIR N - every record of the run right, in the rotated files too.
records_ok() {
	local name=$1 d=$2 n=$3
	cat "$d"/r.jsonl.* "$d/r.jsonl" 2>/dev/null >"$d/all.jsonl"
	check_eq "$name-every-record-once" "$n $n" \
		"$(wc -l <"$d/all.jsonl" | tr -d ' ') $(jq -r .id "$d/all.jsonl" | sort -un | wc -l | tr -d ' ')"
	check_eq "$name-ids-1-to-n" "1 $n" "$(jq -s -r '"\(map(.id) | min) \(map(.id) | max)"' "$d/all.jsonl")"
	check_eq "$name-completed-by-switchover-3-announces" "$n" \
		"$(jq -c 'select(.status == "completed" and .status_reason == "switchover" and .switchover.announces == 3)' \
			"$d/all.jsonl" | wc -l | tr -d ' ')"
	check_eq "$name-bytes-each" "$n" "$(jq -c 'select(.unique_payload_bytes == 4096)' "$d/all.jsonl" | wc -l | tr -d ' ')"
	# Records in start order: the outage of every 4th (i % 4 == 3, counting from 0) is its own.
	check_eq "$name-outages-where-they-were" "$((n / 4)) 0" "$(jq -s -r '
		sort_by(.start) | to_entries
		| [map(select(.key % 4 == 3 and (.value.episodes | length) == 1 and .value.episodes[0].lost == 1
		              and .value.downtime_total_s > 0)) | length,
		   map(select(.key % 4 != 3 and (.value.episodes | length) != 0)) | length] | "\(.[0]) \(.[1])"' "$d/all.jsonl")"
	check_eq "$name-last-day-outages-listed" "$((PER_DAY / 4))" "$(jq -s -r --argjson day "$PER_DAY" '
		sort_by(.start) | .[-$day:] | map(select((.episodes | length) == 1)) | length' "$d/all.jsonl")"
	check "$name-records-rotated-whole" "$(ls "$d")" \
		bash -c "[ \$(ls '$d'/r.jsonl.* 2>/dev/null | wc -l) -ge 1 ] && for f in '$d'/r.jsonl.*; do jq -e . \"\$f\" >/dev/null || exit 1; done"
}

# ---- --from: usage ---------------------------------------------------------
"$GEN" -s 10000 -p 1000 3 "$T/small.pcap" >/dev/null || die "gen_many failed"
usage() {
	local name=$1 want=$2
	shift 2
	"$MIGMETER" capture "${MM_OPTS[@]}" -q "$@" >"$T/u.out" 2>"$T/u.err" </dev/null
	check_eq "usage-$name" "$want 1" "$? $(wc -l <"$T/u.err" | tr -d ' ')"
}
usage from-and-i 2 --from "$T/small.pcap" -i lo -o "$T/u.json"
usage from-and-icmp-iface 2 --from "$T/small.pcap" --icmp-iface lo -o "$T/u.json"
usage from-missing 1 --from "$T/none.pcap" -o "$T/u.json"
usage from-is-output 2 --from "$T/small.pcap" -o "$T/small.pcap"
"$GEN" -s 10000 -p 1000 3 "$T/small2.pcap" >/dev/null
check "usage-input-untouched" "small.pcap changed" cmp -s "$T/small.pcap" "$T/small2.pcap"
# From standard input, and -c: the first 2 completed migrations, as a replay has them.
"$MIGMETER" capture "${MM_OPTS[@]}" -q -Z root --from - -c 2 --records "$T/c.jsonl" --format json -o "$T/c.json" \
	<"$T/small.pcap" >"$T/c.out" 2>&1
check_eq "from-stdin-count" "0 2 2" "$? $(wc -l <"$T/c.jsonl" | tr -d ' ') $(jq '.migrations | length' "$T/c.json")"

# --records-rotate DURATION goes by the capture's own time under --from: a day
# of a migration a minute (replayed in about a second) in four files of 6 h,
# named by the capture's time at each rotation; every record once.
mkdir -p "$T/rr"
"$GEN" -s 60000 -p 1000 1440 "$T/rr/day.pcap" >/dev/null || die "gen_many failed"
"$MIGMETER" capture "${MM_OPTS[@]}" -q -Z root --from "$T/rr/day.pcap" --records "$T/rr/r.jsonl" \
	--records-rotate 6h -o /dev/null >"$T/rr/out" 2>&1
check_eq "rotate-by-capture-time-exit" 0 "$?"
check_eq "rotate-by-capture-time-files" "4 1440 1440" \
	"$(ls "$T"/rr/r.jsonl* | wc -l) $(cat "$T"/rr/r.jsonl* | wc -l) $(cat "$T"/rr/r.jsonl* | jq -s 'map(.id) | unique | length')"
check_eq "rotate-by-capture-time-spans" "360 360 360 360" "$(for f in $(ls "$T"/rr/r.jsonl.* "$T"/rr/r.jsonl); do
	jq -s 'length' "$f"; done | tr '\n' ' ' | sed 's/ $//')"
check "rotate-by-capture-time-names" "$(ls "$T/rr")" bash -c "
	first=\$(jq -s -r 'min_by(.start) | .start' '$T/rr/r.jsonl.'*)
	for f in '$T'/rr/r.jsonl.*; do
		n=\${f##*.}; t=\$(date -u -d \"\${n:0:4}-\${n:4:2}-\${n:6:2} \${n:9:2}:\${n:11:2}:\${n:13:2}\" +%s)
		last=\$(jq -s 'max_by(.start) | .start' \"\$f\")
		awk -v t=\"\$t\" -v l=\"\$last\" 'BEGIN { exit !(t >= l && t - l < 120) }' || exit 1
	done"

run 1
RSS1=$RSS FDS1=$FDS
check_eq "day-exit" 0 "$RC"
check "day-descriptors-flat" "worker descriptors $FDS1" test "${FDS1% *}" = "${FDS1#* }" -a -n "${FDS1% *}"
records_ok day "$T/d1" "$N"
# The same migrations as a replay of the capture (which holds every one).
"$MIGMETER" replay "${MM_OPTS[@]}" -q --format json -o "$T/d1/replay.json" "$T/d1/cap.pcap" ||
	fail "day-replay" "replay failed"
FIGS='{id, start, "end": .end, unique_payload_bytes, downtime_total_s,
	episodes: [.episodes[] | {first_lost_ts, end_ts, lost}], resumed: .switchover.resumed, flows: [.flows[] | .client_port]}'
check_eq "day-records-equal-replay" "$(jq -c ".migrations[] | $FIGS" "$T/d1/replay.json" | md5sum)" \
	"$(jq -s -c "sort_by(.id)[] | $FIGS" "$T/d1/all.jsonl" | md5sum)"

run 3
RSS3=$RSS
check_eq "days-exit" 0 "$RC"
# The same descriptors open on the third day as on the first.
check_eq "descriptors-flat-over-days" "$FDS1" "$FDS"
check "memory-flat-over-days" "peak RSS $RSS1 KB for 1 day, $RSS3 KB for 3 days" test $((RSS3 - RSS1)) -le 1536
records_ok days "$T/d3" "$N"
R=$T/d3/report.json
check_eq "report-lists-newest" "1000 $N" "$(jq -r '"\(.migrations | length) \(.migrations[-1].id)"' "$R")"
check_eq "report-says-what-it-let-go" "$((N - 1000)) true" \
	"$(jq -r '"\(.retention.records_not_listed) \(.retention.active)"' "$R")"
# All but the announces and outages of the last 1000 migrations or so were let go.
check "report-let-go-announces-episodes" "$(jq -c .retention "$R")" \
	test "$(jq -r '.retention.announces_not_listed' "$R")" -ge $((3 * (N - 1100))) \
	-a "$(jq -r '.retention.episodes_not_listed' "$R")" -ge $(((N - 1100) / 4))
check_eq "report-totals-every-byte" "$((N * 4096)) $N" \
	"$(jq -r '"\(.migration.unique_payload_bytes) \(.migration.flows - .migration.collisions)"' "$R" 2>/dev/null)"
check_eq "report-announces-every-one" "$((N * 3))" "$(jq -r '.announces.rarp' "$R")"
# Prometheus textfile: the counters and histogram counts are the records.
P=$T/d3/m.prom
check_eq "prom-completed" "$N" "$(awk '/^migmeter_migrations_total\{.*status="completed"/ { s += $2 } END { print s + 0 }' "$P")"
check_eq "prom-duration-count" "$N" "$(awk '/^migmeter_migration_duration_seconds_count/ { s += $2 } END { print s + 0 }' "$P")"
check_eq "prom-downtime-count" "$((N / 4))" \
	"$(awk '/^migmeter_migration_downtime_seconds_count/ { s += $2 } END { print s + 0 }' "$P")"
check_eq "ring-three-files" 3 "$(find "$T/d3" -name 'w-*.pcap' | wc -l)"
if [ "$SPACING" = 10000 ]; then
	check "rss-bounded" "peak RSS $RSS3 KB" test "$RSS3" -lt 32768
	check "past-the-old-announce-cap" "$((N * 3)) announces" test $((N * 3)) -gt 65536
else
	printf 'AddressSanitizer build: the 32 MB bound is checked on the plain build\n'
fi

summary
