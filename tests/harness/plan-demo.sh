# SPDX-License-Identifier: GPL-2.0
# Plan of `make demo` (sourced by init.sh): load the module, run
# vlapic-demo, unload.

check "demo: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
/tests/vlapic-demo
mark "demo exit $?"
check "demo: rmmod vlapic" rmmod vlapic
