#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: vlapic-bench in Debian's stock kernel (no sanitizers),
# next to KVM's in-kernel irqchip (kvm_amd from the same package) in the
# same boot, then the benchmark guest (tests/guest/bench.c) under
# vlapic-vmm on both (bench-guests.py), then the Linux guest on both
# (bench-linux.py: boot time, exits by reason). Prints the figures;
# performance is reported, not asserted.
. "$(dirname "$0")/lib.sh"

BUILD="$ROOT/build"
mkdir -p "$BUILD"
stock=$(bash "$ROOT/tests/harness/deps.sh")
hdr=$(debian_headers_dir)
log "building vlapic.ko for Debian's headers and vlapic-bench"
build_modules debian "$hdr" >/dev/null || die "module build failed: $BUILD/debian.log"

extra="$BUILD/bench-extra"
rm -rf "$extra" && mkdir -p "$extra/modules"
gcc -static -O2 -Wall -Wextra -Werror -I"$ROOT/include/uapi" \
	-o "$extra/vlapic-bench" "$ROOT/tools/bench/vlapic-bench.c"
make -C "$ROOT/tools" >"$BUILD/bench-tools.log" 2>&1 ||
	die "tools build failed: $BUILD/bench-tools.log"
make -C "$ROOT/tests/guest" O="$BUILD/guest" >"$BUILD/bench-guest.log" 2>&1 ||
	die "guest build failed: $BUILD/bench-guest.log"
cp "$BUILD/tools-bin/vlapic-vmm" "$BUILD/guest/bench.elf" "$extra/"
# The Linux guest: this same stock kernel and tests/linux-guest's initramfs.
mkdir -p "$extra/linux"
cp "$(ls "$stock"/boot/vmlinuz-*)" "$extra/linux/vmlinuz"
bash "$ROOT/tests/linux-guest/mkguest.sh" "$extra/linux/guest.cpio" ||
	die "the Linux guest's initramfs failed to build"
kmods=$(ls -d "$stock"/lib/modules/*/kernel)
cp "$kmods/virt/lib/irqbypass.ko" "$kmods/arch/x86/kvm/kvm.ko" \
	"$kmods/drivers/crypto/ccp/ccp.ko" "$kmods/arch/x86/kvm/kvm-amd.ko" \
	"$extra/modules/"

bash "$ROOT/tests/harness/mkinitramfs.sh" "$BUILD/bench.cpio" \
	"$ROOT/tests/harness/plan-bench.sh" "$BUILD/debian" "" "$extra"
log "booting Debian's kernel with KVM and vlapic (limit 1500s)"
rc=0
bash "$ROOT/tests/harness/boot.sh" "$(ls "$stock"/boot/vmlinuz-*)" \
	"$BUILD/bench.cpio" "$BUILD/bench.console.log" 1500 || rc=$?
sed -n 's/.*\(bench: .*\)/\1/p' "$BUILD/bench.console.log"
grep -q 'bench: done' "$BUILD/bench.console.log" || die "the benchmark did not finish (rc $rc); see $BUILD/bench.console.log"
python3 "$ROOT/tests/harness/bench-guests.py" "$BUILD/bench.console.log"
echo
python3 "$ROOT/tests/harness/bench-linux.py" "$BUILD/bench.console.log" ||
	log "bench: the Linux guest did not pass on both backends (see the table)"
