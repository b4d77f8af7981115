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
#   make install    vlapic.ko into /lib/modules/<KDIR's release>/extra,
#                   depmod, the udev rule (DESTDIR=dir: under dir)
#   make uninstall  undo make install
#   make dkms-add   copy the tree to /usr/src/vlapic-<version>, dkms add
#                   (then: dkms build/install vlapic/<version>; README)
#   make clean

# The running kernel's build tree, or Debian's 6.1 headers when the running
# kernel has none (containers, CI machines).
# (The generic flavour's: not -rt-amd64 or -cloud-amd64.)
DEBIAN_KDIR := $(lastword $(sort $(filter-out %-rt-amd64 %-cloud-amd64,\
	$(wildcard /usr/src/linux-headers-*-amd64))))
ifeq ($(KDIR),)
KDIR := $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) $(DEBIAN_KDIR))
endif

# WERROR=1 turns warnings into errors (the harness and CI set it).
WERROR ?= 0
KBUILD_ARGS := -C $(KDIR) M=$(CURDIR) W=1 VLAPIC_WERROR=$(WERROR)

.PHONY: all modules clean check style sparse demo bench soak vmm-check \
	model-check linux-check demo-emulated install uninstall dkms-add \
	dkms-remove

# The release of the kernel in KDIR (its vermagic; Debian's headers have
# another string in include/config/kernel.release), its modules directory
# under DESTDIR.
KVER = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODDIR = $(DESTDIR)/lib/modules/$(KVER)
UDEV_RULE := $(DESTDIR)/etc/udev/rules.d/65-vlapic.rules
# dkms.conf is the one place the version is written.
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(CURDIR)/dkms.conf)
DKMS_SRC := /usr/src/vlapic-$(VERSION)

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

install: modules
	@test -n "$(KVER)" || { echo "no kernel release in $(KDIR)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra \
		KERNELRELEASE=$(KVER) CONFIG_MODULE_SIG_ALL= \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)
	install -D -m 644 dist/udev/65-vlapic.rules $(UDEV_RULE)

uninstall:
	@test -n "$(KVER)" || { echo "no kernel release in $(KDIR)" >&2; exit 1; }
	rm -f $(MODDIR)/extra/vlapic.ko $(MODDIR)/extra/vlapic.ko.xz \
		$(MODDIR)/extra/vlapic_kunit.ko $(MODDIR)/extra/vlapic_vmx_hw.ko \
		$(UDEV_RULE)
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)

# The sources DKMS builds from: what Kbuild compiles, no build products.
dkms-add:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	tar -C $(CURDIR) -cf - --exclude=build --exclude=.git --exclude=tools \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod*' --exclude='.*.cmd' \
		--exclude=Module.symvers --exclude=modules.order \
		. | tar -C $(DKMS_SRC) -xf -
	dkms add -m vlapic -v $(VERSION)

dkms-remove:
	dkms remove -m vlapic -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf build
