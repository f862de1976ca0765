// SPDX-License-Identifier: GPL-2.0
/*
 * SEND and RECV on sockets (io_uring/net.c): sock_sendmsg() and
 * sock_recvmsg() on the SQE's buffer, with its MSG_* flags.
 *
 * As every read or write, the first attempt does not block (MSG_DONTWAIT);
 * one that would parks on the socket's wait queue and runs again when it
 * is ready, or waits in the worker pool for IOSQE_ASYNC. MSG_DONTWAIT from
 * the SQE makes -EAGAIN its result instead. IORING_RECVSEND_POLL_FIRST
 * parks before the first attempt. With MSG_WAITALL on a stream or
 * seqpacket socket a short transfer goes on from where it stopped, and
 * the CQE has the whole count. A RECV's CQE says IORING_CQE_F_SOCK_NONEMPTY
 * when data is left in the socket. SEND with an address (sqe->addr2,
 * sqe->addr_len) is sendto(2); the address is kept when the request parks.
 *
 * Not yet: provided buffers (IOSQE_BUFFER_SELECT, IORING_RECV_MULTISHOT,
 * IORING_RECVSEND_BUNDLE) and registered buffers (IORING_RECVSEND_FIXED_BUF):
 * -EINVAL, as from a kernel that predates them.
 */
#include <linux/errno.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "emu_uring.h"
#include "opdef.h"

/* The address a parked SEND keeps (emu_send_prep_async()). */
struct emu_net_async {
	struct sockaddr_storage addr;
};

static int emu_sr_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	struct emu_sr *sr = &req->sr;

	sr->buf = READ_ONCE(sqe->addr);
	sr->len = READ_ONCE(sqe->len);
	sr->flags = READ_ONCE(sqe->ioprio);
	sr->msg_flags = READ_ONCE(sqe->msg_flags);
	sr->done_io = 0;
	sr->polled = false;
	if (sr->flags & ~IORING_RECVSEND_POLL_FIRST)
		return -EINVAL;
	return 0;
}

/**
 * emu_send_prep() - prepare an IORING_OP_SEND
 * @req: the request
 * @sqe: its SQE
 *
 * Return: 0, or -EINVAL for flags or fields SEND does not take.
 */
int emu_send_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	struct emu_sr *sr = &req->sr;
	int ret;

	/* addr_len shares its word with file_index: only the pad is checked. */
	if (READ_ONCE(sqe->__pad3[0]))
		return -EINVAL;
	sr->addr = READ_ONCE(sqe->addr2);
	sr->addr_len = READ_ONCE(sqe->addr_len);
	if (sr->addr && sr->addr_len > sizeof(struct sockaddr_storage))
		return -EINVAL;
	ret = emu_sr_prep(req, sqe);
	/* No SIGPIPE for a request, as io_uring's. */
	sr->msg_flags |= MSG_NOSIGNAL;
	return ret;
}

/**
 * emu_recv_prep() - prepare an IORING_OP_RECV
 * @req: the request
 * @sqe: its SQE
 *
 * Return: 0, or -EINVAL for flags or fields RECV does not take.
 */
int emu_recv_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	if (READ_ONCE(sqe->file_index) || READ_ONCE(sqe->addr2))
		return -EINVAL;
	req->sr.addr = 0;
	req->sr.addr_len = 0;
	return emu_sr_prep(req, sqe);
}

/**
 * emu_send_prep_async() - keep a SEND's address before it parks
 * @req: the request, in its submitter's context
 *
 * Return: 0, -ENOMEM or -EFAULT.
 */
int emu_send_prep_async(struct emu_req *req)
{
	struct emu_net_async *a;

	if (!req->sr.addr || req->async)
		return 0;
	a = kmalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	if (copy_from_user(&a->addr, u64_to_user_ptr(req->sr.addr),
			   req->sr.addr_len)) {
		kfree(a);
		return -EFAULT;
	}
	req->async = a;
	return 0;
}

/**
 * emu_send_cleanup() - free what emu_send_prep_async() kept
 * @req: the request
 */
void emu_send_cleanup(struct emu_req *req)
{
	kfree(req->async);
	req->async = NULL;
}

/* As io_uring's io_net_retry(): MSG_WAITALL goes on where it can. */
static bool emu_net_retry(const struct socket *sock, int flags)
{
	return (flags & MSG_WAITALL) &&
	       (sock->type == SOCK_STREAM || sock->type == SOCK_SEQPACKET);
}

/*
 * One attempt of a SEND or RECV. Returns its result for the CQE, or
 * -EAGAIN to wait for the socket (with what was done so far kept).
 */
static int emu_sr_issue(struct emu_req *req, unsigned int issue_flags,
			bool send)
{
	bool nonblock = issue_flags & EMU_ISSUE_NONBLOCK;
	struct emu_sr *sr = &req->sr;
	struct sockaddr_storage addr;
	struct msghdr msg = {};
	struct socket *sock;
	int flags, min_ret = 0, ret;

	sock = sock_from_file(req->file);
	if (unlikely(!sock))
		return -ENOTSOCK;
	/* IORING_RECVSEND_POLL_FIRST: wait before the first attempt. */
	if ((sr->flags & IORING_RECVSEND_POLL_FIRST) && !sr->polled && nonblock) {
		sr->polled = true;
		return -EAGAIN;
	}
	if (!access_ok(u64_to_user_ptr(sr->buf), sr->len))
		return sr->done_io ? sr->done_io : -EFAULT;
	flags = sr->msg_flags;
	if (nonblock)
		flags |= MSG_DONTWAIT;
again:
	iov_iter_ubuf(&msg.msg_iter, send ? ITER_SOURCE : ITER_DEST,
		      u64_to_user_ptr(sr->buf),
		      min_t(size_t, sr->len, MAX_RW_COUNT));
	if (flags & MSG_WAITALL)
		min_ret = iov_iter_count(&msg.msg_iter);
	msg.msg_flags = flags;
	if (send) {
		if (sr->addr) {
			if (req->async)
				memcpy(&addr, req->async, sr->addr_len);
			else if (copy_from_user(&addr,
						u64_to_user_ptr(sr->addr),
						sr->addr_len))
				return sr->done_io ? sr->done_io : -EFAULT;
			msg.msg_name = &addr;
			msg.msg_namelen = sr->addr_len;
		}
		ret = sock_sendmsg(sock, &msg);
	} else {
		msg.msg_get_inq = 1;
		msg.msg_inq = -1;
		ret = sock_recvmsg(sock, &msg, flags);
	}
	if (ret < min_ret) {
		if (ret == -EAGAIN && nonblock) {
			/* The SQE's MSG_DONTWAIT: -EAGAIN is its result. */
			if (sr->msg_flags & MSG_DONTWAIT)
				req->state |= EMU_REQ_F_NOWAIT;
			return -EAGAIN;
		}
		if (ret > 0 && emu_net_retry(sock, flags)) {
			sr->buf += ret;
			sr->len -= ret;
			sr->done_io += ret;
			/* Blocking (the pool): go on here; else wait for more. */
			if (!nonblock)
				goto again;
			return -EAGAIN;
		}
		req->state |= EMU_REQ_F_FAILED;
	} else if (!send && (flags & MSG_WAITALL) &&
		   (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		req->state |= EMU_REQ_F_FAILED;
	}
	if (!send && msg.msg_inq > 0)
		req->cflags |= IORING_CQE_F_SOCK_NONEMPTY;
	if (ret >= 0)
		ret += sr->done_io;
	else if (sr->done_io)
		ret = sr->done_io;
	return ret;
}

/**
 * emu_send_issue() - run an IORING_OP_SEND
 * @req: the request, with its socket
 * @issue_flags: EMU_ISSUE_* flags
 *
 * Return: the bytes sent, a negative errno (-ENOTSOCK for a file that is
 * not a socket), or -EAGAIN to wait for room.
 */
int emu_send_issue(struct emu_req *req, unsigned int issue_flags)
{
	return emu_sr_issue(req, issue_flags, true);
}

/**
 * emu_recv_issue() - run an IORING_OP_RECV
 * @req: the request, with its socket
 * @issue_flags: EMU_ISSUE_* flags
 *
 * Return: the bytes received, a negative errno (-ENOTSOCK for a file that
 * is not a socket), or -EAGAIN to wait for data.
 */
int emu_recv_issue(struct emu_req *req, unsigned int issue_flags)
{
	return emu_sr_issue(req, issue_flags, false);
}
