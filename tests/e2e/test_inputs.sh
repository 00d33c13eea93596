#!/usr/bin/env bash
# test_inputs.sh - every input a user can hand replay: stdin, FIFOs, process substitution, rotated captures, multi-interface pcapng.
#
# Each way of handing over a capture must give exactly the report the
# file gives (the JSON compared with every number as written, minus the
# fields that name the input): `-` and /dev/stdin from a pipe, a FIFO,
# <(cat ...), <(zcat ...), tcpdump -w - live, in pcap and pcapng, micro-
# and nanoseconds.  A capture split by editcap -c or rotated by tcpdump -C
# (real migration-like traffic and ping made in two namespaces) must give
# the whole file's report; overlapping files stay separate vantage
# points; --inputs forces either reading.  A pcapng file with two
# interfaces of different link types and snap lengths (mergecap) is read
# whole, each interface its own vantage point; so is a real two-interface
# dumpcap capture, whose file order is not time order: its report is that
# of the same frames sorted by time (reordercap).
set -u
# `cat X | replay ...` runs replay in this shell, so it can set RC.
shopt -s lastpipe
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip tc tcpdump editcap mergecap capinfos jq python3 gzip ping dumpcap reordercap tshark
require_binaries migmeter xfer
GEN=$REPO_DIR/build/gen_fixtures
[ -x "$GEN" ] || die "$GEN not built (make build/gen_fixtures)"
SAMPLE=$REPO_DIR/samples/migration-49152.pcapng
[ -s "$SAMPLE" ] || die "$SAMPLE missing"
FX=$E2E_TMP/fx
mkdir -p "$FX" && "$GEN" "$FX" >/dev/null || die "gen_fixtures failed"

# replay NAME ARG... - JSON report of `replay ARG...` into $E2E_TMP/NAME.json; sets RC; stderr in NAME.err.
replay() {
	local name=$1
	shift
	"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$E2E_TMP/$name.json" "$@" 2>"$E2E_TMP/$name.err"
	RC=$?
}

# norm NAME [inputs|paths] - the report with every number as written (no float rounding), keys
# sorted; without the input list ("inputs") or without only its path and stream fields ("paths").
norm() {
	python3 - "$E2E_TMP/$1.json" "${2:-paths}" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]), parse_float=str)
except (OSError, ValueError) as e:
    print("no report: %s" % e)
    sys.exit(0)
if sys.argv[2] == "inputs":
    d.pop("inputs", None)
else:
    for i in d.get("inputs", []):
        i.pop("file", None)
        i.pop("stream", None)
for f in d.get("flows", []):
    f.pop("capture", None)
print(json.dumps(d, sort_keys=True, indent=1))
PY
}

# same_report NAME REF WHAT [inputs|paths] - exit 0 and the report of NAME equal to REF's.
same_report() {
	local name=$1 ref=$2 what=$3 mode=${4:-paths}
	check_eq "$name-exit-0" 0 "$RC"
	if diff <(norm "$ref" "$mode") <(norm "$name" "$mode") >"$E2E_TMP/$name.diff"; then
		pass "$name-same-report-as-$what"
	else
		fail "$name-same-report-as-$what" "$(head -c 600 "$E2E_TMP/$name.diff"; head -c 300 "$E2E_TMP/$name.err")"
	fi
}

# raw NAME KEY - the text of the first "KEY": value in the report, exactly as written.
raw() {
	grep -o "\"$2\": [^,}]*" "$E2E_TMP/$1.json" | head -n 1 | sed 's/^[^:]*: //'
}

# ---- stdin, FIFO, process substitution: pcap and pcapng, us and ns -------

editcap -F pcap "$SAMPLE" "$E2E_TMP/sample.pcap" 2>/dev/null || die "editcap -F pcap failed"
editcap -F pcapng "$FX/mig_ns.pcap" "$E2E_TMP/mig_ns.pcapng" 2>/dev/null || die "editcap -F pcapng failed"
check "ns-pcapng-made-ns" "editcap did not keep nanoseconds" \
	grep -q 'nanoseconds' <(capinfos -a "$E2E_TMP/mig_ns.pcapng" 2>/dev/null; capinfos "$E2E_TMP/mig_ns.pcapng" 2>/dev/null)
gzip -c "$SAMPLE" >"$E2E_TMP/sample.pcapng.gz"
FIFO=$E2E_TMP/fifo
mkfifo "$FIFO" || die "mkfifo"

n=0
for cap in "$SAMPLE" "$E2E_TMP/sample.pcap" "$FX/mig_ns.pcap" "$E2E_TMP/mig_ns.pcapng"; do
	n=$((n + 1))
	tag=in$n-$(basename "$cap" | tr . -)
	replay "$tag-file" "$cap"
	check_eq "$tag-file-exit-0" 0 "$RC"
	cat "$cap" | replay "$tag-dash" -
	same_report "$tag-dash" "$tag-file" file
	check_eq "$tag-dash-read-as-stream" true "$(jqr "$E2E_TMP/$tag-dash.json" '.inputs[0].stream')"
	replay "$tag-redirect" - <"$cap"
	same_report "$tag-redirect" "$tag-file" file
	cat "$cap" | replay "$tag-devstdin" /dev/stdin
	same_report "$tag-devstdin" "$tag-file" file
	replay "$tag-procsub" <(cat "$cap")
	same_report "$tag-procsub" "$tag-file" file
	cat "$cap" >"$FIFO" &
	writer=$!
	track_pid "$writer"
	replay "$tag-fifo" "$FIFO"
	wait "$writer" 2>/dev/null
	same_report "$tag-fifo" "$tag-file" file
	check_eq "$tag-format-kept" "$(jqr "$E2E_TMP/$tag-file.json" '.inputs[0].format')" \
		"$(jqr "$E2E_TMP/$tag-fifo.json" '.inputs[0].format')"
done
# Nanoseconds from a pipe: the precision and every digit of the times (in1 is the microsecond sample).
for tag in in3-mig_ns-pcap in4-mig_ns-pcapng; do
	check_eq "$tag-dash-precision-ns" ns "$(jqr "$E2E_TMP/$tag-dash.json" .timestamp_precision)"
	first=$(raw "$tag-dash" first_ts)
	check "$tag-dash-first-ts-9-decimals" "first_ts $first" grep -Eq '^[0-9]+\.[0-9]{9}$' <<<"$first"
	check_eq "$tag-dash-first-ts-as-file" "$(raw "$tag-file" first_ts)" "$first"
	check "$tag-first-ts-sub-us" "first_ts $first has no digits below the microsecond" \
		grep -Eq '\.[0-9]{6}[1-9]|\.[0-9]{7}[1-9]|\.[0-9]{8}[1-9]' <<<"$first"
done
check_eq "in1-precision-us" us "$(jqr "$E2E_TMP/in1-migration-49152-pcapng-file.json" .timestamp_precision)"

replay zcat <(zcat "$E2E_TMP/sample.pcapng.gz")
same_report zcat in1-migration-49152-pcapng-file file

# tcpdump writing to a pipe: what it rewrote from the sample, and a live capture of real pings.
tcpdump -r "$SAMPLE" -w - 2>/dev/null | replay tcpdump-w-dash -
same_report tcpdump-w-dash in2-sample-pcap-file "the pcap file" inputs

netns_pair || die "could not create the namespace pair"
# tcpdump writes every frame of these captures: pace the link so it keeps up.
{ shape_link "$NS_A" veth-a 300mbit && shape_link "$NS_B" veth-b 300mbit; } || die "could not shape the veth pair (tc htb)"
LOG=$E2E_TMP/live-pipe.log
(ip netns exec "$NS_A" tcpdump -Z root -i veth-a -U -w - -c 40 icmp 2>"$LOG" |
	"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$E2E_TMP/live-pipe.json" /dev/stdin \
		2>"$E2E_TMP/live-pipe.err") &
LIVE=$!
track_pid "$LIVE"
if wait_until 100 grep -qs 'listening on' "$LOG"; then
	ip netns exec "$NS_A" ping -c 20 -i 0.05 -q "$B4" >/dev/null 2>&1
	wait "$LIVE"
	RC=$?
	check_eq "live-pipe-exit-0" 0 "$RC"
	check_eq "live-pipe-frames" 40 "$(jqr "$E2E_TMP/live-pipe.json" .capture.frames)"
	check_eq "live-pipe-requests-replies" "20 20" \
		"$(jqr "$E2E_TMP/live-pipe.json" '"\(.downtime.total.requests) \(.downtime.total.replies)"')"
else
	fail "live-pipe" "tcpdump did not start: $(cat "$LOG")"
fi

# Refused: one pipe named twice, nothing on stdin, an unknown --inputs.
cat "$SAMPLE" | replay twice - /dev/stdin
check_eq "same-pipe-twice-exit-1" 1 "$RC"
check "same-pipe-twice-one-line" "$(cat "$E2E_TMP/twice.err")" \
	[ "$(wc -l <"$E2E_TMP/twice.err")" -eq 1 ]
replay empty - </dev/null
check_eq "empty-stdin-exit-1" 1 "$RC"
check "empty-stdin-says-empty" "$(cat "$E2E_TMP/empty.err")" grep -q 'empty' "$E2E_TMP/empty.err"
replay badmode --inputs sometimes "$SAMPLE"
check_eq "inputs-bad-value-exit-2" 2 "$RC"

# ---- rotated captures ---------------------------------------------------------

# The sample split by editcap -c: same report, whatever the order on the command line.
mkdir -p "$E2E_TMP/split" "$E2E_TMP/splitp"
editcap -c 100 "$SAMPLE" "$E2E_TMP/split/part.pcapng" 2>/dev/null || die "editcap -c failed"
editcap -c 100 "$E2E_TMP/sample.pcap" "$E2E_TMP/splitp/part.pcap" 2>/dev/null || die "editcap -c failed"
mapfile -t PARTS < <(ls "$E2E_TMP"/split/part_*.pcapng)
check "split-made-parts" "editcap made ${#PARTS[@]} parts" [ "${#PARTS[@]}" -ge 5 ]
replay split "${PARTS[@]}"
same_report split in1-migration-49152-pcapng-file "the whole file" inputs
check_eq "split-one-capture" "1 ${#PARTS[@]}" \
	"$(jqr "$E2E_TMP/split.json" '"\([.inputs[].capture] | unique | length) \(.inputs[0].parts)"')"
check_eq "split-every-migration-flow-counted" true \
	"$(jqr "$E2E_TMP/split.json" '[.flows[] | select(.class == "migration") | .counted] | all')"
mapfile -t REV < <(printf '%s\n' "${PARTS[@]}" | sort -r)
replay split-reversed "${REV[@]}"
same_report split-reversed in1-migration-49152-pcapng-file "the whole file" inputs
check_eq "split-reversed-parts-by-time" "$(basename "${PARTS[0]}")" \
	"$(jqr "$E2E_TMP/split-reversed.json" '.inputs[] | select(.part == 1) | .file | split("/") | last')"
replay split-pcap "$E2E_TMP"/splitp/part_*.pcap
same_report split-pcap in2-sample-pcap-file "the whole pcap file" inputs
# The same parts read as separate vantage points: the flows crossing a boundary are cut.
replay split-separate --inputs separate "${PARTS[@]}"
check_eq "split-separate-exit-0" 0 "$RC"
check_eq "split-separate-captures" "${#PARTS[@]}" \
	"$(jqr "$E2E_TMP/split-separate.json" '[.inputs[].capture] | unique | length')"
check "split-separate-loses-unique-bytes" "unique $(jqr "$E2E_TMP/split-separate.json" .migration.unique_payload_bytes)" \
	[ "$(jqr "$E2E_TMP/split-separate.json" .migration.unique_payload_bytes)" -lt \
		"$(jqr "$E2E_TMP/split.json" .migration.unique_payload_bytes)" ]

# Overlapping time windows of one capture: two vantage points unless forced.
T_FIRST=$(jqr "$E2E_TMP/in1-migration-49152-pcapng-file.json" .capture.first_ts)
T_LAST=$(jqr "$E2E_TMP/in1-migration-49152-pcapng-file.json" .capture.last_ts)
MID=$(awk -v a="$T_FIRST" -v b="$T_LAST" 'BEGIN { printf "%.6f", (a + b) / 2 }')
LATE=$(awk -v m="$MID" 'BEGIN { printf "%.6f", m + 0.5 }')
editcap -B "$LATE" "$SAMPLE" "$E2E_TMP/early.pcapng" 2>/dev/null &&
	editcap -A "$MID" "$SAMPLE" "$E2E_TMP/late.pcapng" 2>/dev/null || die "editcap -A/-B failed"
replay overlap "$E2E_TMP/early.pcapng" "$E2E_TMP/late.pcapng"
check_eq "overlap-exit-0" 0 "$RC"
check_eq "overlap-two-captures" "1 2" "$(jqr "$E2E_TMP/overlap.json" '[.inputs[].capture] | "\(.[0]) \(.[1])"')"
replay overlap-forced --inputs one-capture "$E2E_TMP/late.pcapng" "$E2E_TMP/early.pcapng"
check_eq "overlap-forced-exit-0" 0 "$RC"
check_eq "overlap-forced-one-capture-by-time" "1 2 1 1" \
	"$(jqr "$E2E_TMP/overlap-forced.json" '[.inputs[] | .capture, .part] | map(tostring) | join(" ")')"
# The same capture twice (pcapng and pcap): the same times, so two vantage points, counted once.
replay twoviews "$SAMPLE" "$E2E_TMP/sample.pcap"
check_eq "twoviews-two-captures" 2 "$(jqr "$E2E_TMP/twoviews.json" '[.inputs[].capture] | unique | length')"
check_eq "twoviews-counted-once" \
	"$(jqr "$E2E_TMP/in1-migration-49152-pcapng-file.json" '.migration.unique_payload_bytes')" \
	"$(jqr "$E2E_TMP/twoviews.json" '.migration.unique_payload_bytes')"
# Forced together, files of different link types are refused in one line.
replay forced-mixed --inputs one-capture "$FX/mig_eth.pcap" "$FX/mig_sll.pcap"
check_eq "forced-mixed-exit-1" 1 "$RC"
one_line_naming() {
	[ "$(wc -l <"$1")" -eq 1 ] && grep -q -- "$2" "$1"
}
check "forced-mixed-one-line" "$(cat "$E2E_TMP/forced-mixed.err")" \
	one_line_naming "$E2E_TMP/forced-mixed.err" one-capture

# traffic NAME PINGS BYTES - A pings B PINGS times every 10 ms while it sends BYTES QEMU-style
# to B's port 49152; sets sent (what xfer wrote).
traffic() {
	local l ping
	xfer_listen "$1" 49152
	l=$LISTEN_PID
	ip netns exec "$NS_A" ping -c "$2" -i 0.01 -q "$B4" >/dev/null 2>&1 &
	ping=$!
	track_pid "$ping"
	sleep 0.3
	sent=$(ip netns exec "$NS_A" "$XFER" send "$B4" 49152 "$3" --magic qemu --timeout 30 2>"$E2E_TMP/$1-tx.err")
	wait "$l"
	wait "$ping"
}

# Real traffic rotated by tcpdump -C (run.pcap, run.pcap1 .. run.pcap10 ..: the shell's order is
# not time order) and split by editcap -c: a 12 MB QEMU-style stream and ping every 10 ms.
N=12000001
WHOLE=$E2E_TMP/run.pcap
capture_start "$NS_A" veth-a "$WHOLE" || die "capture did not start"
traffic rx 150 "$N"
capture_stop "$WHOLE" || fail "run-capture" "capture failed or dropped frames"
check_eq "run-xfer-wrote-N" "$N" "$sent"
replay run "$WHOLE"
check_eq "run-exit-0" 0 "$RC"
check_eq "run-unique-is-N" "$N" "$(jqr "$E2E_TMP/run.json" '.flows[] | select(.server_port == 49152) | .forward.unique_payload_bytes')"
check_eq "run-requests" 150 "$(jqr "$E2E_TMP/run.json" .downtime.total.requests)"
mkdir -p "$E2E_TMP/rot" "$E2E_TMP/ed"
tcpdump -Z root -r "$WHOLE" -C 1 -w "$E2E_TMP/rot/run.pcap" 2>/dev/null || die "tcpdump -C failed"
ROT=("$E2E_TMP"/rot/run.pcap*)
check "rot-more-than-10-files" "tcpdump -C made ${#ROT[@]} files" [ "${#ROT[@]}" -gt 10 ]
replay rot "${ROT[@]}"
same_report rot run "the whole capture" inputs
check_eq "rot-one-capture" 1 "$(jqr "$E2E_TMP/rot.json" '[.inputs[].capture] | unique | length')"
check_eq "rot-last-part-is-highest-number" "run.pcap$((${#ROT[@]} - 1))" \
	"$(jqr "$E2E_TMP/rot.json" '.inputs[] | select(.part == .parts) | .file | split("/") | last')"
# About eight parts (a veth's TSO frames are few and large).
PER=$(($(capinfos -M -c "$WHOLE" 2>/dev/null | awk '/Number of packets/ { print $NF }') / 8 + 1))
editcap -c "$PER" "$WHOLE" "$E2E_TMP/ed/part.pcap" 2>/dev/null || die "editcap -c $PER failed"
ED=("$E2E_TMP"/ed/part_*.pcap)
check "ed-made-parts" "editcap -c $PER made ${#ED[@]} parts" [ "${#ED[@]}" -ge 8 ]
replay ed "${ED[@]}"
same_report ed run "the whole capture" inputs
for k in migration.flows migration.unique_payload_bytes migration.duration_s downtime.total.episodes \
	downtime.total.lost; do
	check_eq "ed-$k" "$(jqr "$E2E_TMP/run.json" ".$k")" "$(jqr "$E2E_TMP/ed.json" ".$k")"
done

# ---- multi-interface pcapng -------------------------------------------------------

# Two interfaces, Linux cooked (snap 65535) and Ethernet (snap 128), the same flow on both.
mergecap -w "$E2E_TMP/two-if.pcapng" "$FX/mig_sll.pcap" "$FX/mig_eth_s128.pcap" 2>/dev/null || die "mergecap failed"
check_eq "mergecap-kept-two-idbs" 2 "$(capinfos "$E2E_TMP/two-if.pcapng" 2>/dev/null | grep -c '^Interface #')"
replay two-if "$E2E_TMP/two-if.pcapng"
J=$E2E_TMP/two-if.json
check_eq "two-if-exit-0" 0 "$RC"
check_eq "two-if-interfaces" "LINUX_SLL/65535/1044 EN10MB/128/1044" \
	"$(jqr "$J" '[.inputs[0].interfaces[] | "\(.link_type)/\(.snaplen)/\(.frames)"] | join(" ")')"
check_eq "two-if-read-whole" 2088 "$(jqr "$J" .capture.frames)"
# The interface that saw the connection first counts it; the other lists it, not counted.
check_eq "two-if-one-flow-per-interface" "0 1 counted 1" \
	"$(jqr "$J" '"\([.flows[].interface] | sort | map(tostring) | join(" ")) counted \([.flows[] | select(.counted)] | length)"')"
replay sll-alone "$FX/mig_sll.pcap"
MIGSEL='.migration | [.flows, .packets, .unique_payload_bytes, .start, .["end"]]'
check_eq "two-if-migration-as-one-interface" "$(jq -c "$MIGSEL" "$E2E_TMP/sll-alone.json")" \
	"$(jq -c "$MIGSEL" "$J")"
# Migration on one interface, ping on the other: both figures whole.
mergecap -w "$E2E_TMP/mig-ping.pcapng" "$FX/mig_sll.pcap" "$FX/ping_plain.pcap" 2>/dev/null || die "mergecap failed"
replay mig-ping "$E2E_TMP/mig-ping.pcapng"
replay ping-alone "$FX/ping_plain.pcap"
check_eq "mig-ping-exit-0" 0 "$RC"
check_eq "mig-ping-migration" "$(jq -c .migration "$E2E_TMP/sll-alone.json")" \
	"$(jq -c .migration "$E2E_TMP/mig-ping.json")"
check_eq "mig-ping-downtime" "$(jq -c .downtime.total "$E2E_TMP/ping-alone.json")" \
	"$(jq -c .downtime.total "$E2E_TMP/mig-ping.json")"
cat "$E2E_TMP/mig-ping.pcapng" | replay mig-ping-pipe -
same_report mig-ping-pipe mig-ping file

# A real dumpcap capture of two interfaces into one file (veth-a: Ethernet; any: Linux
# cooked): dumpcap writes each interface's frames as its buffer fills, so the file is not
# in time order.  Read as the same frames sorted by time (reordercap): the same report,
# and no "clock stepped back" (the interfaces are merged by time, as files are).
DC=$E2E_TMP/dumpcap
mkdir -p "$DC" && chmod 777 "$DC"
ip netns exec "$NS_A" dumpcap -q -i veth-a -i any -w "$DC/two.pcapng" >"$DC/log" 2>&1 </dev/null &
DCP=$!
track_pid "$DCP"
if wait_until 100 grep -qs "Capturing on" "$DC/log"; then
	sleep 0.5
	traffic dcrx 200 2000003
	check_eq "dumpcap-xfer-wrote-N" 2000003 "$sent"
	sleep 0.3
	kill -INT "$DCP"
	wait "$DCP"
	check_eq "dumpcap-two-idbs" 2 "$(capinfos "$DC/two.pcapng" 2>/dev/null | grep -c '^Interface #')"
	printf 'dumpcap: %s\n' "$(tshark -r "$DC/two.pcapng" -T fields -e frame.time_epoch 2>/dev/null |
		awk '{ if (NR > 1 && $1 < mx) { n++; if (mx - $1 > w) w = mx - $1 } if ($1 > mx) mx = $1 }
		     END { printf "%d of %d frames in the file behind a newer one, by up to %.6f s", n, NR, w }')"
	reordercap "$DC/two.pcapng" "$DC/sorted.pcapng" >/dev/null 2>&1 || fail "reordercap" "failed"
	replay dc-two "$DC/two.pcapng"
	check_eq "dumpcap-exit-0" 0 "$RC"
	check_eq "dumpcap-read-whole" "$(capinfos -c -M "$DC/two.pcapng" 2>/dev/null | awk '/Number of packets/ {print $NF}')" \
		"$(jqr "$E2E_TMP/dc-two.json" ".capture.frames + .capture.filtered_out")"
	check_eq "dumpcap-bytes" "2000003" \
		"$(jqr "$E2E_TMP/dc-two.json" '[.flows[] | select(.server_port == 49152 and .counted) | .forward.unique_payload_bytes] | add')"
	check_eq "dumpcap-no-step-back" "0 0" \
		"$(jqr "$E2E_TMP/dc-two.json" '[.downtime.streams[].clock_steps_back] | add') $(grep -c 'stepped back' "$E2E_TMP/dc-two.err")"
	check_eq "dumpcap-requests-once" 200 "$(jqr "$E2E_TMP/dc-two.json" .downtime.total.requests)"
	replay dc-sorted "$DC/sorted.pcapng"
	for k in migration downtime migrations; do
		check_eq "dumpcap-$k-as-time-order" "$(jq -S -c ".$k" "$E2E_TMP/dc-sorted.json")" "$(jq -S -c ".$k" "$E2E_TMP/dc-two.json")"
	done
else
	fail "dumpcap" "dumpcap did not start: $(cat "$DC/log")"
fi

summary
