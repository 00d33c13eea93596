#!/usr/bin/env bash
# test_logs.sh - the other views of a migration (ping output, nova-compute.log, the migration list, domjobinfo, query-migrate) read alone and side by side with the wire.
#
# Cases:
#  fixtures  tests/logs/ (written from the documented formats): every figure
#            the logs command gives, the log time zone, the classic hand
#            figures against the hand formulas, the misleading notes.
#  hostile   damaged inputs: one line naming FILE:LINE, exit 1; overlong and
#            unknown lines counted, never fatal; a zone that does not exist.
#  side      replay of tests/fixtures/mig_5x.pcap (5 migrations) with views
#            generated from its own records (nova log in America/New_York, a
#            migration list in UTC, domjobinfo, QMP with events, ping -D from
#            the capture's echo frames): each entry lands on its migration,
#            the extra ones are listed unmatched, the text has the table.
#  live      real ping runs in namespaces (plain and -D -O at once) through an
#            nftables outage of a known second, captured by tcpdump: the
#            episodes from each log agree with the capture's within one
#            interval, and the classic figures equal the hand formulas
#            exactly; two outages give "several outages" and the note.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip tcpdump tshark nft ping jq awk
require_binaries migmeter

LOGS=$REPO_DIR/tests/logs
FIX=$REPO_DIR/tests/fixtures
[ -s "$FIX/mig_5x.pcap" ] || die "$FIX/mig_5x.pcap missing (make build/gen_fixtures; build/gen_fixtures tests/fixtures)"

# mm NAME ARG... - runs migmeter; RC; stdout/stderr in $E2E_TMP/NAME.{out,err}.
mm() {
	local name=$1
	shift
	"$MIGMETER" "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" </dev/null
	RC=$?
}

# num_eq A B - the same number (jq prints 1.500000 as 1.5).
num_eq() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a + 0 == b + 0) }'
}

# check_num NAME EXPECTED GOT - check_eq for numbers.
check_num() {
	check "$1" "expected $2, got $3" num_eq "$2" "$3"
}

# jq_true FILE FILTER - the filter's result is true.
jq_true() {
	jq -e "$2" "$1" >/dev/null 2>&1
}

# f6 EXPR - an awk expression printed with 6 decimals (the hand formula).
f6() {
	awk "BEGIN { printf \"%.6f\", $1 }"
}

# ---- fixtures ------------------------------------------------------------
case_fixtures() {
	local j=$E2E_TMP/fx.json
	mm fx-ping-d logs --ping "$LOGS/ping-D-outage.txt" --ping-interval 0.01 --format json -o "$j"
	check_eq "fx-ping-d-exit-0" 0 "$RC"
	check_eq "fx-ping-d-times" "absolute (-D)" "$(jqr "$j" '.views.ping.runs[0].times')"
	check_eq "fx-ping-d-one-episode" "1 101 200 100" \
		"$(jqr "$j" '.views.ping.runs[0] | "\(.episodes|length) \(.episodes[0].first_seq) \(.episodes[0].last_seq) \(.episodes[0].lost)"')"
	check_eq "fx-ping-d-start" "1773479721" "$(jqr "$j" '.views.ping.runs[0].episodes[0].start')"
	check_eq "fx-ping-d-estimate" "1" "$(jqr "$j" '.views.ping.runs[0].episodes[0].estimate_s')"
	check_eq "fx-ping-d-bounds" "0.99 1.01" \
		"$(jqr "$j" '.views.ping.runs[0].episodes[0] | "\(.lower_s) \(.upper_s)"')"
	check_eq "fx-ping-d-interval" "0.01 -D times (median gap)" \
		"$(jqr "$j" '.views.ping.runs[0] | "\(.interval_s) \(.interval_from)"')"
	check_eq "fx-ping-d-counts" "200 1 100 1" \
		"$(jqr "$j" '.views.ping.runs[0] | "\(.reply_lines) \(.dup_lines) \(.no_answer_lines) \(.duplicates)"')"
	# time x loss %: 2990 ms x 33.3333 % by hand.
	check_num "fx-ping-d-time-x-loss" "$(f6 "2.990 * 33.3333 / 100")" "$(jqr "$j" '.views.ping.runs[0].classic.time_x_loss_s')"
	check_num "fx-ping-d-lost-x-asked" "$(f6 "100 * 0.01")" "$(jqr "$j" '.views.ping.runs[0].classic.lost_x_asked_interval_s')"
	check_eq "fx-ping-d-continuity" "one outage" "$(jqr "$j" '.views.ping.runs[0].classic.continuity')"

	mm fx-ping-plain logs --ping "$LOGS/ping-plain-two-outages.txt" --ping-interval 0.02 --format json -o "$j"
	check_eq "fx-ping-plain-exit-0" 0 "$RC"
	check_eq "fx-ping-plain-episodes" "100/1.001669 50/0.500834" \
		"$(jqr "$j" '[.views.ping.runs[0].episodes[] | "\(.lost)/\(.estimate_s)"] | join(" ")')"
	check_eq "fx-ping-plain-interval" "0.010016694 time / (transmitted - 1)" \
		"$(jqr "$j" '.views.ping.runs[0] | "\(.interval_s) \(.interval_from)"')"
	check_num "fx-ping-plain-lost-x-interval" "$(f6 "150 * 6.000 / 599")" "$(jqr "$j" '.views.ping.runs[0].classic.lost_x_interval_s')"
	check_num "fx-ping-plain-time-x-loss" "$(f6 "6.000 * 25 / 100")" "$(jqr "$j" '.views.ping.runs[0].classic.time_x_loss_s')"
	check_eq "fx-ping-plain-several" "several outages" "$(jqr "$j" '.views.ping.runs[0].classic.continuity')"
	check "fx-ping-plain-misleads" "no note about several outages / the asked interval" \
		sh -c "jq -r '.views.ping.runs[0].classic.misleading[]' '$j' | grep -q '2 separate outages' &&
			jq -r '.views.ping.runs[0].classic.misleading[]' '$j' | grep -q 'not the asked'"

	mm fx-nova logs --nova-log "$LOGS/nova-compute.log" --log-tz Europe/Berlin --format json -o "$j"
	check_eq "fx-nova-exit-0" 0 "$RC"
	check_eq "fx-nova-tz" "Europe/Berlin --log-tz" "$(jqr "$j" '.views.log_tz | "\(.zone) \(.from)"')"
	check_eq "fx-nova-migrations" "completed aborted completed" "$(jqr "$j" '[.views.nova.migrations[].status] | join(" ")')"
	# 10:15:21.338 in Berlin (CET, UTC+1) is 09:15:21.338Z.
	check_eq "fx-nova-start-utc" "2026-03-14T09:15:21.338000Z" "$(jqr "$j" '.views.nova.migrations[0].start_utc')"
	check_eq "fx-nova-duration" "10.567" "$(jqr "$j" '.views.nova.migrations[0].duration_s')"
	check_eq "fx-nova-steps" "0.05/0 0.092/8" \
		"$(jqr "$j" '[.views.nova.migrations[0].downtime_steps[] | "\(.downtime_s)/\(.after_s)"] | join(" ")')"
	check_eq "fx-nova-progress" "2 611516416" \
		"$(jqr "$j" '.views.nova.migrations[0] | "\(.progress|length) \(.progress[1].memory_processed_bytes)"')"
	check_eq "fx-nova-lifecycle" "1773479731.41 1773479733.02" \
		"$(jqr "$j" '.views.nova.migrations[0] | "\(.paused) \(.stopped)"')"
	check_eq "fx-nova-aborted-instance" "1b2c3d4e-0000-4fff-8eee-abcdefabcdef" "$(jqr "$j" '.views.nova.migrations[1].instance')"
	check_eq "fx-nova-lone-event" "Resumed" "$(jqr "$j" '.views.nova.lifecycle_events[0].event')"
	check_eq "fx-nova-unknown-lines" "3" "$(jqr "$j" '.views.nova.unknown_lines')"
	local utc
	mm fx-nova-utc logs --nova-log "$LOGS/nova-compute.log" --log-tz UTC --format json -o "$E2E_TMP/fx-utc.json"
	utc=$(jqr "$E2E_TMP/fx-utc.json" '.views.nova.migrations[0].start')
	check_eq "fx-nova-tz-shifts-one-hour" "3600.000" \
		"$(awk -v a="$utc" -v b="$(jqr "$j" '.views.nova.migrations[0].start')" 'BEGIN { printf "%.3f", a - b }')"
	TZ=Asia/Tokyo "$MIGMETER" logs --nova-log "$LOGS/nova-compute.log" --format json -o "$E2E_TMP/fx-tok.json" 2>/dev/null
	check_eq "fx-nova-tz-from-TZ" "Asia/Tokyo TZ" "$(jqr "$E2E_TMP/fx-tok.json" '.views.log_tz | "\(.zone) \(.from)"')"
	mm fx-nova-text logs --nova-log "$LOGS/nova-compute.log" --log-tz +05:30
	check "fx-nova-text-names-zone" "the text does not say which zone" grep -q 'local time in +05:30 (from --log-tz)' "$E2E_TMP/fx-nova-text.out"

	mm fx-list logs --migration-list "$LOGS/nova-migration-list.txt" --format json -o "$j"
	check_eq "fx-list-rows" "31/live-migration/16 32/live-migration/15 33/live-migration/12 34/resize/61" \
		"$(jqr "$j" '[.views.migration_list.rows[] | "\(.id)/\(.type)/\(.span_s)"] | join(" ")')"
	check_eq "fx-list-utc" "2026-03-14T09:15:18.000000Z 10.20.0.12" \
		"$(jqr "$j" '.views.migration_list.rows[0] | "\(.created_utc) \(.dest_host)"')"
	mm fx-oslist logs --migration-list "$LOGS/openstack-migration-list.txt" --format json -o "$j"
	check_eq "fx-openstack-list" "33 8e1c2f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6 cmp-b cmp-a" \
		"$(jqr "$j" '.views.migration_list.rows[0] | "\(.id) \(.instance) \(.source_compute) \(.dest_compute)"')"

	mm fx-dom logs --domjobinfo "$LOGS/domjobinfo.txt" --format json -o "$j"
	check_eq "fx-dom-exit-0" 0 "$RC"
	check_eq "fx-dom-jobs" "10.412/0.087/0.071/0.014 6.95/0.048/0.04/0.011" \
		"$(jqr "$j" '[.views.domjobinfo.jobs[] | "\(.time_elapsed_s)/\(.downtime_s)/\(.downtime_wo_network_s)/\(.setup_s)"] | join(" ")')"
	# 958.204 MiB = 958.204 x 1048576 bytes, rounded.
	check_eq "fx-dom-bytes" "$(awk 'BEGIN { printf "%.0f", 958.204 * 1048576 }')" "$(jqr "$j" '.views.domjobinfo.jobs[1].data_processed_bytes')"
	check_eq "fx-dom-bandwidth-bits" "$(awk 'BEGIN { printf "%.0f", int(112.317 * 1048576 + 0.5) * 8 }')" \
		"$(jqr "$j" '.views.domjobinfo.jobs[0].memory_bps')"

	mm fx-qmp logs --query-migrate "$LOGS/query-migrate.json" --format json -o "$j"
	check_eq "fx-qmp-jobs" "completed/10.388/0.085/1141218304 completed/6.94/0.047/1004755968" \
		"$(jqr "$j" '[.views.query_migrate.jobs[] | "\(.status)/\(.time_elapsed_s)/\(.downtime_s)/\(.memory_processed_bytes)"] | join(" ")')"
	check_eq "fx-qmp-times" "1773479721.402311 1773479731.790402 null" \
		"$(jqr "$j" '.views.query_migrate.jobs | "\(.[0].start) \(.[0].end) \(.[1].start)"')"
	mm fx-csv logs --ping "$LOGS/ping-plain-two-outages.txt" --nova-log "$LOGS/nova-compute.log" --log-tz UTC \
		--domjobinfo "$LOGS/domjobinfo.txt" --format csv -o "$E2E_TMP/fx.csv"
	check_eq "fx-csv-header" "view,entry,instance,status,start,end,duration_s,downtime_s,bytes,lost" "$(head -n 1 "$E2E_TMP/fx.csv")"
	check_eq "fx-csv-rows" "ping ping nova nova nova domjobinfo domjobinfo" "$(tail -n +2 "$E2E_TMP/fx.csv" | cut -d, -f1 | tr '\n' ' ' | sed 's/ $//')"
}

# ---- hostile inputs --------------------------------------------------------
case_hostile() {
	local h=$E2E_TMP/h
	mkdir -p "$h"
	printf 'PING x (10.0.0.2) 56(84) bytes of data.\n5 packets transmitted, 9 received, 0%% packet loss, time 4ms\n' >"$h/lie.txt"
	mm h-lie logs --ping "$h/lie.txt"
	check_eq "hostile-summary-lie-exit-1" 1 "$RC"
	check_eq "hostile-summary-lie-message" "migmeter: $h/lie.txt:2: 9 received of 5 transmitted: not ping's statistics" \
		"$(cat "$E2E_TMP/h-lie.err")"
	{
		printf 'PING x (10.0.0.2) 56(84) bytes of data.\n'
		printf '64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.1 ms\n'
		head -c 20000 /dev/zero | tr '\0' 'A'
		printf '\n64 bytes from 10.0.0.2: icmp_seq=99999999999999999999999999 ttl=64 time=0.1 ms\n'
		printf '[17000000000000000000000.5] 64 bytes from 10.0.0.2: icmp_seq=2 ttl=64\n'
		printf '\000\001\377 garbage\n[\n'
		printf '64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=-5 ms\n'
	} >"$h/junk.txt"
	mm h-junk logs --ping "$h/junk.txt" --format json -o "$h/junk.json"
	check_eq "hostile-junk-exit-0" 0 "$RC"
	check_eq "hostile-junk-overlong-counted" 1 "$(jqr "$h/junk.json" '.views.ping.overlong_lines')"
	check_eq "hostile-junk-replies" "2" "$(jqr "$h/junk.json" '.views.ping.runs[0].reply_lines')"
	check_eq "hostile-junk-note" "migmeter: note: 1 log lines over 8192 bytes skipped (counted in the report)" "$(cat "$E2E_TMP/h-junk.err")"
	printf 'no ping here\n' >"$h/none.txt"
	mm h-none logs --ping "$h/none.txt"
	check_eq "hostile-no-ping-exit-1" 1 "$RC"
	check_eq "hostile-no-ping-one-line" 1 "$(wc -l <"$E2E_TMP/h-none.err")"
	printf 'Job type:         Completed\nTime elapsed:     lots         ms\n' >"$h/dom.txt"
	mm h-dom logs --domjobinfo "$h/dom.txt"
	check_eq "hostile-domjobinfo-message" "migmeter: $h/dom.txt:2: Time elapsed: not a number and unit virsh prints" \
		"$(cat "$E2E_TMP/h-dom.err")"
	printf '{"return": {"status": "completed"}}\n{"return": [1, 2\n' >"$h/qmp.json"
	mm h-qmp logs --query-migrate "$h/qmp.json"
	check_eq "hostile-qmp-exit-1" 1 "$RC"
	check "hostile-qmp-names-line" "$(cat "$E2E_TMP/h-qmp.err")" grep -q "^migmeter: $h/qmp.json:2: not JSON" "$E2E_TMP/h-qmp.err"
	printf '| Id | Created At |\n| 1 | 2026-01-01T00:00:00 | extra |\n' >"$h/list.txt"
	mm h-list logs --migration-list "$h/list.txt"
	check_eq "hostile-list-message" "migmeter: $h/list.txt:2: 3 cells where the header has 2: a damaged table" "$(cat "$E2E_TMP/h-list.err")"
	mm h-tz logs --nova-log "$LOGS/nova-compute.log" --log-tz ../../etc/passwd
	check_eq "hostile-tz-exit-2" 2 "$RC"
	mm h-missing logs --nova-log "$h/nope.log"
	check_eq "hostile-missing-file" "migmeter: $h/nope.log: cannot read: No such file or directory" "$(cat "$E2E_TMP/h-missing.err")"
	mm h-noop logs
	check_eq "hostile-logs-needs-a-file-exit-2" 2 "$RC"
	cp "$LOGS/domjobinfo.txt" "$h/in.txt"
	mm h-overwrite logs --domjobinfo "$h/in.txt" -o "$h/in.txt"
	check_eq "hostile-output-is-input-exit-2" 2 "$RC"
	check "hostile-input-kept" "the input was changed" cmp -s "$LOGS/domjobinfo.txt" "$h/in.txt"
	mm h-replay-overwrite replay "${MM_OPTS[@]}" --domjobinfo "$h/in.txt" --format csv -o "$h/r.csv" --migrations "$h/in.txt" "$FIX/mig_5x.pcap"
	check_eq "hostile-replay-output-is-view-exit-2" 2 "$RC"
	check "hostile-replay-view-kept" "the view file was changed" cmp -s "$LOGS/domjobinfo.txt" "$h/in.txt"
	# replay with a bad log: refused before the capture is read, no report.
	mm h-replay replay "${MM_OPTS[@]}" --format json -o "$h/r.json" --ping-log "$h/lie.txt" "$FIX/mig_5x.pcap"
	check_eq "hostile-replay-bad-log-exit-1" 1 "$RC"
	check "hostile-replay-no-report" "a report was written" test ! -e "$h/r.json"
}

# ---- mutated fixtures: damaged bytes anywhere -------------------------------
# 40 deterministic mutations of each fixture (bytes flipped, lines cut,
# doubled, NULs and huge numbers spliced in), each read by logs: exit 0 or 1,
# one stderr line at most, and no sanitizer report (run it with the asan
# binary: MIGMETER=build/asan/migmeter).
case_mutated() {
	local d=$E2E_TMP/mut f opt n=0 bad=0 rc
	mkdir -p "$d"
	python3 - "$d" "$LOGS" <<'PY' || { fail mutated-setup "python3 failed"; return; }
import os, random, sys
out, src = sys.argv[1], sys.argv[2]
rnd = random.Random(12)
for name in sorted(os.listdir(src)):
    data = open(os.path.join(src, name), "rb").read()
    for k in range(40):
        b = bytearray(data)
        for _ in range(rnd.randint(1, 8)):
            op = rnd.randint(0, 5)
            i = rnd.randrange(len(b)) if b else 0
            if op == 0 and b:
                b[i] = rnd.randrange(256)
            elif op == 1:
                b[i:i] = b"99999999999999999999999999"
            elif op == 2:
                b[i:i] = b"\0\0\n\0"
            elif op == 3:
                del b[i:i + rnd.randint(1, 200)]
            elif op == 4:
                j = rnd.randrange(len(b)) if b else 0
                b[i:i] = b[j:j + rnd.randint(1, 400)]
            else:
                b[i:i] = b"-" + str(rnd.randint(0, 1 << 62)).encode() + b"."
        open(os.path.join(out, "%s.%02d" % (name, k)), "wb").write(bytes(b))
PY
	for f in "$d"/*; do
		case $f in
		*/ping-*) opt=--ping ;;
		*/nova-compute*) opt=--nova-log ;;
		*-migration-list*) opt=--migration-list ;;
		*/domjobinfo*) opt=--domjobinfo ;;
		*/query-migrate*) opt=--query-migrate ;;
		*) continue ;;
		esac
		n=$((n + 1))
		"$MIGMETER" logs "$opt" "$f" --log-tz UTC --format json -o "$d/out.json" >/dev/null 2>"$d/err" </dev/null
		rc=$?
		if { [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; } || [ "$(wc -l <"$d/err")" -gt 1 ] ||
			grep -q 'Sanitizer\|runtime error' "$d/err" || { [ "$rc" -eq 0 ] && ! jq -e . "$d/out.json" >/dev/null 2>&1; }; then
			bad=$((bad + 1))
			printf 'mutated %s: exit %d: %s\n' "$(basename "$f")" "$rc" "$(head -c 300 "$d/err")"
		fi
	done
	check "mutated-inputs-read" "only $n mutated files" [ "$n" -ge 280 ]
	check_eq "mutated-clean-exits" 0 "$bad"
}

# ---- side by side on a five-migration fixture ------------------------------
# nova_line T LEVEL MODULE UUID MESSAGE - one oslo.log line at epoch T (America/New_York).
nova_line() {
	local t=$1 s ms
	s=${t%.*}
	ms=$(awk -v t="$t" 'BEGIN { printf "%03d", (t - int(t)) * 1000 + 0.5 }')
	printf '%s.%s 4242 %s %s [None req-00000000-0000-4000-8000-000000%s - - - - - -] [instance: %s] %s\n' \
		"$(TZ=America/New_York date -d "@$s" '+%Y-%m-%d %H:%M:%S')" "$ms" "$2" "$3" "${s: -6}" "$4" "$5"
}

case_side() {
	local base=$E2E_TMP/side.json r=$E2E_TMP/side-views.json d=$E2E_TMP/side i s e id uuid dur bytes
	mkdir -p "$d"
	"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$base" "$FIX/mig_5x.pcap" 2>/dev/null ||
		{ fail side-base "replay of mig_5x failed"; return; }
	check_eq "side-five-migrations" 5 "$(jqr "$base" '.migrations | length')"
	: >"$d/nova.log"
	: >"$d/dom.txt"
	: >"$d/qmp.json"
	printf '| Id | Source Compute | Dest Compute | Dest Host | Status | Instance UUID | Created At | Updated At | Type |\n' >"$d/list.txt"
	for i in 0 1 2 3 4; do
		s=$(jqr "$base" ".migrations[$i].start")
		e=$(jqr "$base" ".migrations[$i].end")
		id=$(jqr "$base" ".migrations[$i].id")
		dur=$(jqr "$base" ".migrations[$i].duration_s")
		bytes=$(jqr "$base" ".migrations[$i].unique_payload_bytes")
		uuid=$(jqr "$base" ".migrations[$i].uuid // \"6d6d0000-0000-4000-8000-00000000000$id\"")
		# nova: the monitor starts 0.3 s before the first frame, sees the end 0.4 s after the last.
		nova_line "$(f6 "$s - 0.3")" DEBUG nova.virt.libvirt.driver "$uuid" "Starting monitoring of live migration" >>"$d/nova.log"
		nova_line "$(f6 "$s + 0.2")" INFO nova.virt.libvirt.migration "$uuid" "Increasing downtime to 50 ms after 0 sec elapsed time" >>"$d/nova.log"
		nova_line "$(f6 "$e + 0.4")" INFO nova.virt.libvirt.driver "$uuid" "Migration operation has completed" >>"$d/nova.log"
		printf '| %s | cmp-a | cmp-b | %s | completed | %s | %s | %s | live-migration |\n' "$((40 + id))" \
			"$(jqr "$base" ".migrations[$i].destination")" "$uuid" \
			"$(date -u -d "@$(f6 "$s - 2")" '+%Y-%m-%dT%H:%M:%S.%6N')" "$(date -u -d "@$(f6 "$e + 1")" '+%Y-%m-%dT%H:%M:%S.%6N')" >>"$d/list.txt"
		# domjobinfo: no times; its elapsed and bytes close to the wire's.
		printf 'Job type:         Completed\nOperation:        Outgoing migration\nTime elapsed:     %d         ms\nData processed:   %s KiB\nTotal downtime:   %d           ms\n\n' \
			"$(awk -v d="$dur" 'BEGIN { printf "%d", d * 1000 + 3 }')" "$(awk -v b="$bytes" 'BEGIN { printf "%.3f", b / 1024 }')" $((20 + i)) >>"$d/dom.txt"
		# QMP: MIGRATION setup/completed events and the reply.
		printf '{"timestamp": {"seconds": %d, "microseconds": %d}, "event": "MIGRATION", "data": {"status": "setup"}}\n' \
			"${s%.*}" "$(awk -v t="$s" 'BEGIN { printf "%d", (t - int(t)) * 1e6 }')" >>"$d/qmp.json"
		printf '{"timestamp": {"seconds": %d, "microseconds": %d}, "event": "MIGRATION", "data": {"status": "completed"}}\n' \
			"${e%.*}" "$(awk -v t="$e" 'BEGIN { printf "%d", (t - int(t)) * 1e6 }')" >>"$d/qmp.json"
		printf '{"return": {"status": "completed", "total-time": %d, "downtime": %d, "setup-time": 2, "ram": {"transferred": %d, "total": 1073741824}}}\n' \
			"$(awk -v d="$dur" 'BEGIN { printf "%d", d * 1000 }')" $((30 + i)) "$bytes" >>"$d/qmp.json"
	done
	# Lifecycle events: one of migration 2 (its Resumed), one long after everything.
	nova_line "$(f6 "$(jqr "$base" '.migrations[1].end') + 0.05")" INFO nova.compute.manager \
		"$(jqr "$base" '.migrations[1].uuid')" "VM Resumed (Lifecycle Event)" >>"$d/nova.log"
	nova_line 1700000900.000 INFO nova.compute.manager 6d6d0000-0000-4000-8000-0000000000fe "VM Started (Lifecycle Event)" >>"$d/nova.log"
	# ... and one of an instance nova's log has no migration of (a destination's log), inside migration 3.
	nova_line "$(f6 "$(jqr "$base" '.migrations[2].end') + 0.1")" INFO nova.compute.manager \
		6d6d0000-0000-4000-8000-0000000000fd "VM Started (Lifecycle Event)" >>"$d/nova.log"
	# An extra nova migration and a resize nothing on the wire matches.
	nova_line 1700000400.000 DEBUG nova.virt.libvirt.driver 6d6d0000-0000-4000-8000-0000000000ff "Starting monitoring of live migration" >>"$d/nova.log"
	nova_line 1700000405.000 INFO nova.virt.libvirt.driver 6d6d0000-0000-4000-8000-0000000000ff "Migration operation has aborted" >>"$d/nova.log"
	printf '| 99 | cmp-a | cmp-a | - | finished | 6d6d0000-0000-4000-8000-0000000000ff | 2023-11-14T22:13:20.000000 | 2023-11-14T22:14:20.000000 | resize |\n' >>"$d/list.txt"
	# ping -D from the capture's own echo frames: each reply's arrival time and its RTT.
	tshark -r "$FIX/mig_5x.pcap" -Y 'icmp.type == 0 || icmp.type == 8' -T fields -e frame.time_epoch -e icmp.type -e icmp.seq 2>/dev/null |
		awk 'BEGIN { print "PING 10.1.1.11 (10.1.1.11) 56(84) bytes of data." }
			$2 == 8 { t[$3] = $1; if ($3 > n) n = $3 }
			$2 == 0 && ($3 in t) { printf "[%.6f] 64 bytes from 10.1.1.11: icmp_seq=%d ttl=64 time=%.3f ms\n", $1, $3, ($1 - t[$3]) * 1000; r++ }
			END { printf "\n--- 10.1.1.11 ping statistics ---\n%d packets transmitted, %d received, %g%% packet loss, time %dms\n", n, r, (n - r) * 100 / n, 10000 }' >"$d/ping.txt"
	mm side replay "${MM_OPTS[@]}" --format json -o "$r" --nova-log "$d/nova.log" --log-tz America/New_York \
		--migration-list "$d/list.txt" --domjobinfo "$d/dom.txt" --query-migrate "$d/qmp.json" \
		--ping-log "$d/ping.txt" --ping-interval 0.01 "$FIX/mig_5x.pcap"
	check_eq "side-exit-0" 0 "$RC"
	check_eq "side-nova-each-its-own" "1 2 3 4 5" "$(jqr "$r" '[.migrations[] | .views.nova.migration] | join(" ")')"
	check_eq "side-nova-offsets" "-0.3 0.4" \
		"$(jqr "$r" '.migrations[2] | "\(.views.nova.start - .start | . * 1000 | round / 1000) \(.views.nova.end - .end | . * 1000 | round / 1000)"')"
	check_eq "side-list-each-its-own" "41 42 43 44 45" "$(jqr "$r" '[.migrations[] | .views.migration_list.id] | join(" ")')"
	check_eq "side-libvirt-by-order-and-size" "20 21 22 23 24" \
		"$(jqr "$r" '[.migrations[] | .views.libvirt.downtime_s * 1000 | round] | join(" ")')"
	check_eq "side-libvirt-matched-by" "bytes and duration (no times in it)" "$(jqr "$r" '.migrations[0].views.libvirt.matched_by')"
	check_eq "side-qemu-each-its-own" "30 31 32 33 34" "$(jqr "$r" '[.migrations[] | .views.qemu.downtime_s * 1000 | round] | join(" ")')"
	check_eq "side-qemu-matched-by-time" "time" "$(jqr "$r" '.migrations[1].views.qemu.matched_by')"
	check_eq "side-ping-one-episode-each" "1 1 1 1 1" "$(jqr "$r" '[.migrations[] | .views.ping.episodes | length] | join(" ")')"
	check "side-ping-vs-wire" "ping log downtime differs from the wire's by more than 1 us: $(jqr "$r" '[.migrations[] | "\(.views.ping.downtime_s)/\(.downtime_total_s)"] | join(" ")')" \
		jq_true "$r" '[.migrations[] | (.views.ping.downtime_s - .downtime_total_s) | fabs < 0.000002] | all'
	check_eq "side-ping-hand" "0.1" "$(jqr "$r" '.migrations[0].views.ping.lost_x_asked_interval_s')"
	check_eq "side-lifecycle-lone-event" "Started" "$(jqr "$r" '.migrations[2].views.nova_lifecycle_events[0].event')"
	check_eq "side-lifecycle-resumed" "0.05" "$(jqr "$r" '.migrations[1] | .views.nova.resumed - .end | . * 1000 | round / 1000')"
	check_eq "side-unmatched" "migration_list/1 nova/1 nova_lifecycle_event/1" \
		"$(jqr "$r" '[.views.unmatched | group_by(.view)[] | "\(.[0].view)/\(length)"] | join(" ")')"
	check "side-unmatched-why" "no reason given" jq_true "$r" '[.views.unmatched[] | .why | length > 10] | all'
	check "side-differences" "no differences explained" \
		jq_true "$r" '[.migrations[] | .views.differences | length >= 5] | all'
	check "side-explains-switchover" "the downtime difference is not explained" \
		sh -c "jq -r '.migrations[0].views.differences[]' '$r' | grep -q 'excludes the network switchover'"
	check "side-explains-prechecks" "the migration list span is not explained" \
		sh -c "jq -r '.migrations[0].views.differences[]' '$r' | grep -q 'pre-migration checks'"
	mm side-text replay "${MM_OPTS[@]}" --nova-log "$d/nova.log" --log-tz America/New_York \
		--domjobinfo "$d/dom.txt" --query-migrate "$d/qmp.json" --ping-log "$d/ping.txt" "$FIX/mig_5x.pcap"
	check_eq "side-text-five-tables" 5 "$(grep -c 'views side by side' "$E2E_TMP/side-text.out")"
	check "side-text-rows" "a row is missing" sh -c "grep -q '^    nova-compute.log  ' '$E2E_TMP/side-text.out' &&
		grep -q '^    libvirt domjobinfo  ' '$E2E_TMP/side-text.out' && grep -q '^    QEMU query-migrate  ' '$E2E_TMP/side-text.out' &&
		grep -q '^    ping log  ' '$E2E_TMP/side-text.out'"
	check "side-text-unmatched" "unmatched entries not listed" grep -q 'nova entry 6: ' "$E2E_TMP/side-text.out"
	# Without view options the report has no views member at all (goldens unchanged).
	check_eq "side-no-views-without-options" "null" "$(jqr "$base" '.views // .migrations[0].views')"
}

# ---- live ping runs through an imposed outage -------------------------------
# window FROM TO - drop echo requests in B from epoch second FROM to TO (kernel clock, as test_downtime.sh).
window() {
	ip netns exec "$NS_B" nft add rule inet mmlg in meta time '>=' "$1" meta time '<' "$2" icmp type echo-request drop
}

# live_case NAME COUNT OUT1 [GAP OUT2] - plain ping and ping -D -O at once, one capture.
live_case() {
	local name=$1 count=$2 out1=$3 gap=${4:-} out2=${5:-}
	local cap=$E2E_TMP/$name.pcap rep=$E2E_TMP/$name-wire.json start t0 t1 want=1 p1 p2 kind log j
	ip netns exec "$NS_B" nft flush chain inet mmlg in
	capture_start "$NS_A" veth-a "$cap" icmp || { fail "$name-capture" "capture did not start"; return; }
	start=${EPOCHREALTIME%.*}
	start=$((start + 1))
	t0=$((start + 1))
	t1=$((t0 + out1))
	window "$t0" "$t1" || fail "$name-nft" "could not add the outage rule"
	if [ -n "$out2" ]; then
		want=2
		window "$((t1 + gap))" "$((t1 + gap + out2))" || fail "$name-nft" "could not add the outage rule"
		t1=$((t1 + gap + out2))
	fi
	sleep "$(awk -v s="$start" -v n="$EPOCHREALTIME" 'BEGIN { d = s - n; printf "%.6f", (d > 0 ? d : 0) }')"
	ip netns exec "$NS_A" ping -n -i 0.01 -c "$count" -W 1 "$B4" >"$E2E_TMP/$name-plain.txt" 2>&1 </dev/null &
	p1=$!
	track_pid "$p1"
	# -c one more: the two streams of the capture told apart by their request counts.
	ip netns exec "$NS_A" ping -n -D -O -i 0.01 -c "$((count + 1))" -W 1 "$B4" >"$E2E_TMP/$name-D.txt" 2>&1 </dev/null &
	p2=$!
	track_pid "$p2"
	wait "$p1"
	wait "$p2"
	capture_stop "$cap" || fail "$name-capture" "capture failed or dropped frames"
	"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$rep" --ping-interval 0.01 "$cap" 2>"$E2E_TMP/$name-wire.err"
	check_eq "$name-wire-two-streams" 2 "$(jqr "$rep" '.downtime.streams | length')"
	for kind in plain D; do
		log=$E2E_TMP/$name-$kind.txt
		j=$E2E_TMP/$name-$kind.json
		mm "$name-$kind" logs --ping "$log" --ping-interval 0.01 --format json -o "$j"
		check_eq "$name-$kind-logs-exit-0" 0 "$RC"
		# The capture's stream of this ping: the one whose request count is the log's transmitted.
		local tx rx tms pct lost sid iv n k west lest wstart lstart
		tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$log")
		rx=$(sed -n 's/^[0-9]* packets transmitted, \([0-9]*\) received.*/\1/p' "$log")
		tms=$(sed -n 's/.* time \([0-9]*\)ms$/\1/p' "$log")
		pct=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$log")
		lost=$((tx - rx))
		check_eq "$name-$kind-lost" "$lost" "$(jqr "$j" '.views.ping.runs[0].lost')"
		check_eq "$name-$kind-outages" "$want" "$(jqr "$j" '.views.ping.runs[0].outages')"
		# The classic figures: exactly the hand formulas on the log's own numbers.
		check_num "$name-$kind-time-x-loss-exact" "$(f6 "($tms / 1000) * ($pct / 100)")" "$(jqr "$j" '.views.ping.runs[0].classic.time_x_loss_s')"
		check_num "$name-$kind-lost-x-asked-exact" "$(f6 "$lost * 0.01")" "$(jqr "$j" '.views.ping.runs[0].classic.lost_x_asked_interval_s')"
		if [ "$kind" = plain ]; then
			check_num "$name-$kind-lost-x-interval-exact" "$(f6 "$lost * ($tms / 1000) / ($tx - 1)")" "$(jqr "$j" '.views.ping.runs[0].classic.lost_x_interval_s')"
		else
			check_num "$name-$kind-lost-x-interval-exact" "$(f6 "$lost * $(jqr "$j" '.views.ping.runs[0].interval_s')")" \
				"$(jqr "$j" '.views.ping.runs[0].classic.lost_x_interval_s')"
		fi
		check_eq "$name-$kind-continuity" "$([ "$want" = 1 ] && echo 'one outage' || echo 'several outages')" \
			"$(jqr "$j" '.views.ping.runs[0].classic.continuity')"
		sid=$(jq --argjson tx "$tx" '[.downtime.streams[] | .requests] | index($tx)' "$rep")
		if [ "$sid" = null ]; then
			fail "$name-$kind-stream" "no stream in the capture with $tx requests"
			continue
		fi
		iv=$(jqr "$rep" ".downtime.streams[$sid].interval_s")
		n=$(jqr "$rep" ".downtime.streams[$sid].episodes | length")
		check_eq "$name-$kind-episodes-vs-wire" "$n" "$(jqr "$j" '.views.ping.runs[0].outages')"
		for ((k = 0; k < n; k++)); do
			west=$(jqr "$rep" ".downtime.streams[$sid].episodes[$k].estimate_s")
			lest=$(jqr "$j" ".views.ping.runs[0].episodes[$k].estimate_s")
			if [ "$kind" = D ]; then
				check "$name-$kind-episode$((k + 1))-within-one-interval" "log $lest s, wire $west s, interval $iv s" \
					float_close "$lest" "$west" "$iv"
			else
				# Sequence numbers only: the estimate is lost x the statistics' mean interval, exactly;
				# it agrees with the wire within one interval plus what that mean differs from the
				# wire's median gap over the lost requests (ping's timer under load).
				local liv llost tol
				liv=$(jqr "$j" '.views.ping.runs[0].interval_s')
				llost=$(jqr "$j" ".views.ping.runs[0].episodes[$k].lost")
				check "$name-$kind-episode$((k + 1))-is-lost-x-interval" "$lest s is not $llost x $liv s" \
					float_close "$lest" "$(f6 "$llost * $liv")" "$(f6 "$llost * 0.000001")"
				tol=$(awk -v i="$iv" -v l="$liv" -v n="$llost" 'BEGIN { d = l - i; if (d < 0) d = -d; printf "%.6f", i + n * d }')
				check "$name-$kind-episode$((k + 1))-within-one-interval-plus-timer-drift" \
					"log $lest s, wire $west s, tolerance $tol s (interval $iv s, log's mean interval $liv s)" \
					float_close "$lest" "$west" "$tol"
			fi
			check_eq "$name-$kind-episode$((k + 1))-lost-vs-wire" "$(jqr "$rep" ".downtime.streams[$sid].episodes[$k].lost")" \
				"$(jqr "$j" ".views.ping.runs[0].episodes[$k].lost")"
			if [ "$kind" = D ]; then
				wstart=$(jqr "$rep" ".downtime.streams[$sid].episodes[$k].first_lost_ts")
				lstart=$(jqr "$j" ".views.ping.runs[0].episodes[$k].start")
				check "$name-$kind-episode$((k + 1))-start-within-one-interval" "log $lstart, wire $wstart, interval $iv s" \
					float_close "$lstart" "$wstart" "$iv"
			fi
			printf '%s %s: episode %d: log %s s, wire %s s (interval %s s)\n' "$name" "$kind" $((k + 1)) "$lest" "$west" "$iv"
		done
	done
	if [ "$want" = 2 ]; then
		check "$name-misleading-note" "no note about the several outages" \
			sh -c "jq -r '.views.ping.runs[0].classic.misleading[]' '$E2E_TMP/$name-plain.json' | grep -q 'separate outages'"
	fi
	# Side by side with a capture that holds no migration: every episode is listed unmatched.
	mm "$name-side" replay "${MM_OPTS[@]}" --format json -o "$E2E_TMP/$name-side.json" --ping-log "$E2E_TMP/$name-D.txt" "$cap"
	check_eq "$name-side-unmatched-listed" "$want" "$(jqr "$E2E_TMP/$name-side.json" '[.views.unmatched[] | select(.view == "ping")] | length')"
}

case_live() {
	netns_pair || { fail "live-netns" "could not create the namespace pair"; return; }
	ip netns exec "$NS_B" nft -f - <<'EOF' || { fail "live-nft" "nftables table in B"; return; }
table inet mmlg {
	chain in {
		type filter hook input priority 0; policy accept;
	}
}
EOF
	live_case live-one 300 1
	live_case live-two 500 1 1 1
}

case_fixtures
case_hostile
case_mutated
case_side
[ -z "${MM_LOGS_NOLIVE:-}" ] && case_live
summary
