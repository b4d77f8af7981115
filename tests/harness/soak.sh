#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make soak SECONDS=N [SEED=S]`: boot the test kernel (KASAN, UBSAN,
# lockdep, kmemleak) and run the fault-injection test, then the fuzzer for
# 2/3 and the SMP stress for 1/3 of N seconds, then the guest fuzzer
# (tests/guest/fuzz.c) with 20000 operations per vCPU on 1 and 8 vCPUs.
# Fails like `make check` on a failed TAP line, a non-zero exit, a splat or
# a leak. See docs/testing.md.
. "$(dirname "$0")/lib.sh"

secs=${1:-600}
seed=${2:-}
case "$secs" in ''|*[!0-9]*) die "SECONDS must be a number of seconds" ;; esac
[ -z "$seed" ] || case "$seed" in *[!0-9]*) die "SEED must be a number" ;; esac

BUILD="$ROOT/build"
mkdir -p "$BUILD"
kdir=$(bash "$ROOT/tests/harness/build-kernel.sh")
log "building the modules for the test kernel and tools/fuzz"
build_modules test "$kdir" >/dev/null || die "module build failed: $BUILD/test.log"
rm -rf "$BUILD/soak-bin"
bash "$ROOT/tools/fuzz/build.sh" "$BUILD/soak-bin" || die "tools/fuzz build failed"
make -C "$ROOT/tools" >"$BUILD/soak-tools.log" 2>&1 ||
	{ cat "$BUILD/soak-tools.log"; die "tools build failed"; }
bash "$ROOT/tests/harness/vmm-extra.sh" "$kdir" "$BUILD/soak-extra"

plan="$BUILD/plan-soak.sh"
{
	echo "SOAK_SECONDS=$secs"
	echo "SOAK_SEED=$seed"
	cat "$ROOT/tests/harness/plan-soak.sh"
} >"$plan"
bash "$ROOT/tests/harness/mkinitramfs.sh" "$BUILD/soak.cpio" "$plan" \
	"$BUILD/test" "$BUILD/soak-bin" "$BUILD/soak-extra"
log "soak: booting the test kernel for ${secs}s of fuzzing and stress"
rc=0
bash "$ROOT/tests/harness/boot.sh" "$kdir/arch/x86/boot/bzImage" \
	"$BUILD/soak.cpio" "$BUILD/soak.console.log" $((secs + 600)) || rc=$?
results="$BUILD/soak-results"
: >"$results"
python3 "$ROOT/tests/harness/parse-log.py" "$BUILD/soak.console.log" \
	--boot soak --results "$results" --boot-rc "$rc" || true
grep -E '^# (vlapic-(fuzz|stress|failslab): |replay|lockstep seed|guest fuzz|fuzz hash|fuzz: )' \
	"$BUILD/soak.console.log" || true
passed=$(grep -c '^ok ' "$results" || true)
failed=$(grep -c '^not ok ' "$results" || true)
if [ "$failed" -ne 0 ]; then
	echo "Failed:"
	grep '^not ok ' "$results" | sed 's/^not ok /  /'
fi
echo "soak: $passed passed, $failed failed; console in $BUILD/soak.console.log"
[ "$failed" -eq 0 ]
