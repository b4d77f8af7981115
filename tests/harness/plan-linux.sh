# SPDX-License-Identifier: GPL-2.0
# Plan of `make linux-check` and `make demo` (sourced by init.sh): only
# the Linux guest, on each backend of LINUX_BACKENDS (plan-vmm.sh
# linux_guest); on vlapic it reboots once unless LINUX_REBOOT=0.

. /extra/plan-vmm.sh
check "linux-check: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
kvm_load
for be in ${LINUX_BACKENDS:-vlapic kvm}; do
	if [ "$be" = vlapic ] && [ "${LINUX_REBOOT:-1}" = 1 ]; then
		linux_guest "$be" "${LINUX_SMP:-2}" reboot
	else
		linux_guest "$be" "${LINUX_SMP:-2}"
	fi
done
kvm_unload
check "linux-check: rmmod vlapic" rmmod vlapic
