// SPDX-License-Identifier: GPL-2.0
/*
 * EMU_URING_IOC_PROBE (IORING_REGISTER_PROBE's format) and the ring's
 * /proc/<pid>/fdinfo.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

#define NR_OPS 64

struct probe_buf {
	struct io_uring_probe p;
	struct io_uring_probe_op ops[NR_OPS];
};

static int probe(int fd, struct probe_buf *buf, unsigned int nr)
{
	struct emu_uring_probe arg = {
		.probe = (uintptr_t)buf,
		.nr_ops = nr,
	};

	return ioctl(fd, EMU_URING_IOC_PROBE, &arg);
}

FIXTURE(dev) {
	int fd;
	struct probe_buf buf;
};

FIXTURE_SETUP(dev)
{
	EMU_OPEN_OR_SKIP(self->fd);
	memset(&self->buf, 0, sizeof(self->buf));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* PROBE works before SETUP and lists exactly the supported opcodes. */
TEST_F(dev, probe_ops)
{
	static const uint8_t supported[] = {
		IORING_OP_NOP, IORING_OP_READV, IORING_OP_WRITEV,
		IORING_OP_FSYNC, IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE,
		IORING_OP_TIMEOUT, IORING_OP_TIMEOUT_REMOVE,
		IORING_OP_ASYNC_CANCEL, IORING_OP_LINK_TIMEOUT,
		IORING_OP_READ, IORING_OP_WRITE, IORING_OP_SEND, IORING_OP_RECV,
	};
	unsigned int i, j;

	ASSERT_EQ(0, probe(self->fd, &self->buf, NR_OPS));
	EXPECT_EQ(IORING_OP_RECV, self->buf.p.last_op);
	ASSERT_EQ(self->buf.p.last_op + 1, self->buf.p.ops_len);
	for (i = 0; i < self->buf.p.ops_len; i++) {
		bool want = false;

		for (j = 0; j < sizeof(supported); j++)
			want |= supported[j] == i;
		EXPECT_EQ(i, self->buf.ops[i].op);
		EXPECT_EQ(want ? IO_URING_OP_SUPPORTED : 0,
			  self->buf.ops[i].flags) {
			TH_LOG("opcode %u", i);
		}
	}
	/* Entries past last_op are left alone. */
	for (; i < NR_OPS; i++)
		EXPECT_EQ(0, self->buf.ops[i].op | self->buf.ops[i].flags);
}

/* Fewer entries than opcodes: only those are filled. */
TEST_F(dev, probe_short)
{
	ASSERT_EQ(0, emu_setup(self->fd, 4, NULL));
	ASSERT_EQ(0, probe(self->fd, &self->buf, 2));
	EXPECT_EQ(2, self->buf.p.ops_len);
	EXPECT_EQ(IO_URING_OP_SUPPORTED, self->buf.ops[1].flags);
	EXPECT_EQ(0, self->buf.ops[2].op | self->buf.ops[2].flags);
	memset(&self->buf, 0, sizeof(self->buf));
	ASSERT_EQ(0, probe(self->fd, &self->buf, 0));
	EXPECT_EQ(0, self->buf.p.ops_len);
	EXPECT_EQ(IORING_OP_RECV, self->buf.p.last_op);
}

/* What comes in must be zeroed, as for IORING_REGISTER_PROBE. */
TEST_F(dev, probe_not_zeroed)
{
	self->buf.p.resv2[1] = 1;
	ASSERT_EQ(-1, probe(self->fd, &self->buf, NR_OPS));
	ASSERT_EQ(EINVAL, errno);
	memset(&self->buf, 0, sizeof(self->buf));
	self->buf.ops[3].flags = 1;
	ASSERT_EQ(-1, probe(self->fd, &self->buf, NR_OPS));
	ASSERT_EQ(EINVAL, errno);
}

/* The probe argument's reserved word must be zero. */
TEST_F(dev, probe_reserved)
{
	struct emu_uring_probe arg = {
		.probe = (uintptr_t)&self->buf,
		.nr_ops = 4,
		.__reserved = 1,
	};

	ASSERT_EQ(-1, ioctl(self->fd, EMU_URING_IOC_PROBE, &arg));
	ASSERT_EQ(EINVAL, errno);
}

/* A probe buffer that is not mapped is -EFAULT. */
TEST_F(dev, probe_bad_pointer)
{
	struct emu_uring_probe arg = { .probe = 16, .nr_ops = 4 };

	ASSERT_EQ(-1, ioctl(self->fd, EMU_URING_IOC_PROBE, &arg));
	ASSERT_EQ(EFAULT, errno);
}

/* The value of "Key:\t<value>" in this fd's fdinfo, or -1. */
static long fdinfo(int fd, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			val = strtol(line + klen + 1, NULL, 0);
	fclose(f);
	return val;
}

/* fdinfo before SETUP says so. */
TEST_F(dev, fdinfo_before_setup)
{
	EXPECT_EQ(0, fdinfo(self->fd, "SetUp"));
}

/* fdinfo shows the ring's sizes, heads, tails and counters. */
TEST(fdinfo_ring_state)
{
	struct io_uring_cqe cqe;
	struct ring r;
	int i;

	EMU_RING_INIT_OR_SKIP(&r, 4, NULL);
	EXPECT_EQ(1, fdinfo(r.fd, "SetUp"));
	EXPECT_EQ(4, fdinfo(r.fd, "SqEntries"));
	EXPECT_EQ(8, fdinfo(r.fd, "CqEntries"));
	for (i = 0; i < 3; i++) {
		ring_queue_nop(&r, i);
		ring_queue_nop(&r, i);
		ring_queue_nop(&r, i);
		ring_queue_nop(&r, i);
		ring_flush(&r);
		ASSERT_EQ(4, emu_enter(r.fd, 4, 0, 0));
	}
	EXPECT_EQ(12, fdinfo(r.fd, "SqHead"));
	EXPECT_EQ(12, fdinfo(r.fd, "SqTail"));
	EXPECT_EQ(8, fdinfo(r.fd, "CqTail"));
	EXPECT_EQ(0, fdinfo(r.fd, "CqHead"));
	EXPECT_EQ(4, fdinfo(r.fd, "CqBacklog"));
	EXPECT_EQ(0, fdinfo(r.fd, "CqOverflow"));
	EXPECT_EQ(0, fdinfo(r.fd, "SqDropped"));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe));
	EXPECT_EQ(1, fdinfo(r.fd, "CqHead"));
	ring_exit(&r);
}

TEST_HARNESS_MAIN
