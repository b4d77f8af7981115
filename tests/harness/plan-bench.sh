# SPDX-License-Identifier: GPL-2.0
# Plan of the benchmark boot (sourced by init.sh): Debian's stock kernel,
# no sanitizers, KVM's modules from the same package and vlapic.ko side by
# side; vlapic-bench measures both in this one boot.

for m in irqbypass kvm ccp kvm-amd; do
	check "bench: insmod $m" insmod /extra/modules/$m.ko
done
check "bench: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
check "bench: /dev/kvm exists" test -c /dev/kvm
/extra/vlapic-bench
check "bench: rmmod vlapic" rmmod vlapic
