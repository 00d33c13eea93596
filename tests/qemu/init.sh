#!/bin/busybox sh
# shellcheck shell=dash disable=SC2013
# init.sh - /init of the test guest's initramfs (busybox sh, PID 1).
#
# Loads the virtio modules listed in /etc/modules.load, brings up eth0 with
# the address the kernel command line gives (mmguest.ip=ADDR/PREFIX), and
# starts the memory load (mmdirty; mmguest.fill_mib=N, mmguest.dirty_kib_s=N).
# The kernel answers ping.  Everything goes to the serial console, where the
# test reads "mmguest: ready" and the "mmguest: alive" lines.

/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys

ip=
fill=64
rate=4096
for arg in $(cat /proc/cmdline); do
	case $arg in
	mmguest.ip=*) ip=${arg#mmguest.ip=} ;;
	mmguest.fill_mib=*) fill=${arg#mmguest.fill_mib=} ;;
	mmguest.dirty_kib_s=*) rate=${arg#mmguest.dirty_kib_s=} ;;
	esac
done

for m in $(cat /etc/modules.load); do
	insmod "/lib/modules/$m.ko" || echo "mmguest: insmod $m failed"
done

i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
ip link set lo up
if [ -e /sys/class/net/eth0 ] && [ -n "$ip" ]; then
	ip addr add "$ip" dev eth0
	ip link set eth0 up
	echo "mmguest: net eth0 $ip mac $(cat /sys/class/net/eth0/address)"
else
	echo "mmguest: FAILED: no eth0 or no mmguest.ip= (cmdline: $(cat /proc/cmdline))"
fi

/bin/mmdirty "$fill" "$rate" &
while :; do
	sleep 3600
done
