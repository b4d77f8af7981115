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

# module_mark NAME: where a loaded module's text is, for hang-dump.py.
module_mark() {
	local s secs=""
	for s in .text .text.unlikely; do
		[ -r "/sys/module/$1/sections/$s" ] &&
			secs="$secs $s $(cat "/sys/module/$1/sections/$s")"
	done
	mark "module $1$secs"
}

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

# lockstep_twice PREFIX SEED TURNS: run vlapic-fuzz --lockstep twice with
# one seed (its TAP lines counted like any userspace test) and check that
# both runs print the same hash of their (thread, ioctl, result) sequence.
lockstep_twice() {
	for run in 1 2; do
		mark "userspace test vlapic-fuzz-lockstep-$run"
		/tests/vlapic-fuzz --lockstep --seed "$2" --threads 4 \
			--ops "$3" >/tmp/lockstep.$run
		rc=$?
		cat /tmp/lockstep.$run
		mark "userspace exit vlapic-fuzz-lockstep-$run $rc"
	done
	h1=$(sed -n 's/^# vlapic-fuzz: lockstep hash \([0-9a-f]*\) .*/\1/p' \
		/tmp/lockstep.1)
	h2=$(sed -n 's/^# vlapic-fuzz: lockstep hash \([0-9a-f]*\) .*/\1/p' \
		/tmp/lockstep.2)
	echo "# lockstep seed $2: hash ${h1:-none} then ${h2:-none}"
	check "$1: vlapic-fuzz --lockstep: a seed replays (same hash twice)" \
		test -n "$h1" -a "$h1" = "$h2"
}

mark "booted $(uname -r)"
. /plan.sh
mark "end"
# A slow console (Bochs) needs time to drain the tty before the reboot.
[ -n "${END_DRAIN:-}" ] && sleep "$END_DRAIN"
sync
reboot -f
