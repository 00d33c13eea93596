#!/usr/bin/env bash
# test_outputs.sh - outputs never destroy what they should not: stdout, devices, FIFOs, sockets,
# read-only and symlinked targets, outputs that are inputs, up-front checks in replay and capture.
#
# Cases (replay unless named):
#  streams   a character device (mknod) and a FIFO (mkfifo) in a temporary
#            directory are written in place and stay what they were; the
#            FIFO's reader gets the whole report, byte for byte; a Unix
#            socket is connected to; -o /dev/null and --timeseries
#            /dev/stdout (stdout a file, then a pipe) in a private mount
#            namespace whose /dev is a tmpfs -- the real /dev is never at
#            stake, even for a broken binary -- leave /dev as it was.
#  stdout    -o - and --timeseries - print to stdout; two outputs on stdout
#            (the report without -o counts) is exit 2; a CSV report on
#            stdout carries its episodes and streams tables as sections.
#  readonly  a 0444 target is refused, unchanged, as root and as nobody (in
#            a directory nobody can write, where rename alone would work).
#  symlink   a symlinked target is followed: the link stays, its target is
#            replaced and keeps its mode and owner.
#  input     an output naming an input (same file, hard link, symlink) or
#            two outputs on one file: exit 2 before anything is read.
#  upfront   replay -o /nonexistent/dir/r.json: exit 1 before reading, one
#            line, no temporary name; --format csv likewise one line.
#  capture   a bad -o, --timeseries or -w refuses to start (--duration 30s,
#            gone within 2 s); -w - writes the capture to stdout (and is
#            refused when two link types need two files); -w onto a
#            FIFO writes in place; the privileged writer refuses a target
#            swapped for a device node or a symlink during the capture.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip jq capinfos mknod mkfifo setpriv unshare python3 stat cmp timeout
require_binaries migmeter

SAMPLE=$REPO_DIR/samples/migration-49152.pcapng
[ -s "$SAMPLE" ] || die "$SAMPLE missing (samples/make-sample.sh makes it)"
# nobody must reach the binary's copies and the directories made for it.
chmod 711 "$E2E_TMP"
T=$E2E_TMP
# Relative names a broken binary might make ("-") land in the temporary directory.
cd "$T" || die "cd $T"

# mm NAME ARG... - migmeter replay with the test's filters; stdout in $T/NAME.out,
# stderr in $T/NAME.err, exit status in RC.
mm() {
	local name=$1
	shift
	"$MIGMETER" replay "${MM_OPTS[@]}" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	RC=$?
}

# lines FILE - the number of lines in FILE.
lines() {
	wc -l <"$1" | tr -d ' '
}

# Reference outputs, written to regular files.
mm ref --format json -o "$T/ref.json" --timeseries "$T/ref-series.csv" "$SAMPLE"
[ "$RC" -eq 0 ] || die "reference replay failed: $(cat "$T/ref.err")"
mm reftext "$SAMPLE"
mm refcsv --format csv -o "$T/ref.csv" "$SAMPLE"
[ -s "$T/ref-episodes.csv" ] && [ -s "$T/ref-streams.csv" ] && [ -s "$T/ref-totals.csv" ] && [ -s "$T/ref-migrations.csv" ] || die "reference CSV tables missing"

# ---- streams: a device node, a FIFO, a socket -----------------------------
case_streams() {
	local dev=$T/nulldev fifo=$T/report.fifo sock=$T/report.sock rpid
	mknod "$dev" c 1 3 || die "mknod"
	mm chardev --format json -o "$dev" --timeseries "$dev" "$SAMPLE"
	check_eq "chardev-exit-0" 0 "$RC"
	check_eq "chardev-still-a-device" "character special file 1:3" \
		"$(stat -c '%F %t:%T' "$dev")"

	mkfifo "$fifo" || die "mkfifo"
	timeout 20 cat "$fifo" >"$T/fifo.got" &
	rpid=$!
	track_pid "$rpid"
	mm fifo --format json -o "$fifo" "$SAMPLE"
	wait "$rpid"
	check_eq "fifo-exit-0" 0 "$RC"
	check_eq "fifo-still-a-fifo" "fifo" "$(stat -c '%F' "$fifo")"
	check "fifo-reader-got-whole-report" "differs from the report written to a file" \
		cmp -s "$T/fifo.got" "$T/ref.json"
	check_eq "fifo-nothing-beside-it" "" "$(find "$T" -maxdepth 1 -name '.report.fifo*')"

	# A CSV report on a FIFO carries its tables after it (a stream has no files beside it).
	timeout 20 cat "$fifo" >"$T/fifo-csv.got" &
	rpid=$!
	track_pid "$rpid"
	mm fifocsv --format csv -o "$fifo" "$SAMPLE"
	wait "$rpid"
	check_eq "fifo-csv-exit-0" 0 "$RC"
	check "fifo-csv-sections" "not the five tables" \
		cmp -s "$T/fifo-csv.got" <(cat "$T/ref.csv"; echo; cat "$T/ref-episodes.csv"; echo; cat "$T/ref-streams.csv"; echo; cat "$T/ref-totals.csv"; echo; cat "$T/ref-migrations.csv")
	check_eq "fifo-csv-no-sibling-files" "" "$(find "$T" -maxdepth 1 -name 'report.fifo-*')"

	# A Unix socket is connected to and written.
	python3 - "$sock" "$T/sock.got" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1); s.settimeout(20)
c, _ = s.accept()
with open(sys.argv[2], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b:
            break
        f.write(b)
EOF
	rpid=$!
	track_pid "$rpid"
	wait_until 50 test -S "$sock" || fail "socket-listener" "did not come up"
	mm sock --format json -o "$sock" "$SAMPLE"
	wait "$rpid"
	check_eq "socket-exit-0" 0 "$RC"
	check "socket-reader-got-whole-report" "differs" cmp -s "$T/sock.got" "$T/ref.json"
	check_eq "socket-still-a-socket" "socket" "$(stat -c '%F' "$sock")"

	# /dev/stdout and /dev/null, only ever in a mount namespace of our own whose
	# /dev is a tmpfs: a binary that renames over them must not damage the real /dev.
	# First with stdout a regular file, then with stdout a pipe.
	unshare --mount --propagation private sh -c '
		mount -t tmpfs mmdev /dev && ln -s /proc/self/fd/1 /dev/stdout &&
		mknod -m 666 /dev/null c 1 3 || exit 99
		"$1" replay --bpf-dir "$2" -o /dev/null --timeseries /dev/stdout "$3" >"$4" 2>"$5" </dev/null
		rc=$?
		"$1" replay --bpf-dir "$2" -o /dev/null --timeseries /dev/stdout "$3" 2>>"$5" </dev/null | cat >"$7"
		echo "rc=$rc,$? $(stat -c %F /dev/stdout) $(stat -c "%F %t:%T" /dev/null)" >"$6"' \
		sh "$MIGMETER" "$REPO_DIR/bpf" "$SAMPLE" "$T/devstdout.out" "$T/devstdout.err" "$T/devstdout.st" \
		"$T/devstdout-pipe.out"
	check_eq "dev-stdout-and-null-in-place" "rc=0,0 symbolic link character special file 1:3" \
		"$(cat "$T/devstdout.st")"
	check "dev-stdout-file-got-series" "stdout is not the time series" \
		cmp -s "$T/devstdout.out" "$T/ref-series.csv"
	check "dev-stdout-pipe-got-series" "the pipe did not get the time series" \
		cmp -s "$T/devstdout-pipe.out" "$T/ref-series.csv"
}

# ---- stdout -----------------------------------------------------------------
case_stdout() {
	mm series-stdout -o "$T/s.json" --format json --timeseries - "$SAMPLE"
	check_eq "timeseries-dash-exit-0" 0 "$RC"
	check "timeseries-dash-on-stdout" "differs from the file" cmp -s "$T/series-stdout.out" "$T/ref-series.csv"
	check "timeseries-dash-report-in-file" "report differs" cmp -s "$T/s.json" "$T/ref.json"
	mm o-stdout -o - "$SAMPLE"
	check_eq "o-dash-exit-0" 0 "$RC"
	check "o-dash-on-stdout" "differs from the plain report" cmp -s "$T/o-stdout.out" "$T/reftext.out"

	mm two-stdout --timeseries - "$SAMPLE"
	check_eq "two-on-stdout-exit-2" 2 "$RC"
	check_eq "two-on-stdout-one-line" 1 "$(lines "$T/two-stdout.err")"
	check_eq "two-on-stdout-prints-nothing" 0 "$(stat -c %s "$T/two-stdout.out")"
	mm two-stdout-b -o - --episodes - "$SAMPLE"
	check_eq "o-dash-episodes-dash-exit-2" 2 "$RC"
	check "two-on-stdout-says-why" "stderr: $(cat "$T/two-stdout-b.err")" \
		grep -q 'both go to standard output' "$T/two-stdout-b.err"

	# --format csv on stdout: the flows, then after a blank line each the episodes, the streams, the totals and the migrations.
	mm csv-stdout --format csv "$SAMPLE"
	check_eq "csv-stdout-exit-0" 0 "$RC"
	check "csv-stdout-sections" "not flows + episodes + streams + totals + migrations" \
		cmp -s "$T/csv-stdout.out" <(cat "$T/ref.csv"; echo; cat "$T/ref-episodes.csv"; echo; cat "$T/ref-streams.csv"; echo; cat "$T/ref-totals.csv"; echo; cat "$T/ref-migrations.csv")
	check_eq "csv-stdout-five-sections" 5 "$(awk 'BEGIN { RS = "" } END { print NR }' "$T/csv-stdout.out")"
	# A table given its own file is not repeated on stdout.
	mm csv-stdout-ep --format csv --episodes "$T/ep.csv" "$SAMPLE"
	check "csv-stdout-episodes-apart" "episodes on stdout too" \
		cmp -s "$T/csv-stdout-ep.out" <(cat "$T/ref.csv"; echo; cat "$T/ref-streams.csv"; echo; cat "$T/ref-totals.csv"; echo; cat "$T/ref-migrations.csv")
	check "csv-stdout-episodes-file" "differs" cmp -s "$T/ep.csv" "$T/ref-episodes.csv"
}

# ---- read-only targets -----------------------------------------------------
case_readonly() {
	local d=$T/rodir
	mkdir -p "$d" && chmod 755 "$d"
	echo 'keep me' >"$d/r.json" && chmod 444 "$d/r.json"
	mm ro-root -o "$d/r.json" "$SAMPLE"
	check_eq "readonly-root-refused-exit-1" 1 "$RC"
	check_eq "readonly-root-one-line" 1 "$(lines "$T/ro-root.err")"
	check_eq "readonly-root-unchanged" "keep me 444" "$(cat "$d/r.json") $(stat -c %a "$d/r.json")"
	check "readonly-root-says-why" "stderr: $(cat "$T/ro-root.err")" grep -q 'read-only (mode 0444' "$T/ro-root.err"

	# As nobody, in a directory nobody may write (so rename alone would succeed).
	local nd=$T/nobodydir bin=$T/bin
	mkdir -p "$nd" "$bin" && cp "$MIGMETER" "$bin/migmeter" && cp -r "$REPO_DIR/bpf" "$bin/bpf" &&
		chmod -R a+rX "$bin" && chown 65534:65534 "$nd" && chmod 755 "$nd" || die "nobody's directory"
	cp "$SAMPLE" "$nd/in.pcapng" && chmod 644 "$nd/in.pcapng"
	echo 'keep me' >"$nd/own.json" && chown 65534:65534 "$nd/own.json" && chmod 444 "$nd/own.json"
	echo 'root file' >"$nd/roots.json" && chmod 644 "$nd/roots.json"
	nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups "$bin/migmeter" replay --bpf-dir "$bin/bpf" "$@" \
			</dev/null
	}
	nobody -o "$nd/own.json" "$nd/in.pcapng" >/dev/null 2>"$T/ro-nobody.err"
	check_eq "readonly-nobody-own-0444-exit-1" 1 "$?"
	check_eq "readonly-nobody-own-0444-unchanged" "keep me 444" "$(cat "$nd/own.json") $(stat -c %a "$nd/own.json")"
	check_eq "readonly-nobody-one-line" 1 "$(lines "$T/ro-nobody.err")"
	nobody -o "$nd/roots.json" "$nd/in.pcapng" >/dev/null 2>"$T/ro-nobody2.err"
	check_eq "readonly-nobody-roots-file-exit-1" 1 "$?"
	check_eq "readonly-nobody-roots-file-unchanged" "root file root" \
		"$(cat "$nd/roots.json") $(stat -c %U "$nd/roots.json")"
	# What nobody may write is written.
	nobody --format json -o "$nd/mine.json" "$nd/in.pcapng" >/dev/null 2>&1
	check_eq "nobody-writes-own-output" "0 nobody" "$? $(stat -c %U "$nd/mine.json" 2>/dev/null)"
	check_eq "nobody-output-figures" "$(jq -c .migration "$T/ref.json")" "$(jq -c .migration "$nd/mine.json")"
}

# ---- symlinks ---------------------------------------------------------------
case_symlink() {
	local d=$T/links
	mkdir -p "$d/real"
	echo old >"$d/real/target.json" && chmod 640 "$d/real/target.json" && chown 65534:65534 "$d/real/target.json"
	ln -s real/target.json "$d/link.json"
	mm symlink --format json -o "$d/link.json" "$SAMPLE"
	check_eq "symlink-exit-0" 0 "$RC"
	check_eq "symlink-still-a-link" "real/target.json" "$(readlink "$d/link.json")"
	check "symlink-target-replaced" "target is not the report" cmp -s "$d/real/target.json" "$T/ref.json"
	check_eq "symlink-target-mode-owner-kept" "640 nobody" "$(stat -c '%a %U' "$d/real/target.json")"
	check_eq "symlink-temporary-beside-target-gone" "" "$(find "$d" -name '.*')"
	# A dangling link: the file is made where it points.
	ln -s real/new.json "$d/dangling.json"
	mm dangling --format json -o "$d/dangling.json" "$SAMPLE"
	check_eq "dangling-link-exit-0" 0 "$RC"
	check "dangling-link-target-made" "no real/new.json" cmp -s "$d/real/new.json" "$T/ref.json"
	check_eq "dangling-link-still-a-link" "real/new.json" "$(readlink "$d/dangling.json")"
}

# ---- outputs that are inputs --------------------------------------------------
case_input() {
	local v=$T/victim.pcapng fifo=$T/in.fifo wpid
	cp "$SAMPLE" "$v"
	mm victim -o "$v" "$v"
	check_eq "output-is-input-exit-2" 2 "$RC"
	check "output-is-input-unchanged" "the capture was overwritten" cmp -s "$v" "$SAMPLE"
	check_eq "output-is-input-one-line" 1 "$(lines "$T/victim.err")"
	mm victim-ts --timeseries "$v" -o "$T/x.json" "$SAMPLE" "$v"
	check_eq "timeseries-is-input-exit-2" 2 "$RC"
	ln "$v" "$T/hardlink.pcapng"
	ln -s victim.pcapng "$T/symlink.pcapng"
	mm victim-hard -o "$T/hardlink.pcapng" "$v"
	check_eq "hardlink-of-input-exit-2" 2 "$RC"
	mm victim-sym --format csv -o "$T/symlink.pcapng" "$v"
	check_eq "symlink-to-input-exit-2" 2 "$RC"
	check "inputs-unchanged" "changed" cmp -s "$v" "$SAMPLE"
	# (a copy of the filter files: a binary that gets this wrong must not damage the tree)
	cp -r "$REPO_DIR/bpf" "$T/bpfcopy"
	"$MIGMETER" replay --bpf-dir "$T/bpfcopy" -o "$T/bpfcopy/icmp.bpf" "$SAMPLE" >/dev/null 2>&1 </dev/null
	check_eq "filter-file-as-output-exit-2" 2 "$?"
	check "filter-file-unchanged" "changed" cmp -s "$T/bpfcopy/icmp.bpf" "$REPO_DIR/bpf/icmp.bpf"
	mm two-same -o "$T/same.csv" --timeseries "$T/./same.csv" "$SAMPLE"
	check_eq "two-outputs-one-file-exit-2" 2 "$RC"
	check_eq "two-outputs-one-file-nothing-written" "no" "$([ -e "$T/same.csv" ] && echo yes || echo no)"

	# Refused before anything is read: a FIFO among the inputs is never opened.
	mkfifo "$fifo"
	timeout 2 sh -c 'cat "$1" >"$2"' sh "$SAMPLE" "$fifo" &
	wpid=$!
	mm victim-fifo -o "$v" "$fifo" "$v"
	wait "$wpid"
	check_eq "output-is-input-nothing-read" "2 124" "$RC $?"
}

# ---- up-front checks (replay) ---------------------------------------------------
case_upfront() {
	local fifo=$T/up.fifo wpid
	mkfifo "$fifo"
	timeout 2 sh -c 'cat "$1" >"$2"' sh "$SAMPLE" "$fifo" &
	wpid=$!
	mm nodir -o /nonexistent/dir/r.json "$fifo"
	wait "$wpid"
	check_eq "nodir-exit-1-nothing-read" "1 124" "$RC $?"
	check_eq "nodir-exact-line" "migmeter: cannot write /nonexistent/dir/r.json: directory /nonexistent/dir does not exist" \
		"$(cat "$T/nodir.err")"
	mm nodir-csv --format csv -o /nonexistent/x.csv "$SAMPLE"
	check_eq "nodir-csv-exit-1" 1 "$RC"
	check_eq "nodir-csv-one-line" 1 "$(lines "$T/nodir-csv.err")"
	mm nodir-ts --timeseries /nonexistent/s.csv "$SAMPLE"
	check_eq "nodir-timeseries-exit-1-no-report" "1 0" "$RC $(stat -c %s "$T/nodir-ts.out")"
	# No temporary name in any message: a directory where the file should go.
	mkdir -p "$T/isdir.json"
	mm isdir -o "$T/isdir.json" "$SAMPLE"
	check_eq "directory-target-exit-1" 1 "$RC"
	check "no-temporary-name" "stderr: $(cat "$T"/*.err | grep -E '/\.[^/ ]+\.[A-Za-z0-9]{8}' | head -1)" \
		sh -c "! grep -qE '/\\.[^/ ]+\\.[A-Za-z0-9]{8}|XXXXXX' \"\$@\"" sh "$T"/*.err
}

# ---- capture --------------------------------------------------------------------
case_capture() {
	local t0 ms rc pid fifo=$T/cap.fifo rpid d=$T/swap
	netns_pair || die "could not create the namespace pair"
	cap() {
		ip netns exec "$NS_A" "$MIGMETER" capture --bpf-dir "$REPO_DIR/bpf" --no-progress -i veth-a "$@"
	}
	for bad in "-o /nonexistent/r.json" "--timeseries /nonexistent/s.csv" "-w /nonexistent/c.pcap" \
		"--episodes $T/rodir/r.json"; do
		t0=${EPOCHREALTIME/./}
		# shellcheck disable=SC2086  # the option and its value
		cap --duration 30s $bad >"$T/capbad.out" 2>"$T/capbad.err" </dev/null
		rc=$?
		ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
		local n=${bad%% *}
		check_eq "capture-bad${n}-refuses-exit-1" 1 "$rc"
		check "capture-bad${n}-at-once" "took $ms ms" [ "$ms" -lt 2000 ]
		check_eq "capture-bad${n}-one-line" 1 "$(lines "$T/capbad.err")"
		check "capture-bad${n}-never-listened" "stderr: $(cat "$T/capbad.err")" \
			sh -c "! grep -q 'listening on' '$T/capbad.err'"
	done
	cap --duration 30s -w - >/dev/null 2>"$T/capw.err" </dev/null
	check_eq "capture-w-dash-and-report-on-stdout-exit-2" 2 "$?"
	cap --duration 30s -w "$T/same.pcap" -o "$T/same.pcap" >/dev/null 2>&1 </dev/null
	check_eq "capture-w-and-o-one-file-exit-2" 2 "$?"

	# Two link types need two -w files: a stream cannot take them, refused before listening.
	t0=${EPOCHREALTIME/./}
	ip netns exec "$NS_A" "$MIGMETER" capture --bpf-dir "$REPO_DIR/bpf" --no-progress -i any \
		--icmp-iface lo --duration 30s -w - -o "$T/any.json" >"$T/capany.out" 2>"$T/capany.err" </dev/null
	rc=$?
	ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	check_eq "capture-w-dash-two-link-types-exit-1" 1 "$rc"
	check "capture-w-dash-two-link-types-at-once" "took $ms ms" [ "$ms" -lt 2000 ]
	check "capture-w-dash-two-link-types-says-why" "stderr: $(cat "$T/capany.err")" \
		grep -q 'need two files' "$T/capany.err"
	check_eq "capture-w-dash-two-link-types-nothing-on-stdout" 0 "$(stat -c %s "$T/capany.out")"

	# -w -: the capture on stdout, the report in -o.
	cap --duration 2s -w - --format json -o "$T/capw.json" >"$T/capw.pcap" 2>"$T/capw.err" </dev/null &
	pid=$!
	track_pid "$pid"
	wait_until 50 grep -qs 'listening on' "$T/capw.err"
	ip netns exec "$NS_A" ping -c 5 -i 0.05 -q "$B4" >/dev/null 2>&1
	wait "$pid"
	check_eq "capture-w-dash-exit-0" 0 "$?"
	check "capture-w-dash-is-pcap" "capinfos: $(capinfos -t "$T/capw.pcap" 2>&1 | head -2)" \
		sh -c "capinfos -t '$T/capw.pcap' 2>/dev/null | grep -q 'pcap'"
	"$MIGMETER" replay "${MM_OPTS[@]}" --format json -o "$T/capw-replay.json" "$T/capw.pcap" 2>/dev/null
	check_eq "capture-w-dash-replays-same-echo" "$(jq -c '[.downtime.streams[] | .requests]' "$T/capw.json")" \
		"$(jq -c '[.downtime.streams[] | .requests]' "$T/capw-replay.json")"
	check "capture-w-dash-saw-pings" "requests: $(jq -c '[.downtime.streams[] | .requests]' "$T/capw.json")" \
		[ "$(jq '[.downtime.streams[].requests] | add // 0' "$T/capw.json")" -ge 5 ]

	# -w onto a FIFO: written in place, the reader gets a whole capture.
	mkfifo "$fifo"
	timeout 20 cat "$fifo" >"$T/fifo.pcap" &
	rpid=$!
	track_pid "$rpid"
	cap --duration 1s -w "$fifo" --format json -o "$T/capfifo.json" >/dev/null 2>"$T/capfifo.err" </dev/null
	rc=$?
	wait "$rpid"
	check_eq "capture-w-fifo-exit-0" 0 "$rc"
	check_eq "capture-w-fifo-still-a-fifo" fifo "$(stat -c %F "$fifo")"
	check "capture-w-fifo-reader-got-pcap" "capinfos: $(capinfos -c "$T/fifo.pcap" 2>&1 | tail -1)" \
		sh -c "capinfos -c '$T/fifo.pcap' >/dev/null 2>&1"

	# The privileged writer (root parent; the parser runs as nobody): targets are
	# resolved when the capture starts, and one swapped meanwhile is not written.
	mkdir -p "$d" && chmod 1777 "$d"
	mknod "$T/swapdev" c 1 3 || die "mknod"
	swap_run() {	# NAME SWAP-COMMAND - capture for 2 s, run the swap once it listens
		cap --duration 2s --format json -o "$d/$1.json" >/dev/null 2>"$T/$1.err" </dev/null &
		pid=$!
		track_pid "$pid"
		wait_until 50 grep -qs 'listening on' "$T/$1.err" || fail "$1-start" "$(cat "$T/$1.err")"
		eval "$2"
		wait "$pid"
		rc=$?
	}
	swap_run swapdev "mknod '$d/swapdev.json' c 1 3"
	check_eq "privsep-new-file-swapped-for-device-exit-1" 1 "$rc"
	check_eq "privsep-device-left-alone" "character special file 1:3" "$(stat -c '%F %t:%T' "$d/swapdev.json")"
	check "privsep-device-swap-says-why" "stderr: $(cat "$T/swapdev.err")" \
		grep -q 'now a character device' "$T/swapdev.err"
	echo old >"$d/swaplink.json"
	swap_run swaplink "rm -f '$d/swaplink.json' && ln -s '$T/swapdev' '$d/swaplink.json'"
	check_eq "privsep-file-swapped-for-symlink-exit-1" 1 "$rc"
	check_eq "privsep-symlink-left-alone" "$T/swapdev" "$(readlink "$d/swaplink.json")"
	check "privsep-symlink-swap-says-why" "stderr: $(cat "$T/swaplink.err")" \
		grep -q 'now a symlink' "$T/swaplink.err"
	echo old >"$d/noswap.json" && chmod 640 "$d/noswap.json" && chown 65534:65534 "$d/noswap.json"
	swap_run noswap ":"
	check_eq "privsep-unswapped-written-exit-0" 0 "$rc"
	check_eq "privsep-unswapped-report" veth-a "$(jqr "$d/noswap.json" '.inputs[0].interface')"
	check_eq "privsep-unswapped-mode-owner-kept" "640 nobody" "$(stat -c '%a %U' "$d/noswap.json")"
}

case_streams
case_stdout
case_readonly
case_symlink
case_input
case_upfront
case_capture
summary
