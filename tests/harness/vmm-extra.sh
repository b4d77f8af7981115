#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vmm-extra.sh KDIR OUTDIR: gather what the test VM needs to run
# vlapic-vmm (plan-vmm.sh) into OUTDIR, which mkinitramfs.sh puts at
# /extra: vmm/ (vlapic-vmm, its test guests, broken images and
# vmm-tests.sh, from `make -C tools`), tools/ (vlapic-stat, which the e2e
# test stats runs), guest/ (the guest programs of
# tests/guest, built here) and kvm/ (irqbypass.ko, kvm.ko, kvm-amd.ko of
# the test kernel in KDIR).
. "$(dirname "$0")/lib.sh"

kdir=$1 out=$2
rm -rf "$out"
mkdir -p "$out/vmm" "$out/kvm" "$out/guest" "$out/tools"
make -C "$ROOT/tests/guest" O="$ROOT/build/guest" >/dev/null ||
	die "tests/guest programs failed to build"
cp "$ROOT/build/guest/"*.elf "$out/guest/"
cp "$ROOT/build/vmm-tests/"* "$out/vmm/"
cp "$ROOT/build/tools-bin/vlapic-vmm" "$out/vmm/"
cp "$ROOT/build/tools-bin/vlapic-stat" "$out/tools/"
for m in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-amd.ko; do
	[ -f "$kdir/$m" ] || die "$kdir/$m missing: is CONFIG_KVM_AMD=m in tests/kernel.config?"
	cp "$kdir/$m" "$out/kvm/"
done
cp "$ROOT/tests/harness/plan-vmm.sh" "$out/plan-vmm.sh"
