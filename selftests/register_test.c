// SPDX-License-Identifier: GPL-2.0
/*
 * EMU_URING_IOC_REGISTER (io_uring_register(2)): its errnos, PROBE through
 * it, and io_uring's restrictions: a ring set up with
 * IORING_SETUP_R_DISABLED, confined with IORING_REGISTER_RESTRICTIONS, then
 * enabled with IORING_REGISTER_ENABLE_RINGS; restrictions that try to widen
 * themselves.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

static struct io_uring_restriction restr(uint16_t opcode, uint8_t v)
{
	struct io_uring_restriction r = { .opcode = opcode };

	if (opcode == IORING_RESTRICTION_REGISTER_OP)
		r.register_op = v;
	else if (opcode == IORING_RESTRICTION_SQE_OP)
		r.sqe_op = v;
	else
		r.sqe_flags = v;
	return r;
}

FIXTURE(reg) {
	struct ring r;
};

/* A disabled ring, set up and mapped. */
FIXTURE_SETUP(reg)
{
	struct io_uring_params p = { .flags = IORING_SETUP_R_DISABLED };

	EMU_RING_INIT_OR_SKIP(&self->r, 8, &p);
}

FIXTURE_TEARDOWN(reg)
{
	ring_exit(&self->r);
}

/* The ioctl's own errnos, and io_uring_register(2)'s for bad opcodes. */
TEST_F(reg, errnos)
{
	struct emu_uring_register r = { .opcode = IORING_REGISTER_PROBE };
	int fd;

	r.__reserved = 1;
	EXPECT_EQ(-1, ioctl(self->r.fd, EMU_URING_IOC_REGISTER, &r));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->r.fd, EMU_URING_IOC_REGISTER, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	/* Opcodes io_uring has and emu_uring has not, and beyond any. */
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_BUFFERS, NULL, 0));
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, 255, NULL, 0));
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_PROBE | (1U << 31),
			       NULL, 0));
	/* Before SETUP. */
	fd = open(EMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADFD, emu_register(fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0));
	close(fd);
	/* ENABLE_RINGS takes no argument. */
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_ENABLE_RINGS,
			       &fd, 0));
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_ENABLE_RINGS,
			       NULL, 1));
}

/* PROBE through REGISTER, as through its own ioctl. */
TEST_F(reg, probe)
{
	struct {
		struct io_uring_probe p;
		struct io_uring_probe_op ops[64];
	} buf;

	memset(&buf, 0, sizeof(buf));
	EXPECT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_PROBE, &buf, 64));
	EXPECT_LE(IORING_OP_WRITE, buf.p.last_op);
	EXPECT_EQ(IO_URING_OP_SUPPORTED, buf.ops[IORING_OP_NOP].flags);
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_PROBE, NULL, 4));
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_PROBE, &buf, 257));
	/* Not zeroed. */
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_PROBE, &buf, 64));
}

/* A disabled ring takes no SQEs (-EBADFD) until it is enabled. */
TEST_F(reg, disabled_until_enabled)
{
	ring_queue_nop(&self->r, 1);
	ring_flush(&self->r);
	EXPECT_EQ(-1, emu_enter(self->r.fd, 1, 0, 0));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0));
	EXPECT_EQ(1, emu_enter(self->r.fd, 1, 1, IORING_ENTER_GETEVENTS));
	/* Once. */
	EXPECT_EQ(-EBADFD, emu_register(self->r.fd, IORING_REGISTER_ENABLE_RINGS,
			       NULL, 0));
}

/* Restrictions need a disabled ring. */
TEST(restrictions_need_disabled)
{
	struct io_uring_restriction res = restr(IORING_RESTRICTION_SQE_OP,
						IORING_OP_NOP);
	struct ring r;

	EMU_RING_INIT_OR_SKIP(&r, 4, NULL);
	EXPECT_EQ(-EBADFD, emu_register(r.fd, IORING_REGISTER_RESTRICTIONS, &res, 1));
	EXPECT_EQ(-EBADFD, emu_register(r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0));
	ring_exit(&r);
}

/*
 * Allowed: NOP and READ, flags IO_LINK, register op PROBE. Then a WRITE,
 * an IOSQE_ASYNC NOP and REGISTER_RESTRICTIONS (which would widen them)
 * get -EACCES; PROBE works.
 */
TEST_F(reg, sqe_and_register_ops)
{
	struct io_uring_restriction res[] = {
		restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP),
		restr(IORING_RESTRICTION_SQE_OP, IORING_OP_READ),
		restr(IORING_RESTRICTION_SQE_FLAGS_ALLOWED, IOSQE_IO_LINK),
		restr(IORING_RESTRICTION_REGISTER_OP, IORING_REGISTER_PROBE),
	};
	struct {
		struct io_uring_probe p;
		struct io_uring_probe_op ops[64];
	} buf;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	int i;

	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS, res, 4));
	/* Once only, while disabled. */
	EXPECT_EQ(-EBUSY, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS,
			      res, 1));
	/* ENABLE_RINGS itself is not restricted until it is done. */
	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0));

	ring_queue_nop(&self->r, 1);
	EXPECT_EQ(0, ring_submit_one(&self->r, NULL));
	/* IO_LINK is allowed: a linked pair runs. */
	ring_queue_nop(&self->r, 5)->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 6);
	ring_flush(&self->r);
	EXPECT_EQ(2, emu_enter(self->r.fd, 2, 2, IORING_ENTER_GETEVENTS));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(0, cqe.res);
	}
	ring_queue_nop(&self->r, 2)->flags = IOSQE_ASYNC;
	EXPECT_EQ(-EACCES, ring_submit_one(&self->r, NULL));
	sqe = ring_queue_rw(&self->r, IORING_OP_WRITE, -1, NULL, 0, 0, 3);
	ASSERT_NE(NULL, sqe);
	EXPECT_EQ(-EACCES, ring_submit_one(&self->r, NULL));
	ring_queue_rw(&self->r, IORING_OP_READ, -1, NULL, 0, 0, 4);
	EXPECT_EQ(-EBADF, ring_submit_one(&self->r, NULL));

	memset(&buf, 0, sizeof(buf));
	EXPECT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_PROBE, &buf, 64));
	/* Widening: refused as a register opcode first. */
	EXPECT_EQ(-EACCES, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS,
			       res, 1));
	EXPECT_EQ(-EACCES, emu_register(self->r.fd, IORING_REGISTER_ENABLE_RINGS,
			       NULL, 0));
}

/*
 * Even with REGISTER_RESTRICTIONS among the allowed register opcodes, an
 * enabled ring cannot register more (-EBADFD: not disabled any more).
 */
TEST_F(reg, cannot_widen_after_enable)
{
	struct io_uring_restriction res[] = {
		restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP),
		restr(IORING_RESTRICTION_REGISTER_OP,
		      IORING_REGISTER_RESTRICTIONS),
	};
	struct io_uring_restriction more =
		restr(IORING_RESTRICTION_SQE_OP, IORING_OP_WRITE);

	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS, res, 2));
	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0));
	EXPECT_EQ(-EBADFD, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS,
			       &more, 1));
	ring_queue_rw(&self->r, IORING_OP_WRITE, -1, NULL, 0, 0, 1);
	EXPECT_EQ(-EACCES, ring_submit_one(&self->r, NULL));
}

/* PROBE is a register opcode like the others, through its old ioctl too. */
TEST_F(reg, probe_ioctl_restricted)
{
	struct io_uring_restriction res =
		restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP);
	struct {
		struct io_uring_probe p;
		struct io_uring_probe_op ops[64];
	} buf;
	struct emu_uring_probe arg = { .probe = (uintptr_t)&buf, .nr_ops = 64 };

	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS, &res, 1));
	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0));
	memset(&buf, 0, sizeof(buf));
	EXPECT_EQ(-1, ioctl(self->r.fd, EMU_URING_IOC_PROBE, &arg));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-EACCES, emu_register(self->r.fd, IORING_REGISTER_PROBE, &buf, 64));
}

/* A disabled ring refuses waits as well as submissions. */
TEST_F(reg, disabled_refuses_wait)
{
	EXPECT_EQ(-1, emu_enter(self->r.fd, 0, 0, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(EBADFD, errno);
}

/* SQE_FLAGS_REQUIRED: an SQE without them is refused. */
TEST_F(reg, required_flags)
{
	struct io_uring_restriction res[] = {
		restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP),
		restr(IORING_RESTRICTION_SQE_FLAGS_REQUIRED,
		      IOSQE_CQE_SKIP_SUCCESS),
	};

	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS, res, 2));
	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0));
	ring_queue_nop(&self->r, 1);
	EXPECT_EQ(-EACCES, ring_submit_one(&self->r, NULL));
	/* With it: success, and no CQE. */
	ring_queue_nop(&self->r, 2)->flags = IOSQE_CQE_SKIP_SUCCESS;
	ring_flush(&self->r);
	EXPECT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	EXPECT_EQ(0, ring_cq_ready(&self->r));
}

/*
 * A bad entry fails the whole set (-EINVAL) and leaves no restriction: a
 * good set may follow.
 */
TEST_F(reg, bad_entry_resets)
{
	struct io_uring_restriction bad[] = {
		restr(IORING_RESTRICTION_SQE_OP, IORING_OP_WRITE),
		restr(IORING_RESTRICTION_LAST, 0),
	};
	struct io_uring_restriction bad_op =
		restr(IORING_RESTRICTION_SQE_OP, 255);
	struct io_uring_restriction bad_reg =
		restr(IORING_RESTRICTION_REGISTER_OP, 255);
	struct io_uring_restriction good =
		restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP);

	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS,
			       bad, 2));
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS,
			       &bad_op, 1));
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS,
			       &bad_reg, 1));
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS,
			       NULL, 1));
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS,
			       &good, 100000));
	EXPECT_EQ(-EFAULT, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS,
			       (void *)8, 1));
	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_RESTRICTIONS, &good, 1));
	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0));
	/* NOP runs; the failed set's WRITE did not stay. */
	ring_queue_nop(&self->r, 1);
	EXPECT_EQ(0, ring_submit_one(&self->r, NULL));
	ring_queue_rw(&self->r, IORING_OP_WRITE, -1, NULL, 0, 0, 2);
	EXPECT_EQ(-EACCES, ring_submit_one(&self->r, NULL));
}

/* SINGLE_ISSUER with R_DISABLED: the task that enables it is the issuer. */
TEST(single_issuer_is_enabler)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_R_DISABLED | IORING_SETUP_SINGLE_ISSUER,
	};
	struct ring r;
	int status;
	pid_t pid;

	EMU_RING_INIT_OR_SKIP(&r, 4, &p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct io_uring_cqe cqe;

		if (emu_register(r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0))
			_exit(1);
		ring_queue_nop(&r, 1);
		ring_flush(&r);
		if (emu_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS) != 1)
			_exit(2);
		_exit(ring_pop_cqe(&r, &cqe) ? 3 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The parent did SETUP but is not the issuer. */
	ring_queue_nop(&r, 2);
	ring_flush(&r);
	EXPECT_EQ(-1, emu_enter(r.fd, 1, 0, 0));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-EEXIST, emu_register(r.fd, IORING_REGISTER_PROBE, NULL, 0));
	ring_exit(&r);
}

TEST_HARNESS_MAIN
