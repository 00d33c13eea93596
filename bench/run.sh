#!/usr/bin/env bash
# run.sh - replay throughput of migmeter as ratios against baselines run in the same invocation.
# Usage: bench/run.sh [FRAMES]   (default 2000000). Prints one line per tool and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-2000000}
out=bench/out
mkdir -p "$out"
cc -O2 -o "$out/pcapread" bench/pcapread.c -lpcap
cc -O2 -o "$out/genbig" bench/genbig.c -lpcap
[ -f "$out/big-$frames.pcap" ] || "$out/genbig" "$out/big-$frames.pcap" "$frames"
f="$out/big-$frames.pcap"

# Best of three wall-clock runs, in seconds.
best() {
	local b="" t s e
	for _ in 1 2 3; do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		e=$(date +%s.%N)
		t=$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }')
		if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
	done
	printf '%.3f' "$b"
}

base=$(best "$out/pcapread" "$f")
mm=$(best ./migmeter replay --format json -o "$out/report.json" "$f")
tcpd=$(best tcpdump -r "$f" -w /dev/null 'tcp portrange 49152-49261')
# tshark is two orders of magnitude slower: time it on the first tenth of the frames.
tsh=""
small="$out/small-$frames.pcap"
if command -v tshark >/dev/null && command -v editcap >/dev/null; then
	[ -f "$small" ] || editcap -r "$f" "$small" 1-$((frames / 10)) >/dev/null
	tsh=$(best tshark -r "$small" -q -z conv,tcp)
	mms=$(best ./migmeter replay --format json -o "$out/report-small.json" "$small")
fi
echo "input: $f ($frames frames, $(du -h "$f" | cut -f1))"
echo "bare libpcap read loop:   ${base} s"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "migmeter replay (json):   ${mm} s   ratio to bare loop $(ratio "$mm" "$base")"
echo "tcpdump -r, filter, -w /dev/null: ${tcpd} s   migmeter / tcpdump $(ratio "$mm" "$tcpd")"
if [ -n "$tsh" ]; then
	echo "on $((frames / 10)) frames: tshark -z conv,tcp ${tsh} s, migmeter ${mms} s   tshark / migmeter $(ratio "$tsh" "$mms")"
fi
echo "migmeter frames/s: $(awk -v f="$frames" -v t="$mm" 'BEGIN { printf "%.0f", f / t }')"
