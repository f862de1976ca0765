/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels the module builds against, detected by
 * Kbuild from the kernel headers (see EMU_HAVE_* in Kbuild).
 */
#ifndef _EMU_URING_COMPAT_H
#define _EMU_URING_COMPAT_H

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uio.h>

#ifndef EMU_HAVE_VM_FLAGS_SET
/* Linux < 6.3: vm_flags is a plain field. */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

#ifdef EMU_HAVE_FILE_WRITE_STARTED
/* Linux >= 6.7: vfs_iter_write() takes the superblock's write access. */
static inline ssize_t emu_vfs_iter_write(struct file *file,
					 struct iov_iter *iter, loff_t *ppos,
					 rwf_t flags)
{
	return vfs_iter_write(file, iter, ppos, flags);
}
#else
static inline ssize_t emu_vfs_iter_write(struct file *file,
					 struct iov_iter *iter, loff_t *ppos,
					 rwf_t flags)
{
	ssize_t ret;

	file_start_write(file);
	ret = vfs_iter_write(file, iter, ppos, flags);
	file_end_write(file);
	return ret;
}
#endif

/* Linux >= 6.11: RWF_ATOMIC needs to know the direction (READ, WRITE). */
static inline int emu_kiocb_set_rw_flags(struct kiocb *ki, rwf_t flags,
					 int rw_type)
{
#ifdef EMU_HAVE_KIOCB_RW_TYPE
	return kiocb_set_rw_flags(ki, flags, rw_type);
#else
	return kiocb_set_rw_flags(ki, flags);
#endif
}

/* The user memory the iterator is at: its current segment. */
static inline void __user *emu_iter_seg(const struct iov_iter *iter,
					size_t *len)
{
	if (iter_is_ubuf(iter)) {
		*len = iov_iter_count(iter);
		return iter->ubuf + iter->iov_offset;
	}
#ifdef EMU_HAVE_ITER_IOV
	/* Linux >= 6.4. */
	*len = min(iov_iter_count(iter), iter_iov_len(iter));
	return iter_iov_addr(iter);
#else
	{
		struct iovec seg = iov_iter_iovec(iter);

		*len = seg.iov_len;
		return seg.iov_base;
	}
#endif
}

#ifndef EMU_HAVE_FD_FILE
/* Linux < 6.12: struct fd has the file as a member. */
#define fd_file(f)	((f).file)
#endif

#endif /* _EMU_URING_COMPAT_H */
