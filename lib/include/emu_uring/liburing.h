/* SPDX-License-Identifier: MIT */
/*
 * libemu_uring: the core of liburing's API on top of /dev/emu_uring.
 *
 * Code written against liburing compiles against this header unchanged:
 * build with `pkg-config --cflags --libs emu_uring` (which puts this
 * directory first on the include path, so `#include <liburing.h>` finds
 * it) and the same names, types and semantics apply: functions return 0
 * or a count on success and -errno on failure, never touching errno.
 *
 * The rings are io_uring's own memory layout, shared with the module
 * through mmap, so the inline helpers below are the whole fast path: an
 * SQE is filled in place, io_uring_submit() publishes the SQ tail with
 * release ordering and enters the module once, and completions are read
 * with an acquire load of the CQ tail and retired with a release store of
 * the CQ head.
 */
#ifndef EMU_URING_LIBURING_H
#define EMU_URING_LIBURING_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/io_uring.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Which liburing API this follows (Debian 12 ships liburing 2.3). */
#define EMU_URING_LIBURING_COMPAT_MAJOR	2
#define EMU_URING_LIBURING_COMPAT_MINOR	3

#define io_uring_smp_store_release(p, v) \
	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define io_uring_smp_load_acquire(p) \
	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define IO_URING_READ_ONCE(var) \
	__atomic_load_n(&(var), __ATOMIC_RELAXED)
#define IO_URING_WRITE_ONCE(var, val) \
	__atomic_store_n(&(var), (val), __ATOMIC_RELAXED)

struct io_uring_sq {
	unsigned int *khead;
	unsigned int *ktail;
	unsigned int *kring_mask;	/* deprecated: use ring_mask */
	unsigned int *kring_entries;	/* deprecated: use ring_entries */
	unsigned int *kflags;
	unsigned int *kdropped;
	unsigned int *array;
	struct io_uring_sqe *sqes;

	unsigned int sqe_head;		/* handed to the module up to here */
	unsigned int sqe_tail;		/* handed out by get_sqe up to here */

	size_t ring_sz;
	void *ring_ptr;

	unsigned int ring_mask;
	unsigned int ring_entries;

	unsigned int pad[2];
};

struct io_uring_cq {
	unsigned int *khead;
	unsigned int *ktail;
	unsigned int *kring_mask;	/* deprecated: use ring_mask */
	unsigned int *kring_entries;	/* deprecated: use ring_entries */
	unsigned int *kflags;
	unsigned int *koverflow;
	struct io_uring_cqe *cqes;

	size_t ring_sz;
	void *ring_ptr;

	unsigned int ring_mask;
	unsigned int ring_entries;

	unsigned int pad[2];
};

struct io_uring {
	struct io_uring_sq sq;
	struct io_uring_cq cq;
	unsigned int flags;
	int ring_fd;

	unsigned int features;
	int enter_ring_fd;
	__u8 int_flags;
	__u8 pad[3];
	unsigned int pad2;
};

/* Rings: open /dev/emu_uring, size and map the rings, and tear down. */
int io_uring_queue_init(unsigned int entries, struct io_uring *ring,
			unsigned int flags);
int io_uring_queue_init_params(unsigned int entries, struct io_uring *ring,
			       struct io_uring_params *p);
int io_uring_queue_mmap(int fd, struct io_uring_params *p,
			struct io_uring *ring);
void io_uring_queue_exit(struct io_uring *ring);

/* Submission and completion. */
struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring);
int io_uring_submit(struct io_uring *ring);
int io_uring_submit_and_wait(struct io_uring *ring, unsigned int wait_nr);
int __io_uring_get_cqe(struct io_uring *ring,
		       struct io_uring_cqe **cqe_ptr, unsigned int submit,
		       unsigned int wait_nr, sigset_t *sigmask);
int io_uring_wait_cqes(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned int wait_nr, struct __kernel_timespec *ts,
		       sigset_t *sigmask);
int io_uring_wait_cqe_timeout(struct io_uring *ring,
			      struct io_uring_cqe **cqe_ptr,
			      struct __kernel_timespec *ts);
int io_uring_submit_and_wait_timeout(struct io_uring *ring,
				     struct io_uring_cqe **cqe_ptr,
				     unsigned int wait_nr,
				     struct __kernel_timespec *ts,
				     sigset_t *sigmask);
unsigned int io_uring_peek_batch_cqe(struct io_uring *ring,
				     struct io_uring_cqe **cqes,
				     unsigned int count);
int io_uring_get_events(struct io_uring *ring);
int io_uring_submit_and_get_events(struct io_uring *ring);

/* Probing which opcodes the module runs. */
struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring);
struct io_uring_probe *io_uring_get_probe(void);
void io_uring_free_probe(struct io_uring_probe *probe);
int io_uring_register_probe(struct io_uring *ring, struct io_uring_probe *p,
			    unsigned int nr);

/* A ring set up with IORING_SETUP_R_DISABLED: confine it, then enable it. */
int io_uring_register_restrictions(struct io_uring *ring,
				   struct io_uring_restriction *res,
				   unsigned int nr_res);
int io_uring_enable_rings(struct io_uring *ring);

/* An eventfd signalled when CQEs are posted (_async: by the worker pool). */
int io_uring_register_eventfd(struct io_uring *ring, int fd);
int io_uring_register_eventfd_async(struct io_uring *ring, int fd);
int io_uring_unregister_eventfd(struct io_uring *ring);

static inline bool io_uring_cq_eventfd_enabled(const struct io_uring *ring)
{
	if (!ring->cq.kflags)
		return true;
	return !(IO_URING_READ_ONCE(*ring->cq.kflags) &
		 IORING_CQ_EVENTFD_DISABLED);
}

static inline int io_uring_cq_eventfd_toggle(struct io_uring *ring,
					     bool enabled)
{
	unsigned int flags;

	if (!!enabled == io_uring_cq_eventfd_enabled(ring))
		return 0;
	if (!ring->cq.kflags)
		return -EOPNOTSUPP;
	flags = IO_URING_READ_ONCE(*ring->cq.kflags);
	if (enabled)
		flags &= ~IORING_CQ_EVENTFD_DISABLED;
	else
		flags |= IORING_CQ_EVENTFD_DISABLED;
	IO_URING_WRITE_ONCE(*ring->cq.kflags, flags);
	return 0;
}

/*
 * The three system calls, answered by /dev/emu_uring. Like liburing's
 * wrappers they return -errno on failure. A missing device reads as a
 * kernel without io_uring: io_uring_setup() returns -ENOSYS.
 */
int io_uring_setup(unsigned int entries, struct io_uring_params *p);
int io_uring_enter(unsigned int fd, unsigned int to_submit,
		   unsigned int min_complete, unsigned int flags,
		   sigset_t *sig);
int io_uring_enter2(unsigned int fd, unsigned int to_submit,
		    unsigned int min_complete, unsigned int flags,
		    sigset_t *sig, size_t sz);
int io_uring_register(unsigned int fd, unsigned int opcode, const void *arg,
		      unsigned int nr_args);

static inline int io_uring_opcode_supported(const struct io_uring_probe *p,
					    int op)
{
	if (op < 0 || op > p->last_op)
		return 0;
	return (p->ops[op].flags & IO_URING_OP_SUPPORTED) != 0;
}

/* CQEs */

static inline unsigned int io_uring_cq_ready(const struct io_uring *ring)
{
	return io_uring_smp_load_acquire(ring->cq.ktail) - *ring->cq.khead;
}

static inline bool io_uring_cq_has_overflow(const struct io_uring *ring)
{
	return IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_CQ_OVERFLOW;
}

/* Retire nr CQEs: the module may reuse their slots from now on. */
static inline void io_uring_cq_advance(struct io_uring *ring, unsigned int nr)
{
	if (nr)
		io_uring_smp_store_release(ring->cq.khead,
					   *ring->cq.khead + nr);
}

static inline void io_uring_cqe_seen(struct io_uring *ring,
				     struct io_uring_cqe *cqe)
{
	if (cqe)
		io_uring_cq_advance(ring, 1);
}

#define io_uring_for_each_cqe(ring, head, cqe)				\
	for (head = *(ring)->cq.khead;					\
	     (cqe = (head != io_uring_smp_load_acquire((ring)->cq.ktail) ? \
		     &(ring)->cq.cqes[head & (ring)->cq.ring_mask] : NULL)); \
	     head++)

/* Without waiting: the oldest CQE and how many are ready, or 0 if none. */
static inline int __io_uring_peek_cqe(struct io_uring *ring,
				      struct io_uring_cqe **cqe_ptr,
				      unsigned int *nr_available)
{
	unsigned int head = *ring->cq.khead;
	unsigned int avail = io_uring_smp_load_acquire(ring->cq.ktail) - head;

	*cqe_ptr = avail ? &ring->cq.cqes[head & ring->cq.ring_mask] : NULL;
	if (nr_available)
		*nr_available = avail;
	return 0;
}

static inline int io_uring_wait_cqe_nr(struct io_uring *ring,
				       struct io_uring_cqe **cqe_ptr,
				       unsigned int wait_nr)
{
	return __io_uring_get_cqe(ring, cqe_ptr, 0, wait_nr, NULL);
}

/* The oldest CQE if there is one, else -EAGAIN; never blocks. */
static inline int io_uring_peek_cqe(struct io_uring *ring,
				    struct io_uring_cqe **cqe_ptr)
{
	if (!__io_uring_peek_cqe(ring, cqe_ptr, NULL) && *cqe_ptr)
		return 0;
	return io_uring_wait_cqe_nr(ring, cqe_ptr, 0);
}

static inline int io_uring_wait_cqe(struct io_uring *ring,
				    struct io_uring_cqe **cqe_ptr)
{
	if (!__io_uring_peek_cqe(ring, cqe_ptr, NULL) && *cqe_ptr)
		return 0;
	return io_uring_wait_cqe_nr(ring, cqe_ptr, 1);
}

static inline void *io_uring_cqe_get_data(const struct io_uring_cqe *cqe)
{
	return (void *)(uintptr_t)cqe->user_data;
}

static inline __u64 io_uring_cqe_get_data64(const struct io_uring_cqe *cqe)
{
	return cqe->user_data;
}

/* SQEs */

static inline unsigned int io_uring_sq_ready(const struct io_uring *ring)
{
	return ring->sq.sqe_tail -
	       io_uring_smp_load_acquire(ring->sq.khead);
}

static inline unsigned int io_uring_sq_space_left(const struct io_uring *ring)
{
	return ring->sq.ring_entries - io_uring_sq_ready(ring);
}

static inline void io_uring_sqe_set_data(struct io_uring_sqe *sqe, void *data)
{
	sqe->user_data = (uintptr_t)data;
}

static inline void io_uring_sqe_set_data64(struct io_uring_sqe *sqe,
					   __u64 data)
{
	sqe->user_data = data;
}

static inline void io_uring_sqe_set_flags(struct io_uring_sqe *sqe,
					  unsigned int flags)
{
	sqe->flags = (__u8)flags;
}

/* Every field an op does not use must be zero: set them all. */
static inline void io_uring_prep_rw(int op, struct io_uring_sqe *sqe, int fd,
				    const void *addr, unsigned int len,
				    __u64 offset)
{
	sqe->opcode = (__u8)op;
	sqe->flags = 0;
	sqe->ioprio = 0;
	sqe->fd = fd;
	sqe->off = offset;
	sqe->addr = (uintptr_t)addr;
	sqe->len = len;
	sqe->rw_flags = 0;
	sqe->buf_index = 0;
	sqe->personality = 0;
	sqe->file_index = 0;
	sqe->addr3 = 0;
	sqe->__pad2[0] = 0;
}

static inline void io_uring_prep_nop(struct io_uring_sqe *sqe)
{
	io_uring_prep_rw(IORING_OP_NOP, sqe, -1, NULL, 0, 0);
}

static inline void io_uring_prep_readv(struct io_uring_sqe *sqe, int fd,
				       const struct iovec *iovecs,
				       unsigned int nr_vecs, __u64 offset)
{
	io_uring_prep_rw(IORING_OP_READV, sqe, fd, iovecs, nr_vecs, offset);
}

static inline void io_uring_prep_readv2(struct io_uring_sqe *sqe, int fd,
					const struct iovec *iovecs,
					unsigned int nr_vecs, __u64 offset,
					int flags)
{
	io_uring_prep_readv(sqe, fd, iovecs, nr_vecs, offset);
	sqe->rw_flags = flags;
}

static inline void io_uring_prep_writev(struct io_uring_sqe *sqe, int fd,
					const struct iovec *iovecs,
					unsigned int nr_vecs, __u64 offset)
{
	io_uring_prep_rw(IORING_OP_WRITEV, sqe, fd, iovecs, nr_vecs, offset);
}

static inline void io_uring_prep_writev2(struct io_uring_sqe *sqe, int fd,
					 const struct iovec *iovecs,
					 unsigned int nr_vecs, __u64 offset,
					 int flags)
{
	io_uring_prep_writev(sqe, fd, iovecs, nr_vecs, offset);
	sqe->rw_flags = flags;
}

static inline void io_uring_prep_read(struct io_uring_sqe *sqe, int fd,
				      void *buf, unsigned int nbytes,
				      __u64 offset)
{
	io_uring_prep_rw(IORING_OP_READ, sqe, fd, buf, nbytes, offset);
}

static inline void io_uring_prep_write(struct io_uring_sqe *sqe, int fd,
				       const void *buf, unsigned int nbytes,
				       __u64 offset)
{
	io_uring_prep_rw(IORING_OP_WRITE, sqe, fd, buf, nbytes, offset);
}

static inline void io_uring_prep_send(struct io_uring_sqe *sqe, int sockfd,
				      const void *buf, size_t len, int flags)
{
	io_uring_prep_rw(IORING_OP_SEND, sqe, sockfd, buf, (__u32)len, 0);
	sqe->msg_flags = (__u32)flags;
}

static inline void io_uring_prep_send_set_addr(struct io_uring_sqe *sqe,
					       const struct sockaddr *dest_addr,
					       __u16 addr_len)
{
	sqe->addr2 = (unsigned long)(const void *)dest_addr;
	sqe->addr_len = addr_len;
}

static inline void io_uring_prep_sendto(struct io_uring_sqe *sqe, int sockfd,
					const void *buf, size_t len, int flags,
					const struct sockaddr *addr,
					socklen_t addrlen)
{
	io_uring_prep_send(sqe, sockfd, buf, len, flags);
	io_uring_prep_send_set_addr(sqe, addr, addrlen);
}

static inline void io_uring_prep_recv(struct io_uring_sqe *sqe, int sockfd,
				      void *buf, size_t len, int flags)
{
	io_uring_prep_rw(IORING_OP_RECV, sqe, sockfd, buf, (__u32)len, 0);
	sqe->msg_flags = (__u32)flags;
}

static inline void io_uring_prep_fsync(struct io_uring_sqe *sqe, int fd,
				       unsigned int fsync_flags)
{
	io_uring_prep_rw(IORING_OP_FSYNC, sqe, fd, NULL, 0, 0);
	sqe->fsync_flags = fsync_flags;
}

#ifdef __cplusplus
}
#endif

#endif /* EMU_URING_LIBURING_H */
