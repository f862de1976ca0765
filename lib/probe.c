// SPDX-License-Identifier: MIT
/*
 * Which opcodes the module runs, in IORING_REGISTER_PROBE's format. The
 * probe works on any ring, and io_uring_get_probe() opens a small one.
 * And the restrictions of a ring set up disabled (IORING_SETUP_R_DISABLED).
 */
#include <stdlib.h>

#include <liburing.h>

#include "sys.h"

#define PROBE_OPS 256

int io_uring_register_probe(struct io_uring *ring, struct io_uring_probe *p,
			    unsigned int nr)
{
	return emu_sys_register(ring->ring_fd, IORING_REGISTER_PROBE, p, nr);
}

int io_uring_register_restrictions(struct io_uring *ring,
				   struct io_uring_restriction *res,
				   unsigned int nr_res)
{
	return emu_sys_register(ring->ring_fd, IORING_REGISTER_RESTRICTIONS,
				res, nr_res);
}

int io_uring_enable_rings(struct io_uring *ring)
{
	return emu_sys_register(ring->ring_fd, IORING_REGISTER_ENABLE_RINGS,
				NULL, 0);
}

int io_uring_register_eventfd(struct io_uring *ring, int fd)
{
	return emu_sys_register(ring->ring_fd, IORING_REGISTER_EVENTFD, &fd, 1);
}

int io_uring_register_eventfd_async(struct io_uring *ring, int fd)
{
	return emu_sys_register(ring->ring_fd, IORING_REGISTER_EVENTFD_ASYNC,
				&fd, 1);
}

int io_uring_unregister_eventfd(struct io_uring *ring)
{
	return emu_sys_register(ring->ring_fd, IORING_UNREGISTER_EVENTFD,
				NULL, 0);
}

struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring)
{
	size_t len = sizeof(struct io_uring_probe) +
		     PROBE_OPS * sizeof(struct io_uring_probe_op);
	struct io_uring_probe *p = calloc(1, len);

	if (p && io_uring_register_probe(ring, p, PROBE_OPS) < 0) {
		free(p);
		p = NULL;
	}
	return p;
}

struct io_uring_probe *io_uring_get_probe(void)
{
	struct io_uring_probe *p;
	struct io_uring ring;

	if (io_uring_queue_init(2, &ring, 0) < 0)
		return NULL;
	p = io_uring_get_probe_ring(&ring);
	io_uring_queue_exit(&ring);
	return p;
}

void io_uring_free_probe(struct io_uring_probe *probe)
{
	free(probe);
}
