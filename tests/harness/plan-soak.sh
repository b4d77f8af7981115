# SPDX-License-Identifier: GPL-2.0
# Plan of the soak boot (sourced by init.sh; soak.sh prepends SOAK_SECONDS
# and SOAK_SEED): failslab, then the fuzzer and the SMP stress for
# SOAK_SECONDS in all, the guest fuzzer (plan-vmm.sh guest_fuzz, 20000
# operations per vCPU), then unload and look for leaks.

kmemleak=/sys/kernel/debug/kmemleak
while [ "$(cut -d. -f1 /proc/uptime)" -lt 6 ]; do sleep 1; done
echo scan >$kmemleak
echo clear >$kmemleak

check "soak: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
seed=${SOAK_SEED:+--seed $SOAK_SEED}

run() {
	mark "userspace test ${1##*/}"
	"$@"
	mark "userspace exit ${1##*/} $?"
}

run /tests/vlapic-failslab $seed --rounds 200
run /tests/vlapic-fuzz $seed --threads 4 --seconds $((SOAK_SECONDS * 2 / 3))
run /tests/vlapic-stress $seed --seconds $((SOAK_SECONDS / 3))
lockstep_twice soak "${SOAK_SEED:-$(date +%s)}" 4000
FUZZ_SEED=${SOAK_SEED:-$(date +%s)} FUZZ_OPS=20000 FUZZ_SMP=8
. /extra/plan-vmm.sh
kvm_load
guest_fuzz
kvm_unload

check "soak: rmmod vlapic" rmmod vlapic
sleep 6
echo scan >$kmemleak
echo scan >$kmemleak
mark "kmemleak report begin"
cat $kmemleak
mark "kmemleak report end"
