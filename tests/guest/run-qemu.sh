#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The reference run: every guest program on plain QEMU TCG (QEMU's own
# APIC and IOAPIC), with 1, 2 and 4 CPUs, and a summary.
#
#   tests/guest/run-qemu.sh [-c "1 2 4"] [-k] [PROGRAM...]
#
# -c: CPU counts; -k: keep the TAP logs (in build/guest/qemu-logs/).
# A `not ok` that matches a known deviation of QEMU 7.2's TCG APIC from the
# SDM (list below) is counted as "QEMU deviation", not as a failure. The
# script exits 0 when nothing else failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out="$top/build/guest"
cpus="1 2 4"
while getopts "c:k" opt; do
	case $opt in
	c) cpus=$OPTARG ;;
	k) ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
progs=("$@")
[ ${#progs[@]} -eq 0 ] && progs=(hello xapic x2apic timer ipi initsipi tpr nmi
	seed000 seed001 seed003 seed004)

make -s -C "$here" O="$out" >/dev/null || exit 1
logs="$out/qemu-logs"
mkdir -p "$logs"

# program:regex of `not ok` descriptions QEMU 7.2 TCG is known to fail.
deviations=(
	# No ESR for illegal vectors; illegal vectors are delivered.
	'xapic:ESR (send|receive) illegal vector'
	'xapic:vector 5 is not pending'
	'xapic:raises the error LVT interrupt'
	'xapic:illegal vectors 5 and 7 are not delivered'
	# LVT writes are stored whole; SVR software disable does not mask.
	'xapic:reserved bits read 0, the others read back'
	'xapic:software disable masks|cannot clear the mask|leaves the LVTs masked'
	# MMIO reads narrower than 32 bits return 0.
	'xapic:MOVZX (byte|word) load'
	# The xAPIC page cannot be relocated.
	'xapic:relocated page|old page|TPR 0 at the default base again'
	# A globally disabled APIC still answers MMIO.
	'xapic:disabled: .*(all ones|dropped)'
	# Lowest priority goes to the lowest-numbered CPU, whatever its TPR.
	'ipi:lowest priority to all: CPU [1-9][0-9]* \(lowest TPR\)'
)

is_deviation() { # program description
	local d
	for d in "${deviations[@]}"; do
		[ "${d%%:*}" = "$1" ] || continue
		[[ "$2" =~ ${d#*:} ]] && return 0
	done
	return 1
}

total_ok=0 total_skip=0 total_dev=0 total_fail=0 bad_runs=0
printf '%-9s %4s %5s %5s %5s %5s %6s  %s\n' program cpus tests ok skip \
	qemu-dev failed status
for p in "${progs[@]}"; do
	for n in $cpus; do
		log="$logs/$p-$n.tap"
		timeout 300 nice -n 10 qemu-system-x86_64 -accel tcg -cpu max \
			-smp "$n" -m 256 -nodefaults -display none \
			-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
			-device pc-testdev -kernel "$out/$p.elf" >"$log" 2>/dev/null
		rc=$?
		tests=$(grep -cE '^(not )?ok ' "$log")
		skip=$(grep -cE '^ok .*# SKIP' "$log")
		ok=$(($(grep -cE '^ok ' "$log") - skip))
		dev=0 fail=0
		while IFS= read -r line; do
			desc=${line#not ok * - }
			if is_deviation "$p" "$desc"; then
				dev=$((dev + 1))
			else
				fail=$((fail + 1))
				echo "  $p/$n: $line" >&2
			fi
		done < <(grep -E '^not ok ' "$log")
		plan=$(grep -cE "^1\.\.$tests\$" "$log")
		status="exit $rc"
		if [ "$plan" != 1 ] || { [ "$rc" != 1 ] && [ "$rc" != 3 ]; } ||
			{ [ "$rc" = 3 ] && [ $((dev + fail)) = 0 ]; }; then
			status="$status, BAD RUN"
			bad_runs=$((bad_runs + 1))
		fi
		printf '%-9s %4s %5s %5s %5s %5s %6s  %s\n' "$p" "$n" "$tests" \
			"$ok" "$skip" "$dev" "$fail" "$status"
		total_ok=$((total_ok + ok))
		total_skip=$((total_skip + skip))
		total_dev=$((total_dev + dev))
		total_fail=$((total_fail + fail))
	done
done
echo "$total_ok passed, $total_skip skipped, $total_dev QEMU deviations," \
	"$total_fail failed, $bad_runs bad runs (logs in $logs)"
[ "$total_fail" = 0 ] && [ "$bad_runs" = 0 ]
