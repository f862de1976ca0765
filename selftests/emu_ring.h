/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal userspace view of an emu_uring ring for the selftests: setup,
 * mapping, SQE production and CQE consumption with io_uring's memory
 * ordering (release on the SQ tail and CQ head, acquire on the others).
 */
#ifndef EMU_RING_H
#define EMU_RING_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/emu_uring.h>

#define EMU_DEV "/dev/emu_uring"

/*
 * What the module supports, for the tests that check refusals. Setup flags:
 * those accepted on their own (TASKRUN_FLAG and DEFER_TASKRUN need others).
 */
#define EMU_SETUP_FLAGS		(IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | \
				 IORING_SETUP_SUBMIT_ALL | IORING_SETUP_NO_SQARRAY | \
				 IORING_SETUP_COOP_TASKRUN | \
				 IORING_SETUP_SINGLE_ISSUER | \
				 IORING_SETUP_R_DISABLED)
#define EMU_SQE_FLAGS		(IOSQE_IO_DRAIN | IOSQE_IO_LINK | \
				 IOSQE_IO_HARDLINK | IOSQE_ASYNC | \
				 IOSQE_CQE_SKIP_SUCCESS)

struct ring {
	int fd;
	struct io_uring_params p;
	void *rings;
	size_t rings_sz;
	struct io_uring_sqe *sqes;
	size_t sqes_sz;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_entries, *sq_array;
	unsigned int *sq_dropped, *sq_flags;
	unsigned int *cq_head, *cq_tail, *cq_mask, *cq_entries, *cq_overflow;
	struct io_uring_cqe *cqes;
	unsigned int sqe_tail;	/* SQEs handed out, not yet published */
};

#define load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

static inline int emu_setup(int fd, unsigned int entries,
			    struct io_uring_params *p)
{
	struct emu_uring_setup s = { .entries = entries };
	int ret;

	if (p)
		s.params = *p;
	ret = ioctl(fd, EMU_URING_IOC_SETUP, &s);
	if (p)
		*p = s.params;
	return ret;
}

static inline int emu_enter(int fd, unsigned int to_submit,
			    unsigned int min_complete, unsigned int flags)
{
	struct emu_uring_enter e = {
		.to_submit = to_submit,
		.min_complete = min_complete,
		.flags = flags,
	};

	return ioctl(fd, EMU_URING_IOC_ENTER, &e);
}

static inline size_t ring_region_size(const struct io_uring_params *p)
{
	size_t sq = (p->flags & IORING_SETUP_NO_SQARRAY) ? 0 :
		    p->sq_off.array + p->sq_entries * sizeof(unsigned int);
	size_t cq = p->cq_off.cqes +
		    p->cq_entries * sizeof(struct io_uring_cqe);

	return sq > cq ? sq : cq;
}

#define RING_PTR(r, off)	((unsigned int *)((char *)(r)->rings + (off)))

/* Map the rings of an already set up r->fd; returns 0 or -errno. */
static inline int ring_map(struct ring *r)
{
	const struct io_uring_params *p = &r->p;

	r->rings_sz = ring_region_size(p);
	r->rings = mmap(NULL, r->rings_sz, PROT_READ | PROT_WRITE, MAP_SHARED,
			r->fd, IORING_OFF_SQ_RING);
	if (r->rings == MAP_FAILED)
		return -errno;
	r->sqes_sz = p->sq_entries * sizeof(struct io_uring_sqe);
	r->sqes = mmap(NULL, r->sqes_sz, PROT_READ | PROT_WRITE, MAP_SHARED,
		       r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED) {
		munmap(r->rings, r->rings_sz);
		return -errno;
	}
	r->sq_head = RING_PTR(r, p->sq_off.head);
	r->sq_tail = RING_PTR(r, p->sq_off.tail);
	r->sq_mask = RING_PTR(r, p->sq_off.ring_mask);
	r->sq_entries = RING_PTR(r, p->sq_off.ring_entries);
	r->sq_flags = RING_PTR(r, p->sq_off.flags);
	r->sq_dropped = RING_PTR(r, p->sq_off.dropped);
	r->sq_array = RING_PTR(r, p->sq_off.array);
	r->cq_head = RING_PTR(r, p->cq_off.head);
	r->cq_tail = RING_PTR(r, p->cq_off.tail);
	r->cq_mask = RING_PTR(r, p->cq_off.ring_mask);
	r->cq_entries = RING_PTR(r, p->cq_off.ring_entries);
	r->cq_overflow = RING_PTR(r, p->cq_off.overflow);
	r->cqes = (struct io_uring_cqe *)((char *)r->rings + p->cq_off.cqes);
	r->sqe_tail = *r->sq_tail;
	return 0;
}

/* Open, set up and map a ring; returns 0 or -errno. */
static inline int ring_init(struct ring *r, unsigned int entries,
			    struct io_uring_params *p)
{
	int ret;

	memset(r, 0, sizeof(*r));
	if (p)
		r->p = *p;
	r->fd = open(EMU_DEV, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	if (emu_setup(r->fd, entries, &r->p) < 0) {
		ret = -errno;
		close(r->fd);
		return ret;
	}
	ret = ring_map(r);
	if (ret)
		close(r->fd);
	return ret;
}

static inline void ring_exit(struct ring *r)
{
	if (r->rings && r->rings != MAP_FAILED)
		munmap(r->rings, r->rings_sz);
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_sz);
	if (r->fd >= 0)
		close(r->fd);
}

/* The next free SQE, zeroed, or NULL when the SQ is full. */
static inline struct io_uring_sqe *ring_get_sqe(struct ring *r)
{
	unsigned int head = load_acquire(r->sq_head);
	unsigned int i;

	if (r->sqe_tail - head >= r->p.sq_entries)
		return NULL;
	i = r->sqe_tail++ & (r->p.sq_entries - 1);
	if (!(r->p.flags & IORING_SETUP_NO_SQARRAY))
		r->sq_array[i] = i;
	memset(&r->sqes[i], 0, sizeof(r->sqes[i]));
	return &r->sqes[i];
}

/* Publish the SQEs handed out so far; returns how many are queued. */
static inline unsigned int ring_flush(struct ring *r)
{
	store_release(r->sq_tail, r->sqe_tail);
	return r->sqe_tail - load_acquire(r->sq_head);
}

static inline struct io_uring_sqe *ring_queue_nop(struct ring *r,
						  uint64_t user_data)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_NOP;
		sqe->user_data = user_data;
	}
	return sqe;
}

/* Any read/write: READ, WRITE (addr = buffer, len = bytes) or READV, WRITEV. */
static inline struct io_uring_sqe *
ring_queue_rw(struct ring *r, uint8_t opcode, int fd, const void *addr,
	      unsigned int len, uint64_t off, uint64_t user_data)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = opcode;
		sqe->fd = fd;
		sqe->addr = (uintptr_t)addr;
		sqe->len = len;
		sqe->off = off;
		sqe->user_data = user_data;
	}
	return sqe;
}

static inline struct io_uring_sqe *
ring_queue_readv(struct ring *r, int fd, const struct iovec *iov,
		 unsigned int nr, uint64_t off, uint64_t user_data)
{
	return ring_queue_rw(r, IORING_OP_READV, fd, iov, nr, off, user_data);
}

static inline unsigned int ring_cq_ready(struct ring *r)
{
	return load_acquire(r->cq_tail) - *r->cq_head;
}

/* Copy out and consume the oldest CQE; returns 0, or -EAGAIN if none. */
static inline int ring_pop_cqe(struct ring *r, struct io_uring_cqe *out)
{
	unsigned int head = *r->cq_head;

	if (head == load_acquire(r->cq_tail))
		return -EAGAIN;
	*out = r->cqes[head & (r->p.cq_entries - 1)];
	store_release(r->cq_head, head + 1);
	return 0;
}

/* Milliseconds on CLOCK_MONOTONIC. */
static inline long long emu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static inline void emu_tick_handler(int sig)
{
}

/*
 * A SIGALRM every @ms milliseconds, to a handler without SA_RESTART, so
 * that a blocking call (a GETEVENTS wait, or an op that wrongly blocks
 * inside ENTER) ends with EINTR; @ms 0 stops it. Uses ITIMER_REAL.
 */
static inline int emu_tick(unsigned int ms)
{
	struct sigaction sa = { .sa_handler = emu_tick_handler };
	struct itimerval it = {
		.it_value = { ms / 1000, (ms % 1000) * 1000 },
		.it_interval = { ms / 1000, (ms % 1000) * 1000 },
	};

	if (ms && sigaction(SIGALRM, &sa, NULL))
		return -1;
	return setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * Wait until the CQ holds @n CQEs, for @timeout_ms at most, without
 * poll(2) on the ring: GETEVENTS waits, cut every 50 ms by emu_tick(), an
 * EINTR just retried. The wait may return early (io_uring returns 0 from
 * an interrupted wait when some CQE is there). Returns the CQEs ready.
 */
static inline unsigned int ring_wait_cqes(struct ring *r, unsigned int n,
					  unsigned int timeout_ms)
{
	long long end = emu_now_ms() + timeout_ms;

	if (ring_cq_ready(r) >= n)
		return ring_cq_ready(r);
	emu_tick(50);
	while (ring_cq_ready(r) < n && emu_now_ms() < end)
		if (emu_enter(r->fd, 0, n, IORING_ENTER_GETEVENTS) < 0 &&
		    errno != EINTR)
			break;
	emu_tick(0);
	return ring_cq_ready(r);
}

/*
 * Submit what is queued (one SQE) and reap its CQE: its res, and its
 * user_data into *@ud if @ud; -10000 - errno if ENTER failed, -20000 if no
 * CQE came.
 */
static inline int ring_submit_one(struct ring *r, uint64_t *ud)
{
	struct io_uring_cqe cqe;

	ring_flush(r);
	if (emu_enter(r->fd, 1, 1, IORING_ENTER_GETEVENTS) != 1)
		return -10000 - errno;
	if (ring_pop_cqe(r, &cqe))
		return -20000;
	if (ud)
		*ud = cqe.user_data;
	return cqe.res;
}

/* io_uring_register(2) through EMU_URING_IOC_REGISTER: its value, or -errno. */
static inline int emu_register(int fd, unsigned int opcode, void *arg,
			       unsigned int nr_args)
{
	struct emu_uring_register r = {
		.opcode = opcode,
		.nr_args = nr_args,
		.arg = (uintptr_t)arg,
	};
	int ret = ioctl(fd, EMU_URING_IOC_REGISTER, &r);

	return ret < 0 ? -errno : ret;
}

/*
 * A ring's /proc/self/fdinfo into @buf, NUL-terminated: its length, or -1
 * if it cannot be read.
 */
static inline ssize_t emu_fdinfo(int fd, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, buf, size - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return n;
}

#define EMU_REFCNT	"/sys/module/emu_uring/refcnt"

/*
 * The module's reference count (an open or mapped ring holds one), or -1
 * without the module or without CONFIG_MODULE_UNLOAD.
 */
static inline int emu_refcnt(void)
{
	char buf[32];
	int fd = open(EMU_REFCNT, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return atoi(buf);
}

/*
 * The reference count once it held still for 100 ms (2 s at most): a
 * baseline that rings still being torn down (by earlier tests) do not
 * inflate.
 */
static inline int emu_refcnt_settled(void)
{
	int last = emu_refcnt(), now, i;

	for (i = 0; i < 20; i++) {
		usleep(100000);
		now = emu_refcnt();
		if (now == last)
			break;
		last = now;
	}
	return last;
}

/*
 * Poll the reference count every 10 ms until it is @want, for @timeout_ms
 * at most; returns the last value read.
 */
static inline int emu_refcnt_wait(int want, unsigned int timeout_ms)
{
	long long end = emu_now_ms() + timeout_ms;
	int now;

	while ((now = emu_refcnt()) != want && emu_now_ms() < end)
		usleep(10000);
	return now;
}

/* struct io_uring_getevents_arg, whose third field 6.1's header calls pad. */
struct wait_arg {
	__u64 sigmask;
	__u32 sigmask_sz;
	__u32 min_wait_usec;
	__u64 ts;
};

/* Set or clear O_NONBLOCK on @fd; 0 or -1. */
static inline int set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/*
 * For kselftest_harness.h users: open (and set up and map) a ring in a
 * fixture or test, or SKIP when the module is not loaded.
 */
#define EMU_OPEN_OR_SKIP(fd) do {					\
	(fd) = open(EMU_DEV, O_RDWR | O_CLOEXEC);			\
	if ((fd) < 0 && errno == ENOENT)				\
		SKIP(return, "%s missing: load emu_uring.ko", EMU_DEV);	\
	ASSERT_LE(0, (fd));						\
} while (0)

#define EMU_RING_INIT_OR_SKIP(r, entries, params) do {			\
	int __ret = ring_init((r), (entries), (params));		\
	if (__ret == -ENOENT)						\
		SKIP(return, "%s missing: load emu_uring.ko", EMU_DEV);	\
	ASSERT_EQ(0, __ret);						\
} while (0)

/* The settled reference count into @var, or SKIP without the module. */
#define EMU_REFCNT_OR_SKIP(var) do {					\
	(var) = emu_refcnt_settled();					\
	if ((var) < 0)							\
		SKIP(return, "no %s: module not loaded (or no "		\
		     "CONFIG_MODULE_UNLOAD)", EMU_REFCNT);		\
} while (0)
#endif /* EMU_RING_H */
