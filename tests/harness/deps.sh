#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what `make check` needs from Debian's archive, and unpack (without
# installing) the stock kernel image that matches linux-headers-amd64.
. "$(dirname "$0")/lib.sh"

PACKAGES=(linux-source-6.1 linux-headers-amd64 qemu-system-x86 busybox-static
	sparse flex bison bc libelf-dev libssl-dev cpio xz-utils python3 gcc make
	perl kmod rsync binutils spin dkms gdb
	bochs bochs-x bochsbios vgabios syslinux syslinux-common mtools dosfstools)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_update_once() {
	[ "$apt_updated" = 1 ] && return 0
	log "apt-get update"
	as_root apt-get update -q >&2
	apt_updated=1
}

if [ "${#missing[@]}" -gt 0 ]; then
	apt_update_once
	log "apt-get install ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

# The stock kernel: the image package whose ABI matches the headers.
hdr=$(debian_headers_dir) || die "no /usr/src/linux-headers-*-amd64"
abi=${hdr#/usr/src/linux-headers-}
pkg="linux-image-$abi-unsigned"
ver=$(dpkg-query -W -f='${Version}' "linux-headers-$abi")
stock="$CACHE/stock-$abi-$ver"
if [ ! -f "$stock/.unpacked" ]; then
	dl=$(mktemp -d) && chmod 755 "$dl"
	if ! (cd "$dl" && apt-get download -q "$pkg=$ver" >&2); then
		apt_update_once
		(cd "$dl" && apt-get download -q "$pkg=$ver" >&2) ||
			die "cannot download $pkg=$ver"
	fi
	rm -rf "$stock" && mkdir -p "$stock"
	dpkg-deb -x "$dl"/*.deb "$stock"
	rm -rf "$dl"
	touch "$stock/.unpacked"
	log "stock kernel: unpacked $pkg $ver"
fi
echo "$stock"
