#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mkinitramfs.sh OUT.cpio PLAN MODULE_DIR [TESTS_DIR [EXTRA_DIR]]
# A busybox initramfs running PLAN with the modules of MODULE_DIR in
# /lib/vlapic, the executables of TESTS_DIR in /tests and the files of
# EXTRA_DIR in /extra.
. "$(dirname "$0")/lib.sh"

out=$1 plan=$2 moddir=$3 testdir=${4:-} extradir=${5:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp"/{bin,lib/vlapic,tests,proc,sys,dev,tmp}
cp /bin/busybox "$tmp/bin/busybox"
cp "$ROOT/tests/harness/init.sh" "$tmp/init"
cp "$plan" "$tmp/plan.sh"
cp "$moddir"/*.ko "$tmp/lib/vlapic/"
if [ -n "$testdir" ] && [ -d "$testdir" ]; then
	find "$testdir" -maxdepth 1 -type f -perm -u+x -exec cp {} "$tmp/tests/" \;
fi
if [ -n "$extradir" ]; then
	cp -a "$extradir" "$tmp/extra"
fi
chmod +x "$tmp/init"
(cd "$tmp" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out"
