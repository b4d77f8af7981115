# SPDX-License-Identifier: GPL-2.0
# Plan of `make vmm-check` (sourced by init.sh): only vlapic-vmm, for
# iterating on the VMM without the whole test boot: its tests on both
# backends and the guest programs on both (plan-vmm.sh).

KVM_NOT_IN_CHECK=
. /extra/plan-vmm.sh
vmm_no_backend
check "vmm-check: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
kvm_load
vmm_tests vlapic
vmm_tests kvm
[ -n "${VMM_TESTS_ONLY:-}" ] || { guest_programs; guest_fuzz; guest_hotplug; }
kvm_unload
check "vmm-check: rmmod vlapic" rmmod vlapic
