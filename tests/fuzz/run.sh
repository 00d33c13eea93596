#!/usr/bin/env bash
# run.sh - runs each libFuzzer harness in build/fuzz/ for a bounded time from a seed corpus.
#
# Usage: tests/fuzz/run.sh SECONDS CAPTURE...
#
# The captures become the seeds (tests/fuzz/seeds.py: whole files for
# fuzz_replay, single frames for fuzz_decode); what the fuzzers learn is
# kept in build/fuzz/corpus-*/ between runs.  A crash, leak, sanitizer
# report or timeout fails the run: the input is saved as
# build/fuzz/NAME-crash-*, and the end of the fuzzer's log is printed;
# keep it as tests/fuzz/regress/NAME (tests/hostile.sh replays every file
# there, with the default and the widest options).  fuzz_replay_wide is the
# whole replay with --ports 1-65535 and an ICMP filter that passes all.
# Ends with `N passed, N failed` (one check per harness).
set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 2
secs=${1:?usage: run.sh SECONDS CAPTURE...}
shift
F=build/fuzz
NPASS=0
NFAIL=0

rm -rf "$F/seed-decode" "$F/seed-replay"
python3 tests/fuzz/seeds.py "$F/seed-decode" "$F/seed-replay" "$@" || exit 2
mkdir -p "$F/corpus-decode" "$F/corpus-replay"

# fuzz NAME EXTRA_ARGS... - one harness; its corpus dir first (written to), seeds second.
fuzz() {
	local name=$1 log="$F/$1.log"
	shift
	"$F/fuzz_$name" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$F/$name-" "$@" "$F/corpus-$name" "$F/seed-$name" >"$log" 2>&1
	local rc=$?
	local runs
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" -eq 0 ]; then
		NPASS=$((NPASS + 1))
		printf 'PASS fuzz_%s: %s runs in %ss, %s\n' "$name" "${runs:-?}" "$secs" \
			"$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)"
	else
		NFAIL=$((NFAIL + 1))
		printf 'FAIL fuzz_%s: exit %d; end of %s:\n' "$name" "$rc" "$log"
		grep -v -E '^#[0-9]+' "$log" | tail -n 40
	fi
}

fuzz decode
fuzz replay
# The wide variant learns from the replay corpus too (same inputs, other settings).
mkdir -p "$F/corpus-replay_wide"
rm -rf "$F/seed-replay_wide"
cp -r "$F/seed-replay" "$F/seed-replay_wide"
cp tests/fuzz/regress/* "$F/seed-replay_wide/" 2>/dev/null
fuzz replay_wide
# The other views: seeded with the log fixtures.
mkdir -p "$F/corpus-views"
rm -rf "$F/seed-views"
mkdir -p "$F/seed-views"
cp tests/logs/* "$F/seed-views/"
fuzz views
printf '%d passed, %d failed\n' "$NPASS" "$NFAIL"
[ "$NFAIL" -eq 0 ]
