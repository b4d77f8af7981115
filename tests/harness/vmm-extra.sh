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
# The Linux guest: Debian's stock kernel, the generic amd64 flavour even
# where other flavours' headers (rt, cloud) are installed too, and its
# initramfs (linux/).
stock=$(bash "$ROOT/tests/harness/deps.sh")
guest=$(ls "$(dirname "$stock")"/stock-*[0-9]-amd64-*/boot/vmlinuz-*[0-9]-amd64 |
	sort -V | tail -n 1)
[ -f "$guest" ] || die "no generic amd64 stock kernel under $(dirname "$stock")"
mkdir -p "$out/linux"
cp "$guest" "$out/linux/vmlinuz"
bash "$ROOT/tests/linux-guest/mkguest.sh" "$out/linux/guest.cpio" ||
	die "the Linux guest's initramfs failed to build"
