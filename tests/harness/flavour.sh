#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# flavour.sh FLAVOUR: Debian's FLAVOUR kernel (rt: PREEMPT_RT, cloud) of
# the ABI and version of the generic headers deps.sh installed: installs
# its headers (linux-headers-<abi>-FLAVOUR-amd64) and unpacks, without
# installing, its image (linux-image-<abi>-FLAVOUR-amd64-unsigned) into the
# cache, as deps.sh does for the stock kernel. Prints "IMAGE_DIR
# HEADERS_DIR". When the archive lacks either package it prints one line
# saying so on stderr and exits 3: check.sh records the flavour as
# skipped with that line, not as passed.
. "$(dirname "$0")/lib.sh"

fl=$1
hdr=$(debian_headers_dir) || die "no /usr/src/linux-headers-*-amd64"
abi=${hdr#/usr/src/linux-headers-}
abi=${abi%-amd64}
ver=$(dpkg-query -W -f='${Version}' "linux-headers-$abi-amd64")
hpkg="linux-headers-$abi-$fl-amd64"
ipkg="linux-image-$abi-$fl-amd64-unsigned"

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

in_archive() { # in_archive PKG: PKG=$ver is known to apt
	apt-cache madison "$1" 2>/dev/null | grep -q "| $ver |"
}

if ! dpkg-query -W -f='${Status}' "$hpkg" 2>/dev/null | grep -q 'ok installed'; then
	if ! in_archive "$hpkg"; then
		as_root apt-get update -q >&2
		in_archive "$hpkg" || {
			echo "$hpkg $ver is not in the archive" >&2
			exit 3
		}
	fi
	log "apt-get install $hpkg=$ver"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "$hpkg=$ver" >&2
fi

image="$CACHE/flavour-$abi-$fl-$ver"
if [ ! -f "$image/.unpacked" ]; then
	dl=$(mktemp -d) && chmod 755 "$dl"
	(cd "$dl" && apt-get download -q "$ipkg=$ver" >&2) || {
		rm -rf "$dl"
		echo "$ipkg $ver is not in the archive" >&2
		exit 3
	}
	rm -rf "$image" && mkdir -p "$image"
	dpkg-deb -x "$dl"/*.deb "$image"
	rm -rf "$dl"
	touch "$image/.unpacked"
	log "flavour $fl: unpacked $ipkg $ver"
fi
echo "$image /usr/src/$hpkg"
