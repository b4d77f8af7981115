#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deploy-check.sh WHAT HDR: install the module the ways a host does, against
# the kernel headers HDR (Debian's), in private directories under build/ so
# that nothing of the machine's own changes:
#   dkms     dkms add + dkms build (dkms.conf) produce a vlapic.ko for HDR's
#            release; dkms install puts it where modprobe finds it (in a
#            module tree under build/), dkms uninstall + remove take it
#            away again
#   install  make install / make uninstall with DESTDIR: vlapic.ko in
#            lib/modules/<release>/extra, in modules.dep, the udev rule;
#            then all of it gone again
#   config   a kernel without an option the module needs (CONFIG_EVENTFD
#            emptied on the command line): the build stops with Kbuild's
#            one-line message naming it
. "$(dirname "$0")/lib.sh"

what=$1 hdr=$2
kver=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$hdr/include/generated/utsrelease.h")
[ -n "$kver" ] || die "no UTS_RELEASE in $hdr"
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$ROOT/dkms.conf")
[ -n "$ver" ] || die "no PACKAGE_VERSION in dkms.conf"

# copy_tree DST: what a source package of the module holds.
copy_tree() {
	rm -rf "$1" && mkdir -p "$1"
	rsync -a --exclude='/build/' --exclude='/.git/' --exclude='/tools/' \
		--include='*/' --include='*.[chS]' --include=Kbuild \
		--include=Makefile --include=dkms.conf --include='/dist/**' \
		--exclude='*' "$ROOT/" "$1/"
}

case $what in
dkms)
	command -v dkms >/dev/null || die "dkms is not installed (deps.sh)"
	tree="$ROOT/build/dkms"
	rm -rf "$tree"
	copy_tree "$tree/src/vlapic-$ver"
	mkdir -p "$tree/var"
	args=(-m vlapic -v "$ver" --sourcetree "$tree/src" --dkmstree "$tree/var")
	# dkms signs what it builds; with a key of its own here, not the
	# machine's /var/lib/dkms/mok.key.
	export mok_signing_key="$tree/mok.key" mok_certificate="$tree/mok.pub"
	dkms add "${args[@]}"
	dkms build "${args[@]}" -k "$kver" --kernelsourcedir "$hdr" || {
		cat "$tree/var/vlapic/$ver/build/make.log" 2>/dev/null | tail -n 40
		die "dkms build failed"
	}
	ko="$tree/var/vlapic/$ver/$kver/x86_64/module/vlapic.ko"
	[ -f "$ko" ] || ko="$ko.xz"
	[ -f "$ko" ] || die "dkms build produced no vlapic.ko"
	magic=$(modinfo -F vermagic "$ko")
	[ "${magic%% *}" = "$kver" ] ||
		die "dkms's vlapic.ko is for '${magic%% *}', not $kver"
	log "dkms build: $ko ($magic)"
	# dkms install into a private module tree (Debian's dkms puts the
	# module in updates/dkms, whatever DEST_MODULE_LOCATION says), depmod
	# there; then dkms uninstall and remove, and nothing may be left.
	root="$tree/root"
	mkdir -p "$root/lib/modules/$kver"
	args+=(--installtree "$root/lib/modules" --no-depmod)
	dkms install "${args[@]}" -k "$kver"
	dkms status "${args[@]}" -k "$kver" | grep -q ': installed$' ||
		die "dkms install: dkms status does not say installed"
	installed=$(find "$root/lib/modules/$kver" -name 'vlapic.ko*')
	[ -n "$installed" ] || die "dkms install: no vlapic.ko under $root"
	depmod -b "$root" "$kver" 2>/dev/null
	grep -q "^${installed#"$root/lib/modules/$kver/"}:" \
		"$root/lib/modules/$kver/modules.dep" ||
		die "dkms install: vlapic.ko not in modules.dep (depmod)"
	[ "$(modinfo -b "$root" -k "$kver" -F vermagic vlapic)" = "$magic" ] ||
		die "dkms install: modprobe's vlapic is not the one dkms built"
	log "dkms install: ${installed#"$root/"}, found by depmod and modinfo"
	dkms uninstall "${args[@]}" -k "$kver"
	[ -z "$(find "$root/lib/modules/$kver" -name 'vlapic.ko*')" ] ||
		die "dkms uninstall left vlapic.ko in $root"
	dkms remove "${args[@]}" --all
	[ ! -e "$tree/var/vlapic" ] || die "dkms remove left $tree/var/vlapic"
	log "dkms uninstall + remove: nothing left"
	;;
install)
	# In build/debian when check.sh has built the module there (the same
	# flags: nothing is rebuilt), else in a copy of its own.
	src="$ROOT/build/debian"
	if [ -f "$src/vlapic.ko" ]; then
		rsync -a "$ROOT/Makefile" "$ROOT/dkms.conf" "$ROOT/dist" "$src/"
	else
		src="$ROOT/build/deploy-install"
		copy_tree "$src"
	fi
	dest="$ROOT/build/deploy-root"
	rm -rf "$dest"
	make -C "$src" KDIR="$hdr" DESTDIR="$dest" WERROR=1 install
	ko="$dest/lib/modules/$kver/extra/vlapic.ko"
	[ -f "$ko" ] || die "make install: no $ko"
	grep -q '^extra/vlapic.ko:' "$dest/lib/modules/$kver/modules.dep" ||
		die "make install: vlapic.ko not in modules.dep (depmod)"
	cmp "$ROOT/dist/udev/65-vlapic.rules" \
		"$dest/etc/udev/rules.d/65-vlapic.rules" ||
		die "make install: no udev rule"
	make -C "$src" KDIR="$hdr" DESTDIR="$dest" WERROR=1 uninstall
	[ ! -e "$ko" ] || die "make uninstall left $ko"
	! grep -q 'vlapic' "$dest/lib/modules/$kver/modules.dep" ||
		die "make uninstall: vlapic.ko still in modules.dep"
	[ ! -e "$dest/etc/udev/rules.d/65-vlapic.rules" ] ||
		die "make uninstall left the udev rule"
	log "make install / uninstall: $ko and the udev rule, then none"
	;;
config)
	src="$ROOT/build/deploy-config"
	copy_tree "$src"
	if out=$(make -C "$hdr" M="$src" CONFIG_EVENTFD= modules 2>&1); then
		die "a kernel without CONFIG_EVENTFD: the build succeeded"
	fi
	printf '%s\n' "$out" | grep '\*\*\*'
	[ "$(printf '%s\n' "$out" | grep -c 'lacks CONFIG_EVENTFD (y or m)')" = 1 ] ||
		die "a kernel without CONFIG_EVENTFD: no one-line message"
	;;
*)
	die "usage: deploy-check.sh dkms|install|config HDR"
	;;
esac
