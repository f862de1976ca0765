# SPDX-License-Identifier: GPL-2.0
#
# make              build emu_uring.ko against KDIR (default: the running kernel)
# make demo         boot a VM, load the module, read real files through the ring
# make check        install what is missing, build warning- and sparse-clean
#                   on every supported kernel (and through DKMS), checkpatch,
#                   run the selftests in VMs
# make check-debug  build (once, cached) a KASAN/lockdep/kmemleak/fault-injection
#                   kernel and run the selftests and 10 million fuzzed SQEs in it
# make bench        emu_uring against io_uring and plain syscalls, in VMs
# make selftests    build the selftest binaries (static)
# make lib          libemu_uring (liburing's API) and libemu_uring_preload.so
# make install      install the library, its headers and emu_uring.pc
#                   (PREFIX=/usr/local, DESTDIR)
# make check-user   the library and shim tests, and fio and liburing programs
#                   run unmodified through the shim, in a VM of each kernel
# make check-packages  build the Debian packages, lintian, install them into a
#                   throwaway root, DKMS for each kernel, udev and programs
#                   in a VM of each kernel, purge
# make clean

KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf build
	$(MAKE) -C selftests clean

lib:
	$(MAKE) -C lib

install: lib
	$(MAKE) -C lib install

libtests: deps lib
	$(MAKE) -C selftests/lib

check-install: deps lib
	scripts/check-install.sh

deps:
	scripts/deps.sh

selftests: deps
	$(MAKE) -C selftests

examples: lib
	$(MAKE) -C examples

build-all: deps
	scripts/build-all.sh

checkpatch: deps
	scripts/checkpatch.sh

check-doc:
	scripts/check-doc.py

check-dkms: deps
	scripts/check-dkms.sh

check-packages: deps
	scripts/check-packages.sh

check: deps build-all checkpatch check-doc selftests examples libtests check-install \
	check-dkms check-packages
	selftests/vmtest.sh
	selftests/vmtest.sh --user

check-user: deps build-all examples libtests
	selftests/vmtest.sh --user

debug-kernel: deps
	scripts/debug-kernel.sh

check-debug: deps selftests debug-kernel
	selftests/vmtest.sh --debug

demo: deps build-all examples lib
	scripts/demo.sh

bench: deps build-all lib
	$(MAKE) -C bench
	scripts/bench.sh

.PHONY: all modules clean deps selftests examples build-all checkpatch check-doc \
	check debug-kernel check-debug demo bench lib install libtests \
	check-install check-user check-dkms check-packages
