#!/usr/bin/env bash
# test_prom.sh - capture --metrics-listen and --prom-textfile scraped by a real Prometheus (directly, and through node_exporter's textfile collector); the endpoint under hostile HTTP.
#
# In namespace A, migmeter capture listens on veth-a with --records R,
# --metrics-listen A:9911 and --prom-textfile DIR/migmeter.prom;
# prometheus-node-exporter (textfile collector only) reads DIR; Prometheus
# scrapes both every second (jobs "migmeter" and "node").  Three
# migration-shaped transfers (tests/xfer.c; RARP announces after each, as in
# test_records.sh): A -> B, A -> B with a multifd channel, B -> A.  Then
# Prometheus's HTTP API must give, for each job, migmeter_migrations_total
# and the histogram counts and buckets equal to what the records say; a
# second capture beside it with --prom-textfile only (no --records) must
# count the same.
# While the third migration runs, hostile clients from B's address flood
# the endpoint (oversized request line, 200 connections at once, 200
# slowloris connections and idle half-requests): a scrape from A still
# answers, the third record is still written, the capture's memory stays
# bounded and the server holds at most its per-address limit of B's
# connections.  Last: every metric name the Grafana dashboard queries is
# one migmeter exports.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip ping jq python3 curl prometheus prometheus-node-exporter ss
require_binaries migmeter xfer

HOSTILE=$E2E_DIR/http_hostile.py
DASH=$REPO_DIR/contrib/grafana/migmeter.json

# Refused before anything is captured: a malformed address (usage, 2); a port in use (1).
"$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i lo --metrics-listen 127.0.0.1:99999 --duration 1s \
	-o "$E2E_TMP/x.json" >/dev/null 2>"$E2E_TMP/bad.err" </dev/null
check_eq "listen-malformed-exit-2" 2 "$?"
check "listen-malformed-said" "$(head -c 200 "$E2E_TMP/bad.err")" grep -q 'must be ADDR:PORT' "$E2E_TMP/bad.err"
"$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i lo --prom-textfile /nonexistent/m.prom --duration 1s \
	-o "$E2E_TMP/x.json" >/dev/null 2>"$E2E_TMP/bad2.err" </dev/null
check "textfile-nonexistent-refused" "$(head -c 200 "$E2E_TMP/bad2.err")" \
	bash -c "grep -q /nonexistent '$E2E_TMP/bad2.err' && ! grep -q 'listening on' '$E2E_TMP/bad2.err'"

netns_pair || die "could not create the namespace pair"
# The kernel's ephemeral ports stay clear of the fixed client ports the
# migrations use (--cport 4000N, 4100N): a scrape or a curl on one of them
# would make that xfer's bind fail.
ns_port_range "$NS_A" 40100 40999 || die "port range in A"
ns_port_range "$NS_B" 41100 41999 || die "port range in B"
AMAC=$(ip netns exec "$NS_A" cat /sys/class/net/veth-a/address) || die "A's MAC"
BMAC=$(ip netns exec "$NS_B" cat /sys/class/net/veth-b/address) || die "B's MAC"

# A port in use: the capture says so and exits 1.
ip netns exec "$NS_A" python3 -c 'import socket,time; s=socket.socket(); s.bind(("10.199.0.1",9912)); s.listen(); time.sleep(8)' &
track_pid $!
wait_listen "$NS_A" 9912 || die "port holder"
ip netns exec "$NS_A" "$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i veth-a --metrics-listen "$A4:9912" \
	--duration 1s -o "$E2E_TMP/x.json" >/dev/null 2>"$E2E_TMP/inuse.err" </dev/null
check_eq "listen-in-use-exit-1" 1 "$?"
check "listen-in-use-said" "$(head -c 200 "$E2E_TMP/inuse.err")" grep -q 'in use' "$E2E_TMP/inuse.err"

# announce NS DEV MAC N - N RARP announces out of DEV from MAC, 50 ms apart.
announce() {
	ip netns exec "$1" python3 - "$2" "$3" "$4" <<'EOF'
import socket, struct, sys, time
mac = bytes.fromhex(sys.argv[2].replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for i in range(int(sys.argv[3])):
    if i:
        time.sleep(0.05)
    f = b'\xff' * 6 + mac + struct.pack('>HHHBBH', 0x8035, 1, 0x0800, 6, 4, 3) + mac + b'\0' * 4 + mac + b'\0' * 4
    s.send(f + b'\0' * (60 - len(f)))
EOF
}

TXT=$E2E_TMP/textfile
mkdir -p "$TXT"
REC=$E2E_TMP/r.jsonl
OUT=$E2E_TMP/live.json
ip netns exec "$NS_A" "$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i veth-a --duration 200s \
	--format json -o "$OUT" --records "$REC" --metrics-listen "$A4:9911" --prom-textfile "$TXT/migmeter.prom" \
	--node node-a >"$E2E_TMP/live.out" 2>"$E2E_TMP/live.err" </dev/null &
MM_PID=$!
track_pid "$MM_PID"
wait_until 100 grep -qs 'listening on' "$E2E_TMP/live.err" ||
	die "capture did not start: $(head -c 300 "$E2E_TMP/live.err")"
# A second capture beside it, with the textfile only (no --records, no HTTP): the same counts.
ip netns exec "$NS_A" "$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i veth-a --duration 200s --buffer-size 8 \
	--format json -o "$E2E_TMP/norec.json" --prom-textfile "$E2E_TMP/norec.prom" --node node-a2 \
	>"$E2E_TMP/norec.out" 2>"$E2E_TMP/norec.err" </dev/null &
NOREC_PID=$!
track_pid "$NOREC_PID"
wait_until 100 grep -qs 'listening on' "$E2E_TMP/norec.err" ||
	die "second capture did not start: $(head -c 300 "$E2E_TMP/norec.err")"
# The unprivileged child does the capturing (and serves HTTP): its memory is the one to watch.
CHILD=$(cat "/proc/$MM_PID/task/$MM_PID/children" 2>/dev/null | awk '{ print $1 }')
[ -n "$CHILD" ] || die "no capture child under $MM_PID"
check_eq "served-by-nobody" "$(id -u nobody)" "$(awk '/^Uid:/ { print $2 }' "/proc/$CHILD/status")"
check "textfile-written-at-start" "$(ls -la "$TXT")" wait_until 50 test -s "$TXT/migmeter.prom"

ip netns exec "$NS_A" prometheus-node-exporter --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$TXT" --web.listen-address="$A4:9100" \
	>"$E2E_TMP/node.log" 2>&1 </dev/null &
track_pid $!
cat >"$E2E_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: migmeter
    static_configs:
      - targets: ['$A4:9911']
  - job_name: node
    static_configs:
      - targets: ['$A4:9100']
EOF
ip netns exec "$NS_A" prometheus --config.file="$E2E_TMP/prometheus.yml" --storage.tsdb.path="$E2E_TMP/tsdb" \
	--web.listen-address="$A4:9090" --log.level=warn >"$E2E_TMP/prometheus.log" 2>&1 </dev/null &
track_pid $!
PROM=http://$A4:9090

# promq EXPR - the value of an instant query's first result ("none" when empty).
promq() {
	ip netns exec "$NS_A" curl -s -m 5 --get --data-urlencode "query=$1" "$PROM/api/v1/query" |
		jq -r 'if .status == "success" then (.data.result[0].value[1] // "none") else "error: \(.error)" end'
}
# promq_is EXPR WANT - true once EXPR gives WANT.
promq_is() {
	[ "$(promq "$1")" = "$2" ]
}
wait_until 300 ip netns exec "$NS_A" curl -sf -m 1 "$PROM/-/ready" -o /dev/null ||
	die "prometheus did not start: $(tail -c 500 "$E2E_TMP/prometheus.log")"
check "scraped-before-migrations" "up: $(promq 'sum(up)')" wait_until 150 promq_is 'sum(up)' 2
check_eq "drop-counters-exported" 4 "$(promq 'count(migmeter_capture_dropped_frames_total)')"

ip netns exec "$NS_A" ping -n -i 0.01 -w 120 "$B4" >"$E2E_TMP/ping.out" 2>&1 </dev/null &
track_pid $!
sleep 0.5
lines() { wc -l <"$REC"; }
# has_lines N - R holds N lines or more (evaluated at each try of wait_until).
has_lines() { [ "$(lines)" -ge "$1" ]; }

# 1: A -> B, a main stream of 1 MiB.
xfer_listen main1 49152
ip netns exec "$NS_A" "$XFER" send "$B4" 49152 1048576 --magic qemu --cport 40001 >/dev/null \
	2>"$E2E_TMP/s1.err" </dev/null || fail "xfer-1" "$(cat "$E2E_TMP/s1.err")"
wait "$LISTEN_PID"
announce "$NS_B" veth-b "$BMAC" 3
wait_until 150 has_lines 1
# 2: A -> B, a main stream of 2 MiB and a multifd channel of 512 KiB.
xfer_listen main2 49152
MAIN_LISTEN=$LISTEN_PID
xfer_listen mfd2 49153
ip netns exec "$NS_A" "$XFER" send "$B4" 49152 2097152 --magic qemu --cport 40002 >/dev/null \
	2>"$E2E_TMP/s2.err" </dev/null &
SEND_PID=$!
track_pid "$SEND_PID"
sleep 0.02
ip netns exec "$NS_A" "$XFER" send "$B4" 49153 524288 --magic multifd --channel 0 --cport 40003 >/dev/null \
	2>"$E2E_TMP/s2m.err" </dev/null || fail "xfer-2-multifd" "$(cat "$E2E_TMP/s2m.err")"
wait "$SEND_PID" || fail "xfer-2" "$(cat "$E2E_TMP/s2.err")"
wait "$MAIN_LISTEN"
wait "$LISTEN_PID"
announce "$NS_B" veth-b "$BMAC" 3
wait_until 150 has_lines 2
check_eq "two-records-live" 2 "$(lines)"

# ---- hostile HTTP from B's address while migration 3 runs ----
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$CHILD/status"; }
RSS0=$(rss)
over=$(ip netns exec "$NS_B" python3 "$HOSTILE" oversize "$A4" 9911 1000000 2>&1)
check "oversized-request-line-refused" "got '$over'" one_of "$over" 414 431 400 closed
flood=$(ip netns exec "$NS_B" python3 "$HOSTILE" flood "$A4" 9911 200 2>&1)
check "flood-200-none-hung" "got '$flood'" bash -c "[[ '$flood' =~ ^ok=([0-9]+)\ ended=([0-9]+)\ hung=0$ ]] && [ \${BASH_REMATCH[1]} -ge 1 ] && [ \$((BASH_REMATCH[1] + BASH_REMATCH[2])) -eq 200 ]"
ip netns exec "$NS_B" python3 "$HOSTILE" slowloris "$A4" 9911 8 200 15 >"$E2E_TMP/slow.out" 2>&1 </dev/null &
SLOW_PID=$!
track_pid "$SLOW_PID"
# held - B's connections the server holds now.
held() { ip netns exec "$NS_A" ss -Htn state established "( sport = :9911 and dst $B4 )" | wc -l; }
held_some() { [ "$(held)" -ge 8 ]; }
wait_until 50 held_some
sleep 0.5
n=$(held)
check "held-connections-bounded" "$n of B's connections held (limit 16)" test "$n" -ge 8 -a "$n" -le 16
# 3: B -> A (this node is the destination), a main stream of 1.5 MiB, during the slowloris.
ip netns exec "$NS_A" "$XFER" listen --timeout 30 49152 >"$E2E_TMP/main3.out" 2>"$E2E_TMP/main3.err" </dev/null &
L3=$!
track_pid "$L3"
wait_listen "$NS_A" 49152 || die "listener 3"
ip netns exec "$NS_B" "$XFER" send "$A4" 49152 1572864 --magic qemu --cport 41001 >/dev/null \
	2>"$E2E_TMP/s3.err" </dev/null || fail "xfer-3" "$(cat "$E2E_TMP/s3.err")"
wait "$L3"
announce "$NS_A" veth-a "$AMAC" 3
T_ANN3=$EPOCHREALTIME
# A scrape from another address answers at once, slowloris or not.
for i in 1 2 3; do
	t0=$EPOCHREALTIME
	code=$(ip netns exec "$NS_A" curl -s -m 3 -o "$E2E_TMP/scrape$i.txt" -w '%{http_code}' "http://$A4:9911/metrics")
	t1=$EPOCHREALTIME
	check "scrape-during-slowloris-$i" "http $code in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s" \
		bash -c "[ '$code' = 200 ] && awk -v a='$t0' -v b='$t1' 'BEGIN { exit !(b - a < 2.5) }'"
	sleep 1
done
check "third-record-during-slowloris" "$(lines) lines" wait_until 150 has_lines 3
echo "third record $(awk -v a="$T_ANN3" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }') s after its announces"
check "slowloris-still-running" "pid $SLOW_PID" kill -0 "$SLOW_PID"
wait "$SLOW_PID"
slow=$(cat "$E2E_TMP/slow.out")
check "idle-half-requests-timed-out" "got '$slow' (8 idle for 15 s, 10 s timeout)" bash -c "[[ '$slow' == idle_closed=8\ * ]]"
check "trickle-held-within-limit" "got '$slow'" bash -c "[[ '$slow' =~ trickle_open=([0-9]+) ]] && [ \${BASH_REMATCH[1]} -le 16 ]"
RSS1=$(rss)
check "memory-bounded" "VmRSS $RSS0 kB before, $RSS1 kB after" test "$((RSS1 - RSS0))" -lt 16384
echo "capture child VmRSS: $RSS0 kB before the hostile clients, $RSS1 kB after"
check "capture-still-running" "pid $MM_PID" kill -0 "$MM_PID"
check "endpoint-up-after" "$(promq 'up{job="migmeter"}')" wait_until 50 promq_is 'up{job="migmeter"}' 1

# ---- what Prometheus has, against the records ----
check_eq "three-records" 3 "$(lines)"
NREC=$(lines)
jrec() { jq -s -r "$1" "$REC"; }
COMPLETED=$(jrec '[.[] | select(.status == "completed")] | length')
check_eq "records-completed" 3 "$COMPLETED"
for job in migmeter node; do
	J="job=\"$job\""
	check "$job-migrations-total" "got $(promq "sum(migmeter_migrations_total{$J})"), want $NREC" \
		wait_until 100 promq_is "sum(migmeter_migrations_total{$J})" "$NREC"
	check_eq "$job-completed" "$COMPLETED" "$(promq "sum(migmeter_migrations_total{$J,status=\"completed\"})")"
	check_eq "$job-outgoing" 2 "$(promq "sum(migmeter_migrations_total{$J,status=\"completed\",direction=\"outgoing\",peer=\"$B4\",node=\"node-a\"})")"
	check_eq "$job-incoming" 1 "$(promq "sum(migmeter_migrations_total{$J,status=\"completed\",direction=\"incoming\",peer=\"$B4\"})")"
	for role in main multifd nbd other; do
		check_eq "$job-bytes-$role" "$(jrec "[.[].bytes_by_role.$role] | add")" \
			"$(promq "sum(migmeter_migration_bytes_total{$J,role=\"$role\"})")"
	done
	for h in duration:duration_s downtime:downtime_total_s unresponsive:unresponsive.total_s \
		throughput_bits_per_second:mean_bps; do
		metric=migmeter_migration_${h%%:*}
		[ "${h%%:*}" = throughput_bits_per_second ] || metric=${metric}_seconds
		field=${h#*:}
		want=$(jrec "[.[] | select(.status == \"completed\" and .$field != null)] | length")
		check_eq "$job-${h%%:*}-count" "$want" "$(promq "sum(${metric}_count{$J})")"
	done
	for le in 0.01 0.05 0.1 1 10; do
		check_eq "$job-duration-le-$le" \
			"$(jrec "[.[] | select(.status == \"completed\" and .duration_s <= $le)] | length")" \
			"$(promq "sum(migmeter_migration_duration_seconds_bucket{$J,le=\"$le\"})")"
	done
	# The le labels as Go writes them (node_exporter re-exposes the textfile with its client library).
	for le in 1e+08 1e+09 1e+10 1e+11; do
		check_eq "$job-throughput-le-$le" \
			"$(jrec "[.[] | select(.status == \"completed\" and .mean_bps <= $le)] | length")" \
			"$(promq "sum(migmeter_migration_throughput_bits_per_second_bucket{$J,le=\"$le\"})")"
	done
	check "$job-duration-sum" "$(promq "sum(migmeter_migration_duration_seconds_sum{$J})")" \
		float_close "$(jrec '[.[] | select(.status == "completed") | .duration_s] | add')" \
		"$(promq "sum(migmeter_migration_duration_seconds_sum{$J})")" 0.000001
	check "$job-last-migration-time" "$(promq "max(migmeter_last_migration_timestamp_seconds{$J})")" \
		float_close "$(jrec '[.[] | select(.status == "completed") | .end] | max')" \
		"$(promq "max(migmeter_last_migration_timestamp_seconds{$J})")" 0.001
	check_eq "$job-no-drops" 0 "$(promq "sum(migmeter_capture_dropped_frames_total{$J})")"
done
Q='sum by (direction) (migmeter_migrations_total{job="migmeter",status="completed"})'
echo "PromQL: $Q"
ip netns exec "$NS_A" curl -s --get --data-urlencode "query=$Q" "$PROM/api/v1/query" |
	jq -c '[.data.result[] | {direction: .metric.direction, value: .value[1]}]'
Q='sum(migmeter_migration_duration_seconds_bucket{job="node",le="0.1"})'
echo "PromQL: $Q => $(promq "$Q")"

# ---- the end: the last textfile, no timestamps, nothing left behind ----
kill -INT "$MM_PID"
wait "$MM_PID"
check_eq "capture-exit-0" 0 "$?"
check_eq "textfile-alone-in-dir" "migmeter.prom" "$(ls -A "$TXT" | xargs)"
check_eq "textfile-migrations-total" "$(lines)" \
	"$(awk '/^migmeter_migrations_total\{/ { s += $2 } END { print s + 0 }' "$TXT/migmeter.prom")"
check_eq "textfile-no-timestamps" 0 "$(grep -v '^#' "$TXT/migmeter.prom" | awk 'NF != 2' | wc -l)"
check_eq "textfile-mode" 644 "$(stat -c %a "$TXT/migmeter.prom")"
kill -INT "$NOREC_PID"
wait "$NOREC_PID"
check_eq "norec-exit-0" 0 "$?"
# textsum FILE METRIC [LABEL-MATCH] - the sum of METRIC's samples in a textfile.
textsum() {
	awk -v m="$2" -v l="${3:-}" 'index($1, m "{") == 1 && index($1, l) { s += $2 } END { print s + 0 }' "$1"
}
check_eq "norec-migrations-total" "$NREC" "$(textsum "$E2E_TMP/norec.prom" migmeter_migrations_total)"
check_eq "norec-completed" "$COMPLETED" \
	"$(textsum "$E2E_TMP/norec.prom" migmeter_migrations_total 'status="completed"')"
check_eq "norec-duration-count" "$COMPLETED" \
	"$(textsum "$E2E_TMP/norec.prom" migmeter_migration_duration_seconds_count)"
check_eq "norec-bytes-main" "$(jrec '[.[].bytes_by_role.main] | add')" \
	"$(textsum "$E2E_TMP/norec.prom" migmeter_migration_bytes_total 'role="main"')"
check_eq "norec-node-label" 1 "$(grep -c '^migmeter_capture_dropped_frames_total{node="node-a2",capture="icmp"}' "$E2E_TMP/norec.prom")"
check "node-exporter-parsed-it" "$(tail -c 300 "$E2E_TMP/node.log")" \
	bash -c "! grep -qi 'error' '$E2E_TMP/node.log'"

# ---- the Grafana dashboard queries only metrics migmeter exports ----
check "dashboard-is-json" "$DASH" bash -c "jq -e '.panels | length > 0' '$DASH' >/dev/null"
EXPORTED=$(grep '^# TYPE migmeter_' "$E2E_TMP/scrape1.txt" | awk '{ print $3 }' | sort -u)
check_eq "exported-families" 8 "$(echo "$EXPORTED" | wc -l)"
used=$(jq -r '.. | (.expr? // empty), (.definition? // empty)' "$DASH" | grep -o 'migmeter_[a-z_]*' | sort -u)
check "dashboard-queries-metrics" "$used" test -n "$used"
for name in $used; do
	base=$name
	for suf in _bucket _sum _count; do
		b=${name%"$suf"}
		if [ "$b" != "$name" ] && grep -qx "$b" <<<"$EXPORTED" &&
			grep -q "^# TYPE $b histogram" "$E2E_TMP/scrape1.txt"; then
			base=$b
		fi
	done
	check "dashboard-metric-$name" "$name is not exported (exported: $(echo "$EXPORTED" | xargs))" \
		grep -qx "$base" <<<"$EXPORTED"
done
for want in migmeter_migration_downtime_seconds_bucket migmeter_migrations_total migmeter_migration_bytes_total \
	migmeter_capture_dropped_frames_total; do
	check "dashboard-has-$want" "$used" grep -qx "$want" <<<"$used"
done

summary
