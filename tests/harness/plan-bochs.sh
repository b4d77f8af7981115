# SPDX-License-Identifier: GPL-2.0
# Plan of the Bochs boot (sourced by init.sh): the test kernel on a VMX
# CPU; load the module and the one KUnit module that needs VMX
# (vlapic_vmx_hw.ko, suite vlapic_vmx_hw), unload it; then the guest
# programs of tests/guest under vlapic-vmm on the module's VMX backend
# (check.sh puts vlapic-vmm and the programs in /extra), each a userspace
# test whose TAP lines are results, followed by its exits by reason
# (--stats, counters that stayed 0 left out); unload the module.

check "bochs: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
check "bochs: the CPU has VMX" grep -qw vmx /proc/cpuinfo
check "bochs: vlapic.ko runs guests on VMX" \
	sh -c 'dmesg | grep -q "vlapic: guests run on vmx"'
mark "kunit module vlapic_vmx_hw.ko"
insmod /lib/vlapic/vlapic_vmx_hw.ko
check "bochs: rmmod vlapic_vmx_hw" rmmod vlapic_vmx_hw

# PROGRAM:VCPUS. Guest time in Bochs is virtual (instructions), so the
# VMM's timeout only bounds a hang; the programs' own waits count exits
# or events, never time.
bochs_guests="hello:1 xapic:1 timer:1 tpr:1 seed000:1"
for r in $bochs_guests; do
	g=${r%:*}
	n=${r#*:}
	name="bochs-guest-$g-smp$n"
	mark "userspace test $name"
	/extra/vmm/vlapic-vmm --backend vlapic --smp "$n" --timeout 120 \
		--stats "/extra/guest/$g.elf" >/tmp/guest.out 2>/tmp/guest.err
	rc=$?
	cat /tmp/guest.out
	sed 's/^/# /' /tmp/guest.err | grep -Ev '^#   [a-z0-9_]+ +0$'
	[ "$rc" = 1 ] && rc=0
	mark "userspace exit $name $rc"
done

check "bochs: rmmod vlapic" rmmod vlapic
# The console is slow: give the tty time to drain before the reboot.
END_DRAIN=3
