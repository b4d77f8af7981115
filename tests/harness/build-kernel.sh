#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse from the cache) the KUnit test kernel from linux-source-6.1.
# Prints the build directory on stdout.
. "$(dirname "$0")/lib.sh"

ensure_linux_source
src=$(linux_source_dir)
out=$(test_kernel_dir)
frag="$ROOT/tests/kernel.config"

if [ -f "$out/.built" ]; then
	log "test kernel: cached at $out"
	echo "$out"
	exit 0
fi

log "test kernel: building in $out (about 5 minutes on 2 cores)"
rm -rf "$out" && mkdir -p "$out"
KCONFIG_ALLCONFIG="$frag" make -s -C "$src" O="$out" ARCH=x86_64 allnoconfig >&2
make -s -C "$src" O="$out" ARCH=x86_64 olddefconfig >&2

# Refuse a kernel that silently lost a requested option (an unmet
# dependency makes Kconfig drop it without an error).
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		if ! grep -qxF "$line" "$out/.config"; then
			log "config: '$line' did not survive olddefconfig"
			missing=1
		fi
		;;
	esac
done <"$frag"
[ "$missing" = 0 ] || die "tests/kernel.config has options the kernel dropped"

make -s -C "$src" O="$out" ARCH=x86_64 -j"$JOBS" bzImage modules >&2
touch "$out/.built"
log "test kernel: built"
echo "$out"
