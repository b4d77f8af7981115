# SPDX-License-Identifier: GPL-2.0
# Plan functions (sourced by a plan) for vlapic-vmm and KVM in the test VM.
# vmm-extra.sh put what they need in /extra: vmm/ (vlapic-vmm, its test
# guests and vmm-tests.sh), guest/ (the guest programs of tests/guest)
# and kvm/ (irqbypass.ko, kvm.ko, kvm-amd.ko of the test kernel).
#
#   vmm_no_backend	the VMM's "no backend" status, before any module loads
#   kvm_load, kvm_unload
#   vmm_tests BACKEND	vmm-tests.sh on vlapic or kvm (results are the TAP
#			lines of userspace test vlapic-vmm-BACKEND)
#   guest_programs	every guest program on vlapic, then on KVM; the two
#			are compared after the boot (compare-guests.py)
#
# vlapic and kvm_amd may be loaded together: they take turns with SVM
# (svm/cpu.c), and these functions run one VM at a time.

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

vmm_no_backend() {
	check "vmm: --backend vlapic without vlapic.ko: status 4" \
		vmm_status 4 --backend vlapic /extra/vmm/halt.elf
	check "vmm: --backend kvm without kvm.ko: status 4" \
		vmm_status 4 --backend kvm /extra/vmm/halt.elf
}

kvm_load() {
	check "vmm: insmod irqbypass.ko" insmod /extra/kvm/irqbypass.ko
	check "vmm: insmod kvm.ko" insmod /extra/kvm/kvm.ko
	check "vmm: insmod kvm-amd.ko" insmod /extra/kvm/kvm-amd.ko
	check "vmm: /dev/kvm is a character device" test -c /dev/kvm
	module_mark kvm
	module_mark kvm_amd
}

kvm_unload() {
	check "vmm: rmmod kvm_amd" rmmod kvm_amd
	check "vmm: rmmod kvm" rmmod kvm
	check "vmm: rmmod irqbypass" rmmod irqbypass
}

vmm_tests() { # vmm_tests BACKEND
	mark "userspace test vlapic-vmm-$1"
	t0=$(cut -d. -f1 /proc/uptime)
	sh /extra/vmm/vmm-tests.sh "$1" $vmm
	rc=$?
	echo "# vlapic-vmm tests on $1: $(($(cut -d. -f1 /proc/uptime) - t0)) s"
	mark "userspace exit vlapic-vmm-$1 $rc"
}

# PROGRAM:VCPUS[:IOAPIC]; the SMP programs on more vCPUs than the VM's 2
# CPUs too. IOAPIC 20: the IOAPIC is version 0x20 (its EOI register, which
# seed001 exercises); vlapic only, as KVM's IOAPIC is 0x11.
guest_runs="hello:1 pause:1 xapic:1 x2apic:2 timer:1 tpr:1 apicv:1 nmi:2 ipi:4 initsipi:4
	seed000:1 seed000:2 seed001:1 seed001:1:20 seed003:1 seed004:2"
# Not run on KVM by `make check` (docs/kvm-deviations.md says why); `make
# vmm-check` runs every one on both.
kvm_not_in_check=${KVM_NOT_IN_CHECK-""}

# The number in the --stats header's "N reboots" (0 without one).
reboots_of() {
	n=$(sed -n 's/.*vlapic-vmm statistics: .*, \([0-9]*\) reboots\{0,1\} ---.*/\1/p' "$1" | head -n 1)
	echo "${n:-0}"
}

# The KVM run of a program, once more when the first one ended in a way
# that is the host's and not KVM's irqchip (docs/kvm-deviations.md, "KVM
# under QEMU's TCG"): a failed entry or internal error (status 10), or a
# reset the same program did not do on vlapic. kvm_amd in this test VM
# runs on QEMU's emulated SVM, whose event delivery can fail a VMRUN or
# reset the guest (docs/run.md "On QEMU"); about 1 run in 70 of the
# 4-vCPU ipi program. The vlapic runs are never repeated, but for the
# Linux guest's on QEMU's own defect (linux_guest).
kvm_guest_run() { # kvm_guest_run PROGRAM VCPUS VLAPIC_REBOOTS
	try=1
	while :; do
		$vmm --backend kvm --smp "$2" --timeout 60 --stats \
			"/extra/guest/$1.elf" >/tmp/guest.out 2>/tmp/guest.err
		st=$?
		rb=$(reboots_of /tmp/guest.err)
		if [ "$try" = 2 ] || { [ "$st" != 10 ] && [ "$rb" = "$3" ]; }; then
			break
		fi
		echo "# on KVM: status $st, $rb reboots (vlapic: $3): run again"
		try=2
	done
	echo "# on KVM: status $st"
}

# Each program's TAP lines on vlapic are results ("guest-NAME-smpN: ...",
# status 1, the guest's debug-exit 0, means all passed), followed by its
# exits by reason (--stats); the same image on KVM is printed with "KVM: "
# in front, for compare-guests.py. KVM gets 60 s: where it hangs (a case
# docs/kvm-deviations.md lists) the wait is short.
guest_programs() {
	for r in $guest_runs; do
		g=${r%%:*}
		n=${r#*:}
		v=${n#*:}
		n=${n%%:*}
		name="guest-$g-smp$n"
		ioapic=0x11
		if [ "$v" != "$n" ]; then
			name="guest-$g-ioapic$v-smp$n"
			ioapic=0x$v
		fi
		mark "userspace test $name"
		# pause: with the module's PAUSE exits on (docs/run.md).
		[ "$g" = pause ] && pause_exits Y
		$vmm --backend vlapic --smp "$n" --timeout 300 --stats \
			--ioapic-version "$ioapic" \
			"/extra/guest/$g.elf" >/tmp/guest.out 2>/tmp/guest.err
		rc=$?
		[ "$g" = pause ] && pause_exits N
		cat /tmp/guest.out
		sed 's/^/# /' /tmp/guest.err
		[ "$rc" = 1 ] && rc=0
		mark "userspace exit $name $rc"
		if [ "$g" = pause ]; then
			# 4 x 256 PAUSEs, then the spin's own: one exit each.
			p=$(awk '$1 == "run_exit_pause" { print $2 }' /tmp/guest.err)
			s=$(sed -n 's/^# pause: spun \([0-9]*\) PAUSEs$/\1/p' \
				/tmp/guest.out)
			echo "# pause: ${p:-no} PAUSE exits, ${s:-?} in the spin"
			gname=$name	# check() sets name
			check "guest pause: every PAUSE of the program exited once (1024 + the spin's)" \
				test -n "$s" -a "${p:-0}" = "$((1024 + ${s:-0}))"
			name=$gname
		fi
		case " $kvm_not_in_check " in
		*" $name "*)
			mark "guest-kvm not run $name"
			continue
			;;
		esac
		if [ "$ioapic" != 0x11 ]; then
			mark "guest-kvm not run $name"
			continue
		fi
		rb=$(reboots_of /tmp/guest.err)
		mark "guest-kvm begin $name"
		kvm_guest_run "$g" "$n" "$rb"
		cat /tmp/guest.out /tmp/guest.err | sed 's/^/KVM: /'
		mark "guest-kvm end $name"
	done
}

# The Linux guest (docs/linux-guest.md): Debian's stock kernel and the
# initramfs of tests/linux-guest, which vmm-extra.sh put in /extra/linux.
# The command line: the serial console; tsc=reliable (no HPET or ACPI PM
# timer to watch the TSC with); no_timer_check (KVM's in-kernel 8259
# answers the probe, and the timer check would look for a PIT neither
# backend has); nokaslr (the same layout on every boot). The VMM adds the
# TSC frequency (tsc_early_khz).
linux_append="console=ttyS0 tsc=reliable no_timer_check nokaslr panic=-1"
# What fails the run when the guest kernel prints it: its APIC, IOAPIC,
# timer and SMP complaints, and any splat.
linux_warnings="IO-APIC \+ timer doesn|APIC error|spurious APIC|spurious 8259|detected stall|self-detected stall|lockup|as unstable|TSC warp|verification failure|failed to (boot|come online|report alive)|Inquiring remote APIC|lost ticks|unchecked MSR|WARNING:|BUG:|Oops|Call Trace|Kernel panic|clockevent.*(fail|broken)|Unable to calibrate"

# Print the guest's console as diagnostics, its splat words defused so
# parse-log.py does not take them for the host's.
linux_console() {
	sed -e 's/^/# guest| /' -e 's/BUG:/BUG;/g; s/WARNING:/WARNING;/g' \
		-e 's/Oops/0ops/g; s/Call Trace/Call-Trace/g' \
		-e 's/Kernel panic/Kernel-panic/g; s/INFO: /INFO; /g' \
		-e 's/general protection fault/general-protection fault/g' \
		-e 's/segfault at/segfault-at/g; s/KASAN:/KASAN;/g' \
		-e 's/UBSAN:/UBSAN;/g' "$1"
}

linux_tap() { # linux_tap STATUS N DESCRIPTION: a TAP line, ok if STATUS 0
	if [ "$1" = 0 ]; then
		echo "ok $2 - $3"
	else
		echo "not ok $2 - $3"
	fi
}

# linux_guest BACKEND SMP [reboot]: boot the guest on vlapic-vmm; its TAP
# lines are results "linux-guest-BACKEND-smpSMP: ...", then the harness's
# own: status 1 (debug-exit 0: every guest check passed), init reached,
# no warning. With "reboot" the guest reboots the VM once after its
# checks and checks again in its second boot (seed 000 with a real
# kernel); without, a reset ends the VMM (--no-reboot). Its console,
# /proc/interrupts and the exit table (--stats) are printed. A run that
# QEMU's defect ends (qemu_lost_host_state: the registers are the host
# kernel's, not the guest's; 1 run in 14 here) is run once more: it says
# nothing of the module or the guest, and this guest runs long enough
# (80 s) to meet it.
linux_guest() {
	name="linux-guest-$1-smp$2"
	append=$linux_append
	noreboot=--no-reboot
	if [ "${3:-}" = reboot ]; then
		name="$name-reboot"
		append="$append vlapic_guest.reboot"
		noreboot=
	fi
	mark "userspace test $name"
	t0=$(cut -d' ' -f1 /proc/uptime)
	try=1
	while :; do
		$vmm --backend "$1" --smp "$2" --mem 256 --timeout 900 --stats \
			$noreboot --initrd /extra/linux/guest.cpio \
			--append "$append" /extra/linux/vmlinuz \
			>/tmp/linux.out 2>/tmp/linux.err
		rc=$?
		{ [ "$try" = 1 ] && [ "$rc" = 10 ] &&
			qemu_lost_host_state /tmp/linux.err; } || break
		echo "# $name: QEMU's SVM lost the host's state (docs/run.md \"On QEMU\"), so once more:"
		grep -e 'internal error' -e ': RIP ' /tmp/linux.err | sed 's/^/#   /'
		try=2
	done
	t1=$(cut -d' ' -f1 /proc/uptime)
	tr -d '\r' </tmp/linux.out >/tmp/linux.log
	linux_console /tmp/linux.log
	grep -E '^(not )?ok [0-9]+ - ' /tmp/linux.log
	echo "# $name: VMM status $rc after $t0 -> $t1 s (test VM uptime)"
	grep 'init reached' /tmp/linux.log | sed 's/^/# /'
	sed 's/^/# /' /tmp/linux.err
	n=$(grep -cE '^(not )?ok [0-9]+ - ' /tmp/linux.log)
	[ "$rc" = 1 ]
	linux_tap $? $((n + 1)) "VMM status 1: the guest's checks passed (got $rc)"
	grep -q 'linux-guest: init reached' /tmp/linux.log
	linux_tap $? $((n + 2)) "the guest reached its init"
	! grep -E "$linux_warnings" /tmp/linux.log >/tmp/linux.warn
	linux_tap $? $((n + 3)) "no APIC/IOAPIC/timer/SMP warning on the guest console"
	if [ -z "$noreboot" ]; then
		grep -q 'init reached.*(boot 1)' /tmp/linux.log
		linux_tap $? $((n + 4)) "the guest rebooted the VM and reached its init again"
	fi
	linux_console /tmp/linux.warn | sed 's/^# guest| /# warning: /'
	mark "userspace exit $name 0"
}

# The guest-side fuzzer (tests/guest/fuzz.c). FUZZ_SEED, FUZZ_OPS (per
# vCPU) and FUZZ_SMP set the runs; make check takes the defaults, make
# soak larger ones. On vlapic: one vCPU twice (the same hash both times),
# FUZZ_SMP vCPUs at once (every TAP line ok), then a fresh VM runs hello
# (the VMM and the module still work). The first run is repeated on KVM
# (compare-guests.py compares the TAP lines; the per-class hashes, where
# KVM and vlapic see different things, are printed side by side: the
# differences are classified in docs/kvm-deviations.md).
fuzz_seed=${FUZZ_SEED:-17}
fuzz_ops=${FUZZ_OPS:-1500}
# Then FUZZ_SMP vCPUs at once (make check: 2). SMP runs leave CR8 alone:
# QEMU aborts on a CR8 write under a pending V_IRQ (docs/run.md "On
# QEMU").
fuzz_smp=${FUZZ_SMP:-2}

# qemu_lost_host_state ERRFILE: the VMM stopped on the emulator's known
# defect (docs/run.md "On QEMU"), not on anything of the module's or the
# guest's: QEMU's SVM ran the host's side of a #VMEXIT in guest mode, so
# the vCPU's registers at that nested page fault are the host kernel's
# (RIP in its upper half, CS 0x10), and the fault is the walk of that
# CR3's own top-level table, entry 511 (GPA = CR3 + 0xff8), which is no
# guest memory: a guest whose CR3 led there could not have run at all.
# About 1 run in 40 of the fuzzer on 2 vCPUs, 1 in 14 of the Linux guest.
qemu_lost_host_state() {
	local v gpa cr3

	v=$(sed -n 's/^.*: \(vcpu[0-9]*\): internal error: emulation failed, no instruction bytes; exit 0x400 .*$/\1/p' "$1" | head -n 1)
	[ -n "$v" ] || return 1
	gpa=$(sed -n "s/^.*: $v: internal error: .* exit 0x400 info 0x[0-9a-f]* \(0x[0-9a-f]*\) .*$/\1/p" "$1" | head -n 1)
	cr3=$(sed -n "s/^.*: $v: CR0 0x[0-9a-f]* CR2 0x[0-9a-f]* CR3 \(0x[0-9a-f]*\) .*$/\1/p" "$1" | head -n 1)
	[ -n "$gpa" ] && [ -n "$cr3" ] &&
		[ $(( (cr3 & ~0xfff) + 0xff8 )) = $((gpa)) ] &&
		grep -q ": $v: RIP 0xffffffff[89a-f][0-9a-f]\{7\} .* CS 0x10 " "$1"
}

pause_exits() { # pause_exits Y|N: the module's PAUSE exits for new vCPUs
	echo "$1" >/sys/module/vlapic/parameters/pause_exits
}

fuzz_run() { # fuzz_run NAME SMP EXTRA-CMDLINE: on vlapic, TAP lines as a test
	mark "userspace test $1"
	$vmm --backend vlapic --smp "$2" --timeout 600 \
		--append "seed=$fuzz_seed ops=$fuzz_ops $3" \
		/extra/guest/fuzz.elf >/tmp/fuzz.out 2>/tmp/fuzz.err
	rc=$?
	cat /tmp/fuzz.out
	sed 's/^/# /' /tmp/fuzz.err
	[ "$rc" = 1 ] && rc=0
	if [ "$2" -gt 1 ] && [ "$rc" = 10 ] && qemu_lost_host_state /tmp/fuzz.err; then
		echo "ok 0 - the fuzzer on $2 vCPUs finished # SKIP QEMU's SVM lost the host's state (docs/run.md \"On QEMU\")"
		rc=0
	fi
	mark "userspace exit $1 $rc"
}

fuzz_hash() { # the overall hash of the last fuzz_run
	sed -n 's/^# fuzz hash: .*: \(0x[0-9a-f]*\)$/\1/p' /tmp/fuzz.out
}

guest_fuzz() {
	fuzz_run guest-fuzz-smp1 1 ""
	h1=$(fuzz_hash)
	grep '^# fuzz ' /tmp/fuzz.out >/tmp/fuzz.vlapic
	fuzz_run guest-fuzz-replay-smp1 1 ""
	h2=$(fuzz_hash)
	mark "guest-kvm not run guest-fuzz-replay-smp1"
	echo "# guest fuzz seed $fuzz_seed on 1 vCPU: hash ${h1:-none} then ${h2:-none}"
	check "guest fuzz: seed $fuzz_seed on 1 vCPU replays (same hash twice)" \
		test -n "$h1" -a "$h1" = "$h2"
	if [ "$fuzz_smp" -gt 1 ]; then
		pause_exits Y
		fuzz_run "guest-fuzz-smp$fuzz_smp" "$fuzz_smp" no=cr8
		pause_exits N
		mark "guest-kvm not run guest-fuzz-smp$fuzz_smp"
	fi
	check "guest fuzz: a fresh VM runs hello after the fuzzing" \
		vmm_status 1 --backend vlapic --timeout 120 /extra/guest/hello.elf
	mark "guest-kvm begin guest-fuzz-smp1"
	$vmm --backend kvm --smp 1 --timeout 300 \
		--append "seed=$fuzz_seed ops=$fuzz_ops" \
		/extra/guest/fuzz.elf >/tmp/fuzz.out 2>/tmp/fuzz.err
	echo "# on KVM: status $?"
	sed 's/^/KVM: /' /tmp/fuzz.out /tmp/fuzz.err
	mark "guest-kvm end guest-fuzz-smp1"
	grep '^# fuzz ' /tmp/fuzz.out >/tmp/fuzz.kvm
	diff /tmp/fuzz.vlapic /tmp/fuzz.kvm |
		sed -n 's/^\([<>]\) # /# guest fuzz \1 /p'
}

# Host CPU 1 goes offline and online (3 times) while a guest runs (the
# fuzzer, FUZZ_SEED, on FUZZ_HOTPLUG_SMP vCPUs, 1 by default: on more,
# QEMU's page walk stops about half of these long runs, docs/testing.md
# "Guest fuzzer"): its vCPU threads move, the guest finishes with every
# TAP line ok, and KVM can then run a guest (kvm_amd refuses a CPU
# with EFER.SVME left set, so SVM was turned off where vlapic had it on).
guest_hotplug() {
	cpu1=/sys/devices/system/cpu/cpu1/online
	if [ ! -w $cpu1 ]; then
		check "hotplug: CPU 1 can go offline" false
		return
	fi
	hp=${FUZZ_HOTPLUG_SMP:-1}
	mark "userspace test guest-fuzz-hotplug-smp$hp"
	$vmm --backend vlapic --smp "$hp" --timeout 600 \
		--append "seed=$fuzz_seed ops=${FUZZ_HOTPLUG_OPS:-60000} no=cr8" \
		/extra/guest/fuzz.elf >/tmp/hp.out 2>/tmp/hp.err &
	pid=$!
	n=0
	live=0
	for i in 1 2 3; do
		sleep 1
		kill -0 $pid 2>/dev/null && live=$((live + 1))
		echo 0 >$cpu1 && sleep 1 && echo 1 >$cpu1 && n=$((n + 1))
	done
	wait $pid
	rc=$?
	cat /tmp/hp.out
	sed 's/^/# /' /tmp/hp.err
	[ "$rc" = 1 ] && rc=0
	mark "userspace exit guest-fuzz-hotplug-smp$hp $rc"
	mark "guest-kvm not run guest-fuzz-hotplug-smp$hp"
	echo "# hotplug: CPU 1 offline and online $n times, $live with the guest running"
	check "hotplug: CPU 1 went offline and online 3 times, the guest running" \
		test "$n" = 3 -a "$live" -ge 1
	check "hotplug: CPU 1 is online again" grep -qx 1 $cpu1
	check "hotplug: KVM runs hello afterwards" \
		vmm_status 1 --backend kvm --timeout 120 /extra/guest/hello.elf
}
