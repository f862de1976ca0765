// SPDX-License-Identifier: MIT
/*
 * uring-cat: print files, reading each with up to QD reads in flight.
 * Written against liburing's API only: it builds against Debian's
 * liburing and against libemu_uring unchanged, and prints the same bytes
 * with either.
 *
 *   uring-cat FILE...
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <liburing.h>

#define QD	8
#define CHUNK	4096

struct chunk {
	struct iovec iov;
	off_t off;
	int done;
};

static int cat_one(struct io_uring *ring, const char *path)
{
	struct chunk *c;
	struct stat st;
	off_t nr, next = 0, printed = 0;
	int fd, ret = 0, inflight = 0;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		return 1;
	}
	nr = (st.st_size + CHUNK - 1) / CHUNK;
	c = calloc(nr ? nr : 1, sizeof(*c));
	while (printed < nr && !ret) {
		struct io_uring_cqe *cqe;

		/* Keep QD reads in flight, each a readv of one chunk. */
		while (next < nr && inflight < QD) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

			c[next].iov.iov_base = malloc(CHUNK);
			c[next].iov.iov_len = CHUNK;
			c[next].off = next * CHUNK;
			io_uring_prep_readv(sqe, fd, &c[next].iov, 1, c[next].off);
			io_uring_sqe_set_data(sqe, &c[next]);
			next++;
			inflight++;
		}
		ret = io_uring_submit_and_wait(ring, 1);
		if (ret < 0) {
			fprintf(stderr, "submit: %s\n", strerror(-ret));
			break;
		}
		ret = 0;
		while (!io_uring_peek_cqe(ring, &cqe)) {
			struct chunk *done = io_uring_cqe_get_data(cqe);

			if (cqe->res < 0) {
				fprintf(stderr, "%s: %s\n", path, strerror(-cqe->res));
				ret = 1;
			}
			done->iov.iov_len = cqe->res < 0 ? 0 : cqe->res;
			done->done = 1;
			inflight--;
			io_uring_cqe_seen(ring, cqe);
		}
		/* Completions may come in any order; print in file order. */
		while (printed < nr && c[printed].done) {
			fwrite(c[printed].iov.iov_base, 1, c[printed].iov.iov_len,
			       stdout);
			free(c[printed].iov.iov_base);
			printed++;
		}
	}
	free(c);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	struct io_uring ring;
	int i, ret = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE...\n", argv[0]);
		return 2;
	}
	ret = io_uring_queue_init(QD, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	ret = 0;
	for (i = 1; i < argc; i++)
		ret |= cat_one(&ring, argv[i]);
	io_uring_queue_exit(&ring);
	return ret;
}
