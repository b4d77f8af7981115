#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: boot the test VM (test kernel cached), then Debian's stock
# kernel as a guest of vlapic-vmm on 4 vCPUs with only the module's LAPIC
# and IOAPIC (docs/linux-guest.md). Prints the guest's checks, its
# /proc/interrupts and the VMM's exits and the module's counters; exits 0
# only if every guest check passed. BACKEND=kvm runs the same guest on
# KVM instead; SMP=N changes the vCPUs. The full console is
# build/linux.console.log.
. "$(dirname "$0")/lib.sh"

BUILD="$ROOT/build"
log "booting the test VM, then Linux on vlapic-vmm (${BACKEND:-vlapic}, ${SMP:-4} vCPUs); a few minutes"
rc=0
LINUX_SMP=${SMP:-4} LINUX_BACKENDS=${BACKEND:-vlapic} LINUX_REBOOT=0 \
	bash "$ROOT/tests/harness/linux-check.sh" >"$BUILD/linux-demo.log" 2>&1 ||
	rc=$?
console="$BUILD/linux.console.log"
[ -f "$console" ] || { cat "$BUILD/linux-demo.log"; die "no console"; }
tr -d '\r' <"$console" |
	sed -n '/VLAPIC-HARNESS: userspace test linux-guest/,/VLAPIC-HARNESS: userspace exit linux-guest/p' |
	grep -v -e '^VLAPIC-HARNESS' -e '^# guest| \[' |
	grep -v -e '^#   [a-z_0-9]* *0\( *0\)* *0$' |
	sed -e 's/^# guest| //' -e 's/^# //'
tail -n 1 "$BUILD/linux-demo.log"
exit "$rc"
