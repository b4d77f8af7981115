#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmm-tests.sh BACKEND [VMM]: the tests of vlapic-vmm on one backend
# (vlapic or kvm), as TAP on stdout. Busybox sh is enough. The guests and
# images are next to this script (build/vmm-tests); VMM defaults to
# ./vlapic-vmm there. Each guest's own TAP lines are passed on as ours.
#
# VMM_TESTS_KEEP=DIR keeps every run's output in DIR; VMM_TESTS_ONLY=
# "GROUP..." runs only those groups (devices irq reboot halt spin
# snapshot flat images).

backend=$1
dir=$(cd "$(dirname "$0")" && pwd)
vmm=${2:-$dir/vlapic-vmm}
tmp=${VMM_TESTS_KEEP:-$(mktemp -d)}
mkdir -p "$tmp"
n=0
failed=0
# A VMM that hangs despite --timeout is killed after this long.
guard=${VMM_TESTS_GUARD:-300}

tap() { # tap STATUS DESCRIPTION: STATUS 0 is ok
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $backend: $2"
	else
		echo "not ok $n - $backend: $2"
		failed=$((failed + 1))
	fi
}

# run NAME ARGS...: the VMM on this backend; output in $tmp/NAME.{out,err},
# status in $rc.
run() {
	name=$1
	shift
	timeout -s KILL "$guard" "$vmm" --backend "$backend" "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
}

show() { # the end of a run's output and its messages, as TAP diagnostics
	tail -n 30 "$tmp/$1.out" | sed 's/^/#   out: /'
	grep -v '^ ' "$tmp/$1.err" | tail -n 10 | sed 's/^/#   err: /'
}

check() { # check NAME DESCRIPTION COMMAND...: COMMAND decides
	name=$1 desc=$2
	shift 2
	if "$@"; then
		tap 0 "$desc"
	else
		tap 1 "$desc"
		show "$name"
	fi
}

status_is() { [ "$rc" = "$1" ]; }
out_has() { grep -q -e "$2" "$tmp/$1.out"; }
err_has() { grep -q -e "$2" "$tmp/$1.err"; }
# Exactly one line on stderr, containing $2.
err_one_line() { [ "$(wc -l <"$tmp/$1.err")" = 1 ] && err_has "$1" "$2"; }
# whole_lines FILE: FILE without a last line that lacks its newline.
whole_lines() { if [ -n "$(tail -c 1 "$1")" ]; then sed '$d' "$1"; else cat "$1"; fi; }

# guest_tap NAME [PLAN]: pass the guest's TAP lines on; then check that it
# printed its plan last (PLAN tests: by default all it printed; a guest
# that reboots numbers each boot anew).
guest_tap() {
	grep -E '^(not )?ok [0-9]+ - ' "$tmp/$1.out" >"$tmp/$1.tap"
	while read -r status rest; do
		case "$status" in
		ok) tap 0 "$1: ${rest#* - }" ;;
		*) tap 1 "$1: ${rest#ok * - }" ;;
		esac
	done <"$tmp/$1.tap"
	plan=${2:-$(wc -l <"$tmp/$1.tap")}
	check "$1" "$1: guest printed its plan (1..$plan) and ran to its end" \
		sh -c "tail -n 1 '$tmp/$1.out' | grep -q -x '1\.\.$plan'"
}

guest_all_ok() { # guest_all_ok NAME: its plan, no failure
	! grep -q '^not ok' "$tmp/$1.out" && grep -q '^1\.\.[1-9]' "$tmp/$1.out"
}

want() { [ -z "${VMM_TESTS_ONLY:-}" ] || case " $VMM_TESTS_ONLY " in *" $1 "*) true ;; *) false ;; esac; }

echo "# vlapic-vmm tests, backend $backend"

# --- multiboot loading, every device port ------------------------------
if want devices; then
	printf 'VLAPIC-INITRD and some more bytes\n' >"$tmp/initrd"
	isz=$(wc -c <"$tmp/initrd")
	common="marker=vmm-test backend=$backend initrd_size=$isz"
	run devices --smp 2 --mem 32 --initrd "$tmp/initrd" --timeout 120 \
		--append "smp=2 mem=32 x2apic=1 tsc_deadline=1 $common" \
		"$dir/devices.elf"
	check devices "devices: debug-exit 0 gives status 1" status_is 1
	guest_tap devices

	run devices-cpu --smp 1 --mem 16 --cpu -x2apic,-tsc-deadline \
		--initrd "$tmp/initrd" --timeout 120 \
		--append "smp=1 mem=16 x2apic=0 tsc_deadline=0 $common" \
		"$dir/devices.elf"
	check devices-cpu "devices, --smp 1 --mem 16 --cpu -x2apic,-tsc-deadline: status 1" \
		status_is 1
	check devices-cpu "devices, --cpu -x2apic,-tsc-deadline: every guest check ok" \
		guest_all_ok devices-cpu
fi

# --- interrupts through the IOAPIC, timer, state round trip (0xef) ------
if want irq; then
	run irq --smp 1 --mem 16 --timeout 120 "$dir/irq.elf"
	check irq "irq: status 1" status_is 1
	guest_tap irq
fi

# --- reboot: 0xcf9, keyboard controller, triple fault; APs reset ---------
if want reboot; then
	run reboot --smp 2 --mem 16 --timeout 240 --stats \
		--append "reboots=3" "$dir/reboot.elf"
	check reboot "reboot: three reboots, then status 1" status_is 1
	check reboot "reboot: the guest booted four times" out_has reboot "^# 4 boots"
	check reboot "reboot: --stats counts 3 reboots" err_has reboot "2 vCPUs, 3 reboots"
	guest_tap reboot 6

	run noreboot --mem 16 --timeout 60 --no-reboot \
		--append "reboots=1 method=2" "$dir/reboot.elf"
	check noreboot "triple fault with --no-reboot: status 16, one line" \
		sh -c "[ $rc = 16 ] && [ \$(wc -l <'$tmp/noreboot.err') = 1 ]"
	check noreboot "triple fault with --no-reboot: the guest got to it" \
		out_has noreboot "rebooting through a triple fault"
fi

# --- a guest halted for good ends the VMM with status 0 ------------------
if want halt; then
	for mode in cli sti timer; do
		run "halt-$mode" --smp 2 --mem 16 --timeout 60 --append "mode=$mode" \
			"$dir/halt.elf"
		check "halt-$mode" "halt ($mode, APs waiting for SIPI): status 0, reported" \
			sh -c "[ $rc = 0 ] && grep -q 'all vCPUs halted and nothing can wake them' '$tmp/halt-$mode.err'"
	done
	check halt-timer "halt (timer): the one-shot timer woke it first" \
		out_has halt-timer "^# timer fired"
fi

# --- a guest that spins forever is ended by --timeout -------------------
if want spin; then
	run spin --smp 2 --mem 16 --timeout 3 "$dir/spin.elf"
	check spin "spin: --timeout 3 gives status 12, the timeout first" \
		sh -c "[ $rc = 12 ] && head -n 1 '$tmp/spin.err' | grep -q 'timeout: the guest still runs'"
	check spin "spin: the guest ran" out_has spin "test guest: spin"
	at=$(sed -n 's/^# vlapic-vmm test guest: spin at \(0x[0-9a-f]*\)$/\1/p' \
		"$tmp/spin.out")
	check spin "spin: the timeout report has vcpu0 at the loop ($at)" \
		err_has spin "^vlapic-vmm: vcpu0: RIP ${at:-none} "
	check spin "spin: the timeout report has vcpu1 waiting for SIPI" \
		err_has spin "^vlapic-vmm: vcpu1: [0-9]* exits to the VMM, waits for SIPI$"
	check spin "spin: the timeout report has vcpu0's LAPIC" \
		err_has spin "^vlapic-vmm: vcpu0: IA32_APIC_BASE 0xfee00900; LAPIC ID 0x0 "
fi

# --- snapshot and restore -------------------------------------------------
if want snapshot; then
	rm -f "$tmp/snap"
	run snap --smp 2 --mem 16 --timeout 120 --snapshot-at 2 "$tmp/snap" \
		--append "ticks=500" "$dir/ticker.elf"
	check snap "snapshot: --snapshot-at 2 gives status 0 and a file" \
		sh -c "[ $rc = 0 ] && [ -s '$tmp/snap' ] && grep -q 'snapshot of the running guest written' '$tmp/snap.err'"
	# The snapshot may fall inside a printf: snap.out then ends in part
	# of a line ("tick 2") that the restored guest completes ("00").
	# Only whole lines count as ticks seen before; the two outputs put
	# together must read as one run's.
	before=$(whole_lines "$tmp/snap.out" | sed -n 's/^tick \([0-9]*\)$/\1/p' | tail -n 1)
	check snap "snapshot: taken while the guest ticked (last tick ${before:-none})" \
		sh -c "[ -n '$before' ] && ! grep -q '^ok' '$tmp/snap.out'"
	run restore --restore "$tmp/snap" --timeout 120 --stats
	after=$(sed -n 's/^tick \([0-9]*\)$/\1/p' "$tmp/restore.out" | head -n 1)
	check restore "restore: the guest finishes (status 1)" status_is 1
	check restore "restore: it goes on from the snapshot (first tick ${after:-none} after ${before:-none}), no new boot" \
		sh -c "[ -n '$after' ] && [ -n '$before' ] && [ $after -gt $before ] && [ $after -le \$(( $before + 20 )) ] && ! grep -q 'test guest' '$tmp/restore.out'"
	joined=$(cat "$tmp/snap.out" "$tmp/restore.out" |
		sed -n 's/^tick \([0-9]*\)$/\1/p' | tr '\n' ' ')
	check restore "restore: both outputs together print ticks 10 to 500 once each, in order" \
		test "$joined" = "$(seq 10 10 500 | tr '\n' ' ')"
	check restore "restore: its timer kept ticking to the end" \
		out_has restore "^ok 1 - ticked 500 times"
	check restore "--stats: exits by reason and the backend's counters" \
		sh -c "grep -q 'exits to the VMM by reason' '$tmp/restore.err' && grep -q '^  io ' '$tmp/restore.err' && grep -q -e '$backend per-vCPU' '$tmp/restore.err'"
	head -c 50000 "$tmp/snap" >"$tmp/snap-cut"
	run restore-cut --restore "$tmp/snap-cut" --timeout 30
	check restore-cut "restore of a truncated snapshot: status 8, one line" \
		sh -c "[ $rc = 8 ] && [ \$(wc -l <'$tmp/restore-cut.err') = 1 ]"
fi

# --- raw flat binary ------------------------------------------------------
if want flat; then
	run flat --mem 16 --timeout 30 --flat "$dir/flat.bin"
	check flat "--flat: entered at 0x100000, debug-exit 0x21 gives status 67" \
		sh -c "[ $rc = 67 ] && grep -q 'flat ok' '$tmp/flat.out'"
fi

# --- images the loader refuses: status 8 and one line ---------------------
if want images; then
	for c in "badsum.elf:no multiboot header" "nomb.bin:no multiboot header" \
		"truncated.elf:truncated image" "elf64.elf:not an ELF32" \
		"high.elf:outside the guest's RAM"; do
		f=${c%%:*} msg=${c#*:}
		run "bad-$f" --mem 16 --timeout 10 "$dir/bad-$f"
		check "bad-$f" "bad image $f: status 8, one line: $msg" \
			sh -c "[ $rc = 8 ] && [ \$(wc -l <'$tmp/bad-$f.err') = 1 ] && grep -q \"$msg\" '$tmp/bad-$f.err'"
	done
	run missing --mem 16 "$dir/no-such-kernel.elf"
	check missing "missing kernel: status 8, one line" \
		sh -c "[ $rc = 8 ] && [ \$(wc -l <'$tmp/missing.err') = 1 ]"
	run usage --smp 0 "$dir/halt.elf"
	check usage "--smp 0: usage error, status 2" status_is 2
	run usage-ioapic --ioapic-version 0x12 "$dir/halt.elf"
	check usage-ioapic "--ioapic-version 0x12: usage error, status 2" \
		status_is 2
	# 0x20 (the EOI register): the module's IOAPIC only; KVM's is 0x11.
	run ioapic20 --mem 16 --timeout 30 --ioapic-version 0x20 \
		"$dir/halt.elf"
	if [ "$backend" = kvm ]; then
		check ioapic20 "--ioapic-version 0x20 on KVM: status 6, one line" \
			sh -c "[ $rc = 6 ] && [ \$(wc -l <'$tmp/ioapic20.err') = 1 ]"
	else
		check ioapic20 "--ioapic-version 0x20: the guest runs (status 0)" \
			status_is 0
	fi
fi

echo "1..$n"
echo "# $failed of $n failed; outputs in $tmp"
[ "$failed" = 0 ]
