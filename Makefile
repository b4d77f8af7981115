# SPDX-License-Identifier: GPL-2.0
#
# How to build vlapic. What is built is listed in Kbuild.
#
#   make            build vlapic.ko against KDIR (W=1)
#   make check      the test command: build, style, sparse, boot the test
#                   kernel and Debian's kernel in QEMU, run every suite
#   make style      checkpatch.pl --strict on every source file
#   make model-check
#                   SPIN on the protocol models (tests/model-check)
#   make sparse     C=2 build with sparse
#   make demo       boot the test VM and Debian's kernel as a 4-vCPU guest
#                   of vlapic-vmm on the module's LAPIC and IOAPIC
#   make demo-emulated
#                   boot the test VM and run tools/vlapic-demo in it
#   make vmm-check  boot the test VM with only the vlapic-vmm tests
#   make linux-check
#                   boot the test VM with only the Linux guest (vlapic, KVM)
#   make bench      vlapic-bench next to KVM in Debian's kernel (figures)
#   make soak SECONDS=N [SEED=S]
#                   fuzzer and SMP stress for N s in the test kernel
#   make clean

# The running kernel's build tree, or Debian's 6.1 headers when the running
# kernel has none (containers, CI machines).
DEBIAN_KDIR := $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64)))
ifeq ($(KDIR),)
KDIR := $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) $(DEBIAN_KDIR))
endif

# WERROR=1 turns warnings into errors (the harness and CI set it).
WERROR ?= 0
KBUILD_ARGS := -C $(KDIR) M=$(CURDIR) W=1 VLAPIC_WERROR=$(WERROR)

.PHONY: all modules clean check style sparse demo bench soak vmm-check \
	model-check linux-check demo-emulated

all: modules

modules:
	@test -n "$(KDIR)" || { echo "no kernel build tree: set KDIR or install linux-headers-amd64" >&2; exit 1; }
	$(MAKE) $(KBUILD_ARGS) modules

sparse:
	$(MAKE) $(KBUILD_ARGS) C=2 CHECK="sparse -Wno-unknown-attribute" modules

check:
	bash tests/harness/check.sh

style:
	bash tests/harness/style.sh

# MODELS="posted initsipi" checks only those models.
model-check:
	bash tests/model-check/run.sh $(MODELS)

demo:
	bash tests/harness/linux-demo.sh

demo-emulated:
	bash tests/harness/demo.sh

vmm-check:
	bash tests/harness/vmm-check.sh

linux-check:
	bash tests/harness/linux-check.sh

bench:
	bash tests/harness/bench.sh

# Seconds of fuzzing and stress; SEED replays a run.
SECONDS ?= 600
SEED ?=
soak:
	bash tests/harness/soak.sh $(SECONDS) $(SEED)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf build
