// SPDX-License-Identifier: GPL-2.0
/*
 * bench: emu_uring against native io_uring and plain system calls, in one
 * process, in paired rounds.
 *
 *   bench TMPFS_FILE [BDEV [NULLB]]
 *
 * TMPFS_FILE and BDEV hold 64 MiB each (BDEV may be "" to leave it out);
 * NULLB is a null_blk device, read with O_DIRECT. Every case runs its implementations
 * in short alternating slices (SLICE_MS each, ROUNDS rounds); a ratio is the
 * median of the per-round ratios, which cancels most of the drift of a TCG
 * guest. Output: a table, and machine-readable lines
 *   result <kernel> <case> <impl> <median_ops_per_s> <min> <max>
 *   ratio <kernel> <name> <value>
 * The run fails (exit 1) if the control ratio (emu_uring against itself) is
 * outside 0.95..1.05: then the numbers are noise.
 *
 * BENCH_SHIM=1 (the dynamic build, run with libemu_uring_preload.so
 * preloaded and the kernel's io_uring off) measures the shim instead:
 * the same rings driven by io_uring's system calls, which the shim traps
 * and answers from /dev/emu_uring, against the module's ioctl directly.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../selftests/emu_ring.h"

#define FILE_SIZE	(64ULL << 20)
#define MAX_IMPLS	4
#define MAX_ROUNDS	64

static int rounds = 40;
static double slice = 0.05;	/* seconds */
static char kernel[128];

struct impl;

struct bcase {
	const char *name;
	unsigned int batch;
	unsigned int size;	/* bytes per read; 0 for NOP */
	int fd;			/* file read */
	unsigned int ring_entries;
	unsigned int nimpls;
	struct impl *impls[MAX_IMPLS];
	const char *labels[MAX_IMPLS];
};

struct impl {
	const char *name;
	int (*init)(struct impl *im, struct bcase *c);
	long (*step)(struct impl *im, struct bcase *c);	/* ops done */
	void (*fini)(struct impl *im);
	struct ring r;
	bool native;
	char *buf;
	struct iovec *iov;
	uint64_t rng;
	long errors, retries;
	int data[2], kick[2];	/* pipe_parked_read: the pipes */
	pthread_t writer;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t rand_off(struct impl *im, unsigned int size)
{
	return (rnd(&im->rng) % (FILE_SIZE / size)) * size;
}

/* --- rings: emu_uring (ioctl) and native io_uring (syscalls) ------------ */

static int ring_enter(struct impl *im, unsigned int n, unsigned int min)
{
	if (im->native)
		return syscall(__NR_io_uring_enter, im->r.fd, n, min,
			       IORING_ENTER_GETEVENTS, NULL, 0);
	return emu_enter(im->r.fd, n, min, IORING_ENTER_GETEVENTS);
}

static int ring_open(struct impl *im, unsigned int entries)
{
	struct io_uring_params p = {};

	memset(&im->r, 0, sizeof(im->r));
	if (!im->native)
		return ring_init(&im->r, entries, NULL);
	im->r.fd = syscall(__NR_io_uring_setup, entries, &p);
	if (im->r.fd < 0)
		return -errno;
	im->r.p = p;
	return ring_map(&im->r);
}

static int ring_impl_init(struct impl *im, struct bcase *c)
{
	unsigned int i;

	im->buf = aligned_alloc(4096, (size_t)c->batch * (c->size ? c->size : 1));
	im->iov = calloc(c->batch, sizeof(*im->iov));
	if (!im->buf || !im->iov)
		return -ENOMEM;
	for (i = 0; i < c->batch; i++) {
		im->iov[i].iov_base = im->buf + (size_t)i * c->size;
		im->iov[i].iov_len = c->size;
	}
	return ring_open(im, c->ring_entries);
}

/* One batch: fill it, one enter that submits and waits, reap it. */
static long ring_step(struct impl *im, struct bcase *c)
{
	unsigned int per = c->batch < im->r.p.sq_entries ? c->batch :
			   im->r.p.sq_entries;
	unsigned int done = 0, i;
	struct io_uring_cqe cqe;

	while (done < c->batch) {
		unsigned int n = c->batch - done < per ? c->batch - done : per;

		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = ring_get_sqe(&im->r);

			if (c->size) {
				sqe->opcode = IORING_OP_READV;
				sqe->fd = c->fd;
				sqe->addr = (uintptr_t)&im->iov[done + i];
				sqe->len = 1;
				sqe->off = rand_off(im, c->size);
			} else {
				sqe->opcode = IORING_OP_NOP;
			}
			sqe->user_data = done + i;
		}
		ring_flush(&im->r);
		/* Short or interrupted submissions are legal: finish them. */
		for (i = 0; i < n;) {
			int ret = ring_enter(im, n - i, n - i);

			if (ret < 0 && errno != EINTR) {
				im->errors++;
				break;
			}
			if (ret != (int)(n - i))
				im->retries++;
			if (ret > 0)
				i += ret;
		}
		for (i = 0; i < n; i++) {
			while (ring_pop_cqe(&im->r, &cqe))
				ring_enter(im, 0, 1);
			if (cqe.res != (int)c->size)
				im->errors++;
		}
		done += n;
	}
	return c->batch;
}

static void ring_fini(struct impl *im)
{
	ring_exit(&im->r);
	free(im->buf);
	free(im->iov);
}

/* --- plain system calls and memcpy --------------------------------------- */

static int sys_init(struct impl *im, struct bcase *c)
{
	im->buf = aligned_alloc(4096, c->size ? c->size : 4096);
	return im->buf ? 0 : -ENOMEM;
}

static long nop_syscall_step(struct impl *im, struct bcase *c)
{
	unsigned int i;

	for (i = 0; i < c->batch; i++)
		syscall(SYS_getppid);
	return c->batch;
}

static long preadv_step(struct impl *im, struct bcase *c)
{
	struct iovec iov = { im->buf, c->size };
	unsigned int i;

	for (i = 0; i < c->batch; i++)
		if (preadv(c->fd, &iov, 1, rand_off(im, c->size)) !=
		    (ssize_t)c->size)
			im->errors++;
	return c->batch;
}

static char *memcpy_src;

static long memcpy_step(struct impl *im, struct bcase *c)
{
	unsigned int i;

	for (i = 0; i < c->batch; i++)
		memcpy(im->buf, memcpy_src + rand_off(im, c->size), c->size);
	__asm__ volatile("" : : "r"(im->buf) : "memory");
	return c->batch;
}

static void sys_fini(struct impl *im)
{
	free(im->buf);
}

/*
 * --- a READ parked on a pipe, completed by a write from another thread --
 *
 * One round trip: submit a READ of the empty pipe (it parks; ENTER returns
 * at once), kick the writer thread, wait for the READ's CQE. The kick and
 * the writer's system calls cost the same for both rings.
 */
static void *pipe_writer(void *arg)
{
	struct impl *im = arg;
	char b;

	while (read(im->kick[0], &b, 1) == 1)
		if (write(im->data[1], &b, 1) != 1)
			break;
	return NULL;
}

static int pipe_impl_init(struct impl *im, struct bcase *c)
{
	int ret = ring_impl_init(im, c);

	if (ret)
		return ret;
	if (pipe(im->data) || pipe(im->kick))
		return -errno;
	return -pthread_create(&im->writer, NULL, pipe_writer, im);
}

static long pipe_step(struct impl *im, struct bcase *c)
{
	struct io_uring_cqe cqe;
	char b = 'x';

	ring_queue_rw(&im->r, IORING_OP_READ, im->data[0], im->buf, 1, 0, 1);
	ring_flush(&im->r);
	if (im->native ? syscall(__NR_io_uring_enter, im->r.fd, 1, 0, 0,
				 NULL, 0) != 1 :
			 emu_enter(im->r.fd, 1, 0, 0) != 1)
		im->errors++;
	if (write(im->kick[1], &b, 1) != 1)
		im->errors++;
	while (ring_pop_cqe(&im->r, &cqe))
		ring_enter(im, 0, 1);
	if (cqe.res != 1)
		im->errors++;
	return 1;
}

static void pipe_fini(struct impl *im)
{
	close(im->kick[1]);
	pthread_join(im->writer, NULL);
	close(im->kick[0]);
	close(im->data[0]);
	close(im->data[1]);
	ring_fini(im);
}

/*
 * --- O_DIRECT random reads on null_blk, c->batch of them in flight ------
 *
 * A sustained queue: each completion is replaced by a new read at once,
 * until 4 x batch reads were issued; then the queue drains, so that a
 * slice leaves nothing at the device for the other side's slice.
 */
static void dio_queue(struct impl *im, struct bcase *c, unsigned int slot)
{
	ring_queue_rw(&im->r, IORING_OP_READ, c->fd,
		      im->buf + (size_t)slot * c->size, c->size,
		      rand_off(im, c->size), slot);
}

static long dio_step(struct impl *im, struct bcase *c)
{
	unsigned int total = 4 * c->batch, issued, done = 0, pending = 0;
	struct io_uring_cqe cqe;

	for (issued = 0; issued < c->batch; issued++, pending++)
		dio_queue(im, c, issued);
	while (done < total) {
		int ret;

		ring_flush(&im->r);
		ret = ring_enter(im, pending, 1);
		if (ret < 0 && errno != EINTR) {
			im->errors++;
			break;
		}
		if (ret > 0)
			pending -= ret;
		while (!ring_pop_cqe(&im->r, &cqe)) {
			done++;
			if (cqe.res != (int)c->size)
				im->errors++;
			if (issued < total) {
				dio_queue(im, c, cqe.user_data);
				issued++;
				pending++;
			}
		}
	}
	return done;
}

#define RING_IMPL(n, nat) { .name = n, .init = ring_impl_init, \
	.step = ring_step, .fini = ring_fini, .native = nat }

static struct impl emu = RING_IMPL("emu_uring", false);
static struct impl emu2 = RING_IMPL("emu_uring", false);
static struct impl uring = RING_IMPL("io_uring", true);
static struct impl emu_dio = { .name = "emu_uring", .init = ring_impl_init,
	.step = dio_step, .fini = ring_fini };
static struct impl uring_dio = { .name = "io_uring", .init = ring_impl_init,
	.step = dio_step, .fini = ring_fini, .native = true };
static struct impl emu_pipe = { .name = "emu_uring", .init = pipe_impl_init,
	.step = pipe_step, .fini = pipe_fini };
static struct impl uring_pipe = { .name = "io_uring", .init = pipe_impl_init,
	.step = pipe_step, .fini = pipe_fini, .native = true };
static struct impl sys_nop = { .name = "syscall", .init = sys_init,
	.step = nop_syscall_step, .fini = sys_fini };
static struct impl sys_preadv = { .name = "preadv", .init = sys_init,
	.step = preadv_step, .fini = sys_fini };
static struct impl mcpy = { .name = "memcpy", .init = sys_init,
	.step = memcpy_step, .fini = sys_fini };

/* --- paired rounds ---------------------------------------------------------- */

static double run_slice(struct impl *im, struct bcase *c)
{
	double t0 = now(), t;
	long ops = 0, steps = 0;

	do {
		ops += im->step(im, c);
		/* Reading the clock costs ~2 us on some guests: not every step. */
		if (++steps % 8)
			continue;
		t = now();
	} while (steps % 8 || t - t0 < slice);
	return ops / (t - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	double tmp[MAX_ROUNDS];

	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

struct result {
	double rate[MAX_IMPLS][MAX_ROUNDS];
	int ok[MAX_IMPLS];
};

static int run_case(struct bcase *c, struct result *res)
{
	unsigned int i;
	int r;

	for (i = 0; i < c->nimpls; i++) {
		struct impl *im = c->impls[i];

		im->rng = 0x9e3779b97f4a7c15ULL + i;
		im->errors = 0;
		im->retries = 0;
		res->ok[i] = im->init(im, c) == 0;
		if (!res->ok[i])
			printf("# %s: %s unavailable here (%s)\n", c->name,
			       c->labels[i], strerror(errno));
	}
	for (r = 0; r < rounds; r++)
		for (i = 0; i < c->nimpls; i++) {
			/* Alternate the order so neither side always goes first. */
			unsigned int k = (r & 1) ? c->nimpls - 1 - i : i;

			if (res->ok[k])
				res->rate[k][r] = run_slice(c->impls[k], c);
		}
	for (i = 0; i < c->nimpls; i++) {
		struct impl *im = c->impls[i];
		double lo = 1e300, hi = 0;

		if (!res->ok[i])
			continue;
		if (im->errors || im->retries)
			printf("# %s: %s had %ld errors, %ld short submissions\n",
			       c->name, c->labels[i], im->errors, im->retries);
		for (r = 0; r < rounds; r++) {
			lo = res->rate[i][r] < lo ? res->rate[i][r] : lo;
			hi = res->rate[i][r] > hi ? res->rate[i][r] : hi;
		}
		printf("result %s %s %s %.0f %.0f %.0f\n", kernel, c->name,
		       c->labels[i], median(res->rate[i], rounds), lo, hi);
		im->fini(im);
	}
	return 0;
}

/* Median over rounds of rate[a] / rate[b] (times @scale for bandwidth). */
static double ratio(struct result *res, int a, int b, double scale)
{
	double v[MAX_ROUNDS];
	int r;

	if (!res->ok[a] || !res->ok[b])
		return 0;
	for (r = 0; r < rounds; r++)
		v[r] = res->rate[a][r] * scale / res->rate[b][r];
	return median(v, rounds);
}

static void print_ratio(const char *name, double v)
{
	if (v > 0)
		printf("ratio %s %s %.3f\n", kernel, name, v);
	else
		printf("# ratio %s: not measured\n", name);
}

/* BENCH_ONLY=GROUP runs one group of cases (nop, readv, odirect, ...). */
static bool wanted(const char *group)
{
	const char *only = getenv("BENCH_ONLY");

	return !only || !*only || !strcmp(only, group);
}

static int io_wq_threads(void)
{
	struct dirent *d;
	int n = 0;
	DIR *dir = opendir("/proc/self/task");

	while (dir && (d = readdir(dir))) {
		char path[300], comm[32] = {};
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 d->d_name);
		f = fopen(path, "r");
		if (f) {
			if (fgets(comm, sizeof(comm), f) &&
			    !strncmp(comm, "iou-wrk", 7))
				n++;
			fclose(f);
		}
	}
	if (dir)
		closedir(dir);
	return n;
}

#define CASE(nm, b, sz, f, ents) { .name = nm, .batch = b, .size = sz, \
	.fd = f, .ring_entries = ents }

static void add(struct bcase *c, struct impl *im, const char *label)
{
	c->impls[c->nimpls] = im;
	c->labels[c->nimpls++] = label ? label : im->name;
}

static void on_usr1(int sig)
{
}

/*
 * The preload shim's cost: io_uring_enter(2) trapped by seccomp and
 * answered in a SIGSYS handler, against the ENTER ioctl it turns into.
 * Batch 1 gives the cost of one intercepted call.
 */
static int bench_shim(int tmpfs_fd, struct result *res)
{
	static const struct {
		const char *name;
		unsigned int batch, size;
	} sc[] = {
		{ "nop_b1", 1, 0 },
		{ "nop_b32", 32, 0 },
		{ "readv4k_b1_tmpfs", 1, 4096 },
		{ "readv4k_b32_tmpfs", 32, 4096 },
	};
	unsigned int i;
	double t0;
	int n;

	printf("# kernel %s, shim: %d rounds of %.0f ms slices\n", kernel,
	       rounds, slice * 1000);
	/* What one signal costs here, handler and return: the shim's floor. */
	signal(SIGUSR1, on_usr1);
	t0 = now();
	for (n = 0; n < 2000; n++)
		raise(SIGUSR1);
	printf("# one signal delivered and returned (raise): %.2f us\n",
	       (now() - t0) / n * 1e6);
	for (i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		struct bcase c = CASE(sc[i].name, sc[i].batch, sc[i].size,
				      sc[i].size ? tmpfs_fd : -1, 32);
		double shim, ioctl;
		char name[64];

		add(&c, &emu, "emu_uring_ioctl");
		add(&c, &uring, "io_uring_syscalls_via_shim");
		memset(res, 0, sizeof(*res));
		run_case(&c, res);
		snprintf(name, sizeof(name), "shim_%s_vs_ioctl", c.name);
		print_ratio(name, ratio(res, 1, 0, 1));
		if (!res->ok[0] || !res->ok[1])
			return 1;
		shim = median(res->rate[1], rounds);
		ioctl = median(res->rate[0], rounds);
		/* One ENTER per batch: the extra time is per intercepted call. */
		printf("# %s: shim costs %.2f us per intercepted call\n",
		       c.name, (c.batch / shim - c.batch / ioctl) * 1e6);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct result *res = calloc(1, sizeof(*res));
	int tmpfs_fd, bdev_fd = -1, nullb_fd = -1, fail = 0;
	struct utsname u;
	double control;

	if (argc < 2) {
		fprintf(stderr, "usage: %s TMPFS_FILE [BDEV [NULLB]]\n",
			argv[0]);
		return 2;
	}
	if (getenv("BENCH_ROUNDS"))
		rounds = atoi(getenv("BENCH_ROUNDS"));
	if (rounds < 3 || rounds > MAX_ROUNDS)
		rounds = 40;
	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s", u.release);
	tmpfs_fd = open(argv[1], O_RDONLY);
	if (argc > 2 && argv[2][0])
		bdev_fd = open(argv[2], O_RDONLY);
	if (argc > 3)
		nullb_fd = open(argv[3], O_RDONLY | O_DIRECT);
	memcpy_src = malloc(FILE_SIZE);
	if (tmpfs_fd < 0 || !memcpy_src || !res) {
		perror("bench");
		return 2;
	}
	memset(memcpy_src, 0x5a, FILE_SIZE);
	if (getenv("BENCH_PROFILE")) {
		/*
		 * One implementation (emu_uring, or io_uring with
		 * BENCH_PROFILE_IMPL=io_uring), NOP or READV 512 B, batch 32
		 * (or BENCH_PROFILE_BATCH, up to 32): for a profiler.
		 */
		bool rd = !strcmp(getenv("BENCH_PROFILE"), "readv");
		const char *pi = getenv("BENCH_PROFILE_IMPL");
		struct impl *im = pi && !strcmp(pi, "io_uring") ? &uring : &emu;
		const char *pb = getenv("BENCH_PROFILE_BATCH");
		unsigned int b = pb && atoi(pb) > 0 && atoi(pb) <= 32 ? atoi(pb) : 32;
		struct bcase c = CASE("profile", b, rd ? 512 : 0, tmpfs_fd, 32);
		double t0 = now();
		long ops = 0;

		im->init(im, &c);
		while (now() - t0 < 3)
			ops += im->step(im, &c);
		printf("# profile: %.0f ops/s\n", ops / (now() - t0));
		return 0;
	}
	if (getenv("BENCH_SHIM"))
		return bench_shim(tmpfs_fd, res);
	printf("# kernel %s, %d rounds of %.0f ms slices per implementation\n",
	       kernel, rounds, slice * 1000);

	/* NOP: control, and against io_uring and a trivial syscall */
	if (wanted("nop")) {
		static const unsigned int batches[] = { 1, 8, 32, 128 };
		unsigned int i;

		for (i = 0; i < 4; i++) {
			struct bcase c = CASE("", batches[i], 0, -1,
					      batches[i] < 32 ? 32 : batches[i]);
			char name[32];

			snprintf(name, sizeof(name), "nop_b%u", batches[i]);
			c.name = name;
			add(&c, &emu, NULL);
			add(&c, &uring, NULL);
			add(&c, &sys_nop, NULL);
			if (batches[i] == 32)
				add(&c, &emu2, "emu_uring_control");
			memset(res, 0, sizeof(*res));
			run_case(&c, res);
			if (batches[i] == 32) {
				print_ratio("nop_b32_vs_io_uring",
					    ratio(res, 0, 1, 1));
				print_ratio("nop_b32_vs_syscall",
					    ratio(res, 0, 2, 1));
				control = ratio(res, 0, 3, 1);
				print_ratio("control_nop_b32", control);
				if (control < 0.95 || control > 1.05) {
					printf("# control ratio %.3f is outside 0.95..1.05: the figures are noise\n",
					       control);
					fail = 1;
				}
			} else if (batches[i] == 128) {
				print_ratio("nop_b128_vs_io_uring",
					    ratio(res, 0, 1, 1));
			} else {
				snprintf(name, sizeof(name),
					 "nop_b%u_vs_io_uring", batches[i]);
				print_ratio(name, ratio(res, 0, 1, 1));
			}
		}
	}
	/* Ring size: batch 32 on a 32768-entry ring, a 32 and an 8 */
	if (wanted("ring_size")) {
		struct bcase c = CASE("nop_b32_ring_size", 32, 0, -1, 32768);
		static struct impl big = RING_IMPL("emu_uring", false);
		static struct impl r8 = RING_IMPL("emu_uring", false);
		struct bcase c8 = c, c32 = c;

		/* The ring size is per implementation: run them one by one. */
		add(&c, &big, "emu_uring_ring32768");
		add(&c, &r8, "emu_uring_ring8");
		memset(res, 0, sizeof(*res));
		c8.ring_entries = 8;
		c32.ring_entries = 32;
		{
			int r, k;

			res->ok[0] = big.init(&big, &c) == 0;
			res->ok[1] = r8.init(&r8, &c8) == 0;
			res->ok[2] = emu2.init(&emu2, &c32) == 0;
			for (r = 0; r < rounds; r++) {
				for (k = 0; k < 3; k++) {
					int j = (r & 1) ? 2 - k : k;
					struct impl *im = j == 0 ? &big :
							  j == 1 ? &r8 : &emu2;
					struct bcase *cc = j == 0 ? &c :
							   j == 1 ? &c8 : &c32;

					if (res->ok[j])
						res->rate[j][r] = run_slice(im, cc);
				}
			}
			printf("result %s nop_b32 emu_uring_ring32768 %.0f 0 0\n",
			       kernel, median(res->rate[0], rounds));
			printf("result %s nop_b32 emu_uring_ring8 %.0f 0 0\n",
			       kernel, median(res->rate[1], rounds));
			printf("result %s nop_b32 emu_uring_ring32 %.0f 0 0\n",
			       kernel, median(res->rate[2], rounds));
			print_ratio("nop_b32_ring32768_vs_ring8", ratio(res, 0, 1, 1));
			print_ratio("nop_b32_ring32768_vs_ring32", ratio(res, 0, 2, 1));
			big.fini(&big);
			r8.fini(&r8);
			emu2.fini(&emu2);
		}
	}
	/* READV on tmpfs and on a block device, and memcpy */
	if (wanted("readv")) {
		static const struct {
			const char *name;
			unsigned int batch, size;
			bool bdev;
		} rc[] = {
			{ "readv512_b1_tmpfs", 1, 512, false },
			{ "readv512_b32_tmpfs", 32, 512, false },
			{ "readv4k_b1_tmpfs", 1, 4096, false },
			{ "readv4k_b32_tmpfs", 32, 4096, false },
			{ "readv64k_b8_tmpfs", 8, 65536, false },
			{ "readv512_b1_bdev", 1, 512, true },
			{ "readv512_b32_bdev", 32, 512, true },
			{ "readv4k_b1_bdev", 1, 4096, true },
			{ "readv4k_b32_bdev", 32, 4096, true },
			{ "readv64k_b8_bdev", 8, 65536, true },
		};
		unsigned int i;

		for (i = 0; i < sizeof(rc) / sizeof(rc[0]); i++) {
			struct bcase c = CASE(rc[i].name, rc[i].batch,
					      rc[i].size,
					      rc[i].bdev ? bdev_fd : tmpfs_fd,
					      32);
			char name[64];

			if (c.fd < 0) {
				printf("# %s: no block device given\n", c.name);
				continue;
			}
			add(&c, &emu, NULL);
			add(&c, &uring, NULL);
			add(&c, &sys_preadv, NULL);
			if (rc[i].size == 65536)
				add(&c, &mcpy, NULL);
			memset(res, 0, sizeof(*res));
			run_case(&c, res);
			printf("# %s: io_uring worker threads now: %d\n", c.name,
			       io_wq_threads());
			snprintf(name, sizeof(name), "%s_vs_io_uring", c.name);
			print_ratio(name, ratio(res, 0, 1, 1));
			snprintf(name, sizeof(name), "%s_vs_preadv", c.name);
			print_ratio(name, ratio(res, 0, 2, 1));
			if (!strcmp(c.name, "readv512_b32_tmpfs"))
				print_ratio("readv512_b32_vs_preadv",
					    ratio(res, 0, 2, 1));
			if (!strcmp(c.name, "readv64k_b8_tmpfs"))
				print_ratio("readv64k_b8_vs_memcpy",
					    ratio(res, 0, 3, 1));
			else if (rc[i].size == 65536)
				print_ratio("readv64k_b8_bdev_vs_memcpy",
					    ratio(res, 0, 3, 1));
		}
	}
	/* O_DIRECT 4 KiB random reads, 32 and 1 in flight */
	if (wanted("odirect")) {
		static const unsigned int qds[] = { 32, 1 };
		unsigned int i;

		for (i = 0; i < 2; i++) {
			struct bcase c = CASE("", qds[i], 4096, nullb_fd,
					      2 * qds[i]);
			char name[48];

			snprintf(name, sizeof(name), "odirect_qd%u_nullb", qds[i]);
			c.name = name;
			if (c.fd < 0) {
				printf("# %s: no null_blk device given\n", name);
				continue;
			}
			add(&c, &emu_dio, NULL);
			add(&c, &uring_dio, NULL);
			memset(res, 0, sizeof(*res));
			run_case(&c, res);
			snprintf(name, sizeof(name),
				 "odirect_qd%u_nullb_vs_io_uring", qds[i]);
			print_ratio(name, ratio(res, 0, 1, 1));
		}
	}
	/* a READ parked on a pipe, woken by another thread's write */
	if (wanted("pipe")) {
		struct bcase c = CASE("pipe_parked_read", 1, 1, -1, 8);

		add(&c, &emu_pipe, NULL);
		add(&c, &uring_pipe, NULL);
		memset(res, 0, sizeof(*res));
		run_case(&c, res);
		print_ratio("pipe_parked_read_vs_io_uring", ratio(res, 0, 1, 1));
	}
	/* userspace memcpy bandwidth, the limit for page-cache reads */
	if (wanted("memcpy")) {
		static const unsigned int sizes[] = { 4096, 65536 };
		unsigned int i;

		for (i = 0; i < 2; i++) {
			struct bcase c = CASE("", 8, sizes[i], -1, 0);
			char name[32];

			snprintf(name, sizeof(name), "memcpy%uk", sizes[i] / 1024);
			c.name = name;
			add(&c, &mcpy, NULL);
			memset(res, 0, sizeof(*res));
			run_case(&c, res);
			printf("# %s: %.0f MB/s\n", name,
			       median(res->rate[0], rounds) * sizes[i] / 1e6);
		}
	}
	return fail;
}
