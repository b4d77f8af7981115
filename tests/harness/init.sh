#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the harness's test VMs. Mounts the usual file systems, runs the
# boot's plan (/plan.sh) and reboots, which ends QEMU (-no-reboot). Lines
# starting with "VLAPIC-HARNESS:" are read by parse-log.py.

/bin/busybox mkdir -p /proc /sys /dev /tmp /bin
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp

mark() { echo "VLAPIC-HARNESS: $*"; }

# check NAME CMD...: one harness test, counted in the summary.
check() {
	name=$1
	shift
	if "$@"; then
		mark "ok $name"
	else
		mark "not ok $name"
	fi
}

mark "booted $(uname -r)"
. /plan.sh
mark "end"
# A slow console (Bochs) needs time to drain the tty before the reboot.
[ -n "${END_DRAIN:-}" ] && sleep "$END_DRAIN"
sync
reboot -f
