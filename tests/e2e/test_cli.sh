#!/usr/bin/env bash
# test_cli.sh - the command line a tcpdump user types, through the real binary.
#
# Cases:
#  usage     usage errors: exit 2, exactly one stderr line, nothing on stdout;
#            range errors name the range; a single-valued option given twice
#            (-i, -o, --bin, -s/--snaplen, -B/--buffer-size) is an error.
#  read      `migmeter -r FILE` and `replay -r FILE` give replay FILE's report.
#  hints     a bare capture file name gets "did you mean: migmeter replay FILE";
#            options before any command suggest capture; bare `migmeter` is a
#            short usage.
#  help      each command's --help lists that command's usage and options only.
#  bpfdir    no filter files: one line naming --bpf-dir and MIGMETER_BPF_DIR.
#  verbose   -v notes name the filters; without -v, no notes.
#  docs      every option in every command's --help is in the man page and the
#            README; the duration units are documented in all three.
#  filter    live: capture's trailing words are its migration filter.
#  count     live: -c N stops after N completed migrations (report, -w file, replay).
#  quiet     live, on a terminal: -q prints no progress line and no notes.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip jq capinfos script awk grep sed
require_binaries migmeter xfer

SAMPLE=$REPO_DIR/samples/migration-49152.pcapng
MAN=$REPO_DIR/man/migmeter.1
README=$REPO_DIR/README.md
[ -s "$SAMPLE" ] || die "$SAMPLE missing (samples/make-sample.sh makes it)"

# run NAME ARG... - runs migmeter; RC, ERRLINES; stdout/stderr in $E2E_TMP/NAME.{out,err}.
run() {
	local name=$1
	shift
	"$MIGMETER" "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" </dev/null
	RC=$?
	ERRLINES=$(wc -l <"$E2E_TMP/$name.err")
}

# usage_err NAME ARG... - exit 2, one stderr line, empty stdout.
usage_err() {
	local name=$1
	shift
	run "$name" "$@"
	check_eq "$name-exit-2" 2 "$RC"
	check_eq "$name-one-stderr-line" 1 "$ERRLINES"
	check "$name-nothing-on-stdout" "stdout: $(head -c 200 "$E2E_TMP/$name.out")" \
		test ! -s "$E2E_TMP/$name.out"
}

# err_is NAME TEXT - the stderr line of the last run is exactly TEXT.
err_is() {
	check_eq "$1-message" "$2" "$(cat "$E2E_TMP/$1.err")"
}

# err_has NAME REGEX - the stderr of the last run matches REGEX (grep -E).
err_has() {
	check "$1-says" "stderr: $(head -c 300 "$E2E_TMP/$1.err")" grep -Eq -- "$2" "$E2E_TMP/$1.err"
}

# ---- usage errors --------------------------------------------------------
case_usage() {
	usage_err snaplen-range capture -i lo --snaplen 40
	err_is snaplen-range "migmeter: --snaplen 40: must be 96..262144"
	usage_err s-range capture -i lo -s 300000
	err_is s-range "migmeter: -s 300000: must be 96..262144"
	usage_err snaplen-word capture -i lo -s big
	err_is snaplen-word "migmeter: -s 'big': not a number (must be 96..262144)"
	usage_err count-zero capture -i lo -c 0
	err_is count-zero "migmeter: -c 0: must be 1..4294967295"
	usage_err buffer-range capture -i lo --buffer-size 2048
	err_is buffer-range "migmeter: --buffer-size 2048: must be 1..2047"
	usage_err max-flows-range replay --max-flows 0 "$SAMPLE"
	err_is max-flows-range "migmeter: --max-flows 0: must be 1..16777216"
	usage_err bad-duration replay --bin soon "$SAMPLE"
	err_has bad-duration "--bin 'soon': not a positive duration .*ns, us, ms, s, m or min, h"
	usage_err bad-ports replay --ports 9-1 "$SAMPLE"
	err_has bad-ports "--ports 9-1: must be .*65535"

	usage_err iface-twice capture -i veth-x -i veth-y
	err_is iface-twice "migmeter: -i given twice; it takes one value"
	usage_err iface-twice-long capture -i veth-x --interface=veth-y
	err_is iface-twice-long "migmeter: --interface given twice (first as -i); it takes one value"
	usage_err output-twice replay -o "$E2E_TMP/a.txt" -o "$E2E_TMP/b.txt" "$SAMPLE"
	check "output-twice-nothing-written" "an output was written" \
		test ! -e "$E2E_TMP/a.txt" -a ! -e "$E2E_TMP/b.txt"
	usage_err bin-twice replay --bin 1s --bin 2s "$SAMPLE"
	usage_err snaplen-both capture -i lo -s 128 --snaplen 128
	usage_err buffer-both capture -i lo -B 4096 --buffer-size 4
	err_is buffer-both "migmeter: --buffer-size given twice (first as -B); it takes one value"
	usage_err filter-twice replay --filter tcp --filter udp "$SAMPLE"
	usage_err two-filters capture -i lo --filter tcp udp port 53
	err_has two-filters "--filter and the expression 'udp port 53'"
	usage_err filter-word-is-file capture -i lo x.pcap
	err_has filter-word-is-file "migmeter replay x.pcap"

	usage_err capture-option-in-replay replay -c 5 "$SAMPLE"
	err_is capture-option-in-replay "migmeter: -c is a capture option (see 'migmeter capture --help')"
	usage_err unknown-option replay --nope "$SAMPLE"
	usage_err ambiguous-option replay --p 1 "$SAMPLE"
	usage_err flag-with-value replay --quiet=yes "$SAMPLE"
	usage_err missing-value replay "$SAMPLE" --bin
	usage_err no-file replay
	usage_err q-and-v replay -q -v "$SAMPLE"
	usage_err interfaces-no-ports interfaces --ports 1-2
	usage_err interfaces-no-csv interfaces --format csv
}

# ---- -r FILE is replay FILE ------------------------------------------------
case_read() {
	local want=$E2E_TMP/replay.json
	"$MIGMETER" replay "${MM_OPTS[@]}" --format json "$SAMPLE" >"$want" 2>/dev/null
	check_eq "read-replay-flows" "3 1376256" \
		"$(jqr "$want" '.migration | "\(.flows) \(.forward.unique_payload_bytes)"')"
	run read-bare -r "$SAMPLE" "${MM_OPTS[@]}" --format json
	check_eq "read-bare-exit-0" 0 "$RC"
	check "read-bare-equals-replay" "$(diff "$want" "$E2E_TMP/read-bare.out" | head -5)" \
		cmp -s "$want" "$E2E_TMP/read-bare.out"
	run read-attached "${MM_OPTS[@]}" --format json "-r$SAMPLE"
	check "read-attached-equals-replay" "exit $RC" cmp -s "$want" "$E2E_TMP/read-attached.out"
	run read-in-replay replay --format json -r "$SAMPLE" "${MM_OPTS[@]}"
	check "read-in-replay-equals-replay" "exit $RC" cmp -s "$want" "$E2E_TMP/read-in-replay.out"
	"$MIGMETER" replay "${MM_OPTS[@]}" "$SAMPLE" >"$E2E_TMP/replay.txt" 2>/dev/null
	run read-text -r "$SAMPLE" "${MM_OPTS[@]}"
	check "read-text-equals-replay" "text reports differ" cmp -s "$E2E_TMP/replay.txt" "$E2E_TMP/read-text.out"
	# Files from -r and operands keep their order (the inputs list of the report).
	cp "$SAMPLE" "$E2E_TMP/second.pcapng"
	run read-order replay "${MM_OPTS[@]}" --format json "$SAMPLE" -r "$E2E_TMP/second.pcapng"
	check_eq "read-order-inputs" "$SAMPLE $E2E_TMP/second.pcapng" \
		"$(jq -r '[.inputs[].file] | join(" ")' "$E2E_TMP/read-order.out" 2>/dev/null)"
}

# ---- hints and the short usage ---------------------------------------------
case_hints() {
	usage_err bare-file "$SAMPLE"
	err_is bare-file "migmeter: '$SAMPLE' is not a command; did you mean: migmeter replay $SAMPLE"
	usage_err bare-file-opts "$SAMPLE" --format json
	err_has bare-file-opts "did you mean: migmeter replay $SAMPLE --format json$"
	usage_err bare-missing-pcap "$E2E_TMP/not-there.pcap"
	err_has bare-missing-pcap "did you mean: migmeter replay $E2E_TMP/not-there.pcap$"
	usage_err options-first -i eth1 -w "$E2E_TMP/x.pcap"
	err_is options-first "migmeter: no command before -i; did you mean: migmeter capture -i eth1 -w $E2E_TMP/x.pcap"
	check "options-first-nothing-written" "x.pcap written" test ! -e "$E2E_TMP/x.pcap"
	usage_err unknown-command frobnicate
	err_has unknown-command "unknown command 'frobnicate'"

	run bare
	check_eq "bare-exit-2" 2 "$RC"
	check "bare-short-usage" "stderr: $(cat "$E2E_TMP/bare.err")" \
		sh -c "grep -q '^usage: migmeter replay' '$E2E_TMP/bare.err' &&
			grep -q 'migmeter capture' '$E2E_TMP/bare.err' &&
			grep -q 'migmeter interfaces' '$E2E_TMP/bare.err' && grep -q -- '--help' '$E2E_TMP/bare.err'"
	check "bare-is-short" "$ERRLINES lines" [ "$ERRLINES" -le 8 ]
	check "bare-no-options-listed" "lists options" sh -c "! grep -q -- '--snaplen' '$E2E_TMP/bare.err'"
}

# options NAME - the option forms a --help output lists, one per line ("-o", "--output").
options() {
	sed -nE 's/^ {2,6}(-[^ ].*)$/\1/p' "$E2E_TMP/$1.out" | sed -E 's/  .*//' |
		grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z-]*' | tr -d ' ,' | sort -u
}

# ---- per-command help --------------------------------------------------------
case_help() {
	local cmd
	for cmd in replay capture interfaces merge plot logs; do
		run "help-$cmd" "$cmd" --help
		check_eq "help-$cmd-exit-0" 0 "$RC"
		check_eq "help-$cmd-nothing-on-stderr" 0 "$ERRLINES"
		check "help-$cmd-own-usage" "no usage line" grep -q "^usage: migmeter $cmd" "$E2E_TMP/help-$cmd.out"
		check_eq "help-$cmd-no-other-command" 0 \
			"$(grep -E "migmeter (replay|capture|interfaces|logs)" "$E2E_TMP/help-$cmd.out" | grep -vc "migmeter $cmd" || true)"
		run "help-$cmd-short" "$cmd" -h
		check "help-$cmd-h-same" "-h differs from --help" cmp -s "$E2E_TMP/help-$cmd.out" "$E2E_TMP/help-$cmd-short.out"
	done
	check_eq "help-interfaces-options" "--format --help --version -V -h" "$(options help-interfaces | tr '\n' ' ' | sed 's/ $//')"
	check "help-replay-has-read" "no -r" grep -q -- '-r, --read FILE' "$E2E_TMP/help-replay.out"
	check_eq "help-replay-no-capture-options" "" \
		"$(options help-replay | grep -xE -- '-i|-w|-c|-s|-B|-Z|--interface|--write|--count|--snaplen|--buffer-size|--duration|--idle-stop|--peer|--icmp-iface|--progress|--no-progress|--no-promisc|--user|--records' | tr '\n' ' ')"
	check "help-capture-has-tcpdump-options" "capture --help misses one of -i -w -c -s -B -q -v" \
		sh -c "for o in '-i, --interface' '-w, --write' '-c, --count' '-s, --snaplen' '-B KIB' '-q, --quiet' '-v, --verbose'; do grep -q -- \"  \$o\" '$E2E_TMP/help-capture.out' || exit 1; done"
	check "help-capture-no-read" "capture lists -r" sh -c "! grep -q -- '--read' '$E2E_TMP/help-capture.out'"
	check "help-capture-expression" "no EXPRESSION in the synopsis" grep -q '^usage: migmeter capture .*\[EXPRESSION\]' "$E2E_TMP/help-capture.out"
	run help-all --help
	check "help-all-every-command" "migmeter --help misses a command" \
		sh -c "grep -q '^usage: migmeter replay' '$E2E_TMP/help-all.out' && grep -q '^ *migmeter capture' '$E2E_TMP/help-all.out' &&
			grep -q '^ *migmeter interfaces' '$E2E_TMP/help-all.out'"
}

# ---- filter files not found ---------------------------------------------------
case_bpfdir() {
	local lonely=$E2E_TMP/lonely
	mkdir -p "$lonely" && cp "$MIGMETER" "$lonely/migmeter" || die "copy of migmeter"
	env -u MIGMETER_BPF_DIR "$lonely/migmeter" replay "$SAMPLE" >/dev/null 2>"$E2E_TMP/lonely.err"
	RC=$?
	if grep -q 'cannot read filter file' "$E2E_TMP/lonely.err"; then
		check_eq "bpfdir-none-exit-1" 1 "$RC"
		check_eq "bpfdir-none-one-line" 1 "$(wc -l <"$E2E_TMP/lonely.err")"
		check "bpfdir-none-names-both" "stderr: $(cat "$E2E_TMP/lonely.err")" \
			grep -q -- 'use --bpf-dir DIR or MIGMETER_BPF_DIR\|with --bpf-dir DIR or MIGMETER_BPF_DIR' "$E2E_TMP/lonely.err"
	else
		# An installed copy of the filters exists: the copy found them there.
		check_eq "bpfdir-installed-exit-0" 0 "$RC"
	fi
	MIGMETER_BPF_DIR=$E2E_TMP/nowhere "$MIGMETER" replay "$SAMPLE" >/dev/null 2>"$E2E_TMP/envdir.err"
	check_eq "bpfdir-env-exit-1" "1 1" "$? $(wc -l <"$E2E_TMP/envdir.err")"
	check "bpfdir-env-named" "stderr: $(cat "$E2E_TMP/envdir.err")" grep -q "$E2E_TMP/nowhere/migration.bpf.*MIGMETER_BPF_DIR" "$E2E_TMP/envdir.err"
	"$MIGMETER" replay --bpf-dir "$E2E_TMP/nowhere" "$SAMPLE" >/dev/null 2>"$E2E_TMP/optdir.err"
	check_eq "bpfdir-option-exit-1" "1 1" "$? $(wc -l <"$E2E_TMP/optdir.err")"
	check "bpfdir-option-named" "stderr: $(cat "$E2E_TMP/optdir.err")" grep -q -- "--bpf-dir" "$E2E_TMP/optdir.err"
}

# ---- -v notes ------------------------------------------------------------------
case_verbose() {
	run quiet-replay replay "${MM_OPTS[@]}" "$SAMPLE"
	check_eq "replay-no-notes-without-v" 0 "$ERRLINES"
	run verbose-replay replay "${MM_OPTS[@]}" -v "$SAMPLE"
	check_eq "replay-v-exit-0" 0 "$RC"
	check "replay-v-names-filters" "stderr: $(cat "$E2E_TMP/verbose-replay.err")" \
		grep -q "note: migration filter: $REPO_DIR/bpf/migration.bpf, 5 lines (ports 49152-49261)" "$E2E_TMP/verbose-replay.err"
	check "replay-v-same-report" "the report changed with -v" cmp -s "$E2E_TMP/quiet-replay.out" "$E2E_TMP/verbose-replay.out"
}

# ---- the man page, the README and --help agree -----------------------------------
case_docs() {
	local cmd o man=$E2E_TMP/man.txt readme=$E2E_TMP/readme.txt missing_man="" missing_readme="" n=0
	# The man source without font changes and escapes: "\fB\-\-ports\fR" -> "--ports".
	sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\e/\\/g' "$MAN" >"$man"
	tr -d '`' <"$README" >"$readme"
	for cmd in replay capture interfaces merge plot logs; do
		[ -s "$E2E_TMP/help-$cmd.out" ] || "$MIGMETER" "$cmd" --help >"$E2E_TMP/help-$cmd.out"
		for o in $(options "help-$cmd"); do
			n=$((n + 1))
			# The option as a word of its own: not a prefix of a longer one.
			grep -Eq -- "(^|[^-A-Za-z])$o([^-A-Za-z]|$)" "$man" || missing_man="$missing_man $cmd:$o"
			grep -Eq -- "(^|[^-A-Za-z])$o([^-A-Za-z]|$)" "$readme" || missing_readme="$missing_readme $cmd:$o"
		done
	done
	check "docs-help-lists-options" "only $n options found in --help" [ "$n" -ge 40 ]
	check_eq "docs-every-help-option-in-man" "" "$missing_man"
	check_eq "docs-every-help-option-in-readme" "" "$missing_readme"
	check "docs-man-sections" "a section is missing" \
		sh -c "for s in ENVIRONMENT EXAMPLES 'EXIT STATUS' FILES DURATIONS; do grep -q \"^\\.SH \$s\" '$MAN' || exit 1; done"
	check "docs-man-env" "MIGMETER_BPF_DIR not under ENVIRONMENT" \
		sh -c "sed -n '/^\\.SH ENVIRONMENT/,/^\\.SH /p' '$MAN' | grep -q MIGMETER_BPF_DIR"
	# Every CSV's header, as written, is listed in FILES.
	"$MIGMETER" replay "${MM_OPTS[@]}" --format csv -o "$E2E_TMP/r.csv" --timeseries "$E2E_TMP/s.csv" \
		--unresponsive "$E2E_TMP/u.csv" "$SAMPLE" 2>/dev/null
	"$MIGMETER" logs --ping "$REPO_DIR/tests/logs/ping-D-outage.txt" --format csv -o "$E2E_TMP/l.csv" 2>/dev/null
	for f in r.csv r-episodes.csv r-streams.csv r-totals.csv s.csv u.csv l.csv; do
		check "docs-man-columns-$f" "a column of $f is not in the man page's FILES" \
			sh -c "sed -n '/^\\.SH FILES/,/^\\.SH /p' '$man' | tr -d '\\n' | tr -s ' ' >'$E2E_TMP/files.txt';
				head -n 1 '$E2E_TMP/$f' | tr ',' '\\n' | sed -E 's/^(forward|reverse)_//' |
				while read -r c; do grep -q -- \"\$c\" '$E2E_TMP/files.txt' || { echo \"\$c\"; exit 1; }; done"
	done
	# The duration units, the same in --help, the man page and the README.
	check "docs-units-help" "replay/capture --help do not list the units" \
		sh -c "grep -q 'ns, us, ms, s, m or min, h' '$E2E_TMP/help-replay.out' && grep -q 'ns, us, ms, s, m or min, h' '$E2E_TMP/help-capture.out'"
	check "docs-units-man" "man page does not list the units" grep -q 'ns, us, ms, s, m or min, h' "$man"
	check "docs-units-readme" "README does not list the units" grep -q 'ns, us, ms, s, m or min, h' "$readme"
}

# ---- live: trailing words, -c, -q ---------------------------------------------------
CAP_OPTS=(--bpf-dir "$REPO_DIR/bpf" --no-progress)

# mm_start NAME OPTION... - capture in A in the background (MM_PID); returns once it listens.
mm_start() {
	local name=$1
	shift
	ip netns exec "$NS_A" "$MIGMETER" capture "$@" \
		>"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" </dev/null &
	MM_PID=$!
	track_pid "$MM_PID"
	if ! wait_until 100 grep -qs 'listening on' "$E2E_TMP/$name.err"; then
		fail "$name-start" "capture did not start: $(head -c 300 "$E2E_TMP/$name.err")"
		return 1
	fi
}

case_filter_words() {
	local json=$E2E_TMP/words.json
	xfer_listen words-a 49160
	xfer_listen words-b 49161
	mm_start words "${CAP_OPTS[@]}" -v -i veth-a --idle-stop 1s --duration 20s --format json -o "$json" \
		tcp port 49161 || return
	ip netns exec "$NS_A" "$XFER" send "$B4" 49160 200000 >/dev/null 2>&1 || fail "words-xfer-a" "transfer failed"
	ip netns exec "$NS_A" "$XFER" send "$B4" 49161 300000 >/dev/null 2>&1 || fail "words-xfer-b" "transfer failed"
	wait "$MM_PID"
	check_eq "words-exit-0" 0 "$?"
	check_eq "words-only-the-filtered-flow" "49161" "$(jqr "$json" '[.flows[].server_port] | map(tostring) | join(" ")')"
	check_eq "words-unique" 300000 "$(jqr "$json" '.migration.forward.unique_payload_bytes')"
	check "words-filter-noted" "stderr: $(head -c 400 "$E2E_TMP/words.err")" \
		grep -q "note: migration filter: 'tcp port 49161' (the expression after the options)" "$E2E_TMP/words.err"
	# -v: the echo filter's protochain line, by number, and why; the user's expression is never trimmed.
	check "words-v-names-left-out-line" "stderr: $(head -c 600 "$E2E_TMP/words.err")" \
		grep -q "note: veth-a (icmp capture): $REPO_DIR/bpf/icmp.bpf line 10 left out ('ip6 protochain 58 and not ip6 proto 58'): the kernel cannot run it" "$E2E_TMP/words.err"
	check "words-v-no-migration-line" "a line of the user's filter was left out" \
		sh -c "! grep -q 'migration capture): .*left out' '$E2E_TMP/words.err'"
}

case_count() {
	local json=$E2E_TMP/count.json cap=$E2E_TMP/count.pcap t0 t1 ms
	xfer_listen count 49162
	t0=${EPOCHREALTIME/./}
	mm_start count "${CAP_OPTS[@]}" -i veth-a -c 1 --duration 20s -w "$cap" --format json -o "$json" || return
	ip netns exec "$NS_A" "$XFER" send "$B4" 49162 3000000 --magic qemu >/dev/null 2>&1 ||
		fail "count-xfer" "transfer failed"
	wait "$MM_PID"
	check_eq "count-exit-0" 0 "$?"
	t1=${EPOCHREALTIME/./}
	ms=$(((t1 - t0) / 1000))
	# -c 1: one completed migration (closed normally, quiet for 2 s), then the capture stops.
	check "count-stopped-by-itself" "took $ms ms (--duration 20s)" [ "$ms" -lt 12000 ]
	check_eq "count-one-migration" "1 completed fin 3000000" \
		"$(jqr "$json" '"\(.migrations | length) \(.migrations[0].status) \(.migrations[0].status_reason) \(.migrations[0].bytes_by_role.main)"')"
	check_eq "count-complete" true "$(jqr "$json" '.complete')"
	check_eq "count-pcap-frames" "$(jqr "$json" '.capture.migration_frames')" \
		"$(capinfos -M -c "$cap" 2>/dev/null | awk '/Number of packets/ { print $NF }')"
	check_eq "count-replay-same" "$(jqr "$json" '.capture.migration_frames') 1 3000000" \
		"$("$MIGMETER" replay "${MM_OPTS[@]}" --format json "$cap" 2>/dev/null |
			jq -r '"\(.capture.migration_frames) \(.migrations | length) \(.migrations[0].bytes_by_role.main)"')"
	# No -v: no notes at all, and nothing about filter lines; the one migration's summary.
	check "count-no-notes-without-v" "stderr: $(cat "$E2E_TMP/count.err")" \
		sh -c "! grep -Eq 'note:|kernel cannot run|left out' '$E2E_TMP/count.err'"
	check_eq "count-stderr-listening-and-summary" "1 1" \
		"$(grep -c 'listening on' "$E2E_TMP/count.err") $(grep -c '^migmeter: migration 1 completed (fin)' "$E2E_TMP/count.err")"
	check_eq "count-stderr-two-lines" 2 "$(wc -l <"$E2E_TMP/count.err")"
}

case_quiet() {
	local json=$E2E_TMP/quiet.json pid cmd
	# On a terminal (script's pty) the progress line shows by default...
	cmd="'$MIGMETER' capture --bpf-dir '$REPO_DIR/bpf' -i veth-a --duration 1s -o '$E2E_TMP/loud.txt'"
	ip netns exec "$NS_A" script -qec "$cmd" /dev/null >"$E2E_TMP/loud.tty" 2>&1 </dev/null
	check_eq "loud-exit-0" 0 "$?"
	check "loud-progress-on-tty" "tty: $(tr '\r' '\n' <"$E2E_TMP/loud.tty" | head -c 300)" \
		sh -c "grep -q 'listening on' '$E2E_TMP/loud.tty' && grep -q 'in [0-9]* flows' '$E2E_TMP/loud.tty'"
	# ... and -q leaves only the report.
	xfer_listen quiet 49163
	cmd="'$MIGMETER' capture --bpf-dir '$REPO_DIR/bpf' -q -i veth-a --duration 3s --format json -o '$json'"
	ip netns exec "$NS_A" script -qec "$cmd" /dev/null >"$E2E_TMP/quiet.tty" 2>&1 </dev/null &
	pid=$!
	track_pid "$pid"
	sleep 1
	ip netns exec "$NS_A" "$XFER" send "$B4" 49163 100000 >/dev/null 2>&1 || fail "quiet-xfer" "transfer failed"
	wait "$pid"
	check_eq "quiet-exit-0" 0 "$?"
	check_eq "quiet-nothing-on-tty" "" "$(tr -d '\r\n' <"$E2E_TMP/quiet.tty")"
	check_eq "quiet-report" 100000 "$(jqr "$json" '.migration.forward.unique_payload_bytes')"
}

case_usage
case_read
case_hints
case_help
case_bpfdir
case_verbose
case_docs
netns_pair || die "could not create the namespace pair"
case_filter_words
case_count
case_quiet
summary
