# SPDX-License-Identifier: GPL-2.0
# Plan fragment (sourced by a plan, after vlapic.ko was unloaded): the
# vlapic-vmm tests, from /extra (vmm-extra.sh). First the "no backend"
# statuses, then the KVM modules of the test kernel are loaded and
# tools/vmm/tests/vmm-tests.sh runs on --backend kvm (its TAP lines are
# results "vlapic-vmm-kvm: ..."), and the modules are unloaded again.

vmm=/extra/vmm/vlapic-vmm
# make vmm-check VMM_ONLY="GROUP...": only those groups of vmm-tests.sh.
[ -f /extra/vmm-only ] && export VMM_TESTS_ONLY="$(cat /extra/vmm-only)"

vmm_status() { # vmm_status WANT ARGS...: the VMM's exit status is WANT
	want=$1
	shift
	$vmm "$@" >/tmp/vmm.out 2>/tmp/vmm.err
	st=$?
	sed 's/^/# /' /tmp/vmm.err
	test "$st" = "$want"
}

check "vmm: --backend vlapic without vlapic.ko: status 4" \
	vmm_status 4 --backend vlapic /extra/vmm/halt.elf
check "vmm: --backend kvm without kvm.ko: status 4" \
	vmm_status 4 --backend kvm /extra/vmm/halt.elf

check "vmm: insmod irqbypass.ko" insmod /extra/kvm/irqbypass.ko
check "vmm: insmod kvm.ko" insmod /extra/kvm/kvm.ko
check "vmm: insmod kvm-amd.ko" insmod /extra/kvm/kvm-amd.ko
check "vmm: /dev/kvm is a character device" test -c /dev/kvm

mark "userspace test vlapic-vmm-kvm"
t0=$(cut -d. -f1 /proc/uptime)
sh /extra/vmm/vmm-tests.sh kvm $vmm
rc=$?
echo "# vlapic-vmm tests on kvm: $(($(cut -d. -f1 /proc/uptime) - t0)) s"
mark "userspace exit vlapic-vmm-kvm $rc"

check "vmm: rmmod kvm_amd" rmmod kvm_amd
check "vmm: rmmod kvm" rmmod kvm
check "vmm: rmmod irqbypass" rmmod irqbypass
