#!/usr/bin/env bash
# test_badinput.sh - bad files and bad command lines: the right exit status, one clear stderr line, partial reports kept.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_tools jq capinfos editcap
require_binaries migmeter

SAMPLE=$REPO_DIR/samples/migration-49152.pcapng
[ -s "$SAMPLE" ] || die "$SAMPLE missing (samples/make-sample.sh makes it)"

# run NAME ARG... - runs migmeter; sets RC and ERRLINES, stderr in $E2E_TMP/NAME.err.
run() {
	local name=$1
	shift
	"$MIGMETER" "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" </dev/null
	RC=$?
	ERRLINES=$(wc -l <"$E2E_TMP/$name.err")
}

# expect NAME WANT_RC ONE_LINE(yes|no) ARG... - exit status and, when asked, exactly one stderr line.
expect() {
	local name=$1 want=$2 oneline=$3
	shift 3
	run "$name" "$@"
	check_eq "$name-exit-$want" "$want" "$RC"
	if [ "$oneline" = yes ]; then
		check_eq "$name-one-stderr-line" 1 "$ERRLINES"
	fi
}

expect missing-file 1 yes replay "${MM_OPTS[@]}" "$E2E_TMP/no-such-file.pcap"

printf 'this is not a capture\njust text\n' >"$E2E_TMP/text.pcap"
expect text-file 1 yes replay "${MM_OPTS[@]}" "$E2E_TMP/text.pcap"

# A real capture cut in the middle of a packet (pcapng, and the same as pcap).
# cut_mid_packet IN OUT - writes the first half of IN (moved on a few bytes
# until capinfos agrees the cut is inside a packet) to OUT.
cut_mid_packet() {
	local size off i
	size=$(stat -c %s "$1")
	off=$((size / 2))
	for ((i = 0; i < 20; i++)); do
		head -c "$off" "$1" >"$2"
		if capinfos -c "$2" 2>&1 | grep -q 'cut short in the middle of a packet'; then
			return 0
		fi
		off=$((off + 7))
	done
	return 1
}

editcap -F pcap "$SAMPLE" "$E2E_TMP/sample.pcap" 2>/dev/null || die "editcap could not convert the sample to pcap"
for fmt in pcapng pcap; do
	src=$SAMPLE
	[ "$fmt" = pcap ] && src=$E2E_TMP/sample.pcap
	cut=$E2E_TMP/cut.$fmt
	json=$E2E_TMP/cut-$fmt.json
	if ! cut_mid_packet "$src" "$cut"; then
		fail "truncated-$fmt-cut" "could not cut $src inside a packet"
		continue
	fi
	run "truncated-$fmt" replay "${MM_OPTS[@]}" --format json -o "$json" "$cut"
	check_eq "truncated-$fmt-exit-1" 1 "$RC"
	check_eq "truncated-$fmt-one-stderr-line" 1 "$ERRLINES"
	check "truncated-$fmt-says-truncated" "stderr: $(cat "$E2E_TMP/truncated-$fmt.err")" \
		grep -qi truncated "$E2E_TMP/truncated-$fmt.err"
	if [ -s "$json" ] && jq -e . "$json" >/dev/null 2>&1; then
		pass "truncated-$fmt-report-written"
		check_eq "truncated-$fmt-complete-false" false "$(jqr "$json" .complete)"
		check "truncated-$fmt-flows-before-damage" "migration.flows = $(jqr "$json" .migration.flows)" \
			[ "$(jqr "$json" '.migration.flows')" -ge 1 ]
	else
		fail "truncated-$fmt-report-written" "no JSON report at $json"
	fi
done

# A filter that does not compile: a usage error (2), or 1 if found only at run time.
run bad-filter replay "${MM_OPTS[@]}" --filter 'tcp port nonsense(' "$SAMPLE"
check "bad-filter-exit-1-or-2" "exit $RC" one_of "$RC" 1 2
check_eq "bad-filter-one-stderr-line" 1 "$ERRLINES"
expect unknown-option 2 no replay --no-such-option "$SAMPLE"
expect no-files 2 no replay "${MM_OPTS[@]}"
expect bad-format 2 no replay "${MM_OPTS[@]}" --format yaml "$SAMPLE"
expect bad-ports 2 no replay "${MM_OPTS[@]}" --ports 49261-49152 "$SAMPLE"
expect bad-bin 2 no replay "${MM_OPTS[@]}" --bin soon --timeseries "$E2E_TMP/ts.csv" "$SAMPLE"
expect unwritable-output 1 yes replay "${MM_OPTS[@]}" -o "$E2E_TMP/no-such-dir/r.json" "$SAMPLE"
expect version 0 no --version
check "version-prints-version" "stdout: $(cat "$E2E_TMP/version.out")" \
	grep -Eq '^migmeter [0-9]+\.[0-9]+' "$E2E_TMP/version.out"
expect help 0 no --help
check "help-on-stdout" "--help printed nothing on stdout" [ -s "$E2E_TMP/help.out" ]

summary
