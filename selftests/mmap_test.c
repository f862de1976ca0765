// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of the rings: the three offsets, what is refused, and faults.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

static size_t page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

static size_t page_round(size_t n)
{
	return (n + page_size() - 1) & ~(page_size() - 1);
}

/* Run fn in a child; return the signal that killed it, or 0. */
static int child_signal(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void touch(void *p)
{
	*(volatile unsigned int *)p = 0x5a5a5a5a;
}

FIXTURE(dev) {
	int fd;
	struct io_uring_params p;
};

FIXTURE_SETUP(dev)
{
	EMU_OPEN_OR_SKIP(self->fd);
	memset(&self->p, 0, sizeof(self->p));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Before SETUP there is nothing to map. */
TEST_F(dev, mmap_before_setup)
{
	void *p = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_SHARED,
		       self->fd, IORING_OFF_SQ_RING);

	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
}

/* All three offsets map; SQ and CQ ring are the same memory. */
TEST_F(dev, mmap_all_offsets)
{
	size_t len;
	char *sq, *cq;
	struct io_uring_sqe *sqes;

	ASSERT_EQ(0, emu_setup(self->fd, 8, &self->p));
	len = ring_region_size(&self->p);
	sq = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		  IORING_OFF_SQ_RING);
	ASSERT_NE(MAP_FAILED, sq);
	cq = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		  IORING_OFF_CQ_RING);
	ASSERT_NE(MAP_FAILED, cq);
	sqes = mmap(NULL, 8 * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED, self->fd, IORING_OFF_SQES);
	ASSERT_NE(MAP_FAILED, sqes);

	EXPECT_EQ(7, *(unsigned int *)(sq + self->p.sq_off.ring_mask));
	EXPECT_EQ(8, *(unsigned int *)(sq + self->p.sq_off.ring_entries));
	EXPECT_EQ(15, *(unsigned int *)(cq + self->p.cq_off.ring_mask));
	EXPECT_EQ(16, *(unsigned int *)(cq + self->p.cq_off.ring_entries));
	/* A fresh ring is zeroed. */
	EXPECT_EQ(0, *(unsigned int *)(sq + self->p.sq_off.head));
	EXPECT_EQ(0, *(unsigned int *)(cq + self->p.cq_off.tail));
	EXPECT_EQ(0, sqes[7].user_data);

	/* IORING_FEAT_SINGLE_MMAP: one region behind both offsets. */
	*(unsigned int *)(sq + self->p.sq_off.array) = 0x12345678;
	EXPECT_EQ(0x12345678, *(unsigned int *)(cq + self->p.sq_off.array));
	sqes[3].user_data = 42;

	EXPECT_EQ(0, munmap(sq, len));
	EXPECT_EQ(0, munmap(cq, len));
	EXPECT_EQ(0, munmap(sqes, 8 * sizeof(*sqes)));
}

/* Offsets other than the three are refused. */
TEST_F(dev, mmap_bad_offset)
{
	static const off_t bad[] = {
		0x1000, IORING_OFF_SQES + 0x1000, 0x4000000, 0x20000000,
		IORING_OFF_CQ_RING + 0x1000, 0x7fff000,
	};
	unsigned int i;

	ASSERT_EQ(0, emu_setup(self->fd, 8, &self->p));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *p = mmap(NULL, page_size(), PROT_READ, MAP_SHARED,
			       self->fd, bad[i]);

		EXPECT_EQ(MAP_FAILED, p) {
			TH_LOG("offset %#llx mapped", (long long)bad[i]);
		}
		EXPECT_EQ(EINVAL, errno);
	}
}

/* A mapping longer than the region is refused. */
TEST_F(dev, mmap_too_long)
{
	size_t rings, sqes;
	void *p;

	ASSERT_EQ(0, emu_setup(self->fd, 8, &self->p));
	rings = page_round(ring_region_size(&self->p));
	sqes = page_round(8 * sizeof(struct io_uring_sqe));

	p = mmap(NULL, rings + page_size(), PROT_READ, MAP_SHARED, self->fd,
		 IORING_OFF_SQ_RING);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	p = mmap(NULL, sqes + page_size(), PROT_READ, MAP_SHARED, self->fd,
		 IORING_OFF_SQES);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	/* The exact, page-rounded, length is fine. */
	p = mmap(NULL, rings, PROT_READ, MAP_SHARED, self->fd,
		 IORING_OFF_CQ_RING);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, rings);
}

/* A private mapping is refused. */
TEST_F(dev, mmap_private)
{
	void *p;

	ASSERT_EQ(0, emu_setup(self->fd, 8, &self->p));
	p = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, IORING_OFF_SQ_RING);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
}

/* A large ring spans many pages; each one faults in. */
TEST_F(dev, mmap_large_ring_all_pages)
{
	struct ring r;
	size_t i;

	EMU_RING_INIT_OR_SKIP(&r, 32768, NULL);
	for (i = 0; i < r.rings_sz; i += page_size())
		((volatile char *)r.rings)[i] = 1;
	for (i = 0; i < r.sqes_sz; i += page_size())
		((volatile char *)r.sqes)[i] = 1;
	EXPECT_EQ(32767, *r.sq_mask);
	EXPECT_EQ(65535, *r.cq_mask);
	ring_exit(&r);
}

/* After munmap the memory is gone: touching it is SIGSEGV. */
TEST_F(dev, munmap_then_access_faults)
{
	struct ring r;
	void *rings;

	EMU_RING_INIT_OR_SKIP(&r, 8, NULL);
	rings = r.rings;
	touch(rings);
	ASSERT_EQ(0, munmap(r.rings, r.rings_sz));
	r.rings = NULL;
	ASSERT_EQ(SIGSEGV, child_signal(touch, rings));
	ring_exit(&r);
}

/* The mapping cannot grow past the region (VM_DONTEXPAND). */
TEST_F(dev, mremap_cannot_grow)
{
	struct ring r;
	void *p;

	EMU_RING_INIT_OR_SKIP(&r, 8, NULL);
	p = mremap(r.sqes, page_round(r.sqes_sz),
		   page_round(r.sqes_sz) + page_size(), MREMAP_MAYMOVE);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EFAULT, errno);
	ring_exit(&r);
}

/* A partial mapping of the SQE region works and is the same memory. */
TEST_F(dev, mmap_partial)
{
	struct ring r;
	struct io_uring_sqe *first;

	EMU_RING_INIT_OR_SKIP(&r, 256, NULL);
	first = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_SHARED,
		     r.fd, IORING_OFF_SQES);
	ASSERT_NE(MAP_FAILED, first);
	r.sqes[1].user_data = 0xabcdef;
	EXPECT_EQ(0xabcdef, first[1].user_data);
	munmap(first, page_size());
	ring_exit(&r);
}

TEST_HARNESS_MAIN
