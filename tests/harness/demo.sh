#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo-emulated`: build the test kernel (cached), vlapic.ko and tools,
# boot the test VM and run vlapic-demo in it, streaming its output.
# Exits with vlapic-demo's status.
. "$(dirname "$0")/lib.sh"

BUILD="$ROOT/build"
mkdir -p "$BUILD"
log "dependencies and test kernel (cached after the first run)"
bash "$ROOT/tests/harness/deps.sh" >/dev/null
kdir=$(bash "$ROOT/tests/harness/build-kernel.sh")

log "building vlapic.ko for the test kernel and tools/"
dst="$BUILD/demo"
build_modules demo "$kdir" >"$BUILD/demo-build.log" 2>&1 ||
	{ cat "$BUILD/demo-build.log"; die "module build failed"; }
rm -f "$dst"/vlapic_kunit.ko
make -C "$ROOT/tools" >>"$BUILD/demo-build.log" 2>&1 ||
	{ cat "$BUILD/demo-build.log"; die "tools build failed"; }

bash "$ROOT/tests/harness/mkinitramfs.sh" "$BUILD/demo.cpio" \
	"$ROOT/tests/harness/plan-demo.sh" "$dst" "$BUILD/tools-bin"
console="$BUILD/demo.console.log"
: >"$console"
log "booting the test VM (QEMU TCG, 2 CPUs; console in $console)"
VLAPIC_BOOT_ARGS="quiet ${VLAPIC_BOOT_ARGS:-}" \
	bash "$ROOT/tests/harness/boot.sh" "$kdir/arch/x86/boot/bzImage" \
	"$BUILD/demo.cpio" "$console" "${VLAPIC_DEMO_TIMEOUT:-300}" &
qemu=$!
# Stream the demo's own output as it comes.
tail -n +1 -f --pid="$qemu" "$console" |
	sed -u -n '/VLAPIC-HARNESS: booted/,$p' |
	grep --line-buffered -v -e '^VLAPIC-HARNESS' -e '^\[ *[0-9]*\.[0-9]*\] ' || true
rc=0
wait "$qemu" || rc=$?
[ "$rc" = 0 ] || die "QEMU exited with $rc"
status=$(sed -n 's/.*VLAPIC-HARNESS: demo exit \([0-9]*\).*/\1/p' "$console" | tr -d '\r')
[ -n "$status" ] || die "the demo did not run to its end"
log "vlapic-demo exited with $status"
exit "$status"
