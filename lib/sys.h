/* SPDX-License-Identifier: MIT */
/*
 * io_uring's three system calls answered by /dev/emu_uring, shared by
 * libemu_uring and the preload shim. Everything here is async-signal-safe
 * (the shim runs it in a SIGSYS handler): system calls only, no locks, no
 * allocation, errno left as it was.
 */
#ifndef EMU_URING_LIB_SYS_H
#define EMU_URING_LIB_SYS_H

#include <stddef.h>
#include <linux/io_uring.h>

long emu_sys_setup(unsigned int entries, struct io_uring_params *p);
long emu_sys_enter(unsigned int fd, unsigned int to_submit,
		   unsigned int min_complete, unsigned int flags,
		   const void *sig, size_t sigsz);
long emu_sys_register(unsigned int fd, unsigned int opcode, void *arg,
		      unsigned int nr_args);
void emu_sys_hold_device(void);

#endif
