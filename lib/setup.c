// SPDX-License-Identifier: MIT
/*
 * Ring setup and teardown: io_uring_queue_init*() open a ring on
 * /dev/emu_uring, and io_uring_queue_mmap() maps it at io_uring's offsets
 * (the module has IORING_FEAT_SINGLE_MMAP: the SQ and CQ rings are one
 * mapping).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <liburing.h>
#include <linux/emu_uring.h>

#include "sys.h"

static void *ring_off(void *base, __u32 off)
{
	return (char *)base + off;
}

int io_uring_queue_mmap(int fd, struct io_uring_params *p,
			struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	struct io_uring_cq *cq = &ring->cq;
	size_t sqes_sz;
	void *rings;

	memset(ring, 0, sizeof(*ring));
	sq->ring_sz = p->flags & IORING_SETUP_NO_SQARRAY ? 0 :
		      p->sq_off.array + p->sq_entries * sizeof(__u32);
	cq->ring_sz = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	if (cq->ring_sz > sq->ring_sz)
		sq->ring_sz = cq->ring_sz;
	cq->ring_sz = sq->ring_sz;
	rings = mmap(NULL, sq->ring_sz, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
	if (rings == MAP_FAILED)
		return -errno;
	sqes_sz = p->sq_entries * sizeof(struct io_uring_sqe);
	sq->sqes = mmap(NULL, sqes_sz, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (sq->sqes == MAP_FAILED) {
		int err = -errno;

		munmap(rings, sq->ring_sz);
		memset(ring, 0, sizeof(*ring));
		return err;
	}
	sq->ring_ptr = rings;
	cq->ring_ptr = rings;
	sq->khead = ring_off(rings, p->sq_off.head);
	sq->ktail = ring_off(rings, p->sq_off.tail);
	sq->kring_mask = ring_off(rings, p->sq_off.ring_mask);
	sq->kring_entries = ring_off(rings, p->sq_off.ring_entries);
	sq->kflags = ring_off(rings, p->sq_off.flags);
	sq->kdropped = ring_off(rings, p->sq_off.dropped);
	sq->array = p->flags & IORING_SETUP_NO_SQARRAY ? NULL :
		    ring_off(rings, p->sq_off.array);
	sq->ring_mask = *sq->kring_mask;
	sq->ring_entries = *sq->kring_entries;
	sq->sqe_head = *sq->ktail;
	sq->sqe_tail = sq->sqe_head;

	cq->khead = ring_off(rings, p->cq_off.head);
	cq->ktail = ring_off(rings, p->cq_off.tail);
	cq->kring_mask = ring_off(rings, p->cq_off.ring_mask);
	cq->kring_entries = ring_off(rings, p->cq_off.ring_entries);
	cq->koverflow = ring_off(rings, p->cq_off.overflow);
	cq->kflags = p->cq_off.flags ? ring_off(rings, p->cq_off.flags) : NULL;
	cq->cqes = ring_off(rings, p->cq_off.cqes);
	cq->ring_mask = *cq->kring_mask;
	cq->ring_entries = *cq->kring_entries;

	ring->flags = p->flags;
	ring->ring_fd = fd;
	ring->enter_ring_fd = fd;
	ring->features = p->features;
	return 0;
}

int io_uring_queue_init_params(unsigned int entries, struct io_uring *ring,
			       struct io_uring_params *p)
{
	unsigned int i;
	int fd, ret;

	fd = io_uring_setup(entries, p);
	if (fd < 0)
		return fd;
	ret = io_uring_queue_mmap(fd, p, ring);
	if (ret) {
		close(fd);
		return ret;
	}
	/* The SQ index array never changes: slot i always names SQE i. */
	for (i = 0; ring->sq.array && i < ring->sq.ring_entries; i++)
		ring->sq.array[i] = i;
	return 0;
}

int io_uring_queue_init(unsigned int entries, struct io_uring *ring,
			unsigned int flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	return io_uring_queue_init_params(entries, ring, &p);
}

void io_uring_queue_exit(struct io_uring *ring)
{
	munmap(ring->sq.sqes, ring->sq.ring_entries * sizeof(struct io_uring_sqe));
	munmap(ring->sq.ring_ptr, ring->sq.ring_sz);
	close(ring->ring_fd);
}

int io_uring_setup(unsigned int entries, struct io_uring_params *p)
{
	return emu_sys_setup(entries, p);
}

int io_uring_enter2(unsigned int fd, unsigned int to_submit,
		    unsigned int min_complete, unsigned int flags,
		    sigset_t *sig, size_t sz)
{
	return emu_sys_enter(fd, to_submit, min_complete, flags, sig, sz);
}

int io_uring_enter(unsigned int fd, unsigned int to_submit,
		   unsigned int min_complete, unsigned int flags, sigset_t *sig)
{
	return emu_sys_enter(fd, to_submit, min_complete, flags, sig,
			     sizeof(unsigned long));
}

int io_uring_register(unsigned int fd, unsigned int opcode, const void *arg,
		      unsigned int nr_args)
{
	return emu_sys_register(fd, opcode, (void *)arg, nr_args);
}
