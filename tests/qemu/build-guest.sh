#!/usr/bin/env bash
# build-guest.sh - builds the real-QEMU test's guest from Debian packages:
# build/guest/vmlinuz (Debian's cloud kernel) and build/guest/initramfs.cpio.gz
# (busybox-static, the virtio-net modules, tests/qemu/init.sh as /init and
# tests/qemu/mmdirty.c built static).
#
# Usage: tests/qemu/build-guest.sh [OUTDIR]     (default build/guest)
#
# The kernel package is never installed on the host: `apt-get download`
# fetches the linux-image-*-cloud-amd64 that the metapackage depends on and
# `dpkg-deb -x` unpacks it under OUTDIR/work.  The .deb is kept in apt's own
# download cache (/var/cache/apt/archives, when writable; else OUTDIR/dl), so
# `make clean` does not fetch it again.  Idempotent: nothing is rebuilt when
# OUTDIR/stamp matches the kernel version and the inputs' checksums.
# Needs: apt-get, dpkg-deb, depmod (kmod), cpio, gzip, gcc with a static libc,
# busybox-static (scripts/setup-deps.sh test installs them).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${1:-$REPO/build/guest}
META=${MM_GUEST_KERNEL_META:-linux-image-cloud-amd64}
BUSYBOX=/bin/busybox
# The modules the guest needs, with what they depend on (from modules.dep).
WANT_MODULES=(virtio_pci virtio_net)

say() { printf 'build-guest: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

for t in apt-cache apt-get dpkg-deb depmod cpio gzip gcc sha256sum; do
	command -v "$t" >/dev/null 2>&1 || die "missing tool $t (scripts/setup-deps.sh test installs it)"
done
[ -x "$BUSYBOX" ] || die "no $BUSYBOX (Debian package busybox-static)"
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked: the guest needs busybox-static's"
fi

# The versioned kernel package the metapackage depends on (apt's lists are
# needed; on a machine that never ran apt-get update, run it once).
kernel_pkg() {
	apt-cache depends "$META" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}
PKG=$(kernel_pkg)
if [ -z "$PKG" ]; then
	[ "$(id -u)" -eq 0 ] || die "apt cannot resolve $META and only root may run apt-get update"
	say "apt cannot resolve $META; apt-get update"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	PKG=$(kernel_pkg)
fi
[ -n "$PKG" ] || die "cannot resolve the kernel package $META depends on"
VERSION=$(apt-cache policy "$PKG" | awk '$1 == "Candidate:" { print $2 }')
if [ -z "$VERSION" ] || [ "$VERSION" = "(none)" ]; then
	die "no candidate version of $PKG"
fi

STAMP="$PKG $VERSION $(cat "$HERE/build-guest.sh" "$HERE/init.sh" "$HERE/mmdirty.c" "$BUSYBOX" | sha256sum | cut -c1-16)"
if [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initramfs.cpio.gz" ] && [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$STAMP" ]; then
	say "up to date ($PKG $VERSION in $OUT)"
	exit 0
fi

mkdir -p "$OUT"
DL=/var/cache/apt/archives
[ -d "$DL" ] && [ -w "$DL" ] || DL=$OUT/dl
mkdir -p "$DL"
# apt-get download names the file PKG_VERSION_ARCH.deb, an epoch's ':' as %3a.
DEB=$DL/${PKG}_${VERSION//:/%3a}_amd64.deb
# A cached file must be the very package apt's lists name (a cut-short
# download is fetched again).
SHA=$(apt-cache show "$PKG=$VERSION" 2>/dev/null | awk '$1 == "SHA256:" { print $2; exit }')
if [ -s "$DEB" ] && [ -n "$SHA" ] && [ "$(sha256sum <"$DEB" | cut -d' ' -f1)" != "$SHA" ]; then
	say "cached $(basename "$DEB") does not match apt's SHA256; fetching it again"
	rm -f "$DEB"
fi
if [ ! -s "$DEB" ]; then
	say "downloading $PKG $VERSION into $DL"
	# Into a directory of its own, then renamed into place: two builds at
	# once (other worktrees) never see each other's half-written file.
	TMPDL=$(mktemp -d "$DL/.migmeter-dl.XXXXXX")
	trap 'rm -rf "$TMPDL"' EXIT
	if (cd "$TMPDL" && apt-get download -qq -o APT::Sandbox::User=root "$PKG=$VERSION") &&
		[ -s "$TMPDL/$(basename "$DEB")" ]; then
		mv -f "$TMPDL/$(basename "$DEB")" "$DEB"
		rm -rf "$TMPDL"
	else
		rm -rf "$TMPDL"
		# Stale lists name a version the mirror no longer has: refresh once.
		if [ -z "${MM_GUEST_RETRIED:-}" ] && [ "$(id -u)" -eq 0 ]; then
			say "apt-get download failed; apt-get update and once more"
			DEBIAN_FRONTEND=noninteractive apt-get update -qq
			MM_GUEST_RETRIED=1 exec bash "$0" "$OUT"
		fi
		die "apt-get download $PKG=$VERSION failed"
	fi
fi
[ -s "$DEB" ] || die "no .deb for $PKG in $DL"

WORK=$OUT/work
rm -rf "$WORK"
mkdir -p "$WORK/kernel" "$WORK/root"
say "unpacking $(basename "$DEB")"
dpkg-deb -x "$DEB" "$WORK/kernel"
KVER=${PKG#linux-image-}
KDIR=$WORK/kernel/lib/modules/$KVER
[ -d "$KDIR" ] || die "no lib/modules/$KVER in $DEB"
[ -s "$WORK/kernel/boot/vmlinuz-$KVER" ] || die "no boot/vmlinuz-$KVER in $DEB"
CONFIG=$WORK/kernel/boot/config-$KVER
for sym in VIRTIO VIRTIO_PCI VIRTIO_NET NET_FAILOVER FAILOVER BLK_DEV_INITRD RD_GZIP DEVTMPFS SERIAL_8250_CONSOLE; do
	say "config: $(grep -E "^(# )?CONFIG_${sym}[= ]" "$CONFIG" || echo "CONFIG_$sym unknown")"
done
grep -q '^CONFIG_RD_GZIP=y' "$CONFIG" || die "$KVER cannot unpack a gzip initramfs"
grep -q '^CONFIG_SERIAL_8250_CONSOLE=y' "$CONFIG" || die "$KVER has no serial console built in"

# The package has no modules.dep (its postinst runs depmod): make one in the
# unpacked tree, then the load order of the wanted modules and of everything
# they depend on, dependencies first.  Built-in ones need no loading.
depmod -b "$WORK/kernel" "$KVER"
LOAD=()
declare -A SEEN=()
visit() {
	local rel=$1 dep deps name
	name=$(basename "$rel" .ko)
	[ -z "${SEEN[$name]:-}" ] || return 0
	SEEN[$name]=1
	deps=$(awk -v m="$rel:" '$1 == m { $1 = ""; print; exit }' "$KDIR/modules.dep")
	for dep in $deps; do
		visit "$dep"
	done
	LOAD+=("$rel")
}
for m in "${WANT_MODULES[@]}"; do
	if grep -qE "/$m\.ko$" "$KDIR/modules.builtin"; then
		say "module $m is built in"
		continue
	fi
	rel=$(awk -F: -v m="$m.ko" '{ n = split($1, p, "/") } p[n] == m { print $1; exit }' "$KDIR/modules.dep")
	[ -n "$rel" ] || die "module $m neither built in nor in $PKG"
	visit "$rel"
done

R=$WORK/root
mkdir -p "$R/bin" "$R/dev" "$R/etc" "$R/lib/modules" "$R/proc" "$R/sys" "$R/tmp" "$R/root"
cp "$BUSYBOX" "$R/bin/busybox"
install -m 755 "$HERE/init.sh" "$R/init"
: >"$R/etc/modules.load"
for rel in "${LOAD[@]}"; do
	cp "$KDIR/$rel" "$R/lib/modules/"
	basename "$rel" .ko >>"$R/etc/modules.load"
done
say "modules: $(tr '\n' ' ' <"$R/etc/modules.load")"
gcc -static -O2 -std=c11 -Wall -Wextra -Wshadow -Werror -o "$R/bin/mmdirty" "$HERE/mmdirty.c" ||
	die "gcc -static mmdirty.c failed (a static libc: libc6-dev)"

(cd "$R" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --reproducible --quiet) |
	gzip -9n >"$OUT/initramfs.cpio.gz.tmp"
cp "$WORK/kernel/boot/vmlinuz-$KVER" "$OUT/vmlinuz.tmp"
mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
rm -rf "$WORK"
printf '%s\n' "$STAMP" >"$OUT/stamp"
say "built $OUT/vmlinuz ($KVER) and $OUT/initramfs.cpio.gz ($(stat -c %s "$OUT/initramfs.cpio.gz") bytes)"
