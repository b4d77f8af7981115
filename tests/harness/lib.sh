# SPDX-License-Identifier: GPL-2.0
# Shared definitions for the test harness scripts. Sourced, not run.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${VLAPIC_CACHE:-$HOME/.cache/vlapic}
JOBS=${JOBS:-$(nproc)}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The linux-source-6.1 package's version names the unpacked source tree.
linux_source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null
}

linux_source_dir() {
	echo "$CACHE/src/linux-source-$(linux_source_version)"
}

# Unpack the kernel source once per package version (checkpatch, kunit.py
# and the test kernel all come from it).
ensure_linux_source() {
	local dir tmp
	dir=$(linux_source_dir)
	[ -f "$dir/.unpacked" ] && return 0
	log "unpacking /usr/src/linux-source-6.1.tar.xz"
	tmp="$dir.tmp"
	rm -rf "$tmp" && mkdir -p "$tmp"
	tar -C "$tmp" -xf /usr/src/linux-source-6.1.tar.xz --strip-components=1
	rm -rf "$dir" && mv "$tmp" "$dir"
	touch "$dir/.unpacked"
}

# The test kernel's build directory is keyed by the config fragment, the
# source version and the compiler, so a change to any rebuilds it.
test_kernel_dir() {
	local key
	key=$( { cat "$ROOT/tests/kernel.config"; linux_source_version; gcc --version | head -n1; } |
		sha256sum | cut -c1-16)
	echo "$CACHE/kernel-$key"
}

# Debian's headers for the stock kernel (linux-headers-amd64's dependency):
# the generic flavour's, <abi>-amd64, never -rt-amd64 or -cloud-amd64
# (flavour.sh installs those beside it).
debian_headers_dir() {
	local d
	d=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
		grep -E '/linux-headers-[0-9.]+-[0-9]+-amd64$' | sort -V | tail -n1)
	[ -n "$d" ] || return 1
	echo "$d"
}

# build_modules TARGET KDIR: out-of-tree build in build/TARGET, so the two
# kernels' objects never mix. Any compiler warning fails (W=1, -Werror).
build_modules() {
	local dst="$ROOT/build/$1" kdir=$2
	mkdir -p "$dst"
	# Sources only: *.mod.c and friends left by an in-tree `make` would
	# carry another kernel's symbol versions.
	rsync -a --delete --exclude='/build/' --exclude='/.git/' \
		--exclude='/tools/' --exclude='*.mod.c' --include='*/' \
		--include='*.[chS]' --include=Kbuild --exclude='*' \
		"$ROOT/" "$dst/"
	# A failed build must not leave the previous modules to be booted.
	rm -f "$dst"/*.ko
	make -C "$kdir" M="$dst" W=1 VLAPIC_WERROR=1 modules ${3:-} >"$dst.log" 2>&1 || {
		cat "$dst.log"
		return 1
	}
	! grep -E 'warning:|error:' "$dst.log"
}
