#!/usr/bin/env bash
# golden.sh - known-answer tests: generated captures replayed, reports checked against the answers and tests/golden/.
#
# Usage: tests/golden.sh [--update]
#
# build/gen_fixtures writes the captures into tests/fixtures/ together with
# expect.json (what it wrote, flow by flow: packets, wire/IP/payload/unique/
# retransmitted bytes, flags, timestamps).  Each fixture is replayed and the
# report checked with real assertions; three JSON reports and one text
# report are also diffed byte for byte against tests/golden/ so that any
# change in the output shows.  --update rewrites those golden files from
# the current output (review the diff before keeping it: a golden file holds
# the right answer, not whatever the tool printed; where the tool is known to
# be wrong the golden file says what it should print instead).
#
# Prints `PASS name` / `FAIL name: reason` per check and ends with
# `N passed, N failed`; exit status 1 when anything failed.
# Needs: ./migmeter (or $MIGMETER) and build/gen_fixtures (make migmeter build/gen_fixtures), python3.
set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 2
MM=${MIGMETER:-./migmeter}
MM_OPTS=(--bpf-dir bpf)
FIX=tests/fixtures
GOLD=tests/golden
UPDATE=0
[ "${1:-}" = --update ] && UPDATE=1

NPASS=0
NFAIL=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mm-golden.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

pass() {
	NPASS=$((NPASS + 1))
	printf 'PASS %s\n' "$1"
}

# fail NAME REASON
fail() {
	NFAIL=$((NFAIL + 1))
	printf 'FAIL %s: %s\n' "$1" "$2"
}

summary() {
	printf '%d passed, %d failed\n' "$NPASS" "$NFAIL"
	[ "$NFAIL" -eq 0 ]
	exit $?
}

# eq NAME EXPECTED GOT
eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected '$2', got '$3'"
	fi
}

# check NAME CMD... - CMD prints the reason on stdout when it fails.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(printf '%s' "$out" | tr '\n' ' ' | cut -c1-600)"
	fi
}

if ! command -v python3 >/dev/null 2>&1; then
	fail python3 "python3 is needed to read the JSON reports (apt-get install python3)"
	summary
fi
for f in "$MM" build/gen_fixtures; do
	if [ ! -x "$f" ]; then
		fail build "$f missing: run make migmeter build/gen_fixtures"
		summary
	fi
done

# ---- the JSON/CSV helper ---------------------------------------------------
# Numbers are read as Decimal: a nanosecond timestamp does not fit a double.
PY=$TMP/check.py
cat >"$PY" <<'EOF'
import csv, decimal, json, sys
from decimal import Decimal

def load(path):
    with open(path) as f:
        return json.load(f, parse_float=Decimal)

def walk(doc, path):
    parts = path.split('.') if path else []
    i = 0
    while i < len(parts):
        if isinstance(doc, list):
            doc = doc[int(parts[i])]
            i += 1
            continue
        # Keys may hold dots ("mig_eth.pcap"): take the shortest prefix that is a key.
        for j in range(i + 1, len(parts) + 1):
            if '.'.join(parts[i:j]) in doc:
                doc = doc['.'.join(parts[i:j])]
                i = j
                break
        else:
            raise KeyError('.'.join(parts[i:]))
    return doc

def text(v):
    if v is None:
        return 'null'
    if v is True:
        return 'true'
    if v is False:
        return 'false'
    if isinstance(v, (dict, list)):
        return json.dumps(v, default=str, sort_keys=True)
    return str(v)

def strip(doc, drop):
    if isinstance(doc, dict):
        return {k: strip(v, drop) for k, v in doc.items() if k not in drop}
    if isinstance(doc, list):
        return [strip(v, drop) for v in doc]
    return doc

def diff(a, b, where=''):
    """First few differences between two JSON trees, as text."""
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append('%s.%s only in %s' % (where, k, 'first' if k in a else 'second'))
            else:
                out += diff(a[k], b[k], '%s.%s' % (where, k))
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append('%s: %d vs %d entries' % (where or '.', len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, '%s[%d]' % (where, i))
    elif a != b or type(a) is not type(b):
        out.append('%s: %s vs %s' % (where or '.', text(a), text(b)))
    return out

def fail(msgs):
    print('; '.join(msgs[:8]) + (' (+%d more)' % (len(msgs) - 8) if len(msgs) > 8 else ''))
    sys.exit(1)

def tup(f):
    return frozenset([(f['client'], f['client_port']), (f['server'], f['server_port'])])

GROUPS = {
    'identity': ['class', 'kind', 'direction_inferred', 'client', 'client_port', 'server',
                 'server_port', 'counted'],
    'counters': ['packets', 'wire_bytes', 'ip_bytes', 'payload_bytes', 'unique_payload_bytes',
                 'first_ts_ns', 'last_ts_ns', 'syn', 'fin', 'rst'],
    'retrans': ['retrans_bytes'],
}

def cmd_flows(report, expect, key, group, skip=''):
    """Compares the report's flows with what the generator wrote (expect.json[key])."""
    r = load(report)
    exp = load(expect)[key]['flows']
    skip = set(skip.split(',')) if skip else set()
    got = r['flows']
    msgs = []
    if len(got) != len(exp):
        msgs.append('%d flows in the report, %d written' % (len(got), len(exp)))
    for e in exp:
        name = '%s:%s>%s:%s' % (e['client'], e['client_port'], e['server'], e['server_port'])
        cand = [g for g in got if tup(g) == tup(e)]
        if not cand:
            msgs.append('no flow %s' % name)
            continue
        g = cand[0]
        if group == 'identity':
            e = dict(e, counted=e['class'] == 'migration')
            for k in GROUPS[group]:
                if k not in skip and g.get(k) != e[k]:
                    msgs.append('%s %s: expected %s, got %s' % (name, k, text(e[k]), text(g.get(k))))
            continue
        for d in ('forward', 'reverse'):
            for k in GROUPS[group]:
                if k in skip:
                    continue
                want = e[d][k]
                if k.endswith('_ts_ns'):
                    field = k[:-3]
                    want = Decimal(want) / Decimal(10**9)
                else:
                    field = k
                have = g[d].get(field)
                if have != want or type(have) is bool and type(want) is not bool:
                    msgs.append('%s %s.%s: expected %s, got %s' % (name, d, field, text(want), text(have)))
    if msgs:
        fail(msgs)

def cmd_migs(report, expect, key):
    """Compares the report's migrations with what the generator wrote (expect.json[key])."""
    r = load(report)
    x = load(expect)[key]
    got, exp = r['migrations'], x['migrations']
    msgs = []
    ns = lambda v: None if v is None else Decimal(v) / Decimal(10**9)
    if len(got) != len(exp):
        msgs.append('%d migrations in the report, %d written' % (len(got), len(exp)))
    for i, (g, e) in enumerate(zip(got, exp)):
        so = g['switchover']
        roles = [f['role'] for f in g['flows']]
        def want(name, have, w):
            if have != w or (type(have) is bool) != (type(w) is bool):
                msgs.append('migration %d %s: expected %s, got %s' % (i + 1, name, text(w), text(have)))
        want('id', g['id'], i + 1)
        for k in ('status', 'status_reason', 'inferred', 'source', 'destination', 'uuid'):
            want(k, g[k], e[k])
        want('flows', len(g['flows']), e['flows'])
        want('multifd channels', roles.count('multifd'), e['multifd'])
        want('nbd flows', roles.count('nbd'), e['nbd'])
        want('main flow first', roles[0] if roles else None, 'main')
        want('start', g['start'], ns(e['start_ns']))
        want('connect', g['connect'], ns(e['connect_ns']))
        want('first_payload', g['first_payload'], ns(e['first_payload_ns']))
        want('end', g['end'], ns(e['end_ns']))
        want('duration_s', g['duration_s'], ns(e['end_ns'] - e['start_ns']))
        want('setup_s', g['setup_s'], None if e['connect_ns'] is None else ns(e['first_payload_ns'] - e['connect_ns']))
        want('final_burst_end', so['final_burst_end'], ns(e['final_burst_end_ns']))
        total = 0
        for role in ('main', 'multifd', 'nbd', 'other'):
            want('%s unique bytes' % role, g['bytes_by_role'][role], e['unique_' + role])
            total += e['unique_' + role]
        want('wire bytes by role add up', sum(g['wire_bytes_by_role'].values()), g['wire_bytes'])
        want('unique_payload_bytes', g['unique_payload_bytes'], total)
        want('resumed', so['resumed'], ns(e['resumed_ns']))
        want('vm.mac', g['vm']['mac'], e['vm_mac'])
        want('vm.ip', g['vm']['ip'], e['vm_ip'])
        want('announces', so['announces'], e['announces'])
        want('announce times', len(so['rarp_times']) + len(so['garp_times']), e['announces'])
        want('vm_first_frame', so['vm_first_frame'], ns(e['vm_first_frame_ns']))
        want('episodes', len(g['episodes']), e['episodes'])
        if e['episodes']:
            ep = g['episodes'][0] if g['episodes'] else {}
            want('episode first_lost_ts', ep.get('first_lost_ts'), ns(e['first_lost_ns']))
            want('episode estimate_s', ep.get('estimate_s'), ns(e['downtime_ns']))
            want('episode lost', ep.get('lost'), e['lost'])
            want('downtime_total_s', g['downtime_total_s'], ns(e['downtime_ns']))
            want('first_reply_after', so['first_reply_after'], ns(e['first_reply_after_ns']))
            want('last_reply_before', so['last_reply_before'], ns(e['last_reply_before_ns']))
            bound = None if e['resumed_ns'] is None or e['last_reply_before_ns'] is None else \
                ns(e['resumed_ns'] - e['last_reply_before_ns'])
            want('announce_bound_s', g['announce_bound_s'], bound)
        else:
            want('downtime_total_s', g['downtime_total_s'], None)
    if len(r['episodes_outside_migrations']) != x['outside_episodes']:
        msgs.append('%d episodes outside migrations, %d written' % (len(r['episodes_outside_migrations']),
                                                                  x['outside_episodes']))
    if msgs:
        fail(msgs)

def cmd_get(path, *keys):
    doc = load(path)
    print(' '.join(text(walk(doc, k)) for k in keys))

def cmd_same(a, b, key, drop=''):
    """The subtree `key` of two reports is identical once the keys in `drop` are removed."""
    drop = set(drop.split(',')) if drop else set()
    x = strip(walk(load(a), key), drop)
    y = strip(walk(load(b), key), drop)
    d = diff(x, y, key)
    if d:
        fail(d)

def cmd_totals(report):
    """migration.* totals are the sums over the counted flows (collisions excluded)."""
    r = load(report)
    m = r['migration']
    fl = [f for f in r['flows'] if f['counted']]
    msgs = []
    def want(name, got, exp):
        if got != exp:
            msgs.append('%s: totals say %s, counted flows sum to %s' % (name, text(got), text(exp)))
    want('flows', m['flows'], len([f for f in r['flows'] if f['class'] == 'migration']))
    want('collisions', m['collisions'], len([f for f in r['flows'] if f['class'] == 'collision']))
    want('packets', m['packets'], sum(f['forward']['packets'] + f['reverse']['packets'] for f in fl))
    want('wire_bytes', m['wire_bytes'], sum(f['forward']['wire_bytes'] + f['reverse']['wire_bytes'] for f in fl))
    want('unique_payload_bytes', m['unique_payload_bytes'],
         sum(f['forward']['unique_payload_bytes'] + f['reverse']['unique_payload_bytes'] for f in fl))
    for d in ('forward', 'reverse'):
        for k in ('packets', 'wire_bytes', 'ip_bytes', 'payload_bytes', 'unique_payload_bytes', 'retrans_bytes'):
            want('%s.%s' % (d, k), m[d][k], sum(f[d][k] for f in fl))
    if fl:
        want('start', m['start'], min(f['first_ts'] for f in fl))
        want('end', m['end'], max(f['last_ts'] for f in fl))
    if msgs:
        fail(msgs)

def rows(path):
    with open(path, newline='') as f:
        return list(csv.reader(f))

def cmd_csv_rows(path):
    """Data rows (header excluded); fails when a row's width differs from the header's."""
    t = rows(path)
    if not t:
        fail(['%s is empty' % path])
    bad = [i + 1 for i, row in enumerate(t) if len(row) != len(t[0])]
    if bad:
        fail(['line %d has a different number of fields than the header' % bad[0]])
    print(len(t) - 1)

def cmd_csv_header(path):
    print(','.join(rows(path)[0]))

def cmd_csv_sum(path, *cols):
    t = rows(path)
    print(' '.join(str(sum(Decimal(row[t[0].index(c)]) for row in t[1:])) for c in cols))

def cmd_csv_cell(path, row, col):
    t = rows(path)
    print(t[int(row)][t[0].index(col)])

def cmd_between(path, key, lo, hi):
    v = walk(load(path), key)
    if v is None or not Decimal(lo) <= v <= Decimal(hi):
        fail(['%s = %s, expected within [%s, %s]' % (key, text(v), lo, hi)])

def cmd_len(path, key):
    print(len(walk(load(path), key)))

def cmd_isjson(path):
    try:
        load(path)
    except Exception as e:  # the point is to say what is wrong
        fail(['%s is not JSON: %s' % (path, e)])

cmds = {k[4:]: v for k, v in globals().items() if k.startswith('cmd_')}
try:
    cmds[sys.argv[1]](*sys.argv[2:])
except (KeyError, IndexError, ValueError, TypeError, OSError, json.JSONDecodeError) as e:
    print('%s: %s' % (type(e).__name__, e))
    sys.exit(1)
EOF

# The interpreter itself, not a version manager's shim: it starts twice as fast.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
py() {
	"$PYTHON" "$PY" "$@"
}

# jget TAG PATH... - values of the report of run TAG, space-separated.
jget() {
	local tag=$1
	shift
	local v
	if v=$(py get "$TMP/$tag.out" "$@" 2>&1); then
		printf '%s\n' "$v"
	else
		printf '<unreadable: %s>\n' "$(printf '%s' "$v" | tr '\n' ' ')"
	fi
}

# replay TAG ARGS... - runs migmeter replay; stdout/stderr/status in $TMP/TAG.{out,err,rc}.
replay() {
	local tag=$1
	shift
	"$MM" replay "${MM_OPTS[@]}" "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err"
	echo $? >"$TMP/$tag.rc"
}

rc_of() {
	cat "$TMP/$1.rc"
}

# replay_json TAG FILE... - replay --format json and check it exited 0 with a JSON report.
replay_json() {
	local tag=$1
	shift
	replay "$tag" --format json "$@"
	if [ "$(rc_of "$tag")" != 0 ]; then
		fail "$tag exit" "exit $(rc_of "$tag"): $(head -c 300 "$TMP/$tag.err")"
		return 1
	fi
	check "$tag exit+json" py isjson "$TMP/$tag.out"
}

EXPECT=$FIX/expect.json

# ---- fixtures ---------------------------------------------------------------
if out=$(build/gen_fixtures "$FIX" 2>&1) && [ -s "$EXPECT" ]; then
	pass gen_fixtures
else
	fail gen_fixtures "$out"
	summary
fi
# Same bytes at every run: a second generation is identical.
if build/gen_fixtures "$TMP/fx2" >/dev/null 2>&1 && diff -r -q "$FIX" "$TMP/fx2" >"$TMP/fx2.diff"; then
	pass "gen_fixtures deterministic"
else
	fail "gen_fixtures deterministic" "$(head -3 "$TMP/fx2.diff" | tr '\n' ' ')"
fi

# ---- the migration flow, every link layer -----------------------------------
# mig_eth: 10.0.0.1:40000 -> 10.0.0.2:49152, 1000000 bytes "QEVM" v3 in
# 1448-byte segments, segment 100 sent twice, 200/201 swapped, FIN both ways.
for lk in eth sll sll2 raw null vlan2 v6 ns; do
	t=mig_$lk
	replay_json "$t" "$FIX/$t.pcap" || continue
	check "$t flow identity" py flows "$TMP/$t.out" "$EXPECT" "$t.pcap" identity
	check "$t counters" py flows "$TMP/$t.out" "$EXPECT" "$t.pcap" counters
	eq "$t unique == 1000000" 1000000 "$(jget "$t" flows.0.forward.unique_payload_bytes)"
	eq "$t payload == 1000000 + one resent segment" 1001448 "$(jget "$t" flows.0.forward.payload_bytes)"
	eq "$t retrans == one segment (out-of-order is not a retransmission)" 1448 \
		"$(jget "$t" flows.0.forward.retrans_bytes)"
	eq "$t all frames decoded" "$(jget "$t" capture.frames)" "$(jget "$t" capture.decode.ok)"
	check "$t totals == counted flows" py totals "$TMP/$t.out"
	if [ "$lk" != eth ]; then
		drop=capture,wire_bytes
		[ "$lk" = v6 ] && drop=$drop,client,server,ip_bytes
		[ "$lk" = sll2 ] && drop=$drop,ifindex
		[ "$lk" = ns ] && drop=$drop,first_ts,last_ts,duration_s
		check "$t flows == mig_eth flows (without $drop)" py same "$TMP/mig_eth.out" "$TMP/$t.out" flows "$drop"
	fi
done
eq "mig_eth syn+fin, no rst" "true true true true false false" \
	"$(jget mig_eth flows.0.forward.syn flows.0.forward.fin flows.0.reverse.syn flows.0.reverse.fin flows.0.forward.rst flows.0.reverse.rst)"
eq "mig_sll link_type" LINUX_SLL "$(jget mig_sll inputs.0.link_type)"
eq "mig_sll2 link_type" LINUX_SLL2 "$(jget mig_sll2 inputs.0.link_type)"
eq "mig_raw link_type" RAW "$(jget mig_raw inputs.0.link_type)"
eq "mig_null link_type" NULL "$(jget mig_null inputs.0.link_type)"
eq "mig_ns precision" "ns ns" "$(jget mig_ns inputs.0.precision timestamp_precision)"
eq "mig_eth precision" "us us" "$(jget mig_eth inputs.0.precision timestamp_precision)"
# The SYN of mig_ns is at T0+2 s plus 1 ns of jitter: 9 decimals, nothing rounded.
check "mig_ns first_ts keeps the nanoseconds" grep -q '"first_ts": 1700000002.000000001,' "$TMP/mig_ns.out"
# IPv6: the forward IP bytes are 40-byte headers plus an 8-byte destination-options header on every third data segment.
eq "mig_v6 fwd ip_bytes" "$(py get "$EXPECT" mig_v6.pcap.flows.0.forward.ip_bytes)" "$(jget mig_v6 flows.0.forward.ip_bytes)"

# pcapng (converted by editcap when it is installed): the same flows.
if command -v editcap >/dev/null 2>&1 && editcap -F pcapng "$FIX/mig_eth.pcap" "$TMP/mig_eth.pcapng" >/dev/null 2>&1; then
	if replay_json mig_pcapng "$TMP/mig_eth.pcapng"; then
		eq "mig_eth.pcapng format" "pcapng us" "$(jget mig_pcapng inputs.0.format inputs.0.precision)"
		check "mig_eth.pcapng flows == mig_eth" py same "$TMP/mig_eth.out" "$TMP/mig_pcapng.out" flows capture
	fi
else
	printf 'SKIP pcapng: editcap not installed\n'
fi

# ---- snap lengths -----------------------------------------------------------
# Counts come from the IP lengths: exact whenever the TCP header is captured
# (Ethernet 14 + IP 20 + TCP 20 = 54).  Below that every frame is cut in a
# header: counted as truncated (or refused by the BPF filter), never a flow.
for s in 54 64 80 96 128; do
	t=mig_eth_s$s
	replay_json "$t" "$FIX/$t.pcap" || continue
	check "$t counters" py flows "$TMP/$t.out" "$EXPECT" "$t.pcap" counters
	check "$t retrans_bytes" py flows "$TMP/$t.out" "$EXPECT" "$t.pcap" retrans
	if [ "$s" -ge 64 ]; then
		check "$t flow identity" py flows "$TMP/$t.out" "$EXPECT" "$t.pcap" identity
	else
		# No payload byte captured: the kind cannot be known, the rest can.
		check "$t flow identity" py flows "$TMP/$t.out" "$EXPECT" "$t.pcap" identity kind
	fi
	eq "$t no frame truncated" 0 "$(jget "$t" capture.decode.truncated)"
done
for s in 20 40; do
	t=mig_eth_s$s
	replay_json "$t" "$FIX/$t.pcap" || continue
	eq "$t no flow" 0 "$(jget "$t" migration.flows)"
	eq "$t truncated + filtered_out == frames" 1044 \
		"$(($(jget "$t" capture.decode.truncated) + $(jget "$t" capture.filtered_out)))"
done
eq "mig_eth_s40 cut in the TCP header: truncated" 1044 "$(jget mig_eth_s40 capture.decode.truncated)"

# ---- sequence wrap, handshake-less flows, collisions, TSO --------------------
t=wrap
if replay_json $t "$FIX/wrap.pcap"; then
	check "wrap flow identity" py flows "$TMP/$t.out" "$EXPECT" wrap.pcap identity
	check "wrap counters" py flows "$TMP/$t.out" "$EXPECT" wrap.pcap counters
	check "wrap retrans_bytes" py flows "$TMP/$t.out" "$EXPECT" wrap.pcap retrans
	eq "wrap unique == 300000 across 2^32" 300000 "$(jget $t flows.0.forward.unique_payload_bytes)"
	eq "wrap retrans == the segment straddling 2^32" 1448 "$(jget $t flows.0.forward.retrans_bytes)"
	eq "wrap unique not approximate" false "$(jget $t flows.0.unique_approx)"
fi

t=nohandshake
if replay_json $t "$FIX/nohandshake.pcap"; then
	check "nohandshake flow identity (kind, direction inferred)" py flows "$TMP/$t.out" "$EXPECT" nohandshake.pcap identity
	check "nohandshake counters" py flows "$TMP/$t.out" "$EXPECT" nohandshake.pcap counters
	check "nohandshake retrans_bytes" py flows "$TMP/$t.out" "$EXPECT" nohandshake.pcap retrans
	eq "nohandshake 3 migration flows" 3 "$(jget $t migration.flows)"
fi

t=collision
if replay_json $t "$FIX/collision.pcap"; then
	check "collision flow identity" py flows "$TMP/$t.out" "$EXPECT" collision.pcap identity
	check "collision counters" py flows "$TMP/$t.out" "$EXPECT" collision.pcap counters
	eq "collision flows/collisions" "1 1" "$(jget $t migration.flows migration.collisions)"
	eq "collision excluded from unique total" 200000 "$(jget $t migration.unique_payload_bytes)"
	eq "collision excluded from forward payload" 200000 "$(jget $t migration.forward.payload_bytes)"
	check "collision totals == counted flows" py totals "$TMP/$t.out"
fi

t=tso
if replay_json $t "$FIX/tso.pcap"; then
	check "tso counters (ip_bytes from tot_len, derived for tot_len 0)" py flows "$TMP/$t.out" "$EXPECT" tso.pcap counters
	check "tso flow identity" py flows "$TMP/$t.out" "$EXPECT" tso.pcap identity
	eq "tso unique" 420000 "$(jget $t flows.0.forward.unique_payload_bytes)"
	# 5 x (20 + 20 + 64000) + (100054-byte big-TCP frame - 14 Ethernet) + SYN, ACK, FIN, ACK x 40
	eq "tso forward ip_bytes" $((5 * 64040 + 100040 + 4 * 40)) "$(jget $t flows.0.forward.ip_bytes)"
	eq "tso nothing invalid" 0 "$(jget $t capture.decode.invalid)"
fi

# ---- ICMP echo downtime -----------------------------------------------------
# 10.0.1.1 -> 10.0.1.2 id 777, 1000 requests 10 ms apart, replies 0.3 ms
# later except requests 300..399 (1.000 s) and 700..749 (0.500 s).
t=ping_plain
if replay_json $t "$FIX/ping_plain.pcap"; then
	S=downtime.streams.0
	eq "ping_plain stream" "1 10.0.1.1 10.0.1.2 777" "$(jget $t downtime.total.streams $S.pinger $S.target $S.id)"
	eq "ping_plain requests/replies/lost" "1000 850 150" "$(jget $t $S.requests $S.replies $S.lost)"
	eq "ping_plain pending/duplicates/late" "0 0 0" "$(jget $t $S.pending $S.duplicates $S.late)"
	eq "ping_plain interval" 0.010000 "$(jget $t downtime.streams.0.interval_s)"
	eq "ping_plain 2 episodes" 2 "$(jget $t downtime.streams.0.n_episodes)"
	E0=$S.episodes.0
	E1=$S.episodes.1
	eq "ping_plain episode 1 lost/estimate/lower/upper" "100 1.000000 0.990000 1.010000" \
		"$(jget $t $E0.lost $E0.estimate_s $E0.lower_s $E0.upper_s)"
	eq "ping_plain episode 2 lost/estimate/lower/upper" "50 0.500000 0.490000 0.510000" \
		"$(jget $t $E1.lost $E1.estimate_s $E1.lower_s $E1.upper_s)"
	eq "ping_plain episode seq" "301 400 701 750" "$(jget $t $E0.first_seq $E0.last_seq $E1.first_seq $E1.last_seq)"
	eq "ping_plain episode times" "1700000003.000000 1700000003.990000 1700000007.000000 1700000007.490000" \
		"$(jget $t $E0.first_lost_ts $E0.last_lost_ts $E1.first_lost_ts $E1.last_lost_ts)"
	eq "ping_plain episodes inside the capture, not inferred" "true true true true false false" \
		"$(jget $t $E0.began_in_capture $E0.ended_in_capture $E1.began_in_capture $E1.ended_in_capture $E0.inferred $E1.inferred)"
	eq "ping_plain downtime total/longest" "1.500000 1.000000" \
		"$(jget $t downtime.total.downtime_total_s downtime.total.downtime_longest_s)"
	# Classic: 150 x 10 ms; (9.9903 s - 0) x 150 / 1000.
	eq "ping_plain classic estimates" "1.500000 1.498545" \
		"$(jget $t downtime.total.lost_x_interval_s downtime.total.duration_x_loss_s)"
	eq "ping_plain no migration flow" 0 "$(jget $t migration.flows)"
fi
for w in vxlan geneve gre gretap vlan v6; do
	t=ping_$w
	replay_json $t "$FIX/$t.pcap" || continue
	eq "$t 1 stream, lost 150" "1 150" "$(jget $t downtime.total.streams downtime.total.lost)"
	check "$t episodes == ping_plain" py same "$TMP/ping_plain.out" "$TMP/$t.out" downtime.streams.0.episodes
	if [ $w = v6 ]; then
		eq "ping_v6 addresses" "fd00::2:1 fd00::2:2" "$(jget $t downtime.streams.0.pinger downtime.streams.0.target)"
		check "$t stream == ping_plain (addresses aside)" py same "$TMP/ping_plain.out" "$TMP/$t.out" downtime.streams pinger,target
	else
		check "$t stream == ping_plain" py same "$TMP/ping_plain.out" "$TMP/$t.out" downtime.streams
	fi
done
for w in vxlan geneve gre gretap; do
	eq "ping_$w nothing undecodable" "0 0" "$(jget ping_$w capture.decode.truncated capture.decode.invalid)"
done

# Replies only, sequence 301..350 missing: one inferred 0.5 s episode.
t=ping_replyonly
if replay_json $t "$FIX/ping_replyonly.pcap"; then
	eq "ping_replyonly replies_only" true "$(jget $t downtime.streams.0.replies_only)"
	eq "ping_replyonly replies" 950 "$(jget $t downtime.streams.0.replies)"
	eq "ping_replyonly 1 episode, 50 lost" "1 50" "$(jget $t downtime.streams.0.n_episodes downtime.streams.0.episodes.0.lost)"
	eq "ping_replyonly episode seq" "301 350" \
		"$(jget $t downtime.streams.0.episodes.0.first_seq downtime.streams.0.episodes.0.last_seq)"
	eq "ping_replyonly inferred" true "$(jget $t downtime.streams.0.episodes.0.inferred)"
	check "ping_replyonly estimate ~0.5 s" py between "$TMP/$t.out" downtime.streams.0.episodes.0.estimate_s 0.49 0.51
fi

# ---- one file with both, and the same split over two files --------------------
t=mixed
if replay_json $t "$FIX/mixed.pcap"; then
	check "mixed counters" py flows "$TMP/$t.out" "$EXPECT" mixed.pcap counters
	check "mixed flows == mig_eth" py same "$TMP/mig_eth.out" "$TMP/$t.out" flows capture
	check "mixed downtime == ping_plain" py same "$TMP/ping_plain.out" "$TMP/$t.out" downtime
	eq "mixed frames" 2894 "$(jget $t capture.frames)"
fi
t=merged
if replay_json $t "$FIX/mig_src.pcap" "$FIX/ping_dst.pcap"; then
	eq "merged 2 inputs, complete" "2 true true true" \
		"$(py len "$TMP/$t.out" inputs) $(jget $t complete inputs.0.complete inputs.1.complete)"
	check "merged flows == mig_eth" py same "$TMP/mig_eth.out" "$TMP/$t.out" flows capture
	check "merged downtime == ping_plain" py same "$TMP/ping_plain.out" "$TMP/$t.out" downtime
	check "merged capture == mixed.pcap's" py same "$TMP/mixed.out" "$TMP/$t.out" capture
	eq "merged flow's capture is mig_src" "$FIX/mig_src.pcap" "$(jget $t flows.0.capture)"
fi

# ---- CSV outputs ---------------------------------------------------------------
SERIES_HDR='t_rel_s,t_abs,fwd_bytes,rev_bytes,unique_payload_bytes,packets,ping_requests,ping_replies,ping_lost,main_bytes,multifd_bytes,nbd_bytes,other_bytes,bin_s,t_mig_s,migration,bps,main_bps,multifd_bps,nbd_bps,rtt_mean_s,rtt_max_s,app_goodput_bytes,app_client_bytes,app_turns,app_response_mean_s,app_response_max_s,app_conns_opened,app_conns_refused,app_conns_reset,app_retrans_bytes,app_longest_stall_s'
# mig_eth spans 2.000000 .. 5.456200: 4 one-second bins, 14 quarter-second bins.
for b in 1s:4 250ms:14; do
	bin=${b%:*}
	n=${b#*:}
	t=ts_$bin
	replay "$t" --format json --timeseries "$TMP/$t.csv" --bin "$bin" "$FIX/mig_eth.pcap"
	if [ "$(rc_of "$t")" != 0 ] || [ ! -s "$TMP/$t.csv" ]; then
		fail "timeseries --bin $bin" "exit $(rc_of "$t"), $(head -c 300 "$TMP/$t.err")"
		continue
	fi
	eq "timeseries --bin $bin header" "$SERIES_HDR" "$(py csv_header "$TMP/$t.csv")"
	eq "timeseries --bin $bin rows" "$n" "$(py csv_rows "$TMP/$t.csv")"
	eq "timeseries --bin $bin fwd_bytes sum == forward wire_bytes" \
		"$(jget mig_eth flows.0.forward.wire_bytes)" "$(py csv_sum "$TMP/$t.csv" fwd_bytes)"
	eq "timeseries --bin $bin rev_bytes sum == reverse wire_bytes" \
		"$(jget mig_eth flows.0.reverse.wire_bytes)" "$(py csv_sum "$TMP/$t.csv" rev_bytes)"
	eq "timeseries --bin $bin unique sum" 1000000 "$(py csv_sum "$TMP/$t.csv" unique_payload_bytes)"
	eq "timeseries --bin $bin packets sum" 1044 "$(py csv_sum "$TMP/$t.csv" packets)"
	eq "timeseries --bin $bin first t_abs" 1700000002.000000 "$(py csv_cell "$TMP/$t.csv" 1 t_abs)"
done
eq "timeseries peak over 250ms bins" "$(jget ts_250ms migration.peak_throughput_bps)" \
	"$("$PYTHON" -c "import csv; print(max(int(r['unique_payload_bytes']) for r in csv.DictReader(open('$TMP/ts_250ms.csv'))) * 8 * 4)")"
# Bytes per role: each role column sums to the migrations' bytes of that role, the four to unique_payload_bytes.
for f in mig_eth mig_block mig_concurrent; do
	t=ts_role_$f
	replay "$t" --format json --timeseries "$TMP/$t.csv" "$FIX/$f.pcap"
	eq "timeseries roles $f" "$("$PYTHON" -c "
import json
r = json.load(open('$TMP/$t.out'))
m = r['migrations']
u = r['migration']['forward']['unique_payload_bytes'] + r['migration']['reverse']['unique_payload_bytes']
print(*[sum(x['bytes_by_role'][k] for x in m) for k in ('main', 'multifd', 'nbd', 'other')], u)")" \
		"$("$PYTHON" -c "
import csv
r = list(csv.DictReader(open('$TMP/$t.csv')))
print(*[sum(int(x[k]) for x in r) for k in ('main_bytes', 'multifd_bytes', 'nbd_bytes', 'other_bytes', 'unique_payload_bytes')])")"
done
eq "timeseries roles mig_block: main and nbd" "434400 204818" \
	"$("$PYTHON" -c "
import csv
r = list(csv.DictReader(open('$TMP/ts_role_mig_block.csv')))
print(*[sum(int(x[k]) for x in r) for k in ('main_bytes', 'nbd_bytes')])")"
# The plotting columns (README "Output"): bps = unique bytes x 8 / bin, per role too; the migration
# active in each bin and the time from its start; the echo RTT of the requests sent in the bin.
t=ts_plot
replay $t --format json --timeseries "$TMP/$t.csv" --bin 100ms "$FIX/mig_5x.pcap"
eq "timeseries plot columns: bin_s, bps == unique x 8 / bin_s in every row" "105 0" "$("$PYTHON" -c "
import csv
r = list(csv.DictReader(open('$TMP/$t.csv')))
bad = [x for x in r if x['bin_s'] != '0.100000' or int(x['bps']) != int(x['unique_payload_bytes']) * 80
       or int(x['main_bps']) != int(x['main_bytes']) * 80 or int(x['multifd_bps']) != int(x['multifd_bytes']) * 80
       or int(x['nbd_bps']) != int(x['nbd_bytes']) * 80]
print(len(r), len(bad))")"
# Migration k starts at 1700000001 + 2(k-1) s and resumes 0.227 s later: bins 5-7, 25-27, ... (t0 = 1700000000.5).
eq "timeseries plot columns: migration and t_mig_s per bin" \
	"1:0.000000 1:0.100000 1:0.200000 2:0.000000 2:0.100000 2:0.200000 5:0.200000" \
	"$("$PYTHON" -c "
import csv
r = [x for x in csv.DictReader(open('$TMP/$t.csv')) if x['migration']]
print(' '.join(x['migration'] + ':' + x['t_mig_s'] for x in r[:6] + r[-1:]), end='')")"
eq "timeseries plot columns: 15 bins in a migration, the others empty" "15 90" "$("$PYTHON" -c "
import csv
r = list(csv.DictReader(open('$TMP/$t.csv')))
print(sum(1 for x in r if x['migration']), sum(1 for x in r if not x['migration'] and not x['t_mig_s']))")"
eq "timeseries plot columns: rtt_mean_s/rtt_max_s 0.3 ms, every reply in a bin with an RTT" \
	"0.000300000 0.000300000 1000" "$("$PYTHON" -c "
import csv
r = list(csv.DictReader(open('$TMP/$t.csv')))
print(r[0]['rtt_mean_s'], r[0]['rtt_max_s'], sum(int(x['ping_replies']) for x in r if x['rtt_mean_s']))")"

t=ts_ping
replay $t --timeseries "$TMP/$t.csv" --bin 1s "$FIX/mixed.pcap"
if [ "$(rc_of $t)" = 0 ]; then
	# 0 .. 9.9903 s: 10 bins.
	eq "timeseries ping rows" 10 "$(py csv_rows "$TMP/$t.csv")"
	eq "timeseries ping requests/replies/lost sums" "1000 850 150" \
		"$(py csv_sum "$TMP/$t.csv" ping_requests ping_replies ping_lost)"
	eq "timeseries ping unique sum" 1000000 "$(py csv_sum "$TMP/$t.csv" unique_payload_bytes)"
else
	fail "timeseries ping" "exit $(rc_of $t)"
fi

t=csv_flows
replay $t --format csv "$FIX/nohandshake.pcap"
# On stdout the flows table is the first section; the downtime tables follow, each after a blank line.
sed '/^$/,$d' "$TMP/$t.out" >"$TMP/$t.csv"
eq "csv flows: header + 1 row per flow" 3 "$(py csv_rows "$TMP/$t.csv")"
eq "csv flows: forward_unique_payload_bytes column" "100000 65536 65536" \
	"$(for r in 1 2 3; do py csv_cell "$TMP/$t.csv" $r forward_unique_payload_bytes; done | xargs)"
t=csv_collision
replay $t --format csv "$FIX/collision.pcap"
sed '/^$/,$d' "$TMP/$t.out" >"$TMP/$t.csv"
eq "csv flows (collision.pcap): 2 rows" 2 "$(py csv_rows "$TMP/$t.csv")"

t=csv_ep
replay $t --format csv -o "$TMP/$t-report.csv" "$FIX/ping_plain.pcap"
eq "csv -o writes X-episodes.csv: 2 episode rows" 2 "$(py csv_rows "$TMP/$t-report-episodes.csv" 2>&1)"
eq "csv -o report: no flow rows" 0 "$(py csv_rows "$TMP/$t-report.csv" 2>&1)"
eq "csv -o writes X-streams.csv: 1 stream row" 1 "$(py csv_rows "$TMP/$t-report-streams.csv" 2>&1)"
eq "streams CSV figures" "1000 850 150 2 0.010000" \
	"$(for c in requests replies lost n_episodes interval_s; do py csv_cell "$TMP/$t-report-streams.csv" 1 $c; done | xargs)"
replay csv_ep2 --format json --episodes "$TMP/ep2.csv" "$FIX/ping_vxlan.pcap"
eq "--episodes FILE (vxlan): 2 rows" 2 "$(py csv_rows "$TMP/ep2.csv" 2>&1)"
eq "--episodes FILE estimate column" "1.000000 0.500000" \
	"$(for r in 1 2; do py csv_cell "$TMP/ep2.csv" $r estimate_s; done | xargs)"
replay csv_ep3 --format json --episodes "$TMP/ep3.csv" "$FIX/mig_eth.pcap"
eq "--episodes FILE without pings: header only" 0 "$(py csv_rows "$TMP/ep3.csv" 2>&1)"

# ---- migrations as records (README "Migrations") ------------------------------
# tests/gen_fixtures_mig.c: each capture is an experiment with its answers in expect.json.
for t in mig_5x mig_concurrent mig_block mig_tls mig_cut mig_failed mig_vlan; do
	replay_json "$t" "$FIX/$t.pcap" || continue
	check "$t migrations == what was written" py migs "$TMP/$t.out" "$EXPECT" "$t.pcap"
	eq "$t nothing undecodable" "0 0 0" "$(jget "$t" capture.decode.truncated capture.decode.invalid announces.damaged)"
done
# ---- unresponsive time (README "Unresponsive time") ----------------------------
# tests/gen_fixtures_postcopy.c: two pings lost at the switchover, then replies late by a
# decaying RTT (400 ms down to 0.3 ms over 450 ms).  The unresponsive interval must be
# within one interval of the known one; the loss-based episode stays 20 ms.
t=mig_postcopy
if replay_json $t --migrations "$TMP/$t-mig.csv" --unresponsive "$TMP/$t-un.csv" "$FIX/$t.pcap"; then
	check "$t migrations == what was written" py migs "$TMP/$t.out" "$EXPECT" "$t.pcap"
	check "$t unresponsive: the known interval within one interval, the loss episode short" \
		"$PYTHON" - "$TMP/$t.out" "$EXPECT" <<'EOF'
import json, sys
from decimal import Decimal
r = json.load(open(sys.argv[1]), parse_float=Decimal)
x = json.load(open(sys.argv[2]))['mig_postcopy.pcap']['postcopy']
s = lambda ns: Decimal(ns) / Decimal(10**9)
m = r['migrations'][0]
u = m['unresponsive']
bad = []
def want(name, have, w):
    if have != w:
        bad.append('%s: expected %s, got %s' % (name, w, have))
want('threshold_s', u['threshold_s'], s(x['threshold_ns']))
want('threshold_rule', u['threshold_rule'], 'max(10 x rtt_median, interval)')
want('unresponsive episodes', len(u['episodes']), 1)
e = u['episodes'][0] if u['episodes'] else {}
want('late', e.get('late'), x['late'])
want('lost', e.get('lost'), x['lost'])
want('worst_rtt_s', e.get('worst_rtt_s'), s(x['worst_rtt_ns']))
want('start (last timely reply before)', e.get('start'), s(x['start_ns']))
want('end (first timely reply after)', e.get('end'), s(x['end_ns']))
want('gap_s', e.get('gap_s'), s(x['gap_ns']))
want('total_s', u['total_s'], s(x['gap_ns']))
want('worst_rtt_s of the migration', u['worst_rtt_s'], s(x['worst_rtt_ns']))
want('ended_in_capture', e.get('ended_in_capture'), True)
gap = e.get('gap_s') or Decimal(0)
if abs(gap - s(x['known_ns'])) > s(x['interval_ns']):
    bad.append('gap %s not within one interval of the known %s' % (gap, s(x['known_ns'])))
if not (e.get('lower_s', 0) <= gap <= e.get('upper_s', 0)):
    bad.append('gap %s outside its bounds [%s, %s]' % (gap, e.get('lower_s'), e.get('upper_s')))
want('loss episode estimate_s', m['episodes'][0]['estimate_s'] if m['episodes'] else None, s(x['loss_estimate_ns']))
want('downtime_total_s (loss-based)', m['downtime_total_s'], s(x['loss_estimate_ns']))
if m['downtime_total_s'] is None or m['downtime_total_s'] > 3 * s(x['interval_ns']) or gap < 40 * s(x['interval_ns']):
    bad.append('loss-based %s should be short beside the unresponsive %s' % (m['downtime_total_s'], gap))
st = r['downtime']['streams'][0]
want('stream unresponsive_total_s', st['unresponsive_total_s'], s(x['gap_ns']))
want('stream n_unresponsive_episodes', st['n_unresponsive_episodes'], 1)
want('stream unresponsive_threshold_s', st['unresponsive_threshold_s'], s(x['threshold_ns']))
want('totals unresponsive_total_s', r['downtime']['total']['unresponsive_total_s'], s(x['gap_ns']))
want('outside', len(r['unresponsive_outside_migrations']), 0)
if bad:
    print('; '.join(bad))
    sys.exit(1)
EOF
	eq "$t migrations CSV: unresponsive columns" "0.010000 0.478882 1 0.400000 0.020000" \
		"$(for c in unresponsive_threshold_s unresponsive_total_s unresponsive_episodes worst_rtt_s downtime_total_s; do py csv_cell "$TMP/$t-mig.csv" 1 $c; done | xargs)"
	eq "$t --unresponsive CSV: one row" "1 0.478882 44 2 1 0.010000" \
		"$(py csv_rows "$TMP/$t-un.csv") $(for c in gap_s late lost stream threshold_s; do py csv_cell "$TMP/$t-un.csv" 1 $c; done | xargs)"
fi
replay_json ${t}_given --late-threshold 500ms "$FIX/$t.pcap" &&
	eq "$t --late-threshold 500ms: stated, no reply late, the two lost" "0.500000 --late-threshold 1 0 2" \
		"$(jget ${t}_given migrations.0.unresponsive.threshold_s migrations.0.unresponsive.threshold_rule downtime.streams.0.n_unresponsive_episodes migrations.0.unresponsive.episodes.0.late migrations.0.unresponsive.episodes.0.lost)"
replay ${t}_bad --late-threshold 0 "$FIX/$t.pcap"
eq "$t --late-threshold 0 refused (usage)" 2 "$(rc_of ${t}_bad)"

eq "mig_5x hosts back and forth" "10.1.0.1 10.1.0.2 10.1.0.1 10.1.0.2 10.1.0.1" \
	"$(jget mig_5x migrations.0.source migrations.1.source migrations.2.source migrations.3.source migrations.4.source)"
eq "mig_5x announces seen: 20 RARP, 2 GARP" "20 2" "$(jget mig_5x announces.rarp announces.garp)"
eq "mig_5x resumed by" "rarp rarp rarp rarp garp" \
	"$(for k in 0 1 2 3 4; do jget mig_5x migrations.$k.switchover.resumed_by; done | xargs)"
eq "mig_5x every flow in its migration (the second has two channels)" "1 2 2 2 3 4" \
	"$(for k in 0 1 2 3 4 5; do jget mig_5x flows.$k.migration; done | xargs)"
eq "mig_concurrent channels 0-3 of each UUID" "0 1 2 3 0 1 2 3 0 1 2 3" \
	"$(for m in 0 1 2; do for c in 1 2 3 4; do jget mig_concurrent migrations.$m.flows.$c.channel; done; done | xargs)"
eq "mig_concurrent peaks shared" "true true true" \
	"$(jget mig_concurrent migrations.0.peak_shared migrations.1.peak_shared migrations.2.peak_shared)"
eq "mig_5x peaks its own" false "$(jget mig_5x migrations.0.peak_shared)"
eq "mig_block NBD first, then the memory stream" "nbd 49160 qemu 49152 nbd" \
	"$(jget mig_block flows.0.kind flows.0.server_port flows.1.kind flows.1.server_port migrations.0.flows.1.role)"
eq "mig_tls inferred, reason tls, kind tls" "true tls tls tls" \
	"$(jget mig_tls migrations.0.inferred migrations.0.inferred_reason flows.0.kind flows.0.kind_unreadable)"
eq "mig_cut first flow: kind unread, no first payload" "unknown no_first_payload" \
	"$(jget mig_cut flows.0.kind flows.0.kind_unreadable)"
eq "mig_failed collision in no migration" "collision null" \
	"$(jget mig_failed flows.2.class flows.2.migration)"
eq "mig_failed outage outside: 200 ms" 0.200000 "$(jget mig_failed episodes_outside_migrations.0.estimate_s)"
eq "mig_vlan tags crossed, announces seen" "10 2" "$(jget mig_vlan announces.rarp announces.garp)"
eq "multifd UUID and channel on the flow" "b0b1b2b3-b4b5-b6b7-b8b9-babbbcbdbebf 1 2" \
	"$(jget mig_5x flows.3.uuid flows.3.channel flows.3.migration)"

# --ports any (README "Migrations on any port"): migrations on ports outside every range, found
# by their opening bytes among ordinary TCP; with the default range the same capture shows none.
t=mig_anyport
replay_json $t "$FIX/$t.pcap"
eq "$t default ports: nothing seen (no flow, no migration)" "49152-49261 0 0 0 0" \
	"$(jget $t migration.ports migration.flows migration.unique_payload_bytes capture.flows_not_migration) $("$PYTHON" -c "import json, sys; print(len(json.load(open(sys.argv[1]))['migrations']))" "$TMP/$t.out")"
if replay_json $t-any --ports any "$FIX/$t.pcap"; then
	check "$t --ports any migrations == what was written" py migs "$TMP/$t-any.out" "$EXPECT" "$t.pcap"
	eq "$t --ports any: ports any, 6 flows, HTTP/HTTPS/ssh left out" "any 6 8" \
		"$(jget $t-any migration.ports migration.flows capture.flows_not_migration)"
	eq "$t flows: qemu 8443, multifd 8444 8445, nbd 16608, qemu 16600, tls 31337" \
		"qemu 8443 multifd 8444 multifd 8445 nbd 16608 qemu 16600 tls 31337" \
		"$(for k in 0 1 2 3 4 5; do jget $t-any flows.$k.kind flows.$k.server_port; done | xargs)"
	eq "$t TLS bulk: a suspected migration, inferred, reason tls_bulk" "true tls_bulk tls_bulk" \
		"$(jget $t-any migrations.2.inferred migrations.2.inferred_reason flows.5.kind_unreadable)"
	eq "$t multifd UUID read on a port outside the range" "c0c1c2c3-c4c5-c6c7-c8c9-cacbcccdcecf 0 1" \
		"$(jget $t-any migrations.0.uuid migrations.0.flows.1.channel migrations.0.flows.2.channel)"
	eq "$t every outage in its migration" "0 1 1 1" \
		"$("$PYTHON" -c "import json, sys; r = json.load(open(sys.argv[1])); print(len(r['episodes_outside_migrations']), *[len(m['episodes']) for m in r['migrations']])" "$TMP/$t-any.out")"
fi

# --app (README "Application impact"): HTTP-like turns around a migration whose VM pauses;
# the generator worked the answers out from the definitions (app_expect.json).
t=app_mig
if replay_json $t --app 80 --timeseries "$TMP/$t-ts.csv" --app-csv "$TMP/$t-app.csv" "$FIX/$t.pcap"; then
	check "$t figures == what was written" "$PYTHON" - "$TMP/$t.out" "$FIX/app_expect.json" <<'PYEOF'
import json, sys
from decimal import Decimal
r = json.load(open(sys.argv[1]), parse_float=Decimal)
x = json.load(open(sys.argv[2]))
bad = []
def want(what, got, exp):
    if got != exp:
        bad.append('%s: got %s, want %s' % (what, got, exp))
def s(ns):
    return Decimal(ns) / Decimal(10**9)
a = r['app']
for k in ('turns', 'goodput_bytes', 'client_bytes', 'conns_opened', 'conns_refused', 'conns_reset'):
    want(k, a[k], x[k])
want('connections', a['connections'], 4)
m = r['migrations'][0]
want('downtime_source', m['downtime_source'], 'app')
want('start', m['start'], s(x['migration_start_ns']))
want('final_burst_end', m['switchover']['final_burst_end'], s(x['final_burst_end_ns']))
want('resumed', m['switchover']['resumed'], s(x['resumed_ns']))
want('switchover_end_timely', m['app']['switchover_end_timely'], s(x['switchover_end_ns']))
for ph in m['app']['phases']:
    e = x['phases'][ph['phase']]
    want(ph['phase'] + ' start', ph['start'], s(e['start_ns']))
    want(ph['phase'] + ' end', ph['end'], s(e['end_ns']))
    want(ph['phase'] + ' turns', ph['turns'], e['turns'])
    want(ph['phase'] + ' median', ph['response_median_s'], s(e['median_ns']))
    want(ph['phase'] + ' longest stall', ph['longest_stall_s'], s(e['longest_stall_ns']))
b, eb = m['app']['blackout'], x['blackout']
want('blackout source', b['source'], eb['source'])
want('blackout start', b['start'], s(eb['start_ns']))
want('blackout gap', b['gap_s'], s(eb['gap_ns']))
want('blackout resolution', b['resolution_s'], s(eb['resolution_ns']))
want('blackout lower', b['lower_s'], s(eb['gap_ns'] - 2 * eb['resolution_ns']))
want('longest stall', m['app']['longest_stall_s'], s(x['phases']['switchover']['longest_stall_ns']))
print('; '.join(bad))
sys.exit(1 if bad else 0)
PYEOF
	eq "$t X-app.csv: header, 4 phase rows" "migration,phase,start,end,goodput_bps,turns,response_median_s,response_p99_s,conns_opened,conns_refused,conns_reset,retrans_bytes,longest_stall_s,goodput_vs_before,response_median_vs_before,blackout_source,blackout_s 4" \
		"$(py csv_header "$TMP/$t-app.csv" 2>&1) $(py csv_rows "$TMP/$t-app.csv" 2>&1)"
	eq "$t X-app.csv switchover row" "switchover 2 0.130200 app 0.138300" \
		"$(for c in phase turns longest_stall_s blackout_source blackout_s; do py csv_cell "$TMP/$t-app.csv" 3 $c; done | xargs)"
	eq "$t time series: the longest stall of the bins == the capture's" "$(jget $t app.longest_stall.stall_s)" \
		"$("$PYTHON" -c "import csv; r = list(csv.DictReader(open('$TMP/$t-ts.csv'))); print('%.6f' % max(float(x['app_longest_stall_s'] or 0) for x in r))")"
	eq "$t time series: app turns and goodput over the bins == the totals" "$(jget $t app.turns app.goodput_bytes)" \
		"$("$PYTHON" -c "import csv; r = list(csv.DictReader(open('$TMP/$t-ts.csv'))); print(sum(int(x['app_turns']) for x in r), sum(int(x['app_goodput_bytes']) for x in r))")"
fi
replay_json $t-noapp "$FIX/$t.pcap"
if replay_json $t-filter --app-filter 'tcp port 80' "$FIX/$t.pcap"; then
	eq "$t --app-filter: the same figures as --app 80" \
		"$("$PYTHON" -c "import json; r = json.load(open('$TMP/$t.out')); a = r['app']; del a['ports'], a['filter']; print(json.dumps([a, r['migrations'][0]['app']], sort_keys=True))")" \
		"$("$PYTHON" -c "import json; r = json.load(open('$TMP/$t-filter.out')); a = r['app']; del a['ports'], a['filter']; print(json.dumps([a, r['migrations'][0]['app']], sort_keys=True))")"
	eq "$t --app-filter: no ports, the expression" "null tcp port 80" "$(jget $t-filter app.ports app.filter)"
fi
for bad in "--app 0" "--app 80,80" "--app 80," "--app 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17" "--app x" \
	"--app-csv $TMP/x.csv" "--app-window 1s" "--app 80 --app-filter tcp" "--app 80 --app-window 0"; do
	# shellcheck disable=SC2086  # each case is several words
	replay app-bad $bad "$FIX/$t.pcap"
	eq "usage error: $bad" "2 1" "$(rc_of app-bad) $(wc -l <"$TMP/app-bad.err")"
done
eq "$t without --app: app null, downtime source null" "null null" "$(jget $t-noapp app migrations.0.downtime_source)"

# The migrations CSV: a fixed header, one row per migration; the events CSV in time order.
MIG_HDR=id,status,status_reason,inferred,inferred_reason,source,destination,vm_mac,vm_ip,uuid,flows,multifd_channels,nbd_flows,other_flows,start,start_utc,connect,first_payload,end,end_utc,duration_s,setup_s,unique_payload_bytes,wire_bytes,retrans_bytes,main_unique_payload_bytes,main_wire_bytes,multifd_unique_payload_bytes,multifd_wire_bytes,nbd_unique_payload_bytes,nbd_wire_bytes,other_unique_payload_bytes,other_wire_bytes,mean_bps,peak_bps,peak_shared,final_burst_end,resumed,resumed_by,burst_to_resumed_s,announces,vm_first_frame,first_reply_after,last_reply_before,episodes,downtime_total_s,announce_bound_s,unresponsive_threshold_s,unresponsive_total_s,unresponsive_episodes,worst_rtt_s,downtime_source,app_longest_stall_s,app_switchover_goodput_vs_before,app_switchover_response_median_vs_before,app_blackout_source,app_blackout_s
t=csv_mig
replay $t --format csv -o "$TMP/$t.csv" --events "$TMP/$t-events.csv" "$FIX/mig_5x.pcap"
eq "csv -o writes X-migrations.csv: fixed header" "$MIG_HDR" "$(py csv_header "$TMP/$t-migrations.csv" 2>&1)"
eq "migrations CSV: 5 rows" 5 "$(py csv_rows "$TMP/$t-migrations.csv" 2>&1)"
eq "migrations CSV columns" "2 10.1.0.2 2 0.100000 1700000003.227000" \
	"$(for c in id source multifd_channels downtime_total_s resumed; do py csv_cell "$TMP/$t-migrations.csv" 2 $c; done | xargs)"
replay csv_mig0 --format json --migrations "$TMP/none.csv" "$FIX/ping_plain.pcap"
eq "--migrations FILE without migrations: the same header" "$MIG_HDR 0" \
	"$(py csv_header "$TMP/none.csv" 2>&1) $(py csv_rows "$TMP/none.csv" 2>&1)"
eq "events CSV header" "time,migration,event,detail" "$(py csv_header "$TMP/$t-events.csv" 2>&1)"
# Per migration: 1 connect (3 for the one with multifd), first payload, final burst end, its announces, outage start
# and end, unresponsive start and end (the outage's lost requests are not answered in time either), end.
eq "events CSV rows" $((5 * 8 + 2 + 5 + 5 + 5 + 6 + 1)) "$(py csv_rows "$TMP/$t-events.csv" 2>&1)"
eq "events CSV migration 1 in time order" "connect first_payload unresponsive_start outage_start final_burst_end end announce outage_end unresponsive_end announce announce announce announce" \
	"$("$PYTHON" -c "import csv; print(' '.join(r['event'] for r in csv.DictReader(open('$TMP/$t-events.csv')) if r['migration'] == '1'))")"
replay csv_ev_out --format json --events "$TMP/ev_out.csv" "$FIX/mig_failed.pcap"
eq "events CSV: an outage outside every migration has no migration" ",outage_start ,outage_end" \
	"$("$PYTHON" -c "import csv; print(' '.join(r['migration'] + ',' + r['event'] for r in csv.DictReader(open('$TMP/ev_out.csv')) if r['event'].startswith('outage')))")"

# ---- damaged and unsupported files -------------------------------------------
for t in truncated truncated_hdr corrupt; do
	n=$(py get "$EXPECT" "$t.pcap.frames_before_cut")
	replay $t --format json "$FIX/$t.pcap"
	eq "$t exit 1" 1 "$(rc_of $t)"
	check "$t report still written" py isjson "$TMP/$t.out"
	eq "$t complete=false (report and input)" "false false" "$(jget $t complete inputs.0.complete)"
	eq "$t frames before the damage" "$n" "$(jget $t capture.frames)"
	check "$t input error given" test "$(jget $t inputs.0.error)" != null
	eq "$t one line on stderr" 1 "$(wc -l <"$TMP/$t.err")"
	eq "$t the flow so far" "1 qemu" "$(jget $t migration.flows flows.0.kind)"
	eq "$t flow packets == frames before the damage" "$n" \
		"$(($(jget $t flows.0.forward.packets) + $(jget $t flows.0.reverse.packets)))"
done

# tcpdump -i any on a host with a bond or a bridge sees each packet once per
# interface: the cooked v2 header names the interface, each interface is a
# view of its own, and only the first view of a connection counts.
"$PYTHON" - "$FIX/mig_sll2.pcap" "$TMP/sll2_if4.pcap" <<'EOF'
import struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
off = 24
while off + 16 <= len(data):
    caplen = struct.unpack_from('<I', data, off + 8)[0]
    struct.pack_into('>I', data, off + 16 + 4, 4)   # SLL2 ifindex 3 -> 4
    off += 16 + caplen
open(sys.argv[2], 'wb').write(data)
EOF
t=any2
if mergecap -F pcap -w "$TMP/any2.pcap" "$FIX/mig_sll2.pcap" "$TMP/sll2_if4.pcap" 2>/dev/null; then
	replay_json $t "$TMP/any2.pcap"
	eq "any2 two views of one flow" "3 4" "$(jget $t flows.0.ifindex flows.1.ifindex | tr " " "\n" | sort | xargs)"
	eq "any2 only the first view counted" "true false" "$(jget $t flows.0.counted flows.1.counted)"
	eq "any2 totals as one interface" "1 1000000" \
		"$(jget $t migration.flows migration.forward.unique_payload_bytes)"
	eq "any2 packets not doubled" "$(jget mig_sll2 migration.packets)" "$(jget $t migration.packets)"
else
	fail "any2 mergecap" "mergecap could not merge the two interfaces"
fi

# A full flow table: what did not fit is counted and said, never silently lost.
t=capped
replay_json $t --max-flows 1 "$FIX/collision.pcap"
eq "capped one flow kept" 10.0.0.1 "$(jget $t flows.0.client)"
check "capped no second flow" test "$(jget $t flows.1.client 2>/dev/null | cut -c1-12)" = "<unreadable:"
check "capped frames of other flows counted" test "$(jget $t capture.flows_dropped)" -gt 0
eq "capped distinct flows not fitted" 1 "$(jget $t capture.flows_not_fitted)"
replay $t-text --max-flows 1 "$FIX/collision.pcap"
check "capped text report warns" grep -q "^WARNING: tables full" "$TMP/$t-text.out"

t=badlink
replay $t --format json "$FIX/badlink.pcap"
eq "badlink exit 1" 1 "$(rc_of $t)"
eq "badlink one line on stderr" 1 "$(wc -l <"$TMP/$t.err")"
check "badlink says unsupported link type" grep -qi "unsupported link type" "$TMP/$t.err"

# ---- odd timestamps: nothing overflows, nothing is negative (found by fuzzing) --
# Three replies at epoch 0, 1700000000 and 1700000000.01 s: a 54-year
# interval; the 7 lost requests fit in the 10 ms between the last two.
t=oddts
if replay_json $t "$FIX/ping_oddts.pcap"; then
	E=downtime.streams.0.episodes.0
	eq "oddts one episode, 7 lost" "1 7" "$(jget $t downtime.streams.0.n_episodes $E.lost)"
	eq "oddts estimate/lower/upper within the 10 ms gap" "0.010000 0.010000 0.010000" \
		"$(jget $t $E.estimate_s $E.lower_s $E.upper_s)"
	check "oddts episode inside the gap (not in 2077)" py between "$TMP/$t.out" $E.first_lost_ts 1700000000 1700000000.01
	check "oddts episode end inside the gap" py between "$TMP/$t.out" $E.last_lost_ts 1700000000 1700000000.01
	check "oddts lost x interval not negative (saturated)" py between "$TMP/$t.out" \
		downtime.total.lost_x_interval_s 0 9223372036.854775807
	eq "oddts downtime total" 0.010000 "$(jget $t downtime.total.downtime_total_s)"
fi
# The clock steps back 100 s at seq 50, requests 45..55 unanswered: was -99.99 s.
t=stepback
if replay_json $t "$FIX/ping_stepback.pcap"; then
	E=downtime.streams.0.episodes.0
	eq "stepback counted once" "1 1" "$(jget $t downtime.streams.0.clock_steps_back downtime.total.clock_steps_back)"
	eq "stepback episode by interval: 11 x 10 ms, [10, 12] x 10 ms" "true 11 0.110000 0.100000 0.120000" \
		"$(jget $t $E.by_interval $E.lost $E.estimate_s $E.lower_s $E.upper_s)"
	eq "stepback downtime total" 0.110000 "$(jget $t downtime.total.downtime_total_s)"
	# 0.49 s before the step, 0.491 s after: 0.981 s x 11 / 100
	eq "stepback duration x loss leaves the step out" 0.107910 "$(jget $t downtime.total.duration_x_loss_s)"
	eq "stepback one warning on stderr" 1 "$(grep -c 'clock stepped back 1 time;' "$TMP/$t.err")"
fi
# Replies only, 1..10 and 13..20 every 10 ms, then the late reply to 11 (12)
# at +0.25 s: one request lost, 10 ms of downtime in a 20 ms gap.
for late in 11 12; do
	t=late$late
	replay_json $t "$FIX/ping_late$late.pcap" || continue
	S=downtime.streams.0
	E=$S.episodes.0
	lost=$((late == 11 ? 12 : 11))
	eq "late$late: a late reply, one episode" "1 1" "$(jget $t $S.late $S.n_episodes)"
	eq "late$late: seq $lost lost, at its due time" "$lost 1 1700000000.${lost}0000" \
		"$(jget $t $E.first_seq $E.lost $E.first_lost_ts)"
	eq "late$late: estimate/lower/upper" "0.010000 0.000000 0.020000" \
		"$(jget $t $E.estimate_s $E.lower_s $E.upper_s)"
done

# ---- downtime figures never a silent 0 ----------------------------------------------
t=notarget
replay_json $t --ping-target 10.9.9.9 "$FIX/ping_plain.pcap"
eq "--ping-target no stream: totals null, counts 0" "0 0 null null null" \
	"$(jget $t downtime.total.streams downtime.total.episodes downtime.total.downtime_total_s downtime.total.downtime_longest_s downtime.total.lost_x_interval_s)"
eq "--ping-target no stream: reason" "no echo stream to 10.9.9.9 in the capture" "$(jget $t downtime.total.reason)"
eq "--ping-target no stream: one warning naming the streams there" 1 \
	"$(grep -c '^migmeter: --ping-target 10.9.9.9: no echo stream to it in the capture (streams to 10.0.1.2)' "$TMP/$t.err")"
replay notarget-text --ping-target 10.9.9.9 "$FIX/ping_plain.pcap"
eq "--ping-target no stream: text exit 0" 0 "$(rc_of notarget-text)"
check "--ping-target no stream: text says so, no '0 episodes'" grep -q 'no downtime figures: no echo stream to 10.9.9.9' "$TMP/notarget-text.out"
check "--ping-target no stream: text prints no zero downtime" test "$(grep -c '0 episodes, downtime' "$TMP/notarget-text.out")" = 0
replay_json target-ok --ping-target 10.0.1.2 "$FIX/ping_plain.pcap"
eq "--ping-target matching: figures" "1 1.500000 null" \
	"$(jget target-ok downtime.total.streams downtime.total.downtime_total_s downtime.total.reason)"
eq "no echo traffic: downtime total null like lost x interval" "null null null no echo traffic in the capture" \
	"$(jget mig_eth downtime.total.downtime_total_s downtime.total.lost_x_interval_s downtime.total.duration_x_loss_s downtime.total.reason)"

# ---- the time series counts what the report counts, once --------------------
# The same migration and pings seen from two nodes (the second 150 us later).
t=vp
replay $t --format json --timeseries "$TMP/vp.csv" --bin 250ms "$FIX/vp_src.pcap" "$FIX/vp_dst.pcap"
if [ "$(rc_of $t)" = 0 ]; then
	eq "two views: each flow listed per view, counted once" "true false" "$(jget $t flows.0.counted flows.1.counted)"
	eq "two views: report counts the pings once" "1000 850 150" \
		"$(jget $t downtime.total.requests downtime.total.replies downtime.total.lost)"
	eq "two views: series ping sums == report" "1000 850 150" \
		"$(py csv_sum "$TMP/vp.csv" ping_requests ping_replies ping_lost)"
	eq "two views: series migration sums == report" \
		"$(jget $t migration.packets migration.forward.wire_bytes migration.reverse.wire_bytes migration.unique_payload_bytes)" \
		"$(py csv_sum "$TMP/vp.csv" packets fwd_bytes rev_bytes unique_payload_bytes)"
	eq "two views: peak == busiest 250 ms bin" "$(jget $t migration.peak_throughput_bps)" \
		"$("$PYTHON" -c "import csv; print(max(int(r['unique_payload_bytes']) for r in csv.DictReader(open('$TMP/vp.csv'))) * 8 * 4)")"
else
	fail "two views replay" "exit $(rc_of $t): $(head -c 300 "$TMP/$t.err")"
fi
# Peak throughput is the busiest --bin bin the user sees, even for a migration shorter than a bin.
t=peak_nh
replay $t --format json --timeseries "$TMP/$t.csv" "$FIX/nohandshake.pcap"
eq "peak == busiest 1 s bin (70 ms migration)" "$(jget $t migration.peak_throughput_bps)" \
	"$("$PYTHON" -c "import csv; print(max(int(r['unique_payload_bytes']) for r in csv.DictReader(open('$TMP/$t.csv'))) * 8)")"
replay bin500ns --bin 500ns "$FIX/mig_eth.pcap"
eq "--bin below a microsecond capture's resolution: usage error" 2 "$(rc_of bin500ns)"
check "--bin below the resolution: one line naming it" test "$(grep -c 'shorter than the timestamp resolution of .*mig_eth.pcap (1us)' "$TMP/bin500ns.err")" = 1
replay bin500ns_ns --format json --bin 500ns "$FIX/mig_ns.pcap"
eq "--bin 500ns on a nanosecond capture: fine" 0 "$(rc_of bin500ns_ns)"

# ---- memory follows the data, not the time span -------------------------------
# 174 frames over 14 days at 1 ms bins: 1.2 billion bins of span (was 62 MB at 1 s bins).
t=sparse
if command -v /usr/bin/time >/dev/null 2>&1 || [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$TMP/sparse.rss" "$MM" replay "${MM_OPTS[@]}" --format json --bin 1ms \
		--timeseries "$TMP/sparse.csv" "$FIX/sparse_14d.pcap" >"$TMP/$t.out" 2>"$TMP/$t.err"
	echo $? >"$TMP/$t.rc"
	eq "sparse 14 days exit 0" 0 "$(rc_of $t)"
	rss=$(tail -n 1 "$TMP/sparse.rss")
	check "sparse 14 days at 1 ms bins: peak RSS ${rss} KB < 32 MB" test "$rss" -lt 32768
	eq "sparse span 14 days" "1700000000.000000 1701209600.002000" "$(jget $t capture.first_ts capture.last_ts)"
	rows=$(py csv_rows "$TMP/sparse.csv")
	check "sparse series: $rows rows (frames and the edges of the quiet stretches), not 1.2 billion" \
		test "$rows" -le $((3 * 174 + 2))
	eq "sparse series sums == report" "$(jget $t downtime.total.requests downtime.total.replies downtime.total.lost migration.unique_payload_bytes)" \
		"$(py csv_sum "$TMP/sparse.csv" ping_requests ping_replies ping_lost unique_payload_bytes)"
	eq "sparse pings" "85 83 2" "$(jget $t downtime.total.requests downtime.total.replies downtime.total.lost)"
	eq "sparse last row is the last frame's bin" "1209600.002000" "$(tail -n 1 "$TMP/sparse.csv" | cut -d, -f1)"
else
	fail "sparse RSS" "/usr/bin/time missing (apt-get install time)"
fi

# ---- CSV headers do not depend on the data ------------------------------------------
replay csvh_full --format csv -o "$TMP/full.csv" "$FIX/mixed.pcap"
replay csvh_mig --format csv -o "$TMP/mig.csv" "$FIX/mig_eth.pcap"
replay csvh_ping --format csv -o "$TMP/ping.csv" "$FIX/ping_plain.pcap"
for tbl in "" -episodes -streams -totals; do
	h=$(py csv_header "$TMP/full$tbl.csv")
	eq "csv${tbl:-flows} header, no echo traffic" "$h" "$(py csv_header "$TMP/mig$tbl.csv")"
	eq "csv${tbl:-flows} header, no migration flow" "$h" "$(py csv_header "$TMP/ping$tbl.csv")"
done
eq "csv flows of a ping-only capture: header only, all 42 columns" "0 42" \
	"$(py csv_rows "$TMP/ping.csv") $(py csv_header "$TMP/ping.csv" | tr ',' '\n' | wc -l)"
eq "csv episodes without pings: header only" 0 "$(py csv_rows "$TMP/mig-episodes.csv")"
eq "csv totals: one row" "1 1" "$(py csv_rows "$TMP/full-totals.csv") $(py csv_rows "$TMP/ping-totals.csv")"
eq "csv totals == JSON migration and downtime totals" \
	"$(jget mixed migration.start migration.end migration.duration_s migration.unique_payload_bytes migration.peak_throughput_bps downtime.total.downtime_total_s)" \
	"$(for c in start end duration_s unique_payload_bytes peak_throughput_bps downtime_total_s; do py csv_cell "$TMP/full-totals.csv" 1 $c; done | xargs)"
eq "csv totals without migration: empty start, downtime there" " 1.500000" \
	"$(py csv_cell "$TMP/ping-totals.csv" 1 start) $(py csv_cell "$TMP/ping-totals.csv" 1 downtime_total_s)"

# ---- golden reports -------------------------------------------------------------
# The tool's version is the only thing normalised.
golden() {
	local name=$1
	shift
	"$MM" replay "${MM_OPTS[@]}" "$@" 2>/dev/null |
		sed -e 's/"version": "[^"]*"/"version": "VERSION"/' -e 's/^migmeter [0-9][^ ]* report$/migmeter VERSION report/' \
			>"$TMP/golden.$name"
	if [ "$UPDATE" = 1 ]; then
		mkdir -p "$GOLD"
		cp "$TMP/golden.$name" "$GOLD/$name"
		pass "golden $name (updated)"
	elif [ ! -f "$GOLD/$name" ]; then
		fail "golden $name" "$GOLD/$name missing (tests/golden.sh --update)"
	elif diff -u "$GOLD/$name" "$TMP/golden.$name" >"$TMP/golden.$name.diff"; then
		pass "golden $name"
	else
		fail "golden $name" "output differs: $(grep -c '^[-+][^-+]' "$TMP/golden.$name.diff") lines; $(grep '^[-+][^-+]' "$TMP/golden.$name.diff" | head -6 | tr '\n' ' ')"
	fi
}
golden mig_eth.json --format json "$FIX/mig_eth.pcap"
golden ping_plain.json --format json "$FIX/ping_plain.pcap"
golden nohandshake.json --format json "$FIX/nohandshake.pcap"
golden mixed.txt --format text "$FIX/mixed.pcap"
golden mig_5x.txt --format text "$FIX/mig_5x.pcap"
golden mig_postcopy.txt --format text "$FIX/mig_postcopy.pcap"
golden app_mig.json --format json --app 80 "$FIX/app_mig.pcap"

summary
