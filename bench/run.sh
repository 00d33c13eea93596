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
tsh=""
if command -v tshark >/dev/null; then
	tsh=$(best tshark -r "$f" -q -z conv,tcp)
fi
echo "input: $f ($frames frames, $(du -h "$f" | cut -f1))"
echo "bare libpcap read loop:   ${base} s"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "migmeter replay (json):   ${mm} s   ratio to bare loop $(ratio "$mm" "$base")"
if [ -n "$tsh" ]; then
	echo "tshark -z conv,tcp:       ${tsh} s   tshark / migmeter $(ratio "$tsh" "$mm")"
fi
echo "migmeter frames/s: $(awk -v f="$frames" -v t="$mm" 'BEGIN { printf "%.0f", f / t }')"
