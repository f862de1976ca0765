// SPDX-License-Identifier: GPL-2.0
/*
 * EMU_URING_IOC_SETUP and the ioctl ABI: sizes, params, every errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	EMU_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The params block comes back filled like io_uring_setup(2) fills it. */
TEST_F(dev, params_returned)
{
	struct io_uring_params p = {};

	ASSERT_EQ(0, emu_setup(self->fd, 4, &p));
	EXPECT_EQ(4, p.sq_entries);
	EXPECT_EQ(8, p.cq_entries);
	EXPECT_EQ(0, p.flags);
	EXPECT_TRUE(p.features & IORING_FEAT_SINGLE_MMAP);
	EXPECT_TRUE(p.features & IORING_FEAT_RW_CUR_POS);
	EXPECT_TRUE(p.features & IORING_FEAT_NODROP);
	EXPECT_TRUE(p.features & IORING_FEAT_CQE_SKIP);
	EXPECT_TRUE(p.features & IORING_FEAT_SUBMIT_STABLE);
	/* Requests that would block on a pollable file wait on it. */
	EXPECT_TRUE(p.features & IORING_FEAT_FAST_POLL);
	/* ENTER takes a struct io_uring_getevents_arg (wait_test.c). */
	EXPECT_TRUE(p.features & IORING_FEAT_EXT_ARG);
	/* Files are looked up at submission, also in a chain. */
	EXPECT_FALSE(p.features & IORING_FEAT_LINKED_FILE);
	/* Not implemented, so not claimed. */
	EXPECT_FALSE(p.features & IORING_FEAT_NATIVE_WORKERS);
	EXPECT_FALSE(p.features & IORING_FEAT_CUR_PERSONALITY);
	/* io_uring's header layout (Linux 6.12). */
	EXPECT_EQ(0, p.sq_off.head);
	EXPECT_EQ(4, p.sq_off.tail);
	EXPECT_EQ(8, p.cq_off.head);
	EXPECT_EQ(12, p.cq_off.tail);
	EXPECT_EQ(16, p.sq_off.ring_mask);
	EXPECT_EQ(20, p.cq_off.ring_mask);
	EXPECT_EQ(24, p.sq_off.ring_entries);
	EXPECT_EQ(28, p.cq_off.ring_entries);
	EXPECT_EQ(32, p.sq_off.dropped);
	EXPECT_EQ(36, p.sq_off.flags);
	EXPECT_EQ(40, p.cq_off.flags);
	EXPECT_EQ(44, p.cq_off.overflow);
	EXPECT_EQ(64, p.cq_off.cqes);
	/* The SQ index array follows the CQEs, cache line aligned. */
	EXPECT_LE(64 + 8 * sizeof(struct io_uring_cqe), p.sq_off.array);
	EXPECT_EQ(0, p.sq_off.array % 64);
}

/* Entries are rounded up to a power of two, CQ twice as large. */
TEST_F(dev, entries_rounded_up)
{
	struct io_uring_params p = {};

	ASSERT_EQ(0, emu_setup(self->fd, 5, &p));
	EXPECT_EQ(8, p.sq_entries);
	EXPECT_EQ(16, p.cq_entries);
}

/* 32768 SQ entries is io_uring's maximum and is accepted. */
TEST_F(dev, entries_max)
{
	struct io_uring_params p = {};

	ASSERT_EQ(0, emu_setup(self->fd, 32768, &p));
	EXPECT_EQ(32768, p.sq_entries);
	EXPECT_EQ(65536, p.cq_entries);
}

/* Zero entries is invalid. */
TEST_F(dev, entries_zero)
{
	struct io_uring_params p = {};

	ASSERT_EQ(-1, emu_setup(self->fd, 0, &p));
	ASSERT_EQ(EINVAL, errno);
}

/* More than 32768 entries is invalid (no CLAMP). */
TEST_F(dev, entries_too_many)
{
	struct io_uring_params p = {};

	ASSERT_EQ(-1, emu_setup(self->fd, 32769, &p));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, emu_setup(self->fd, UINT32_MAX, &p));
	ASSERT_EQ(EINVAL, errno);
}

/* IORING_SETUP_CQSIZE takes cq_entries, rounded up. */
TEST_F(dev, cqsize)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE,
		.cq_entries = 100,
	};

	ASSERT_EQ(0, emu_setup(self->fd, 4, &p));
	EXPECT_EQ(4, p.sq_entries);
	EXPECT_EQ(128, p.cq_entries);
	EXPECT_EQ(IORING_SETUP_CQSIZE, p.flags);
}

/* CQSIZE with a CQ equal to the SQ is fine. */
TEST_F(dev, cqsize_equal_sq)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE,
		.cq_entries = 8,
	};

	ASSERT_EQ(0, emu_setup(self->fd, 8, &p));
	EXPECT_EQ(8, p.cq_entries);
}

/* CQSIZE smaller than the SQ is invalid. */
TEST_F(dev, cqsize_smaller_than_sq)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE,
		.cq_entries = 4,
	};

	ASSERT_EQ(-1, emu_setup(self->fd, 8, &p));
	ASSERT_EQ(EINVAL, errno);
}

/* CQSIZE with zero entries is invalid. */
TEST_F(dev, cqsize_zero)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE };

	ASSERT_EQ(-1, emu_setup(self->fd, 8, &p));
	ASSERT_EQ(EINVAL, errno);
}

/* CQSIZE above 65536 is invalid; 65536 itself is fine. */
TEST_F(dev, cqsize_too_big)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE,
		.cq_entries = 65537,
	};

	ASSERT_EQ(-1, emu_setup(self->fd, 8, &p));
	ASSERT_EQ(EINVAL, errno);
	p.cq_entries = 65536;
	ASSERT_EQ(0, emu_setup(self->fd, 8, &p));
	EXPECT_EQ(65536, p.cq_entries);
}

/* Every setup flag not supported is refused, one at a time. */
TEST_F(dev, unknown_setup_flags)
{
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		struct io_uring_params p = { .flags = 1U << bit };

		if (p.flags & EMU_SETUP_FLAGS)
			continue;
		EXPECT_EQ(-1, emu_setup(self->fd, 4, &p)) {
			TH_LOG("setup flag bit %u accepted", bit);
		}
		EXPECT_EQ(EINVAL, errno);
	}
	/* Nothing was set up by the refused calls. */
	ASSERT_EQ(0, emu_setup(self->fd, 4, NULL));
}

/* Each io_uring_params.resv word must be zero. */
TEST_F(dev, params_resv_nonzero)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct io_uring_params p = {};

		p.resv[i] = 1;
		EXPECT_EQ(-1, emu_setup(self->fd, 4, &p));
		EXPECT_EQ(EINVAL, errno);
	}
}

/* The setup wrapper's own reserved word must be zero. */
TEST_F(dev, setup_reserved_nonzero)
{
	struct emu_uring_setup s = { .entries = 4, .__reserved = 1 };

	ASSERT_EQ(-1, ioctl(self->fd, EMU_URING_IOC_SETUP, &s));
	ASSERT_EQ(EINVAL, errno);
}

/* IORING_SETUP_CLAMP clamps too many SQ entries to 32768. */
TEST_F(dev, clamp_sq_entries)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CLAMP };

	ASSERT_EQ(0, emu_setup(self->fd, 100000, &p));
	EXPECT_EQ(32768, p.sq_entries);
	EXPECT_EQ(65536, p.cq_entries);
}

/* IORING_SETUP_CLAMP clamps too many CQ entries to 65536. */
TEST_F(dev, clamp_cq_entries)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CLAMP | IORING_SETUP_CQSIZE,
		.cq_entries = 1000000,
	};

	ASSERT_EQ(0, emu_setup(self->fd, 4, &p));
	EXPECT_EQ(4, p.sq_entries);
	EXPECT_EQ(65536, p.cq_entries);
}

/* CLAMP does not make zero entries valid. */
TEST_F(dev, clamp_zero_entries)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CLAMP };

	ASSERT_EQ(-1, emu_setup(self->fd, 0, &p));
	ASSERT_EQ(EINVAL, errno);
}

/* IORING_SETUP_NO_SQARRAY: no index array; the region ends at the CQEs. */
TEST_F(dev, no_sqarray_params)
{
	struct io_uring_params p = { .flags = IORING_SETUP_NO_SQARRAY };

	ASSERT_EQ(0, emu_setup(self->fd, 8, &p));
	EXPECT_EQ(0, p.sq_off.array);
	EXPECT_EQ(IORING_SETUP_NO_SQARRAY, p.flags);
}

/* A ring is set up once per open file. */
TEST_F(dev, setup_twice)
{
	ASSERT_EQ(0, emu_setup(self->fd, 4, NULL));
	ASSERT_EQ(-1, emu_setup(self->fd, 4, NULL));
	ASSERT_EQ(EBUSY, errno);
}

/* A failed setup leaves the file free to be set up again. */
TEST_F(dev, setup_after_failure)
{
	ASSERT_EQ(-1, emu_setup(self->fd, 0, NULL));
	ASSERT_EQ(0, emu_setup(self->fd, 2, NULL));
}

/* An unreadable argument is -EFAULT. */
TEST_F(dev, setup_bad_pointer)
{
	ASSERT_EQ(-1, ioctl(self->fd, EMU_URING_IOC_SETUP, (void *)16));
	ASSERT_EQ(EFAULT, errno);
}

/* Unknown ioctl numbers, and known ones with another size, are -ENOTTY. */
TEST_F(dev, unknown_ioctl)
{
	char buf[256] = {};

	ASSERT_EQ(-1, ioctl(self->fd, _IO(EMU_URING_IOC_MAGIC, 0x7f), buf));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, _IOWR(EMU_URING_IOC_MAGIC, 0x00,
					    char[8]), buf));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, FIONREAD, buf));
	ASSERT_EQ(ENOTTY, errno);
}

/* ENTER before SETUP is an error, not a crash. */
TEST_F(dev, enter_before_setup)
{
	ASSERT_EQ(-1, emu_enter(self->fd, 1, 1, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(EBADFD, errno);
}

/*
 * EMU_URING_IOC_OPEN: a new file of the device, close-on-exec, ready for
 * SETUP, from a device file (a ring's too) opened for reading and writing;
 * in a child that chroot()ed where there is no /dev/emu_uring too.
 */
TEST_F(dev, open_ioctl)
{
	struct io_uring_params p = {};
	struct stat a, b;
	char dir[] = "/tmp/emu_open.XXXXXX";
	int fd, ro, status;
	pid_t pid;

	fd = ioctl(self->fd, EMU_URING_IOC_OPEN, 0);
	ASSERT_LE(0, fd);
	EXPECT_NE(self->fd, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, fstat(self->fd, &a));
	ASSERT_EQ(0, fstat(fd, &b));
	EXPECT_EQ(a.st_rdev, b.st_rdev);
	EXPECT_EQ(0, emu_setup(fd, 4, &p));
	/* From a ring: another new file, not that ring. */
	ro = ioctl(fd, EMU_URING_IOC_OPEN, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(0, emu_setup(ro, 4, &p));
	close(ro);
	close(fd);

	EXPECT_EQ(-1, ioctl(self->fd, EMU_URING_IOC_OPEN, 1));
	EXPECT_EQ(EINVAL, errno);
	ro = open(EMU_DEV, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-1, ioctl(ro, EMU_URING_IOC_OPEN, 0));
	EXPECT_EQ(EBADF, errno);
	close(ro);

	ASSERT_NE(NULL, mkdtemp(dir));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (chroot(dir) || chdir("/"))
			_exit(101);
		if (!access(EMU_DEV, F_OK))
			_exit(102);
		fd = ioctl(self->fd, EMU_URING_IOC_OPEN, 0);
		if (fd < 0)
			_exit(103);
		_exit(emu_setup(fd, 4, &p) ? 104 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	rmdir(dir);
}

/* The ring file is not seekable. */
TEST_F(dev, not_seekable)
{
	ASSERT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	ASSERT_EQ(ESPIPE, errno);
}

TEST_HARNESS_MAIN
