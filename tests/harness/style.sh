#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.pl --strict on every C source and header of the project, with
# the script from the unpacked linux-source-6.1. Exits non-zero on any
# error, warning or check.
. "$(dirname "$0")/lib.sh"

ensure_linux_source
checkpatch="$(linux_source_dir)/scripts/checkpatch.pl"
cd "$ROOT"
mapfile -t files < <(find lapic ioapic vmx svm vm run emul include tests tools \
	-name '*.[chS]' -not -path '*/build/*' 2>/dev/null | sort)

# Per-file exceptions, each with its reason:
#  run/abi.c  MACRO_ARG_REUSE: its macros compare KVM's and our layouts
#             with offsetof/sizeof_field, which evaluate nothing.
ignore_for() {
	case $1 in
	run/abi.c) echo ",MACRO_ARG_REUSE" ;;
	esac
}

bad=0
for f in "${files[@]}"; do
	out=$(perl "$checkpatch" --no-tree --strict --quiet --show-types \
		--ignore "FILE_PATH_CHANGES$(ignore_for "$f")" -f "$f" 2>&1) || true
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
		bad=$((bad + 1))
	fi
done
if [ "$bad" -ne 0 ]; then
	log "style: $bad of ${#files[@]} files have checkpatch findings"
	exit 1
fi

# kernel-doc comments must parse (kernel code only; tools/ is userspace).
mapfile -t kfiles < <(printf '%s\n' "${files[@]}" | grep -v '^tools/')
kdoc=$(perl "$(linux_source_dir)/scripts/kernel-doc" -none "${kfiles[@]}" 2>&1)
if [ -n "$kdoc" ]; then
	printf '%s\n' "$kdoc"
	log "style: kernel-doc warnings"
	exit 1
fi
log "style: ${#files[@]} files clean (checkpatch --strict, kernel-doc)"
