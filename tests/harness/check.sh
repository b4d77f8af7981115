#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: the project's one test command. See docs/testing.md.
#
#  1. install missing Debian packages, unpack Debian's stock kernel image
#  2. build (or reuse) the KUnit test kernel
#  3. build the modules for the test kernel and for Debian's headers with
#     W=1 -Werror; dkms build, make install/uninstall and the kernel
#     option check against Debian's headers (deploy-check.sh);
#     checkpatch --strict; the Spectre v1 index lint (nospec-check.py,
#     docs/security.md); sparse; SPIN on the protocol models
#     (tests/model-check)
#  4. boot the test kernel: module, KUnit suites, userspace tests,
#     vlapic-vmm and the guest programs on vlapic and KVM (plan-vmm.sh,
#     compared by compare-guests.py), kmemleak
#  5. boot Debian's kernel: the Debian-built module loads and unloads;
#     build for Debian's -rt and -cloud kernels (flavour.sh, rt-locks.sh),
#     boot each (VLAPIC_FLAVOUR_BOOTS) and run every e2e test against it
#  6. boot the test kernel in Bochs (a VMX CPU): suite vlapic_vmx_hw
#  7. count everything and print "N passed, N failed, N skipped"
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
BUILD="$ROOT/build"
RESULTS="$BUILD/results"
mkdir -p "$BUILD"
: >"$RESULTS"

result() { # result STATUS NAME
	echo "$1 $2" >>"$RESULTS"
	case $1 in
	ok) ;;
	skip) log "SKIP: $2" ;;
	*) log "FAIL: $2" ;;
	esac
}

# check_step NAME LOGFILE CMD...: run CMD, keep its output in LOGFILE,
# print that output when it fails.
check_step() {
	local name=$1 out=$2
	shift 2
	if "$@" >"$out" 2>&1; then
		result ok "$name"
	else
		result "not ok" "$name"
		tail -n 60 "$out" >&2
	fi
}

log "step 1: dependencies"
stock=$(bash "$ROOT/tests/harness/deps.sh")
hdr=$(debian_headers_dir)

log "step 2: test kernel"
kdir=$(bash "$ROOT/tests/harness/build-kernel.sh")

log "step 3: build, style, sparse"
check_step "build: modules for the test kernel (W=1 -Werror)" \
	"$BUILD/step-build-test.log" build_modules test "$kdir" "-j$JOBS"
# One build for Debian's headers checks both: W=1 -Werror, and sparse
# (C=2: every file) with no warning.
check_step "build: vlapic.ko for Debian's headers (W=1 -Werror, sparse C=2 clean)" \
	"$BUILD/step-build-debian.log" build_modules debian "$hdr" \
	"-j$JOBS C=2 CHECK=sparse"
# Installing as a host does, against Debian's headers (deploy-check.sh).
check_step "deploy: dkms add/build/install/uninstall/remove against Debian's headers" \
	"$BUILD/step-deploy-dkms.log" \
	bash "$ROOT/tests/harness/deploy-check.sh" dkms "$hdr"
check_step "deploy: make install / uninstall (extra/, depmod, udev rule)" \
	"$BUILD/step-deploy-install.log" \
	bash "$ROOT/tests/harness/deploy-check.sh" install "$hdr"
check_step "deploy: a kernel without a needed option fails in one line" \
	"$BUILD/step-deploy-config.log" \
	bash "$ROOT/tests/harness/deploy-check.sh" config "$hdr"
check_step "style: checkpatch.pl --strict" "$BUILD/step-style.log" \
	bash "$ROOT/tests/harness/style.sh"
check_step "nospec: guest-reachable indices clamped or allow-listed (nospec-check.py)" \
	"$BUILD/step-nospec.log" python3 "$ROOT/tests/harness/nospec-check.py"
# Each model of tests/model-check is one check: its correct configurations
# verify and its known-defect variants give their counterexample.
for m in "$ROOT"/tests/model-check/*.pml; do
	m=$(basename "$m" .pml)
	check_step "model-check: $m (SPIN, defect variants caught)" \
		"$BUILD/step-model-$m.log" \
		bash "$ROOT/tests/model-check/run.sh" "$m"
done
check_step "decode table agrees with objdump (emul_objdump_check.py)" \
	"$BUILD/step-objdump.log" python3 "$ROOT/tests/kunit/emul_objdump_check.py"
check_step "build: tools/ (static e2e tests, vlapic-demo, vlapic-vmm and its guests, -Werror)" \
	"$BUILD/step-tools.log" make -C "$ROOT/tools"
check_step "build: vlapic-vmm files and guest programs for the test VM (vmm-extra.sh)" \
	"$BUILD/step-vmm-extra.log" \
	bash "$ROOT/tests/harness/vmm-extra.sh" "$kdir" "$BUILD/vmm-extra"

check_step "build: tools/fuzz programs (-Werror)" "$BUILD/step-build-fuzz.log" \
	bash "$ROOT/tools/fuzz/build.sh" "$BUILD/tests-bin"

# Every suite runs in the QEMU boot of the test kernel, except the one
# that needs a VMX CPU: it runs in Bochs (vlapic_vmx_hw.ko, step 6).
mapfile -t suites < <(grep -ho '\.name = "vlapic_[a-z0-9_]*"' \
	"$ROOT"/tests/kunit/*.c | sed 's/.*"\(.*\)"/\1/' | sort -u |
	grep -vx vlapic_vmx_hw)
expect=()
for s in "${suites[@]}"; do expect+=(--expect-suite "$s"); done

# boot NAME KERNEL PLAN MODDIR TIMEOUT [PARSER ARGS...]; BOOT_SH picks the
# emulator (boot.sh: QEMU, bochs.sh: Bochs); BOOT_EXTRA, a directory the
# initramfs carries at /extra.
boot() {
	local name=$1 kernel=$2 plan=$3 moddir=$4 limit=$5 rc=0
	local runner=${BOOT_SH:-boot.sh}
	shift 5
	if [ ! -f "$moddir/vlapic.ko" ]; then
		result "not ok" "$name: booted (no module was built)"
		return
	fi
	bash "$ROOT/tests/harness/mkinitramfs.sh" "$BUILD/$name.cpio" "$plan" \
		"$moddir" "$BUILD/tests-bin" ${BOOT_EXTRA:-}
	log "booting $name (limit ${limit}s)"
	local t0=$(date +%s)
	BOOT_MODDIRS="$moddir ${BOOT_EXTRA:-}" \
		bash "$ROOT/tests/harness/$runner" "$kernel" "$BUILD/$name.cpio" \
		"$BUILD/$name.console.log" "$limit" || rc=$?
	log "$name: $runner exited with $rc after $(($(date +%s) - t0))s"
	python3 "$ROOT/tests/harness/parse-log.py" "$BUILD/$name.console.log" \
		--boot "$name" --results "$RESULTS" --boot-rc "$rc" "$@" || true
}

log "step 4: test kernel boot"
BOOT_EXTRA="$BUILD/vmm-extra" boot "test-kernel" "$kdir/arch/x86/boot/bzImage" \
	"$ROOT/tests/harness/plan-test.sh" "$BUILD/test" \
	"${VLAPIC_TEST_TIMEOUT:-1500}" "${expect[@]}"
# The guest programs ran on vlapic and on KVM in that boot: a difference
# is ours unless docs/kvm-deviations.md documents it as KVM's.
python3 "$ROOT/tests/harness/compare-guests.py" \
	"$BUILD/test-kernel.console.log" "$ROOT/docs/kvm-deviations.md" \
	"$RESULTS" || true

log "step 5: Debian stock kernel boot"
boot "stock-kernel" "$(ls "$stock"/boot/vmlinuz-*)" \
	"$ROOT/tests/harness/plan-stock.sh" "$BUILD/debian" 180

log "step 5b: Debian's -rt (PREEMPT_RT) and -cloud kernels"
# The flavours that boot: both by default (-rt 77 s, the one whose
# locking differs; -cloud 40 s, the one a cloud host runs);
# VLAPIC_FLAVOUR_BOOTS=rt boots only -rt, VLAPIC_FLAVOUR_BOOTS="" neither.
FLAVOUR_BOOTS=${VLAPIC_FLAVOUR_BOOTS-rt cloud}
# Each: its headers and image (flavour.sh; absent from the archive: one
# skip with the reason), the module built against its headers; for -rt,
# the functions that take a lock PREEMPT_RT makes sleeping (rt-locks.sh).
for fl in rt cloud; do
	frc=0
	fout=$(bash "$ROOT/tests/harness/flavour.sh" "$fl" \
		2>"$BUILD/step-flavour-$fl.log") || frc=$?
	if [ "$frc" = 3 ]; then
		result skip "$fl-kernel: $(tail -n 1 "$BUILD/step-flavour-$fl.log")"
		continue
	elif [ "$frc" != 0 ]; then
		result "not ok" "$fl-kernel: flavour.sh failed (step-flavour-$fl.log)"
		continue
	fi
	read -r fimage fhdr <<<"$fout"
	check_step "build: vlapic.ko for Debian's -$fl headers (W=1 -Werror)" \
		"$BUILD/step-build-$fl.log" build_modules "$fl" "$fhdr" "-j$JOBS"
	if [ "$fl" = rt ]; then
		check_step "rt: only allow-listed functions take a lock PREEMPT_RT makes sleeping (rt-locks.sh)" \
			"$BUILD/step-rt-locks.log" \
			bash "$ROOT/tests/harness/rt-locks.sh" "$BUILD/rt"
	fi
	# The flavour's boot with every e2e test (plan-flavour.sh), with
	# that kernel's KVM modules and vlapic-stat in /extra.
	case " $FLAVOUR_BOOTS " in
	*" $fl "*) ;;
	*) continue ;;
	esac
	fextra="$BUILD/$fl-extra"
	rm -rf "$fextra" && mkdir -p "$fextra/kvm" "$fextra/tools"
	for m in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-amd.ko; do
		cp "$fimage"/lib/modules/*/kernel/$m "$fextra/kvm/"
	done
	find "$fimage"/lib/modules -name ccp.ko -exec cp {} "$fextra/kvm/" \;
	cp "$BUILD/tools-bin/vlapic-stat" "$fextra/tools/"
	BOOT_EXTRA="$fextra" boot "$fl-kernel" "$(ls "$fimage"/boot/vmlinuz-*)" \
		"$ROOT/tests/harness/plan-flavour.sh" "$BUILD/$fl" \
		"${VLAPIC_FLAVOUR_TIMEOUT:-600}"
done

log "step 6: test kernel in Bochs (VMX CPU)"
# Only the modules this boot loads and, in /extra, vlapic-vmm and the
# guest programs plan-bochs.sh runs: the initramfs stays small.
rm -rf "$BUILD/bochs" "$BUILD/bochs-extra"
mkdir -p "$BUILD/bochs" "$BUILD/bochs-extra/vmm" "$BUILD/bochs-extra/guest"
cp "$BUILD/test/vlapic.ko" "$BUILD/test/vlapic_vmx_hw.ko" "$BUILD/bochs/" \
	2>/dev/null || true
cp "$BUILD/vmm-extra/vmm/vlapic-vmm" "$BUILD/bochs-extra/vmm/" 2>/dev/null || true
for g in $(sed -n 's/^bochs_guests="\(.*\)"$/\1/p' \
	   "$ROOT/tests/harness/plan-bochs.sh" | tr ' ' '\n' | cut -d: -f1 |
	   sort -u); do
	cp "$BUILD/vmm-extra/guest/$g.elf" "$BUILD/bochs-extra/guest/" \
		2>/dev/null || true
done
BOOT_EXTRA="$BUILD/bochs-extra" BOOT_SH=bochs.sh boot "bochs" \
	"$kdir/arch/x86/boot/bzImage" \
	"$ROOT/tests/harness/plan-bochs.sh" "$BUILD/bochs" \
	"${VLAPIC_BOCHS_TIMEOUT:-900}" --expect-suite vlapic_vmx_hw
# The guest fuzzer on one vCPU: its hash depends on the seed and the
# implementation only, so SVM (step 4) and VMX (this step) must agree.
svm_fuzz=$(sed -n 's/^# guest fuzz seed .* on 1 vCPU: hash \(0x[0-9a-f]*\) then .*/\1/p' \
	"$BUILD/test-kernel.console.log" | head -n 1)
vmx_fuzz=$(sed -n 's/^# bochs fuzz hash inject \(0x[0-9a-f]*\).*/\1/p' \
	"$BUILD/bochs.console.log" | head -n 1)
if [ -n "$svm_fuzz" ] && [ "$svm_fuzz" = "$vmx_fuzz" ]; then
	result ok "guest fuzz: the same hash on VMX (Bochs) as on SVM (QEMU): $svm_fuzz"
else
	result "not ok" "guest fuzz: the same hash on VMX (Bochs) as on SVM (QEMU): ${vmx_fuzz:-none} vs ${svm_fuzz:-none}"
fi

passed=$(grep -c '^ok ' "$RESULTS" || true)
failed=$(grep -c '^not ok ' "$RESULTS" || true)
skipped=$(grep -c '^skip ' "$RESULTS" || true)
log "done in $(($(date +%s) - start))s; results in $RESULTS, consoles in $BUILD"
if [ "$failed" -ne 0 ]; then
	echo "Failed:"
	grep '^not ok ' "$RESULTS" | sed 's/^not ok /  /'
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
