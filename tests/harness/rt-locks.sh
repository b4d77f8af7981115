#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rt-locks.sh DIR: in the objects of vlapic.ko built in DIR against
# Debian's -rt (PREEMPT_RT) headers, every function that takes a sleeping
# "spinlock" (a call to rt_spin_lock, rt_read_lock, rt_write_lock and
# their variants) must be listed, with its reason, in rt-locks-allow.txt.
# Prints the functions found; exits non-zero on one not listed.
. "$(dirname "$0")/lib.sh"

dir=$1
allow="$ROOT/tests/harness/rt-locks-allow.txt"
[ -f "$dir/vlapic.ko" ] || die "no vlapic.ko in $dir"
grep -q ' rt_spin_lock$' <(nm -u "$dir/vlapic.ko") ||
	log "note: vlapic.ko in $dir calls no rt_spin_lock (not a PREEMPT_RT build?)"
found=$(cd "$dir" && find lapic ioapic vm run svm vmx emul -name '*.o' |
	sort | while read -r o; do
		objdump -dr "$o" | awk -v o="$o" '
			/^[0-9a-f]+ <.*>:$/ { fn = substr($2, 2, length($2) - 3) }
			/R_X86_64_(PLT32|PC32)[ \t]+rt_(spin|read|write)_(try)?lock/ {
				print o, fn
			}'
	done | sort -u)
bad=0
while read -r o fn; do
	[ -n "$o" ] || continue
	if grep -q "^$o $fn[[:space:]]" "$allow"; then
		echo "allowed: $o $fn"
	else
		echo "NOT ALLOWED: $o $fn takes a sleeping lock on PREEMPT_RT"
		bad=1
	fi
done <<<"$found"
exit $bad
