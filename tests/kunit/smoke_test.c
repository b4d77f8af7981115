// SPDX-License-Identifier: GPL-2.0
/*
 * vlapic_smoke: the module is loaded and /dev/vlapic answers as documented.
 * Proves the harness end to end (build, load, KUnit, parse).
 */

#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/stat.h>

#include <uapi/linux/vlapic.h>

static void smoke_dev_node_mode(struct kunit *test)
{
	struct file *f = filp_open("/dev/vlapic", O_RDWR, 0);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "open /dev/vlapic: %ld",
			       PTR_ERR_OR_ZERO(f));
	KUNIT_EXPECT_TRUE(test, S_ISCHR(file_inode(f)->i_mode));
	KUNIT_EXPECT_EQ(test, file_inode(f)->i_mode & 0777, 0600);
	filp_close(f, NULL);
}

static void smoke_api_version(struct kunit *test)
{
	struct file *f = filp_open("/dev/vlapic", O_RDWR, 0);

	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	KUNIT_EXPECT_EQ(test, vfs_ioctl(f, VLAPIC_GET_API_VERSION, 0),
			VLAPIC_API_VERSION);
	/* A non-zero argument is a userspace mistake. */
	KUNIT_EXPECT_EQ(test, vfs_ioctl(f, VLAPIC_GET_API_VERSION, 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vfs_ioctl(f, _IO(VLAPICIO, 0xff), 0), -ENOTTY);
	filp_close(f, NULL);
}

static struct kunit_case smoke_cases[] = {
	KUNIT_CASE(smoke_dev_node_mode),
	KUNIT_CASE(smoke_api_version),
	{}
};

static struct kunit_suite smoke_suite = {
	.name = "vlapic_smoke",
	.test_cases = smoke_cases,
};

kunit_test_suite(smoke_suite);

MODULE_DESCRIPTION("vlapic KUnit suites");
MODULE_IMPORT_NS(VLAPIC_INTERNAL);
MODULE_LICENSE("GPL");
