#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mkguest.sh OUT.cpio: the Linux guest's initramfs: busybox (static), its
# /init (tests/linux-guest/init) and irqwork, built here static.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,tmp}
cp /bin/busybox "$tmp/bin/busybox"
gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$tmp/bin/irqwork" \
	"$here/irqwork.c"
install -m 755 "$here/init" "$tmp/init"
# The initial console (the kernel opens it before /init runs).
[ "$(id -u)" = 0 ] && mknod "$tmp/dev/console" c 5 1
(cd "$tmp" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out"
