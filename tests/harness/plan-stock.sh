# SPDX-License-Identifier: GPL-2.0
# Plan of the Debian stock kernel boot (sourced by init.sh): the module
# built against Debian's headers loads, creates /dev/vlapic and unloads.

check "stock kernel: insmod vlapic.ko" insmod /lib/vlapic/vlapic.ko
check "stock kernel: /dev/vlapic is a character device" test -c /dev/vlapic
check "stock kernel: /dev/vlapic mode is 0600" \
	test "$(stat -c %a /dev/vlapic)" = 600
check "stock kernel: rmmod vlapic" rmmod vlapic
check "stock kernel: /dev/vlapic is gone after rmmod" test ! -e /dev/vlapic
