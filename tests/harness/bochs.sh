#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bochs.sh KERNEL INITRAMFS LOG TIMEOUT_SECONDS
# Boots KERNEL in Bochs (CPU model corei7_skylake_x: VMX with EPT, TPR
# shadow, APIC-register virtualization and virtual-interrupt delivery, no
# posted interrupts) with its console on LOG. The kernel and initramfs go
# on a FAT disk image with SYSLINUX (mtools, no mounts). Bochs does not
# power off by itself: it is stopped when the console shows the harness's
# end mark, or after the timeout (exit code 124, console tail printed).
. "$(dirname "$0")/lib.sh"

kernel=$1 initrd=$2 out=$3 limit=$4
tmp=$(mktemp -d)
pid=
cleanup() {
	# set -e holds in the trap too: a killed Bochs must not be the status.
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# FAT image: SYSLINUX's boot record in sector 0 (a "superfloppy", which
# the Bochs BIOS boots like any MBR), its config, the kernel, the initramfs.
size=$(( ( $(stat -c %s "$kernel") + $(stat -c %s "$initrd") ) / 1024 / 1024 + 16 ))
img="$tmp/disk.img"
# 16 heads x 63 sectors x 512 bytes per cylinder: the geometry Bochs takes.
cyl=$(( size * 2048 / (16 * 63) + 1 ))
truncate -s $(( cyl * 16 * 63 * 512 )) "$img"
mkfs.vfat -n VLAPIC "$img" >/dev/null
export MTOOLS_SKIP_CHECK=1
cat >"$tmp/syslinux.cfg" <<CFG
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL bzimage
  INITRD initrd
  APPEND console=ttyS0,115200 acpi=off noxsave panic=-1 kmemleak=on kunit.enable=1 ${VLAPIC_BOOT_ARGS:-}
CFG
mcopy -i "$img" "$kernel" ::bzimage
mcopy -i "$img" "$initrd" ::initrd
mcopy -i "$img" "$tmp/syslinux.cfg" ::syslinux.cfg
syslinux --install "$img"

cat >"$tmp/bochsrc" <<RC
megs: ${VLAPIC_BOCHS_MEGS:-1024}
cpu: model=corei7_skylake_x, count=1, ips=${VLAPIC_BOCHS_IPS:-100000000}, reset_on_triple_fault=0
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=disk, path="$img", mode=flat, cylinders=$cyl, heads=16, spt=63
boot: disk
clock: sync=none, time0=local
display_library: rfb, options="timeout=0"
com1: enabled=1, mode=file, dev="$out"
log: $tmp/bochs.log
panic: action=fatal
error: action=ignore
info: action=ignore
debug: action=ignore
RC
# The Debian build has the debugger: "c" (continue) is its first command.
echo c >"$tmp/rc"
: >"$out"
bochs -q -f "$tmp/bochsrc" -rc "$tmp/rc" </dev/null >"$tmp/stdout" 2>&1 &
pid=$!

rc=0
t0=$(date +%s)
# The plan sleeps after its last line so that the tty drains; the guest's
# reboot then ends Bochs (its BIOS faults on the locked feature-control
# MSR), or this loop stops it.
while ! grep -q '^VLAPIC-HARNESS: end' "$out" 2>/dev/null; do
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid" || true
		pid=
		log "bochs: stopped before the end mark; its log:"
		tail -n 5 "$tmp/bochs.log" >&2
		rc=1
		break
	fi
	if [ $(( $(date +%s) - t0 )) -ge "$limit" ]; then
		log "bochs: $kernel still running after ${limit}s; console tail:"
		tail -n 40 "$out" >&2
		rc=124
		break
	fi
	sleep 2
done
log "bochs: $(( $(date +%s) - t0 ))s"
exit "$rc"
