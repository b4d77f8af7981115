# SPDX-License-Identifier: GPL-2.0
# Plan of the Bochs boot (sourced by init.sh): the test kernel on a VMX
# CPU; load the module and the one KUnit module that needs VMX
# (vlapic_vmx_hw.ko, suite vlapic_vmx_hw), unload both.

check "bochs: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
check "bochs: the CPU has VMX" grep -qw vmx /proc/cpuinfo
mark "kunit module vlapic_vmx_hw.ko"
insmod /lib/vlapic/vlapic_vmx_hw.ko
check "bochs: rmmod vlapic_vmx_hw" rmmod vlapic_vmx_hw
check "bochs: rmmod vlapic" rmmod vlapic
# The console is slow: give the tty time to drain before the reboot.
END_DRAIN=3
