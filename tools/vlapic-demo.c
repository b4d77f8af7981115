// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic-demo: placeholder replaced below.
 */
int main(void)
{
	return 0;
}
