#!/usr/bin/env bash
# test_readme.sh - every example in README.md's code blocks and the man page's EXAMPLES runs as written.
#
# The examples are read from README.md itself (every ``` block whose first
# command is migmeter, tcpdump or mkfifo, continuation lines joined; the
# synopsis lines with [OPTIONS] are not examples), so an example edited in
# the README is tested as edited.  Each runs with bash in a scratch
# directory holding the files the examples name: src.pcapng, dst.pcapng,
# run.pcap, runs.pcapng and run7.pcap.gz made from the fixtures; ping.txt,
# nova-compute.log, list.txt, job.txt and qmp.jsonl from tests/logs; the
# records of nodes node1, node2 and hv01..hv03 made by capture --from; and
# run7.pcapng made by the README's first example itself.  `migmeter` is the
# built binary, found on PATH.
#
# The live examples (capture -i eth1 --icmp-iface br-ex, tcpdump -i eth1,
# interfaces) run in a namespace of this test with a veth pair named eth1
# and br-ex; tests/gen/migtraffic.py sends $N small migrations onto br-ex
# once the capture is listening
# (a packet socket more in the namespace).  Two paths are moved into the scratch
# directory: /var/lib/migmeter and /tmp/cap.  `ssh node2 CMD` runs CMD in
# the namespace for a few seconds (a stand-in for the other node).
#
# Each example must exit 0 and write what it names (-o FILE and the CSVs it
# says it adds); the live ones must count the $N migrations sent.  The
# pandas snippets run with Debian's python3-pandas and matplotlib (Agg).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_tools ip jq gzip editcap tcpdump /usr/bin/python3
require_binaries migmeter

README=$REPO_DIR/README.md
FIX=$REPO_DIR/tests/fixtures
GEN=$REPO_DIR/tests/gen/migtraffic.py
W=$E2E_TMP/w
N=12
mkdir -p "$W/bin" "$W/docs" "$W/var/lib/migmeter" "$W/tests" || die "scratch directory"
ln -s "$MIGMETER" "$W/bin/migmeter"
ln -s "$FIX" "$W/tests/fixtures"
# The filter files of the source tree (the sanitized binary in build/asan has none beside it).
export MIGMETER_BPF_DIR=$REPO_DIR/bpf
/usr/bin/python3 -c 'import pandas, matplotlib' 2>/dev/null ||
	die "python3-pandas and python3-matplotlib are missing (scripts/setup-deps.sh test installs them)"

# ---- the files the examples name --------------------------------------------
mk() { "$@" >/dev/null 2>"$W/mk.err" || die "making inputs: $* ($(head -n 1 "$W/mk.err"))"; }
mk editcap -F pcapng "$FIX/vp_src.pcap" "$W/src.pcapng"
mk editcap -F pcapng "$FIX/vp_dst.pcap" "$W/dst.pcapng"
mk editcap -F pcapng "$FIX/mig_5x.pcap" "$W/runs.pcapng"
cp "$FIX/mig_5x.pcap" "$W/run.pcap"
gzip -c "$FIX/mig_5x.pcap" >"$W/run7.pcap.gz"
cp "$REPO_DIR/tests/logs/ping-D-outage.txt" "$W/ping.txt"
cp "$REPO_DIR/tests/logs/nova-compute.log" "$W/nova-compute.log"
cp "$REPO_DIR/tests/logs/nova-migration-list.txt" "$W/list.txt"
cp "$REPO_DIR/tests/logs/domjobinfo.txt" "$W/job.txt"
cp "$REPO_DIR/tests/logs/query-migrate.json" "$W/qmp.jsonl"
for node in node1:vp_src node2:vp_dst hv01:vp_src hv02:vp_dst hv03:mig_5x; do
	mkdir -p "$W/${node%%:*}"
	mk "$MIGMETER" capture -q -Z root --from "$FIX/${node#*:}.pcap" --node "${node%%:*}" \
		--records "$W/${node%%:*}/records.jsonl" -o /dev/null
done
mk "$MIGMETER" replay --format json -o "$W/a.json" "$FIX/vp_src.pcap"
mk "$MIGMETER" replay --format json -o "$W/b.json" "$FIX/vp_dst.pcap"

# ---- the namespace of the live examples -----------------------------------------
NS="mm-e2e-$$-readme"
ip netns add "$NS" || die "could not create namespace $NS"
E2E_NETNS+=("$NS")
ip -n "$NS" link add eth1 type veth peer name br-ex || die "veth eth1/br-ex"
ip -n "$NS" link set lo up && ip -n "$NS" link set eth1 up && ip -n "$NS" link set br-ex up ||
	die "links up"
ETH1_MAC=$(ip netns exec "$NS" cat /sys/class/net/eth1/address) || die "eth1's MAC"

# send - $N migrations onto br-ex, arriving on eth1.
send() {
	ip netns exec "$NS" python3 "$GEN" send br-ex "$ETH1_MAC" --count "$N" --rate 20 \
		>"$W/send.out" 2>&1 || fail "send" "migtraffic.py: $(tail -n 1 "$W/send.out")"
}

# listening BEFORE - more packet sockets open in the namespace than BEFORE (a capture listening adds one; -q says nothing).
packet_sockets() { ip netns exec "$NS" tail -n +2 /proc/net/packet | wc -l; }
listening() { [ "$(packet_sockets)" -gt "$1" ]; }

# ---- the examples, read from the README ---------------------------------------
# One example per line of $W/examples: "LINE<TAB>KIND<TAB>COMMAND", KIND
# shell or python (a python block is one example, its lines joined by \x1f).
awk '
	/^```/ {
		if (inb) { flush(); inb = 0 } else { inb = 1; nlines = 0; start = NR + 1 }
		next
	}
	inb { lines[++nlines] = $0; at[nlines] = NR }
	function flush(   i, first, cmd, l, py) {
		first = ""
		for (i = 1; i <= nlines; i++)
			if (lines[i] !~ /^[ \t]*(#|$)/) { first = lines[i]; break }
		if (first ~ /^import pandas/) {
			py = ""
			for (i = 1; i <= nlines; i++) py = py lines[i] "\037"
			printf "%d\tpython\t%s\n", start, py
			return
		}
		if (first !~ /^(migmeter|tcpdump|mkfifo) /) return
		cmd = ""
		for (i = 1; i <= nlines; i++) {
			if (cmd == "" && lines[i] ~ /^[ \t]*(#|$)/) continue
			if (cmd == "") l = at[i]
			cmd = cmd lines[i]
			if (cmd ~ /\\$/) { sub(/\\$/, " ", cmd); continue }
			# a synopsis ([OPTIONS], [-o FILE]) is not an example
			if (cmd !~ /\[-|\[OPTIONS\]/) printf "%d\tshell\t%s\n", l, cmd
			cmd = ""
		}
	}
' "$README" >"$W/examples"
check "examples-found" "$(wc -l <"$W/examples") examples in README.md, expected 20 or more" \
	test "$(wc -l <"$W/examples")" -ge 20
# The man page's EXAMPLES (.nf ... .fi blocks, roff escapes undone), as "manLINE".
awk '
	/^\.SH / { inex = ($2 == "EXAMPLES") }
	inex && /^\.nf/ { inb = 1; cmd = ""; next }
	inex && /^\.fi/ { inb = 0; next }
	inb {
		l = $0
		gsub(/\\-/, "-", l)
		gsub(/\\e/, "\\", l)
		if (cmd == "") at = NR
		cmd = cmd l
		if (cmd ~ /\\$/) { sub(/\\$/, " ", cmd); next }
		printf "man%d\tshell\t%s\n", at, cmd
		cmd = ""
	}
' "$REPO_DIR/man/migmeter.1" >"$W/man-examples"
check "man-examples-found" "$(wc -l <"$W/man-examples") examples in the man page, expected 8 or more" \
	test "$(wc -l <"$W/man-examples")" -ge 8
cat "$W/man-examples" >>"$W/examples"

# outputs_of CMD - the files an example writes: its -o FILE, and for --format csv -o X.csv the tables beside it.
outputs_of() {
	local cmd=$1 o
	o=$(grep -oE '(^| )-o [^ ]+' <<<"$cmd" | awk '{print $2}')
	[ -n "$o" ] || return 0
	printf '%s\n' "$o"
	if grep -q -- '--format csv' <<<"$cmd" && [ "${o%.csv}" != "$o" ]; then
		printf '%s\n' "${o%.csv}-episodes.csv" "${o%.csv}-streams.csv" "${o%.csv}-migrations.csv"
	fi
}

# run_example LINE CMD - one README line, by what it does.
PRE='ssh() { shift; timeout -s INT 4 bash -c "$1"; }'
run_example() {
	local line=$1 cmd=$2 name="readme-$1" rc f out=$W/ex-$1.out err=$W/ex-$1.err pid i before
	cmd=${cmd//\/var\/lib\/migmeter/$W\/var\/lib\/migmeter}
	cmd=${cmd//\/tmp\/cap/$W\/cap}
	before=$(packet_sockets)
	case $cmd in
	*"migmeter capture -i eth1"* | tcpdump* | mkfifo*ssh*)
		# live: started in the namespace as a process group of its own, traffic once it listens
		(cd "$W" && PATH=$W/bin:$PATH exec setsid ip netns exec "$NS" bash -c "$PRE
$cmd") >"$out" 2>"$err" </dev/null &
		pid=$!
		track_pid "$pid"
		if ! wait_until 100 listening "$before"; then
			fail "$name" "never listened: $(head -n 1 "$err")"
			return
		fi
		sleep 0.5
		send
		case $cmd in
		*--idle-stop*) ;; # stops by itself once the traffic has been idle that long
		*--records*)       # a service: stopped once every migration is a record
			wait_until 100 test "$(cat "$W"/var/lib/migmeter/records.jsonl 2>/dev/null | wc -l)" -ge "$N"
			kill -TERM -- "-$pid" 2>/dev/null
			;;
		tcpdump*) # the README's clean end of a piped capture: tcpdump alone is stopped
			sleep 1
			for i in $(ps -o pid=,comm= -g "$pid" | awk '$2 == "tcpdump" {print $1}'); do
				kill -INT "$i"
			done
			;;
		*" -c "*) ;;       # stops by itself after that many completed migrations
		*) ;;              # ssh's stand-in ends its tcpdump after 4 s
		esac
		for i in $(seq 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
		wait "$pid"
		rc=$?
		;;
	*"migmeter interfaces"*)
		(cd "$W" && PATH=$W/bin:$PATH ip netns exec "$NS" bash -c "$cmd") >"$out" 2>"$err" </dev/null
		rc=$?
		;;
	*)
		(cd "$W" && PATH=$W/bin:$PATH timeout 120 bash -c "$cmd") >"$out" 2>"$err" </dev/null
		rc=$?
		;;
	esac
	if [ "$rc" -ne 0 ]; then
		fail "$name" "exit $rc: $cmd: $(head -n 1 "$err")"
		return
	fi
	for f in $(outputs_of "$cmd"); do
		if [ ! -s "$W/$f" ] && [ ! -s "$f" ]; then
			fail "$name" "$cmd: wrote no $f"
			return
		fi
	done
	pass "$name"
	# what the live ones measured: the migrations sent
	case $cmd in
	*"migmeter capture -i eth1"*--idle-stop*)
		check_eq "readme-$line-migrations" "$N" "$(jq '.migrations | length' "$W/run7.json" 2>/dev/null)"
		check "readme-$line-pcapng" "run7.pcapng does not replay to $N migrations" \
			test "$("$MIGMETER" replay --format json "$W/run7.pcapng" 2>/dev/null | jq '.migrations | length')" = "$N"
		check "readme-$line-series" "run7.csv has no bins" test "$(wc -l <"$W/run7.csv")" -ge 2
		;;
	*"migmeter capture -i eth1 -c "*)
		# at least N completed, and back to back (50 ms apart) the ones begun before the N-th was known complete
		f=$(grep -oE ' -c [0-9]+' <<<"$cmd" | awk '{print $2}')
		check "readme-$line-count" "$(grep -c '^migration [0-9]*: completed' "$out") completed, expected $f..$N" \
			test "$(grep -c '^migration [0-9]*: completed' "$out")" -ge "$f" -a \
			"$(grep -c '^migration [0-9]*:' "$out")" -le "$N"
		;;
	*"migmeter capture -i eth1"*--records*)
		check_eq "readme-$line-records" "$N" "$(wc -l <"$W/var/lib/migmeter/records.jsonl")"
		check "readme-$line-cap" "no cap-*.pcap written" bash -c "compgen -G '$W/var/lib/migmeter/cap-*.pcap' >/dev/null"
		;;
	tcpdump* | mkfifo*)
		check_eq "readme-$line-migrations" "$N" "$(grep -c '^migration [0-9]*:' "$out")"
		;;
	*"migmeter interfaces"*)
		check "readme-$line-links" "eth1 and br-ex not listed" grep -q 'br-ex' "$out"
		;;
	esac
}

while IFS=$'\t' read -r line kind cmd; do
	case $kind in
	shell) run_example "$line" "$cmd" ;;
	python)
		tr '\037' '\n' <<<"$cmd" >"$W/ex-$line.py"
		(cd "$W" && MPLBACKEND=Agg /usr/bin/python3 "ex-$line.py") >"$W/ex-$line.out" 2>"$W/ex-$line.err"
		rc=$?
		check "readme-$line" "exit $rc: $(tail -n 1 "$W/ex-$line.err")" test "$rc" -eq 0
		;;
	esac
done <"$W/examples"

# The README's plot example writes the figure the README shows (docs/mig5x.png).
check "readme-plot-png" "docs/mig5x.png is not a PNG" bash -c "head -c 8 '$W/docs/mig5x.png' | od -An -c | grep -q 'P   N   G'"

summary
