// SPDX-License-Identifier: GPL-2.0
/*
 * The task-work setup flags: IORING_SETUP_COOP_TASKRUN, TASKRUN_FLAG,
 * SINGLE_ISSUER and DEFER_TASKRUN. emu_uring completes every request
 * inside ENTER and has no task work, so the hints hold trivially; what
 * must hold as in io_uring is their validation and SINGLE_ISSUER's rule
 * that only the task that set the ring up submits (-EEXIST), and with
 * DEFER_TASKRUN also waits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

#ifndef IORING_SETUP_COOP_TASKRUN
#define IORING_SETUP_COOP_TASKRUN	(1U << 8)
#define IORING_SETUP_TASKRUN_FLAG	(1U << 9)
#endif
#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER	(1U << 12)
#endif
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN	(1U << 13)
#endif

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

FIXTURE_VARIANT(dev) {
	unsigned int flags;
	bool ok;
};

FIXTURE_VARIANT_ADD(dev, coop) {
	.flags = IORING_SETUP_COOP_TASKRUN, .ok = true,
};

FIXTURE_VARIANT_ADD(dev, coop_taskrun_flag) {
	.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
	.ok = true,
};

FIXTURE_VARIANT_ADD(dev, single_issuer) {
	.flags = IORING_SETUP_SINGLE_ISSUER, .ok = true,
};

FIXTURE_VARIANT_ADD(dev, defer_taskrun) {
	.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	.ok = true,
};

FIXTURE_VARIANT_ADD(dev, defer_taskrun_flag) {
	.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
		 IORING_SETUP_TASKRUN_FLAG,
	.ok = true,
};

/* TASKRUN_FLAG needs COOP_TASKRUN or DEFER_TASKRUN. */
FIXTURE_VARIANT_ADD(dev, taskrun_flag_alone) {
	.flags = IORING_SETUP_TASKRUN_FLAG, .ok = false,
};

/* DEFER_TASKRUN needs SINGLE_ISSUER. */
FIXTURE_VARIANT_ADD(dev, defer_alone) {
	.flags = IORING_SETUP_DEFER_TASKRUN, .ok = false,
};

FIXTURE_VARIANT_ADD(dev, defer_coop_not_single) {
	.flags = IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN,
	.ok = false,
};

/* Accepted or refused like io_uring; accepted, the ring works. */
TEST_F(dev, setup_flags)
{
	struct io_uring_params p = { .flags = variant->flags };
	struct emu_uring_enter e = { .to_submit = 1, .min_complete = 1,
				     .flags = IORING_ENTER_GETEVENTS };
	struct io_uring_cqe cqe;
	struct ring r;

	if (!variant->ok) {
		EXPECT_EQ(-1, emu_setup(self->fd, 4, &p));
		EXPECT_EQ(EINVAL, errno);
		/* Nothing was set up. */
		ASSERT_EQ(0, emu_setup(self->fd, 4, NULL));
		return;
	}
	p.flags = variant->flags;
	ASSERT_EQ(0, ring_init(&r, 4, &p));
	EXPECT_EQ(variant->flags, r.p.flags);
	ring_queue_nop(&r, 7);
	ring_flush(&r);
	EXPECT_EQ(1, ioctl(r.fd, EMU_URING_IOC_ENTER, &e));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe));
	EXPECT_EQ(7, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	/* No task work, ever: the flag that would announce it stays clear. */
	EXPECT_FALSE(*r.sq_flags & IORING_SQ_TASKRUN);
	ring_exit(&r);
}

struct other {
	struct ring *r;
	int submit, wait;	/* ENTER results, -errno */
};

static int enter_errno(int fd, unsigned int to_submit, unsigned int flags)
{
	return emu_enter(fd, to_submit, 0, flags) < 0 ? -errno : 0;
}

static void *other_task(void *arg)
{
	struct other *o = arg;

	o->submit = enter_errno(o->r->fd, 1, 0);
	o->wait = enter_errno(o->r->fd, 0, IORING_ENTER_GETEVENTS);
	return NULL;
}

FIXTURE(issuer) {
	struct ring r;
};

FIXTURE_VARIANT(issuer) {
	unsigned int flags;
	int other_submit, other_wait;	/* what another task gets */
};

FIXTURE_VARIANT_ADD(issuer, single) {
	.flags = IORING_SETUP_SINGLE_ISSUER,
	.other_submit = -EEXIST, .other_wait = 0,
};

FIXTURE_VARIANT_ADD(issuer, defer) {
	.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	.other_submit = -EEXIST, .other_wait = -EEXIST,
};

FIXTURE_VARIANT_ADD(issuer, shared) {
	.flags = 0, .other_submit = 0, .other_wait = 0,
};

FIXTURE_SETUP(issuer)
{
	struct io_uring_params p = { .flags = variant->flags };

	EMU_RING_INIT_OR_SKIP(&self->r, 4, &p);
}

FIXTURE_TEARDOWN(issuer)
{
	ring_exit(&self->r);
}

/* Another thread of the same process is another task. */
TEST_F(issuer, other_thread)
{
	struct other o = { .r = &self->r };
	pthread_t t;

	ring_queue_nop(&self->r, 1);
	ring_flush(&self->r);
	ASSERT_EQ(0, pthread_create(&t, NULL, other_task, &o));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(variant->other_submit, o.submit);
	EXPECT_EQ(variant->other_wait, o.wait);
	/* The owner still submits; the SQE refused above is still queued. */
	EXPECT_EQ(variant->other_submit ? 1 : 0,
		  emu_enter(self->r.fd, 1, 0, 0));
	EXPECT_EQ(0, enter_errno(self->r.fd, 0, IORING_ENTER_GETEVENTS));
}

/* A child after fork() is another task too. */
TEST_F(issuer, forked_child)
{
	struct other o = { .r = &self->r };
	int status;
	pid_t pid;

	ring_queue_nop(&self->r, 1);
	ring_flush(&self->r);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		other_task(&o);
		_exit(o.submit == variant->other_submit &&
		      o.wait == variant->other_wait ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

TEST_HARNESS_MAIN
