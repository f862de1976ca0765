/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The op table: one row per supported opcode, and the request the
 * submission loop carries from an SQE to its CQE.
 */
#ifndef _EMU_URING_OPDEF_H
#define _EMU_URING_OPDEF_H

#include <linux/fs.h>
#include <linux/types.h>
#include <uapi/linux/io_uring.h>

/**
 * struct emu_rw - a read or write, as prepared from its SQE
 * @fd: the target file descriptor, looked up at issue time
 * @addr: user address of the buffer, or of the iovec array
 * @len: buffer length, or number of iovecs
 * @off: file offset; -1 means the file's current position
 * @rw_flags: RWF_* flags, as preadv2(2)/pwritev2(2) take them
 * @dir: ITER_DEST to read, ITER_SOURCE to write
 * @vectored: @addr and @len describe an iovec array
 */
struct emu_rw {
	int fd;
	u64 addr;
	u32 len;
	loff_t off;
	rwf_t rw_flags;
	u8 dir;
	bool vectored;
};

/**
 * struct emu_sync - an fsync, as prepared from its SQE
 * @fd: the target file descriptor
 * @off: start of the range
 * @len: length of the range; 0 means to the end of the file
 * @flags: IORING_FSYNC_* flags
 */
struct emu_sync {
	int fd;
	loff_t off;
	u32 len;
	u32 flags;
};

/**
 * struct emu_req - one request, from SQE to CQE
 * @user_data: copied to the CQE unchanged
 * @res: the result for the CQE
 * @opcode: the SQE's opcode, bounded by the op table
 * @flags: the SQE's IOSQE_* flags
 * @failed: the request failed (preparation, a negative result, or a short
 *	transfer): it breaks an IOSQE_IO_LINK chain and always gets a CQE
 * @rw: state of the read/write family
 * @sync: state of FSYNC
 */
struct emu_req {
	u64 user_data;
	s32 res;
	u8 opcode;
	u8 flags;
	bool failed;
	union {
		struct emu_rw rw;
		struct emu_sync sync;
	};
};

/**
 * struct emu_op_def - what the submission loop knows about one opcode
 * @name: for diagnostics and documentation
 * @prep: reads the SQE once into @req; rejects fields the op does not use
 *	with -EINVAL. Returns 0 or a negative errno.
 * @issue: runs the request; returns the CQE's res. It may mark @req failed
 *	for a result that is not negative (a short transfer).
 */
struct emu_op_def {
	const char *name;
	int (*prep)(struct emu_req *req, const struct io_uring_sqe *sqe);
	int (*issue)(struct emu_req *req);
};

int emu_req_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_req_issue(struct emu_req *req);
int emu_optable_init(void);
unsigned int emu_op_last(void);
bool emu_op_supported(unsigned int opcode);

/* nop.c */
int emu_nop_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_nop_issue(struct emu_req *req);

/* rw.c */
int emu_read_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_readv_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_write_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_writev_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_rw_issue(struct emu_req *req);

/* sync.c */
int emu_fsync_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_fsync_issue(struct emu_req *req);

#endif /* _EMU_URING_OPDEF_H */
