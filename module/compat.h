/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels the module builds against, detected by
 * Kbuild from the kernel headers (see EMU_HAVE_* in Kbuild).
 */
#ifndef _EMU_URING_COMPAT_H
#define _EMU_URING_COMPAT_H

#include <linux/mm.h>

#ifndef EMU_HAVE_VM_FLAGS_SET
/* Linux < 6.3: vm_flags is a plain field. */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

#endif /* _EMU_URING_COMPAT_H */
