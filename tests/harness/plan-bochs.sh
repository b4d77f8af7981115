# SPDX-License-Identifier: GPL-2.0
# Plan of the Bochs boot (sourced by init.sh): the test kernel on a VMX
# CPU; load the module and the one KUnit module that needs VMX
# (vlapic_vmx_hw.ko, suite vlapic_vmx_hw), unload it; then the guest
# programs of tests/guest under vlapic-vmm on the module's VMX backend
# (check.sh puts vlapic-vmm and the programs in /extra), each a userspace
# test whose TAP lines are results, followed by its exits by reason
# (--stats, counters that stayed 0 left out), in each of the three
# interrupt modes (--apicv), with the mode and apicv.elf's exact exit
# counts checked from those counters; unload the module.

check "bochs: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
minp=/sys/module/vlapic/parameters/min_periodic_ns
minp0=$(cat $minp)
check "bochs: the CPU has VMX" grep -qw vmx /proc/cpuinfo
check "bochs: vlapic.ko runs guests on VMX" \
	sh -c 'dmesg | grep -q "vlapic: guests run on vmx"'
mark "kunit module vlapic_vmx_hw.ko"
insmod /lib/vlapic/vlapic_vmx_hw.ko
check "bochs: rmmod vlapic_vmx_hw" rmmod vlapic_vmx_hw

# PROGRAM:VCPUS. Guest time in Bochs is virtual (instructions), so the
# VMM's timeout only bounds a hang; the programs' own waits count exits
# or events, never time.
# The SMP programs run on the one Bochs CPU: their vCPU threads take
# turns, and an AP's start-up wait with IF clear relies on the module's
# VMX-preemption-timer backstop (docs/run.md: without it the whole test
# VM hung at initsipi's first AP).
bochs_guests="xapic:1 timer:1 tpr:1 seed000:1 apicv:1 fuzz:1 initsipi:2 ipi:4 seed004:2"

# The guest fuzzer's seed and length: make check's (plan-vmm.sh), so that
# its hash can be compared with the one the same guest gave on SVM.
fuzz_args="seed=${FUZZ_SEED:-17} ops=${FUZZ_OPS:-1500}"

# The interrupt modes each program runs in (vlapic-vmm --apicv,
# VLAPIC_VM_APICV_*, forced on this one CPU), ten runs for the step's
# time (about 10 s each with 16 MiB of guest RAM, which the programs need
# at most; with the default 128 MiB a run took 28 s in Bochs, its time
# going into setting up the memory): apicv, whose exit
# counts are the point, in all three; hello adds nothing to it. xapic
# not with VID: it checks that byte and word stores to TPR are ignored,
# and with VID the CPU completes them in the virtual-APIC page; with the
# TPR shadow its MMIO is emulated as with injection. seed000 in all
# three: the reboot with vectors in service must reset RVI and SVI too.
# The SMP programs one mode each (about 50 s a run): initsipi with
# injection (the APs start in real mode), ipi and seed004 with VID, where
# IPIs from the other vCPUs reach IRR and RVI by the kick (no posted
# interrupts here) and a halted vCPU must wake for them (seed 004).
modes_of() {
	case $1 in
	apicv) echo inject tpr vid ;;
	xapic) echo inject ;;
	seed000) echo inject tpr vid ;;
	timer) echo inject vid ;;
	tpr) echo tpr vid ;;
	fuzz) echo inject tpr vid ;;
	initsipi) echo inject ;;
	ipi) echo vid ;;
	seed004) echo vid ;;
	esac
}

# stat NAME: the counter NAME of vCPU 0 in the last --stats output, 0 if
# it was not printed.
stat() {
	awk -v n="$1" '$1 == n { print $2; found = 1 } END { if (!found) print 0 }' \
		/tmp/guest.err
}

# The mode a VM asked for is the one its vCPU entered in (Bochs has all
# three): entries in that mode only.
check_mode() {
	local m=$1 tname=$2 want
	case $m in
	inject) want=run_mode_inject ;;
	tpr) want=run_mode_tpr_shadow ;;
	vid) want=run_mode_vid ;;
	esac
	for c in run_mode_inject run_mode_tpr_shadow run_mode_vid; do
		if [ "$c" = "$want" ]; then
			check "$tname: entries in mode $m" [ "$(stat "$c")" -gt 0 ]
		else
			check "$tname: no entries counted as $c" [ "$(stat "$c")" = 0 ]
		fi
	done
}

# The exact exit counts of tests/guest/apicv.c (4 TPR rounds, 8 edge and
# 3 level EOIs, in xAPIC and again in x2APIC mode) in each mode.
check_apicv() {
	local m=$1 tname=$2
	check "$tname: 6 level EOIs broadcast to the IOAPIC" \
		[ "$(stat eoi_broadcast)" = 6 ]
	case $m in
	inject)
		check "$tname: no TPR-threshold exit" \
			[ "$(stat run_exit_tpr_threshold)" = 0 ]
		check "$tname: CR8 writes exit (3 per TPR round)" \
			[ "$(stat run_exit_cr8)" = 24 ]
		;;
	tpr)
		check "$tname: exactly one TPR-threshold exit per TPR round (8)" \
			[ "$(stat run_exit_tpr_threshold)" = 8 ]
		check "$tname: CR8 writes do not exit" \
			[ "$(stat run_exit_cr8)" = 0 ]
		;;
	vid)
		check "$tname: no TPR-threshold exit" \
			[ "$(stat run_exit_tpr_threshold)" = 0 ]
		check "$tname: CR8 writes do not exit" \
			[ "$(stat run_exit_cr8)" = 0 ]
		check "$tname: exactly one EOI-induced exit per level EOI (6)" \
			[ "$(stat run_exit_eoi_induced)" = 6 ]
		check "$tname: edge EOIs stay in the guest (vLAPIC EOIs: the 6 level ones)" \
			[ "$(stat eoi)" = 6 ]
		check "$tname: every xAPIC access virtualized (no APIC-access exit)" \
			[ "$(stat run_exit_apic_access)" = 0 ]
		check "$tname: no xAPIC access emulated on an EPT violation" \
			[ "$(stat run_exit_mmio_lapic)" = 0 ]
		check "$tname: self IPIs (ICR, SELF IPI MSR) virtualized: none reaches the vLAPIC" \
			[ "$(stat ipi_sent)" = 0 ]
		;;
	esac
	if [ "$m" != vid ]; then
		check "$tname: no EOI-induced exit" \
			[ "$(stat run_exit_eoi_induced)" = 0 ]
		check "$tname: every EOI reaches the vLAPIC (2 x (4 + 8 + 3))" \
			[ "$(stat eoi)" = 30 ]
		check "$tname: every self IPI is the vLAPIC's (2 x (4 + 8))" \
			[ "$(stat ipi_sent)" = 24 ]
	fi
}

# On one vCPU the fuzzer's hash depends only on the seed and the
# implementation: every mode must give the first mode's. check.sh then
# compares it with the SVM run's (the `# bochs fuzz hash` line).
fuzz_hash0=
check_fuzz_hash() {
	local m=$1 tname=$2 h
	h=$(sed -n 's/^# fuzz hash: .*: \(0x[0-9a-f]*\)$/\1/p' /tmp/guest.out)
	echo "# bochs fuzz hash $m ${h:-none}"
	[ -n "$fuzz_hash0" ] || fuzz_hash0=${h:-none}
	check "$tname: the hash of the first mode (${fuzz_hash0})" \
		test -n "$h" -a "$h" = "$fuzz_hash0"
}

for r in $bochs_guests; do
	g=${r%:*}
	n=${r#*:}
	for m in $(modes_of "$g"); do
		tn="bochs-guest-$g-smp$n-$m"
		mark "userspace test $tn"
		args=
		[ "$g" = fuzz ] && args=$fuzz_args
		# The fuzzer programs periodic timers down to the module's
		# floor (min_periodic_ns, 200 us). Bochs' clock runs at 100M
		# instructions a second: 200 us is 20,000 instructions, less
		# than one round through this debug kernel's hrtimer
		# interrupt, exit and VID entry, and the guest starves (seen:
		# 15,041 expiries and no progress). 2 ms for the fuzzer, as a
		# host would set for a slow CPU; its hash leaves timing out.
		if [ "$g" = fuzz ]; then
			echo 2000000 >$minp
		else
			echo "$minp0" >$minp
		fi
		/extra/vmm/vlapic-vmm --backend vlapic --smp "$n" --timeout 120 \
			--mem 16 --apicv "$m" --stats ${args:+--append} ${args:+"$args"} \
			"/extra/guest/$g.elf" >/tmp/guest.out 2>/tmp/guest.err
		rc=$?
		cat /tmp/guest.out
		sed 's/^/# /' /tmp/guest.err | grep -Ev '^#   [a-z0-9_]+ +0$'
		[ "$rc" = 1 ] && rc=0
		# Uptime (Bochs' virtual time): where the step's time goes.
		echo "# uptime $(cut -d' ' -f1 /proc/uptime)"
		mark "userspace exit $tn $rc"
		check_mode "$m" "$tn"
		[ "$g" = apicv ] && check_apicv "$m" "$tn"
		[ "$g" = fuzz ] && check_fuzz_hash "$m" "$tn"
	done
done

check "bochs: rmmod vlapic" rmmod vlapic
# The console is slow: give the tty time to drain before the reboot.
END_DRAIN=3
