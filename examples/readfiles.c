// SPDX-License-Identifier: GPL-2.0
/*
 * readfiles: read files through an emu_uring ring, all in one ENTER.
 *
 *   readfiles FILE...
 *
 * One READV SQE per file (two iovecs each: a 64-byte head and the rest of
 * a 4 KiB buffer), one EMU_URING_IOC_ENTER that submits them all and waits
 * for all completions, then each CQE and what was read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/emu_uring.h>

#define HEAD	64
#define BUFSZ	4096

struct file_req {
	const char *name;
	int fd;
	char buf[BUFSZ + 1];
	struct iovec iov[2];
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	struct emu_uring_setup setup = { 0 };
	struct emu_uring_enter enter = { 0 };
	struct io_uring_params *p = &setup.params;
	unsigned int *sq_tail, *sq_array, *cq_head, *cq_tail;
	unsigned int n = argc - 1, i, head, tail;
	struct io_uring_cqe *cqes;
	struct io_uring_sqe *sqes;
	struct file_req *reqs;
	size_t ring_len;
	char *ring;
	int ring_fd;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE...\n", argv[0]);
		return 2;
	}
	reqs = calloc(n, sizeof(*reqs));
	if (!reqs)
		die("calloc");

	ring_fd = open("/dev/emu_uring", O_RDWR | O_CLOEXEC);
	if (ring_fd < 0)
		die("/dev/emu_uring");
	setup.entries = n;
	if (ioctl(ring_fd, EMU_URING_IOC_SETUP, &setup) < 0)
		die("EMU_URING_IOC_SETUP");
	printf("ring: %u SQ entries, %u CQ entries, features %#x\n",
	       p->sq_entries, p->cq_entries, p->features);

	/* IORING_FEAT_SINGLE_MMAP: one mapping holds the SQ and CQ rings. */
	ring_len = p->sq_off.array + p->sq_entries * sizeof(unsigned int);
	if (ring_len < p->cq_off.cqes + p->cq_entries * sizeof(*cqes))
		ring_len = p->cq_off.cqes + p->cq_entries * sizeof(*cqes);
	ring = mmap(NULL, ring_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		    ring_fd, IORING_OFF_SQ_RING);
	if (ring == MAP_FAILED)
		die("mmap rings");
	sqes = mmap(NULL, p->sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED, ring_fd, IORING_OFF_SQES);
	if (sqes == MAP_FAILED)
		die("mmap sqes");
	sq_tail = (unsigned int *)(ring + p->sq_off.tail);
	sq_array = (unsigned int *)(ring + p->sq_off.array);
	cq_head = (unsigned int *)(ring + p->cq_off.head);
	cq_tail = (unsigned int *)(ring + p->cq_off.tail);
	cqes = (struct io_uring_cqe *)(ring + p->cq_off.cqes);

	/* One READV per file; a file that does not open is read as fd -1. */
	tail = *sq_tail;
	for (i = 0; i < n; i++) {
		struct file_req *r = &reqs[i];
		struct io_uring_sqe *sqe = &sqes[i];

		r->name = argv[i + 1];
		r->fd = open(r->name, O_RDONLY);
		r->iov[0] = (struct iovec){ r->buf, HEAD };
		r->iov[1] = (struct iovec){ r->buf + HEAD, BUFSZ - HEAD };
		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = IORING_OP_READV;
		sqe->fd = r->fd;
		sqe->addr = (unsigned long)r->iov;
		sqe->len = 2;
		sqe->off = 0;
		sqe->user_data = i;
		sq_array[(tail + i) & (p->sq_entries - 1)] = i;
	}
	/* Publish the SQEs before the tail that covers them. */
	__atomic_store_n(sq_tail, tail + n, __ATOMIC_RELEASE);

	enter.to_submit = n;
	enter.min_complete = n;
	enter.flags = IORING_ENTER_GETEVENTS;
	if (ioctl(ring_fd, EMU_URING_IOC_ENTER, &enter) != (int)n)
		die("EMU_URING_IOC_ENTER");

	head = *cq_head;
	while (head != __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE)) {
		struct io_uring_cqe *cqe = &cqes[head & (p->cq_entries - 1)];
		struct file_req *r = &reqs[cqe->user_data];

		printf("\n== CQE user_data=%llu res=%d: %s\n",
		       (unsigned long long)cqe->user_data, cqe->res, r->name);
		if (cqe->res < 0) {
			printf("   error: %s\n", strerror(-cqe->res));
		} else {
			r->buf[cqe->res] = '\0';
			fputs(r->buf, stdout);
			if (cqe->res && r->buf[cqe->res - 1] != '\n')
				putchar('\n');
		}
		head++;
	}
	__atomic_store_n(cq_head, head, __ATOMIC_RELEASE);

	for (i = 0; i < n; i++)
		if (reqs[i].fd >= 0)
			close(reqs[i].fd);
	close(ring_fd);
	free(reqs);
	return 0;
}
