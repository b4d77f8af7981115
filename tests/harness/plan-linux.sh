# SPDX-License-Identifier: GPL-2.0
# Plan of `make linux-check` (sourced by init.sh): only the Linux guest,
# on vlapic and on KVM (plan-vmm.sh linux_guest), for work on that boot.

. /extra/plan-vmm.sh
check "linux-check: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
kvm_load
for be in ${LINUX_BACKENDS:-vlapic kvm}; do
	linux_guest "$be" "${LINUX_SMP:-2}"
done
kvm_unload
check "linux-check: rmmod vlapic" rmmod vlapic
