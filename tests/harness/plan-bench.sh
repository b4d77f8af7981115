# SPDX-License-Identifier: GPL-2.0
# Plan of the benchmark boot (sourced by init.sh): Debian's stock kernel,
# no sanitizers, KVM's modules from the same package and vlapic.ko side by
# side; vlapic-bench measures both in this one boot, then the benchmark
# guest and the Linux guest run on both under vlapic-vmm.

for m in irqbypass kvm ccp kvm-amd; do
	check "bench: insmod $m" insmod /extra/modules/$m.ko
done
check "bench: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
check "bench: /dev/kvm exists" test -c /dev/kvm
/extra/vlapic-bench

# The benchmark guest (tests/guest/bench.c) under vlapic-vmm, every case on
# both backends in this boot; bench-guests.py makes the table.
for b in vlapic kvm; do
	for c in none selfipi_x selfipi_x2 ipi_rt ipi_halt tpr_idle \
		tpr_masked deadline level; do
		echo "bench-guest begin $b $c"
		/extra/vlapic-vmm --backend "$b" --smp 2 --mem 64 --timeout 120 \
			--stats --append "case=$c" /extra/bench.elf 2>&1
		echo "bench-guest end $b $c status $?"
	done
done
# The Linux guest (tests/linux-guest: Debian's stock kernel, the busybox
# workload) on both, 2 vCPUs, no reboot; bench-linux.py makes the table.
for b in vlapic kvm; do
	echo "bench-linux begin $b"
	t0=$(cut -d' ' -f1 /proc/uptime)
	/extra/vlapic-vmm --backend "$b" --smp 2 --mem 256 --timeout 600 \
		--stats --no-reboot --initrd /extra/linux/guest.cpio \
		--append "console=ttyS0 tsc=reliable no_timer_check nokaslr panic=-1" \
		/extra/linux/vmlinuz >/tmp/linux.out 2>&1
	st=$?
	tr -d '\r' </tmp/linux.out
	echo "bench-linux end $b status $st wall $t0 $(cut -d' ' -f1 /proc/uptime)"
done
check "bench: rmmod vlapic" rmmod vlapic
