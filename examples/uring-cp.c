// SPDX-License-Identifier: MIT
/*
 * uring-cp: copy a file with linked read -> write pairs, QD pairs in
 * flight, then fsync, and print what was done. Uses only liburing's API
 * (builds against Debian's liburing or libemu_uring unchanged).
 *
 *   uring-cp SRC DST
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <liburing.h>

#define QD	16
#define BS	(32 * 1024)

int main(int argc, char **argv)
{
	unsigned long long copied = 0, cqes = 0;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	off_t off = 0, size;
	struct stat st;
	char *bufs;
	int in, out, ret, i, inflight = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SRC DST\n", argv[0]);
		return 2;
	}
	in = open(argv[1], O_RDONLY);
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0 || fstat(in, &st)) {
		perror("open");
		return 1;
	}
	size = st.st_size;
	ret = io_uring_queue_init(2 * QD, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	bufs = malloc((size_t)QD * BS);
	while (off < size || inflight) {
		/* A pair per free buffer: read a block, then write it. */
		for (i = 0; i < QD && off < size && inflight < 2 * QD; i++) {
			unsigned int len = size - off < BS ? size - off : BS;
			char *buf = bufs + (size_t)((off / BS) % QD) * BS;
			struct io_uring_sqe *sqe;

			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_read(sqe, in, buf, len, off);
			io_uring_sqe_set_flags(sqe, IOSQE_IO_LINK);
			io_uring_sqe_set_data64(sqe, 0);
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_write(sqe, out, buf, len, off);
			io_uring_sqe_set_data64(sqe, len);
			off += len;
			inflight += 2;
		}
		ret = io_uring_submit_and_wait(&ring, inflight);
		if (ret < 0) {
			fprintf(stderr, "submit: %s\n", strerror(-ret));
			return 1;
		}
		while (!io_uring_peek_cqe(&ring, &cqe)) {
			if (cqe->res < 0) {
				fprintf(stderr, "cqe %llu: %s\n",
					(unsigned long long)cqe->user_data,
					strerror(-cqe->res));
				return 1;
			}
			if (cqe->user_data)
				copied += cqe->res;
			cqes++;
			inflight--;
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	io_uring_prep_fsync(io_uring_get_sqe(&ring), out, 0);
	ret = io_uring_submit(&ring);
	if (ret == 1)
		ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret < 0 || cqe->res < 0) {
		fprintf(stderr, "fsync failed\n");
		return 1;
	}
	io_uring_cqe_seen(&ring, cqe);
	printf("copied %llu bytes in %llu completions, fsync ok\n",
	       copied, cqes + 1);
	io_uring_queue_exit(&ring);
	free(bufs);
	return 0;
}
