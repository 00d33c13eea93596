#!/usr/bin/env bash
# test_install.sh - make install (binary, filter files, man page, systemd unit, Grafana dashboard) and systemd-analyze verify on the installed unit.
#
# `make install PREFIX=P` into a temporary P: every file where it belongs,
# and the unit's ExecStart naming P's binary and filter files, so that
# `systemd-analyze verify` (which checks the ExecStart binary exists) runs
# on the unit exactly as installed; a copy naming a binary that does not
# exist must fail it (the check is real).  Its sandboxing exposure from
# `systemd-analyze security --offline` must stay "OK" (at most 4.0).  A
# DESTDIR install (packaging) puts the same files under DESTDIR with the
# final paths in the unit.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require_tools make systemd-analyze install sed
require_binaries migmeter

P=$E2E_TMP/prefix
make -s -C "$REPO_DIR" install PREFIX="$P" >"$E2E_TMP/install.out" 2>&1
check_eq "make-install-exit-0" 0 "$?"
for f in bin/migmeter share/migmeter/bpf/migration.bpf share/migmeter/bpf/icmp.bpf \
	share/migmeter/bpf/announce.bpf share/man/man1/migmeter.1 lib/systemd/system/migmeter@.service \
	share/migmeter/grafana/migmeter.json; do
	check "installed-$f" "$(cat "$E2E_TMP/install.out")" test -s "$P/$f"
done
check_eq "binary-mode" 755 "$(stat -c %a "$P/bin/migmeter")"
check_eq "unit-mode" 644 "$(stat -c %a "$P/lib/systemd/system/migmeter@.service")"
check "installed-binary-runs" "$("$P/bin/migmeter" --version 2>&1)" "$P/bin/migmeter" --version
UNIT=$P/lib/systemd/system/migmeter@.service
check "unit-names-installed-binary" "$(grep ExecStart "$UNIT")" grep -q "^ExecStart=$P/bin/migmeter capture " "$UNIT"
check "unit-names-installed-filters" "$(grep -- --bpf-dir "$UNIT")" grep -q -- "--bpf-dir $P/share/migmeter/bpf" "$UNIT"
check "unit-restarts-on-failure" "$(grep Restart= "$UNIT")" grep -qx 'Restart=on-failure' "$UNIT"
check "unit-keeps-net-raw" "$(grep CapabilityBoundingSet "$UNIT")" grep -q '^CapabilityBoundingSet=.*CAP_NET_RAW' "$UNIT"
check "unit-records-to-var-lib" "$(grep -- --records "$UNIT")" grep -q -- '--records /var/lib/migmeter/' "$UNIT"

# verify: the unit as installed (the template is verified as migmeter@i.service).
MANPATH=$P/share/man systemd-analyze verify "$UNIT" >"$E2E_TMP/verify.out" 2>&1
rc=$?
echo "systemd-analyze verify $UNIT: exit $rc, output: '$(cat "$E2E_TMP/verify.out")'"
check_eq "systemd-analyze-verify" "0 " "$rc $(cat "$E2E_TMP/verify.out")"
mkdir -p "$E2E_TMP/bad"
sed "s|^ExecStart=$P/bin/migmeter|ExecStart=$E2E_TMP/nonexistent/migmeter|" "$UNIT" >"$E2E_TMP/bad/migmeter@.service"
MANPATH=$P/share/man systemd-analyze verify "$E2E_TMP/bad/migmeter@.service" >"$E2E_TMP/verify-bad.out" 2>&1
check "verify-catches-missing-binary" "exit $?: $(cat "$E2E_TMP/verify-bad.out")" \
	grep -q 'is not executable' "$E2E_TMP/verify-bad.out"
systemd-analyze security --offline=yes "$UNIT" >"$E2E_TMP/security.out" 2>&1
score=$(grep -o 'Overall exposure level for [^:]*: [0-9.]*' "$E2E_TMP/security.out" | awk '{ print $NF }')
echo "systemd-analyze security: exposure ${score:-unknown}"
check "sandboxed-exposure-ok" "exposure '$score': $(tail -c 300 "$E2E_TMP/security.out")" \
	awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 <= 4.0) }'

# DESTDIR: the files under it, the unit naming the final paths.
D=$E2E_TMP/destdir
make -s -C "$REPO_DIR" install DESTDIR="$D" PREFIX=/usr >"$E2E_TMP/install-d.out" 2>&1
check_eq "destdir-install-exit-0" 0 "$?"
check "destdir-binary" "$(ls -R "$D" 2>&1 | head -c 300)" test -x "$D/usr/bin/migmeter"
check "destdir-unit-final-path" "$(grep ExecStart "$D/usr/lib/systemd/system/migmeter@.service" 2>&1)" \
	grep -q '^ExecStart=/usr/bin/migmeter capture .*' "$D/usr/lib/systemd/system/migmeter@.service"
check "destdir-unit-final-bpf" "$(grep -- --bpf-dir "$D/usr/lib/systemd/system/migmeter@.service" 2>&1)" \
	grep -q -- '--bpf-dir /usr/share/migmeter/bpf' "$D/usr/lib/systemd/system/migmeter@.service"
check_eq "destdir-nothing-outside" "usr" "$(ls -A "$D" | xargs)"

summary
