/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The op table: one row per supported opcode.
 */
#ifndef _EMU_URING_OPDEF_H
#define _EMU_URING_OPDEF_H

#include <linux/fs.h>
#include <linux/types.h>
#include <uapi/linux/io_uring.h>

/**
 * struct emu_rw - a read or write request, as prepared from its SQE
 * @fd: the target file descriptor, looked up at issue time
 * @addr: user address of the iovec array
 * @len: number of iovecs
 * @off: file offset; -1 means the file's current position
 * @rw_flags: RWF_* flags, as preadv2(2) takes them
 */
struct emu_rw {
	int fd;
	u64 addr;
	u32 len;
	loff_t off;
	rwf_t rw_flags;
};

/**
 * struct emu_req - one request, from SQE to CQE; lives on the stack
 * @user_data: copied to the CQE unchanged
 * @opcode: the SQE's opcode, already bounded by the op table
 * @flags: the SQE's IOSQE_* flags
 * @rw: per-op state of the READV family
 */
struct emu_req {
	u64 user_data;
	u8 opcode;
	u8 flags;
	union {
		struct emu_rw rw;
	};
};

/**
 * struct emu_op_def - what the submission loop knows about one opcode
 * @name: for diagnostics and documentation
 * @prep: reads the SQE once into @req; rejects fields the op does not use
 *	with -EINVAL. Returns 0 or a negative errno.
 * @issue: runs the request; returns the CQE's res
 */
struct emu_op_def {
	const char *name;
	int (*prep)(struct emu_req *req, const struct io_uring_sqe *sqe);
	int (*issue)(struct emu_req *req);
};

int emu_req_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_req_issue(struct emu_req *req);
int emu_optable_init(void);

/* nop.c */
int emu_nop_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_nop_issue(struct emu_req *req);

/* rw.c */
int emu_readv_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_readv_issue(struct emu_req *req);

#endif /* _EMU_URING_OPDEF_H */
