# SPDX-License-Identifier: GPL-2.0
# Plan of a boot of one of Debian's kernel flavours, -rt (PREEMPT_RT) or
# -cloud (sourced by init.sh; check.sh step 5, flavour.sh): the module
# built against that flavour's headers loads, every end-to-end test of
# /tests runs against it with that kernel's KVM loaded beside it (for
# kvm_coexist), and everything unloads. parse-log.py fails the boot on any
# splat: on -rt a sleeping lock taken in hard interrupt context shows as
# "BUG: scheduling while atomic", a stuck CPU as a soft or hard lockup.

fl=$(uname -r)
mark "flavour $fl"
check "$fl: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
check "$fl: /dev/vlapic is a character device" test -c /dev/vlapic
# KVM on PREEMPT_RT refuses a CPU without a constant TSC (kvm_arch_init:
# -EOPNOTSUPP), and QEMU's TCG CPU has none: there kvm_coexist is one skip
# with that reason instead of a run.
kvm_skip=
if { [ -e /sys/kernel/realtime ] || uname -v | grep -q PREEMPT_RT; } &&
   ! grep -qw constant_tsc /proc/cpuinfo; then
	kvm_skip="KVM on PREEMPT_RT needs a constant TSC, which this CPU lacks"
	echo "# $fl: $kvm_skip"
fi

# kvm-amd.ko needs ccp.ko's SEV functions where the flavour has it (-rt).
[ -n "$kvm_skip" ] ||
	check "$fl: insmod irqbypass.ko kvm.ko [ccp.ko] kvm-amd.ko" \
		sh -c 'insmod /extra/kvm/irqbypass.ko && insmod /extra/kvm/kvm.ko &&
		       { [ ! -e /extra/kvm/ccp.ko ] || insmod /extra/kvm/ccp.ko; } &&
		       insmod /extra/kvm/kvm-amd.ko'

for t in /tests/e2e-*; do
	[ -x "$t" ] || continue
	mark "userspace test $(basename "$t")"
	if [ -n "$kvm_skip" ] && [ "$(basename "$t")" = e2e-kvm_coexist ]; then
		echo "ok 1 - kvm-coexist: $kvm_skip # SKIP"
		mark "userspace exit $(basename "$t") 0"
		continue
	fi
	"$t"
	mark "userspace exit $(basename "$t") $?"
done

[ -n "$kvm_skip" ] ||
	check "$fl: rmmod kvm_amd [ccp] kvm irqbypass" \
		sh -c 'rmmod kvm_amd && { [ ! -e /extra/kvm/ccp.ko ] || rmmod ccp; } &&
		       rmmod kvm && rmmod irqbypass'
check "$fl: rmmod vlapic" rmmod vlapic
check "$fl: /dev/vlapic is gone after rmmod" test ! -e /dev/vlapic
