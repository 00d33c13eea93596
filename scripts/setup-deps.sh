#!/usr/bin/env bash
# setup-deps.sh - install the Debian packages migmeter builds and tests with, only those missing.
# Usage: scripts/setup-deps.sh [build|test|bench]   (default: test, which includes build)
set -euo pipefail

build_pkgs=(gcc make pkg-config libpcap-dev libnl-3-dev libnl-route-3-dev libjson-c-dev libmicrohttpd-dev)
test_pkgs=(libcmocka-dev clang libclang-rt-14-dev valgrind tshark wireshark-common tcpdump iperf3 nftables iproute2 iputils-ping procps python3 jq libcap2-bin util-linux time)
# tests/e2e/test_qemu.sh: QEMU itself, and what tests/qemu/build-guest.sh builds
# the guest with (the kernel .deb is only downloaded and unpacked, never installed)
test_pkgs+=(qemu-system-x86 busybox-static cpio kmod libc6-dev gzip)
# migmeter plot renders with gnuplot; the app tests drive busybox httpd with ab;
# the Prometheus tests run a real prometheus and node_exporter in a namespace;
# (queried with curl); systemd-analyze verifies the unit file (its man: page with man-db)
test_pkgs+=(gnuplot-nox apache2-utils prometheus prometheus-node-exporter systemd curl man-db)
# tests/e2e/test_readme.sh runs the README's pandas snippets (Debian's python3, matplotlib's Agg)
test_pkgs+=(python3-pandas python3-matplotlib)
# make bench: the baselines, GNU time for the peak RSS of each tool, and bench/live.sh's traffic
bench_pkgs=(time tshark wireshark-common tcpdump python3 iperf3 nftables iproute2 jq)

want=("${build_pkgs[@]}")
case "${1:-test}" in
test) want+=("${test_pkgs[@]}") ;;
bench) want+=("${bench_pkgs[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "setup: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "setup: need root to install packages: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections || true
# Packages with daemons (prometheus) must not start them on the host: the
# tests start their own, inside namespaces.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
