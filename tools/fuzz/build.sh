#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build.sh OUTDIR: build the fuzzer, the SMP stress test and the fault
# injection test as static binaries into OUTDIR (the harness's tests-bin).
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
for p in vlapic-fuzz vlapic-stress vlapic-failslab; do
	[ -f "$root/tools/fuzz/$p.c" ] || continue
	gcc -static -O2 -Wall -Wextra -Werror -pthread -I"$root/include/uapi" \
		-o "$1/$p" "$root/tools/fuzz/$p.c"
done
