#!/usr/bin/env bash
# test_service.sh - capture as a service (README "Running for days"): -w rotation (-G, -C, -W), --records rotation, SIGHUP, flat memory and descriptors.
#
# Usage errors first (exit 2).  Then, in namespace A, several captures run at
# once on veth-a while tests/gen/migtraffic.py sends 40 small migrations from
# namespace B (one qemu flow each, 8 a second, raw frames):
#   full   -w full.pcap                      (the reference, unrotated)
#   ring   -w g-%H%M%S.pcap -G 1 -W 3        three files kept
#   size   -w c.pcap -C 24k                  c.pcap, c.pcap1, c.pcap2, ...
#   csw    -w cw.pcap -C 24k -W 2 -Z root    cw.pcap0, cw.pcap1 reused (opened in place)
#   taken  -w d.pcap -C 24k, d.pcap2 someone's: never written over, passed over
#   ng     -w n.pcapng -C 24k                pcapng parts
#   apart  -i any --icmp-iface veth-a -G 1   the ICMP capture apart, rotating along
#   hup    --records r.jsonl -w h.pcap -C 100M: the records file moved away and
#          SIGHUP mid-way (the root parent opens the new one; a new -w part)
#   rrot   --records s.jsonl --records-rotate 6k, -Z root (opened in place)
# B pings A all along.  The ring's kept files replay (as one capture) to the
# same figures as full.pcap cut at their first frame; the -C parts replay
# to full.pcap's.  Last, a long run: 3000 migrations at 150 a second
# through a capture with --records, --records-rotate 256k and -G 2 -W 2;
# the worker's VmRSS and open descriptors are sampled once 600 records are
# written and at the end: descriptors equal, RSS growth under 1 KiB per
# migration; the report lists the newest 1000 or so, its totals all 3000
# (README "Running for days": retention; days of capture time are
# tests/e2e/test_longrun.sh's).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip jq python3
require_binaries migmeter

GEN=$REPO_DIR/tests/gen/migtraffic.py
T=$E2E_TMP

# ---- usage errors ----------------------------------------------------------
usage_case() {
	local name=$1
	shift
	"$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i lo --duration 1s -o "$T/u.json" "$@" \
		>"$T/u.out" 2>"$T/u.err" </dev/null
	local rc=$?
	check_eq "usage-$name" "2 1" "$rc $(wc -l <"$T/u.err")"
}
usage_case G0 -w "$T/x.pcap" -G 0
usage_case W-alone -w "$T/x.pcap" -W 3
usage_case C-negative -w "$T/x.pcap" -C -1
usage_case C0 -w "$T/x.pcap" -C 0
usage_case C-junk -w "$T/x.pcap" -C 10q
usage_case G-no-w -G 10
usage_case G-stdout -w - -G 10 -o "$T/u.json"
usage_case W0 -w "$T/x.pcap" -C 1 -W 0
usage_case rr-no-records --records-rotate 10M
usage_case rr-stdout --records - --records-rotate 10M
usage_case rr-ambiguous --records "$T/x.jsonl" --records-rotate 10m
usage_case rr-junk --records "$T/x.jsonl" --records-rotate soon
check "usage-nothing-written" "$(ls "$T")" bash -c "! ls '$T' | grep -q '^x\\.'"

# ---- the captures ----------------------------------------------------------
netns_pair || die "could not create the namespace pair"
AMAC=$(ip netns exec "$NS_A" cat /sys/class/net/veth-a/address) || die "A's MAC"

# start NAME OPTION... - a capture in A on veth-a; its PID in PIDS[NAME].
declare -A PIDS
start() {
	local name=$1 ifc=veth-a
	shift
	if [ "$1" = "-i" ]; then
		ifc=$2
		shift 2
	fi
	ip netns exec "$NS_A" "$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -q -i "$ifc" \
		--buffer-size 4 --format json -o "$T/$name.json" "$@" \
		>"$T/$name.out" 2>"$T/$name.err" </dev/null &
	PIDS[$name]=$!
	track_pid $!
}
# started NAME - once the capture's worker is past its start (it says so without -q; with -q it is quiet).
mkdir -p "$T/ring" "$T/size" "$T/csw" "$T/taken" "$T/ng" "$T/apart"
printf 'not migmeter\n' >"$T/taken/d.pcap2"
start full -w "$T/full.pcap"
start ring -w "$T/ring/g-%H%M%S.pcap" -G 1 -W 3
start size -w "$T/size/c.pcap" -C 24k
start csw -w "$T/csw/cw.pcap" -C 24k -W 2 -Z root
start taken -w "$T/taken/d.pcap" -C 24k
start ng -w "$T/ng/n.pcapng" -C 24k
# -i any is Linux cooked, veth-a Ethernet: the ICMP capture is saved apart and rotates with the other.
start apart -i any --icmp-iface veth-a -w "$T/apart/a-%H%M%S.pcap" -G 1
printf '{"old":"line"}\n' >"$T/r.jsonl"
mkdir -p "$T/hup"
start hup --records "$T/r.jsonl" -w "$T/hup/h.pcap" -C 100M
start rrot --records "$T/s.jsonl" --records-rotate 6k -Z root
# -q keeps "listening on" off stderr: wait for every worker to hold its capture sockets.
sleep 3
for n in "${!PIDS[@]}"; do
	kill -0 "${PIDS[$n]}" 2>/dev/null || die "capture $n did not start: $(cat "$T/$n.err")"
done

ip netns exec "$NS_B" ping -n -q -i 0.05 -w 30 "$A4" >/dev/null 2>&1 </dev/null &
PING_PID=$!
track_pid $PING_PID
ip netns exec "$NS_B" python3 "$GEN" send veth-b "$AMAC" --count 20 --rate 8 >/dev/null ||
	die "traffic (first half)"
# A record is written about 6 s after its migration ended (2 s quiet, then the announce window).
wait_until 200 bash -c "[ \$(cat '$T/r.jsonl' 2>/dev/null | wc -l) -ge 21 ]" || die "hup: the first records did not come"
# logrotate's way: the records file moved away, then SIGHUP; migmeter opens a new one.
mv "$T/r.jsonl" "$T/r.jsonl.1"
kill -HUP "${PIDS[hup]}"
sleep 0.5
ip netns exec "$NS_B" python3 "$GEN" send veth-b "$AMAC" --count 20 --rate 8 --first 20 >/dev/null ||
	die "traffic (second half)"
# No frame after the traffic: the ring's last files hold the migrations, every capture the same frames.
kill "$PING_PID" 2>/dev/null
wait_until 200 bash -c "[ \$(cat '$T/r.jsonl' 2>/dev/null | wc -l) -ge 20 ]"
wait_until 100 bash -c "[ \$(cat '$T'/s.jsonl* 2>/dev/null | wc -l) -ge 40 ]"
for n in "${!PIDS[@]}"; do
	kill -INT "${PIDS[$n]}"
done
declare -A RC
for n in "${!PIDS[@]}"; do
	wait "${PIDS[$n]}"
	RC[$n]=$?
done
kill "$PING_PID" 2>/dev/null
for n in full ring size csw hup rrot ng apart; do
	check_eq "exit-$n" 0 "${RC[$n]}"
done
check_eq "full-40-migrations" 40 "$(jqr "$T/full.json" '.migrations | length')"

# replay_json OUT FILE... - replays the files into OUT (JSON).
replay_json() {
	local out=$1
	shift
	"$MIGMETER" replay "${MM_OPTS[@]}" -q --format json -o "$out" "$@" 2>"$out.err"
}
# The figures two replays of the same frames must share.
# (less each flow's file name).
FIG='{capture: .capture, migrations: .migrations, flows: [.flows[] | del(.capture)], totals: .migration}'

# -G 1 -W 3: three files, the older ones removed; one capture from the kept ones.
mapfile -t RING < <(ls "$T/ring"/g-*.pcap 2>/dev/null)
check_eq "ring-three-files" 3 "${#RING[@]}"
replay_json "$T/ring-replay.json" "${RING[@]}"
check_eq "ring-one-capture" "1 1 1" "$(jqr "$T/ring-replay.json" '[.inputs[].capture] | map(tostring) | join(" ")')"
# The same frames from the unrotated capture: those from the first kept frame on.
first_ns=$(python3 - "${RING[@]}" <<'PY'
import struct, sys
best = None
for p in sys.argv[1:]:
    with open(p, 'rb') as f:
        f.read(24)
        h = f.read(16)
        if len(h) == 16:
            s, ns = struct.unpack('<II', h[:8])
            t = s * 10**9 + ns
            best = t if best is None or t < best else best
print(best)
PY
)
python3 - "$T/full.pcap" "$T/full-cut.pcap" "$first_ns" <<'PY'
import struct, sys
src, dst, t0 = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, 'rb') as f, open(dst, 'wb') as o:
    o.write(f.read(24))
    while True:
        h = f.read(16)
        if len(h) < 16:
            break
        s, ns, cl, _ = struct.unpack('<IIII', h)
        d = f.read(cl)
        if s * 10**9 + ns >= t0:
            o.write(h + d)
PY
replay_json "$T/cut-replay.json" "$T/full-cut.pcap"
check "ring-has-migrations" "$(jqr "$T/ring-replay.json" '.migrations | length')" \
	test "$(jqr "$T/ring-replay.json" '.migrations | length')" -ge 10
check_eq "ring-equals-unrotated-span" "$(jq -S "$FIG" "$T/cut-replay.json")" "$(jq -S "$FIG" "$T/ring-replay.json")"
check "ring-fewer-than-all" "ring $(jqr "$T/ring-replay.json" '.capture.frames'), all $(jqr "$T/full.json" '.capture.frames')" \
	test "$(jqr "$T/ring-replay.json" '.capture.frames')" -lt "$(jqr "$T/full.json" '.capture.frames')"

# -C 24k: tcpdump's names, each part a whole capture, all of them one capture equal to the whole.
mapfile -t SIZE < <(cd "$T/size" && printf '%s\n' c.pcap* | sort -V)
check "size-parts" "${SIZE[*]}" test "${#SIZE[@]}" -ge 3
check_eq "size-names" "c.pcap c.pcap1 c.pcap2" "${SIZE[*]:0:3}"
for f in "${SIZE[@]:0:${#SIZE[@]}-1}"; do
	sz=$(stat -c %s "$T/size/$f")
	# A part ends with the first frame past 24 KiB: at most one frame (16 + 256 bytes) over.
	check "size-$f-bounded" "$sz bytes" test "$sz" -gt 24576 -a "$sz" -le $((24576 + 272))
done
replay_json "$T/size-replay.json" "${SIZE[@]/#/$T/size/}"
replay_json "$T/full-replay.json" "$T/full.pcap"
check_eq "size-one-capture" "1" "$(jqr "$T/size-replay.json" '[.inputs[].capture] | unique | map(tostring) | join(" ")')"
check_eq "size-equals-whole" "$(jq -S "$FIG" "$T/full-replay.json")" "$(jq -S "$FIG" "$T/size-replay.json")"
check_eq "size-frames" "$(jqr "$T/full.json" '.capture.frames')" "$(jqr "$T/size-replay.json" '.capture.frames')"

# -C 24k -W 2: two files, tcpdump's ring names, reused.
check_eq "csw-two-files" "cw.pcap0 cw.pcap1" "$(cd "$T/csw" && echo *)"

# pcapng parts: each with its own section and interface blocks; one capture equal to the whole.
mapfile -t NG < <(cd "$T/ng" && printf '%s\n' * | sort -V)
check "ng-parts" "${NG[*]}" test "${#NG[@]}" -ge 3
check_eq "ng-first-names" "n.pcapng n.pcapng1" "${NG[*]:0:2}"
replay_json "$T/ng-replay.json" "${NG[@]/#/$T/ng/}"
check_eq "ng-one-capture" "1" "$(jqr "$T/ng-replay.json" '[.inputs[].capture] | unique | map(tostring) | join(" ")')"
check_eq "ng-figures" "$(jq -c '[(.migrations | length), .migration.unique_payload_bytes, .migration.packets]' "$T/full-replay.json")" \
	"$(jq -c '[(.migrations | length), .migration.unique_payload_bytes, .migration.packets]' "$T/ng-replay.json")"

# The ICMP capture saved apart rotates at the same moments: as many parts, each beside its twin.
mapfile -t AM < <(cd "$T/apart" && printf '%s\n' * | grep -v -- '-icmp' | sort)
mapfile -t AI < <(cd "$T/apart" && printf '%s\n' * | grep -- '-icmp' | sort)
check "apart-parts" "${AM[*]} / ${AI[*]}" test "${#AM[@]}" -ge 3 -a "${#AM[@]}" -eq "${#AI[@]}"
check_eq "apart-names" "$(printf '%s\n' "${AM[@]}" | sed 's/\.pcap$/-icmp.pcap/' | xargs)" "${AI[*]}"
replay_json "$T/apart-icmp.json" "${AI[@]/#/$T/apart/}"
check_eq "apart-icmp-echo" "$(jqr "$T/full-replay.json" '.capture.echo_frames')" "$(jqr "$T/apart-icmp.json" '.capture.echo_frames')"
check "apart-icmp-pinged" "$(jqr "$T/apart-icmp.json" '.capture.echo_frames')" test "$(jqr "$T/apart-icmp.json" '.capture.echo_frames')" -ge 100
replay_json "$T/apart-mig.json" "${AM[@]/#/$T/apart/}"
check_eq "apart-mig-migrations" 40 "$(jqr "$T/apart-mig.json" '.migrations | length')"

# A later part's name already taken by someone: never written over; -C numbering passes it over.
check_eq "taken-file-untouched" "not migmeter" "$(cat "$T/taken/d.pcap2")"
check_eq "taken-exit-0" 0 "${RC[taken]}"
check "taken-said" "$(head -c 300 "$T/taken.err")" grep -q 'd.pcap2 on taken by files this capture did not make' "$T/taken.err"
mapfile -t TK < <(cd "$T/taken" && printf '%s\n' * | grep -vx 'd.pcap2' | sort -V)
check "taken-went-on" "${TK[*]}" test "${TK[2]:-}" = d.pcap3
replay_json "$T/taken-replay.json" "${TK[@]/#/$T/taken/}"
check_eq "taken-nothing-lost" "$(jqr "$T/full.json" '.capture.frames')" "$(jqr "$T/taken-replay.json" '.capture.frames')"

# SIGHUP after logrotate moved the records file: every record once, in one of the two files.
check_eq "hup-old-line-kept" '{"old":"line"}' "$(head -n 1 "$T/r.jsonl.1")"
before=$(($(wc -l <"$T/r.jsonl.1") - 1))
after=$(wc -l <"$T/r.jsonl")
check "hup-both-files-used" "$before before, $after after" test "$before" -ge 15 -a "$after" -ge 15
check_eq "hup-no-record-lost" 40 "$((before + after))"
ids=$( (tail -n +2 "$T/r.jsonl.1"; cat "$T/r.jsonl") | jq -r '.flows[0].client_port' | sort -n | uniq | wc -l)
check_eq "hup-no-record-twice" 40 "$ids"
check_eq "hup-records-are-report" "$(jq -c '[.migrations[] | .flows[0].client_port] | sort' "$T/hup.json")" \
	"$( (tail -n +2 "$T/r.jsonl.1"; cat "$T/r.jsonl") | jq -s -c '[.[] | .flows[0].client_port] | sort')"

# SIGHUP with -w rotating: the next frame starts a new part; both parts are the whole capture.
check_eq "hup-new-part" "h.pcap h.pcap1" "$(cd "$T/hup" && echo *)"
replay_json "$T/hup-replay.json" "$T/hup/h.pcap" "$T/hup/h.pcap1"
check_eq "hup-parts-equal-whole" "$(jq -S "$FIG" "$T/full-replay.json")" "$(jq -S "$FIG" "$T/hup-replay.json")"
check "hup-parts-both-used" "$(jqr "$T/hup-replay.json" '[.inputs[].frames] | map(tostring) | join(" ")')" \
	test "$(jqr "$T/hup-replay.json" '[.inputs[].frames | select(. > 100)] | length')" -eq 2

# --records-rotate 6k: whole lines in every file, every record once, each rotated file under 6 KiB.
mapfile -t ROT < <(ls "$T"/s.jsonl.* 2>/dev/null)
check "rrot-rotated" "${#ROT[@]} files" test "${#ROT[@]}" -ge 3
bad=0
for f in "${ROT[@]}"; do
	[ "$(stat -c %s "$f")" -le 6144 ] || bad=$((bad + 1))
	jq -e . "$f" >/dev/null 2>&1 || bad=$((bad + 1))
	[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || bad=$((bad + 1))
done
check_eq "rrot-files-whole-and-bounded" 0 "$bad"
check_eq "rrot-every-record-once" 40 "$(cat "${ROT[@]}" "$T/s.jsonl" | jq -r '.flows[0].client_port' | sort -u | wc -l)"
check_eq "rrot-line-count" 40 "$(cat "${ROT[@]}" "$T/s.jsonl" | wc -l)"

# ---- flat over a long run ----------------------------------------------------
mkdir -p "$T/long"
# Under a sanitizer build (make asan), freed memory is held in a quarantine: none, so RSS means the same.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0:redzone=16 \
	ip netns exec "$NS_A" "$MIGMETER" capture "${MM_OPTS[@]}" --no-progress -i veth-a --buffer-size 8 \
	--format json -o "$T/long.json" --records "$T/long/r.jsonl" --records-rotate 256k -w "$T/long/l-%H%M%S.pcap" -G 2 -W 2 \
	>"$T/long.out" 2>"$T/long.err" </dev/null &
LPID=$!
track_pid $LPID
wait_until 100 grep -qs 'listening on' "$T/long.err" || die "long capture did not start: $(cat "$T/long.err")"
# The worker is the root parent's child (-Z nobody).
WPID=$(awk '{ print $1 }' "/proc/$LPID/task/$LPID/children" 2>/dev/null)
[ -n "$WPID" ] || die "no worker process under $LPID"
ip netns exec "$NS_B" python3 "$GEN" send veth-b "$AMAC" --count 3000 --rate 150 --first 100 >/dev/null &
GPID=$!
track_pid $GPID
sample() {
	printf '%s %s %s\n' "$(cat "$T/long"/r.jsonl* | wc -l)" \
		"$(awk '/^VmRSS/ { print $2 }' "/proc/$WPID/status")" "$(find "/proc/$WPID/fd" -mindepth 1 -maxdepth 1 | wc -l)"
}
wait_until 600 bash -c "[ \$(cat '$T/long'/r.jsonl* 2>/dev/null | wc -l) -ge 600 ]" || die "long: records did not come: $(tail -c 600 "$T/long.err")"
read -r n0 rss0 fd0 < <(sample)
wait "$GPID"
wait_until 300 bash -c "[ \$(cat '$T/long'/r.jsonl* 2>/dev/null | wc -l) -ge 3000 ]"
read -r n1 rss1 fd1 < <(sample)
# The root parent keeps none of the files it opened for the worker (a removed part is really gone).
check_eq "long-parent-holds-no-output" "" "$(for f in /proc/"$LPID"/fd/*; do readlink "$f"; done | grep -F -- "$T/long/")"
kill -INT "$LPID"
wait "$LPID"
check_eq "long-exit" 0 "$?"
printf 'long run: %s records: VmRSS %s KiB, %s fds; %s records: VmRSS %s KiB, %s fds\n' \
	"$n0" "$rss0" "$fd0" "$n1" "$rss1" "$fd1"
check_eq "long-all-records" 3000 "$n1"
check_eq "long-fds-flat" "$fd0" "$fd1"
# Bound: 1 KiB per migration after the first 600 (each keeps its flow's summary for the final report).
check "long-rss-flat" "$rss0 -> $rss1 KiB over $((n1 - n0)) migrations" \
	test $((rss1 - rss0)) -le $(((n1 - n0) * 1)) 
# Retired once written: 3000 flows pass the default --max-flows 2048, none dropped; the report
# lists the newest 1000 or so (retention: README "Running for days"), its totals every one.
check_eq "long-flows-retired" "3000 3000 0 $(cat "$T/long"/r.jsonl* | jq -s 'map(.unique_payload_bytes) | add')" \
	"$(jqr "$T/long.json" '"\((.migrations | length) + .retention.records_not_listed) \(.migration.flows) \(.capture.flows_dropped) \(.migration.unique_payload_bytes)"')"
check "long-report-lists-newest" "$(jqr "$T/long.json" '"\(.migrations | length) listed, last id \(.migrations[-1].id)"')" \
	test "$(jqr "$T/long.json" '[(.migrations | length) >= 1000, (.migrations | length) <= 1100, .migrations[-1].id == 3000] | all')" = true
check_eq "long-two-files" 2 "$(find "$T/long" -name 'l-*.pcap' | wc -l)"
# The records rotated through the root parent: every record once, in whole lines.
check "long-records-rotated" "$(cd "$T/long" && echo *)" test "$(find "$T/long" -name 'r.jsonl.*' | wc -l)" -ge 5
check_eq "long-records-once" 3000 "$(cat "$T/long"/r.jsonl* | jq -r '.flows[0].client_port' | sort -u | wc -l)"

summary
