#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make linux-check`: boot the test kernel with only the Linux guest on
# vlapic-vmm, on vlapic and on KVM (plan-linux.sh), for work on that
# boot; `make check` runs the same in its vlapic-vmm boot. LINUX_SMP=N
# vCPUs (2); LINUX_BACKENDS="vlapic" runs on one backend only;
# LINUX_REBOOT=0: no reboot on vlapic. Prints the results and "N passed,
# N failed"; the console is build/linux.console.log.
. "$(dirname "$0")/lib.sh"

BUILD="$ROOT/build"
mkdir -p "$BUILD"
kdir=$(bash "$ROOT/tests/harness/build-kernel.sh")
build_modules linux "$kdir" >/dev/null || die "module build failed"
make -C "$ROOT/tools" >"$BUILD/linux-build.log" 2>&1 ||
	{ cat "$BUILD/linux-build.log"; die "tools build failed"; }
bash "$ROOT/tests/harness/vmm-extra.sh" "$kdir" "$BUILD/linux-extra"
plan="$BUILD/plan-linux.sh"
{
	echo "LINUX_SMP=${LINUX_SMP:-2}"
	echo "LINUX_BACKENDS=\"${LINUX_BACKENDS:-vlapic kvm}\""
	echo "LINUX_REBOOT=${LINUX_REBOOT:-1}"
	cat "$ROOT/tests/harness/plan-linux.sh"
} >"$plan"
bash "$ROOT/tests/harness/mkinitramfs.sh" "$BUILD/linux.cpio" "$plan" \
	"$BUILD/linux" "" "$BUILD/linux-extra"
rc=0
t0=$(date +%s)
bash "$ROOT/tests/harness/boot.sh" "$kdir/arch/x86/boot/bzImage" \
	"$BUILD/linux.cpio" "$BUILD/linux.console.log" \
	"${VLAPIC_LINUX_TIMEOUT:-1500}" || rc=$?
log "linux boot: exit $rc after $(($(date +%s) - t0)) s"
: >"$BUILD/linux.results"
python3 "$ROOT/tests/harness/parse-log.py" "$BUILD/linux.console.log" \
	--boot linux --results "$BUILD/linux.results" --boot-rc "$rc" || true
passed=$(grep -c '^ok ' "$BUILD/linux.results" || true)
failed=$(grep -c '^not ok ' "$BUILD/linux.results" || true)
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
