#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh KERNEL INITRAMFS LOG TIMEOUT_SECONDS
# Boots KERNEL in QEMU (TCG, SVM+NPT CPU, 2 vCPUs, 1 GiB) with its console
# on LOG. A guest that is still running after the timeout is killed and
# the tail of its console is printed; the exit code is then 124. QEMU
# gets its largest translation cache: each flush of it may deliver an
# interrupt injected by VMRUN a second time (docs/run.md "On QEMU").
. "$(dirname "$0")/lib.sh"

kernel=$1 initrd=$2 out=$3 limit=$4
rc=0
timeout --foreground -k 10 "$limit" \
	qemu-system-x86_64 -accel tcg,tb-size=2048 -cpu qemu64,+svm,+npt -smp 2 -m 1G \
	-nodefaults -display none -no-reboot -monitor none \
	-serial "file:$out" -kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 kmemleak=on kunit.enable=1 ${VLAPIC_BOOT_ARGS:-}" \
	</dev/null >&2 || rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	log "boot: $kernel still running after ${limit}s; console tail:"
	tail -n 40 "$out" >&2
	exit 124
fi
exit "$rc"
