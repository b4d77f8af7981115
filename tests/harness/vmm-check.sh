#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make vmm-check`: boot the test kernel with only the vlapic-vmm tests
# and the guest programs on vlapic and KVM (plan-vmmonly.sh: plan-vmm.sh),
# for work on the VMM or the run loop; `make check` runs the same
# functions in its test-kernel boot. VMM_ONLY="GROUP..."
# runs only those groups of tools/vmm/tests/vmm-tests.sh. Prints the
# results and "N passed, N failed"; the console is build/vmm.console.log.
. "$(dirname "$0")/lib.sh"

BUILD="$ROOT/build"
mkdir -p "$BUILD"
kdir=$(bash "$ROOT/tests/harness/build-kernel.sh")
build_modules vmm "$kdir" >/dev/null || die "module build failed"
make -C "$ROOT/tools" >"$BUILD/vmm-build.log" 2>&1 ||
	{ cat "$BUILD/vmm-build.log"; die "tools build failed"; }
bash "$ROOT/tests/harness/vmm-extra.sh" "$kdir" "$BUILD/vmm-extra"
[ -z "${VMM_ONLY:-}" ] || echo "$VMM_ONLY" >"$BUILD/vmm-extra/vmm-only"
bash "$ROOT/tests/harness/mkinitramfs.sh" "$BUILD/vmm.cpio" \
	"$ROOT/tests/harness/plan-vmmonly.sh" "$BUILD/vmm" "" "$BUILD/vmm-extra"
rc=0
t0=$(date +%s)
bash "$ROOT/tests/harness/boot.sh" "$kdir/arch/x86/boot/bzImage" \
	"$BUILD/vmm.cpio" "$BUILD/vmm.console.log" \
	"${VLAPIC_VMM_TIMEOUT:-900}" || rc=$?
log "vmm boot: exit $rc after $(($(date +%s) - t0)) s"
: >"$BUILD/vmm.results"
python3 "$ROOT/tests/harness/parse-log.py" "$BUILD/vmm.console.log" \
	--boot vmm --results "$BUILD/vmm.results" --boot-rc "$rc" || true
# VMM_ONLY runs no guest program, so there is nothing to compare.
[ -n "${VMM_ONLY:-}" ] ||
	python3 "$ROOT/tests/harness/compare-guests.py" \
		"$BUILD/vmm.console.log" "$ROOT/docs/kvm-deviations.md" \
		"$BUILD/vmm.results" >/dev/null || true
passed=$(grep -c '^ok ' "$BUILD/vmm.results" || true)
failed=$(grep -c '^not ok ' "$BUILD/vmm.results" || true)
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
