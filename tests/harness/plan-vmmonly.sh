# SPDX-License-Identifier: GPL-2.0
# Plan of `make vmm-check` (sourced by init.sh): only the vlapic-vmm tests
# (plan-vmm.sh), for iterating on the VMM without the whole test boot.

. /extra/plan-vmm.sh
