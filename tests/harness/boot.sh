#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh KERNEL INITRAMFS LOG TIMEOUT_SECONDS
# Boots KERNEL in QEMU (TCG, SVM+NPT CPU, 2 vCPUs, 1 GiB) with its console
# on LOG. A guest that is still running after the timeout is killed and
# the tail of its console is printed, with where its CPUs are
# (hang-dump.py, through QEMU's gdb stub); the exit code is then 124. QEMU
# gets its largest translation cache: each flush of it may deliver an
# interrupt injected by VMRUN a second time (docs/run.md "On QEMU").
# QEMU logs the test VM's CPU resets and triple faults to LOG's
# .qemu.log; a boot that ends before its plan's end says which it was.
. "$(dirname "$0")/lib.sh"

kernel=$1 initrd=$2 out=$3 limit=$4
qlog=${out%.log}.qemu.log
# A gdb stub on a free local port: hang-dump.py reads the CPUs through it
# if the guest is still running at the limit.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
qemu-system-x86_64 -accel tcg,tb-size=2048 -cpu qemu64,+svm,+npt -smp 2 -m 1G \
	-nodefaults -display none -no-reboot -monitor none \
	-d cpu_reset -D "$qlog" \
	-gdb "tcp:127.0.0.1:$port" \
	-serial "file:$out" -kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 kmemleak=on kunit.enable=1 ${VLAPIC_BOOT_ARGS:-}" \
	</dev/null >&2 &
qemu=$!
trap 'kill "$qemu" 2>/dev/null || true' EXIT
waited=0
while kill -0 "$qemu" 2>/dev/null && [ "$waited" -lt "$limit" ]; do
	sleep 1
	waited=$((waited + 1))
done
if kill -0 "$qemu" 2>/dev/null; then
	log "boot: $kernel still running after ${limit}s; console tail:"
	tail -n 40 "$out" >&2
	moddirs=()
	for d in ${BOOT_MODDIRS:-}; do moddirs+=(--moddir "$d"); done
	python3 "$ROOT/tests/harness/hang-dump.py" --port "$port" \
		--kernel "$kernel" --console "$out" "${moddirs[@]}" >&2 || true
	kill "$qemu" 2>/dev/null || true
	sleep 10
	kill -9 "$qemu" 2>/dev/null || true
	wait "$qemu" 2>/dev/null || true
	exit 124
fi
rc=0
wait "$qemu" || rc=$?
# init.sh ends every plan with its end mark and a reboot (which ends QEMU).
if ! grep -q '^VLAPIC-HARNESS: end' "$out"; then
	if grep -q 'Triple fault' "$qlog"; then
		log "boot: the test VM ended in a triple fault before its plan's end ($qlog)"
	else
		log "boot: the test VM asked for a reset or power-off before its plan's end (QEMU status $rc, no triple fault in $qlog)"
	fi
fi
exit "$rc"
