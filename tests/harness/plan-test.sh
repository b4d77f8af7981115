# SPDX-License-Identifier: GPL-2.0
# Plan of the test-kernel boot (sourced by init.sh): vlapic-vmm without a
# backend; load the module and run every KUnit module; load KVM beside it
# and run every userspace test (kvm-coexist among them), vlapic-vmm's tests
# and the guest programs and the guest fuzzer on both backends (plan-vmm.sh);
# unload; then look for leaks.

kmemleak=/sys/kernel/debug/kmemleak

# Leak suspects from boot are not ours: report only what appears after the
# modules load. kmemleak ignores objects younger than 5 s, so wait that long.
while [ "$(cut -d. -f1 /proc/uptime)" -lt 6 ]; do sleep 1; done
echo scan >$kmemleak
echo clear >$kmemleak

. /extra/plan-vmm.sh
vmm_no_backend

check "test kernel: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
module_mark vlapic
check "test kernel: /dev/vlapic is a character device" test -c /dev/vlapic
check "test kernel: /dev/vlapic mode is 0600" \
	test "$(stat -c %a /dev/vlapic)" = 600

# Trace every vLAPIC event while the suites run; check some were recorded.
tr=/sys/kernel/debug/tracing
check "test kernel: vlapic trace events registered" \
	test -d $tr/events/vlapic -a -d $tr/events/vlapic_ioapic
echo 1 >$tr/events/vlapic/enable

# Arm failslab for the tasks that ask for it (task-filter: only a task
# with make-it-fail set fails, and none has it unless it sets it), for the
# KUnit allocation-failure cases; disarmed again before userspace runs.
fs=/sys/kernel/debug/failslab
if [ -d $fs ]; then
	echo 0 >$fs/verbose
	echo Y >$fs/task-filter
	echo N >$fs/ignore-gfp-wait
	echo 1 >$fs/interval
	echo -1 >$fs/times
	echo 100 >$fs/probability
fi

for m in /lib/vlapic/*_kunit.ko; do
	[ -e "$m" ] || continue
	mark "kunit module $(basename "$m")"
	insmod "$m"
done

if [ -d $fs ]; then
	echo 0 >$fs/probability
	echo N >$fs/task-filter
fi

kvm_load

for t in /tests/*; do
	[ -x "$t" ] || continue
	mark "userspace test $(basename "$t")"
	"$t"
	mark "userspace exit $(basename "$t") $?"
done

# A multi-thread seed replays: the same lockstep run twice, same hash.
lockstep_twice "test kernel" 20261201 1500

echo 0 >$tr/events/vlapic/enable
check "test kernel: vlapic trace events recorded" \
	grep -q 'vlapic_accept:.*set' $tr/trace
echo >$tr/trace

vmm_tests vlapic
vmm_tests kvm
guest_programs
# Debian's stock kernel as an SMP guest on vlapic, rebooting once
# (docs/linux-guest.md); `make linux-check` runs it on KVM too, for the
# comparison (left out here: it would add another 80 s).
linux_guest vlapic 2 reboot
guest_fuzz
guest_hotplug
kvm_unload

for m in /lib/vlapic/*_kunit.ko; do
	[ -e "$m" ] || continue
	rmmod "$(basename "$m" .ko)"
done
check "test kernel: rmmod vlapic" rmmod vlapic
check "test kernel: /dev/vlapic is gone after rmmod" test ! -e /dev/vlapic

sleep 6
echo scan >$kmemleak
echo scan >$kmemleak
mark "kmemleak report begin"
cat $kmemleak
mark "kmemleak report end"
