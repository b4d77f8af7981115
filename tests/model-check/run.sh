#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check the Promela models of tests/model-check with SPIN (docs/testing.md,
# "Model checking").
#
#   run.sh [MODEL...]   MODEL: a .pml file name without .pml (default: all)
#
# Each line of CONFIGS below is one exhaustive run: the model, what is
# expected, the -D flags. "verify" passes when the search is complete (no
# "max search depth too small") and finds no error; "counterexample"
# passes when SPIN finds an error whose text contains PATTERN: a variant
# with a known defect must be caught, by the invariant that guards it.
# Prints one TAP-like line per run and exits non-zero if any run failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
work=${MODEL_CHECK_DIR:-$here/../../build/model-check}
# Depth bound of the search stack; a search that reaches it is reported
# as incomplete and fails.
depth=${MODEL_CHECK_DEPTH:-100000}

# model | expect | flags | pattern (counterexample only)
CONFIGS=(
	"posted|verify||"
	"posted|verify|-DRESTORE|"
	"posted|verify|-DSYNC_SHORTCUT|"
	"posted|counterexample|-DBHYVE|asleep"
	"posted|counterexample|-DKVM_SN|&&((pir[0]||pir[1])||pir[2])"
	"posted|counterexample|-DLATE_MODE|asleep"
	"posted|counterexample|-DSPLIT_SYNC|posted[0]==0"
	"posted|counterexample|-DRESTORE -DPURGE_AFTER|(pir[2]||irr[2])"
	"initsipi|verify||"
	"initsipi|verify|-DSIPI_FIRST|"
	"initsipi|counterexample|-DSIPI_WINDOW|started==1"
	"initsipi|counterexample|-DINIT_KEEPS_SIPI -DSIPI_FIRST|mp==1"
	"initsipi|counterexample|-DSIPI_UNDER_INIT|started"
	"ioapic|verify||"
	"ioapic|counterexample|-DCANCEL_NOSYNC|!(freed)"
	"ioapic|counterexample|-DOWN_FLAG|!(deferred)"
	"timer|verify||"
	"timer|verify|-DTMAX=6 -DGUEST_OPS=4|"
	"timer|counterexample|-DNO_CATCHUP|!(((target!=0)&&(t>=target)))"
	"timer|counterexample|-DTRUST_HRTIMER|((target!=0)&&(t>=target))"
	"timer|counterexample|-DNO_RESYNC|(target>t)"
	"timer|counterexample|-DCANCEL_NOSYNC|!(freed)"
	"timer|counterexample|-DDISARM_SYNC|invalid end state"
	"irqfd|verify||"
	"irqfd|verify|-DDEV_IRQS=3|"
	"irqfd|counterexample|-DNO_LIST_CHECK|!(freed)"
	"irqfd|counterexample|-DNO_SYNC_RCU|!(freed)"
	"irqfd|counterexample|-DNO_FLUSH|!(deassigned)"
	"irqfd|counterexample|-DLOWER_AFTER_EVAL|(cond||unbound_msg)"
	"lowest|verify||"
	"lowest|verify|-DCHANGES=3 -DMSGS=3|"
	"lowest|counterexample|-DNO_FALLBACK|(accepted==m)"
	"lowest|verify|-DDISABLE|"
	"lowest|verify|-DDISABLE -DCHANGES=3 -DMSGS=3|"
	"lowest|counterexample|-DDISABLE -DNO_RETRY|((accepted==m)|| !(some_enabled))"
	"entry|verify||"
	"entry|verify|-DENTRIES=5|"
	"entry|counterexample|-DLATE_MODE|(in_guest&& !(will_exit))"
	"entry|counterexample|-DKICK_FIRST|(in_guest&& !(will_exit))"
	"entry|counterexample|-DLATE_WAIT|!((asleep&&"
)

command -v spin >/dev/null || { echo "spin not installed (apt-get install spin)" >&2; exit 1; }
mkdir -p "$work" && work=$(cd "$work" && pwd)
want=("$@")
failed=0
n=0
for c in "${CONFIGS[@]}"; do
	IFS='|' read -r model expect flags pattern <<<"$c"
	if [ "${#want[@]}" -gt 0 ] && ! printf '%s\n' "${want[@]}" | grep -qx "$model"; then
		continue
	fi
	n=$((n + 1))
	name="$model${flags:+ $flags}"
	dir="$work/$model${flags// /}"
	rm -rf "$dir" && mkdir -p "$dir"
	cp "$here/$model.pml" "$dir/"
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	if ! (cd "$dir" && spin $flags -a "$model.pml" >spin.log 2>&1 &&
		gcc -O1 -w -DSAFETY -DCOLLAPSE -DMEMLIM=2048 -o pan pan.c \
			>gcc.log 2>&1); then
		echo "not ok $n - $name: does not build"
		cat "$dir/spin.log" "$dir/gcc.log" 2>/dev/null | tail -n 20
		failed=$((failed + 1))
		continue
	fi
	# A search that outgrows its bound fails rather than hang the check.
	(cd "$dir" && timeout "${MODEL_CHECK_TIMEOUT:-300}" ./pan -m"$depth" \
		>pan.log 2>&1)
	secs=$(echo "$(date +%s.%N) - $t0" | bc)
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir/pan.log" | head -n 1)
	states=$(awk '/states, stored/ { print $1; exit }' "$dir/pan.log")
	what="${states:-?} states, $(printf '%.1f' "$secs") s"
	if [ -z "$errors" ]; then
		echo "not ok $n - $name: no result from pan"
		tail -n 20 "$dir/pan.log"
		failed=$((failed + 1))
	elif [ "$expect" = verify ]; then
		if [ "$errors" = 0 ] && ! grep -q 'max search depth too small' "$dir/pan.log"; then
			echo "ok $n - $name: verified ($what)"
		else
			echo "not ok $n - $name: expected to verify"
			grep -m 3 'violated\|invalid end\|max search depth' "$dir/pan.log"
			echo "  trail: (cd $dir && spin $flags -t -p $model.pml)"
			failed=$((failed + 1))
		fi
	else
		if [ "$errors" != 0 ] && grep -F -q -- "$pattern" "$dir/pan.log"; then
			echo "ok $n - $name: counterexample as expected ($what): $(grep -m 1 'violated\|invalid end' "$dir/pan.log" | sed 's/^pan:[0-9]*: *//')"
		else
			echo "not ok $n - $name: expected a counterexample matching '$pattern'"
			grep -m 3 'violated\|invalid end\|errors:' "$dir/pan.log"
			failed=$((failed + 1))
		fi
	fi
done
[ "$n" -gt 0 ] || { echo "no configuration matches: $*" >&2; exit 1; }
echo "$((n - failed)) of $n model configurations as expected"
[ "$failed" -eq 0 ]
