#!/usr/bin/env bash
# run.sh - runs every tests/e2e/test_*.sh and totals their checks into one "N passed, N failed" line.
#
# Each suite ends with its own "N passed, N failed" line.  A suite that
# exits non-zero without reporting a failure, prints no summary or times
# out counts as one more failed check.  Exit status: 0 when nothing failed.
set -u

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
SUITE_TIMEOUT=${SUITE_TIMEOUT:-300}
total_pass=0
total_fail=0
errored=()
log=$(mktemp "${TMPDIR:-/tmp}/mm-e2e-run.XXXXXX")
trap 'rm -f "$log"' EXIT

for t in "$E2E_DIR"/test_*.sh; do
	name=$(basename "$t" .sh)
	printf '== %s\n' "$name"
	timeout --signal=TERM --kill-after=10 "$SUITE_TIMEOUT" bash "$t" </dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		printf '%s: no summary line (exit %d)\n' "$name" "$rc"
		errored+=("$name")
		total_fail=$((total_fail + 1))
		continue
	fi
	p=${line%% passed*}
	f=${line#*, }
	f=${f%% failed}
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		printf '%s: exit %d with no failed check\n' "$name" "$rc"
		errored+=("$name")
		total_fail=$((total_fail + 1))
	fi
done

if [ ${#errored[@]} -gt 0 ]; then
	printf 'suites in error: %s\n' "${errored[*]}"
fi
printf '%d passed, %d failed\n' "$total_pass" "$total_fail"
[ "$total_fail" -eq 0 ]
