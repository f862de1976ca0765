// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetime of a ring: mappings that outlive the fd, fork, and the module
 * pinned while a ring is open or mapped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

static int try_unload(void)
{
	return syscall(SYS_delete_module, "emu_uring", O_NONBLOCK);
}

FIXTURE(ring) {
	struct ring r;
};

FIXTURE_SETUP(ring)
{
	self->r.fd = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 8, NULL);
}

FIXTURE_TEARDOWN(ring)
{
	ring_exit(&self->r);
}

/* After close() the mapping stays valid, readable and writable. */
TEST_F(ring, close_with_mapping_alive)
{
	struct ring *r = &self->r;

	ASSERT_EQ(0, close(r->fd));
	r->fd = -1;
	EXPECT_EQ(7, *r->sq_mask);
	EXPECT_EQ(16, *r->cq_entries);
	r->sqes[7].user_data = 0x1234;
	EXPECT_EQ(0x1234, r->sqes[7].user_data);
	/* Pages not touched before close() fault in after it. */
	((volatile char *)r->rings)[r->rings_sz - 1] = 1;
	EXPECT_EQ(0, munmap(r->rings, r->rings_sz));
	EXPECT_EQ(0, munmap(r->sqes, r->sqes_sz));
	r->rings = NULL;
	r->sqes = NULL;
}

/* The module cannot be removed while a ring is open. */
TEST_F(ring, module_busy_while_open)
{
	if (geteuid())
		SKIP(return, "needs root to try delete_module");
	ASSERT_EQ(-1, try_unload());
	ASSERT_EQ(EWOULDBLOCK, errno);
}

/* Nor while a ring is only mapped, its fd closed. */
TEST_F(ring, module_busy_while_mapped)
{
	if (geteuid())
		SKIP(return, "needs root to try delete_module");
	ASSERT_EQ(0, close(self->r.fd));
	self->r.fd = -1;
	ASSERT_EQ(-1, try_unload());
	ASSERT_EQ(EWOULDBLOCK, errno);
}

/*
 * Across fork() the child shares the rings: it submits through its copy of
 * the mapping and fd, and the parent sees the CQE in its own mapping.
 */
TEST_F(ring, fork_shares_rings)
{
	struct ring *r = &self->r;
	struct io_uring_cqe cqe;
	int status;
	pid_t pid;

	/* Leave the SQE pages unfaulted so the child faults them itself. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (!ring_queue_nop(r, 0xc41d))
			_exit(2);
		ring_flush(r);
		if (emu_enter(r->fd, 1, 1, IORING_ENTER_GETEVENTS) != 1)
			_exit(3);
		_exit(ring_cq_ready(r) == 1 ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	ASSERT_EQ(1, *r->sq_head);
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe));
	EXPECT_EQ(0xc41d, cqe.user_data);
	EXPECT_EQ(0, cqe.res);

	/* The parent goes on using the ring after the child is gone. */
	r->sqe_tail = *r->sq_tail;
	ring_queue_nop(r, 0xfa7e);
	ring_flush(r);
	ASSERT_EQ(1, emu_enter(r->fd, 1, 1, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe));
	EXPECT_EQ(0xfa7e, cqe.user_data);
}

/* A child that closes everything and exits leaves the parent's ring alone. */
TEST_F(ring, fork_child_exits)
{
	struct ring *r = &self->r;
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		ring_exit(r);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ring_queue_nop(r, 9);
	ring_flush(r);
	ASSERT_EQ(1, emu_enter(r->fd, 1, 1, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(1, ring_cq_ready(r));
}

/* Many rings opened, set up, mapped and closed. */
TEST(many_rings)
{
	int i;

	for (i = 0; i < 200; i++) {
		struct ring r;

		EMU_RING_INIT_OR_SKIP(&r, 1 + i * 37 % 4096, NULL);
		((volatile char *)r.rings)[0] = 1;
		ring_exit(&r);
	}
}

TEST_HARNESS_MAIN
