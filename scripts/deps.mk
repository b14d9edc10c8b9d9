# What the build, the VM and the debug kernel need from Debian, installed on
# demand (scripts/install-deps.sh is idempotent and does nothing when all is there).
DEPS_BUILD := make gcc libc6-dev perl pkg-config libmsgpack-dev libkmod-dev libjansson-dev \
	linux-headers-amd64 linux-source-6.1 xz-utils \
	python3 python3-msgpack python3-setuptools python3-wheel python3-pip \
	gcc-12-multilib groff-base
DEPS_VM := qemu-system-x86 busybox-static linux-image-amd64 cpio kmod udev \
	python3-serial
DEPS_DEBUG := bc bison flex libssl-dev libelf-dev rsync
# DKMS (packaging/dkms.mk, tests/packaging/test_dkms.sh), against the
# headers of DEPS_BUILD.
DEPS_DKMS := dkms
# The fuzz targets (tests/fuzz/): clang with libFuzzer and the sanitizers.
DEPS_FUZZ := clang-14 libclang-rt-14-dev

# M4RPC_NO_DEPS=1: the build system brings what the build needs (Yocto's
# recipes, contrib/yocto/): no apt, no kernel source; only what `make
# install` installs can be built then (make install-build).
deps-build:
ifneq ($(M4RPC_NO_DEPS),1)
	@$(TOP)/scripts/install-deps.sh $(DEPS_BUILD)
	@$(TOP)/scripts/extract-ksrc.sh $(KSFT)
endif

deps-vm: deps-build
	@$(TOP)/scripts/install-deps.sh $(DEPS_VM)

deps-debug: deps-vm
	@$(TOP)/scripts/install-deps.sh $(DEPS_DEBUG)

deps-fuzz: deps-build
	@$(TOP)/scripts/install-deps.sh $(DEPS_FUZZ)

deps-dkms: deps-build
	@$(TOP)/scripts/install-deps.sh $(DEPS_DKMS)

deps: deps-vm deps-fuzz deps-dkms

.PHONY: deps deps-build deps-vm deps-debug deps-fuzz deps-dkms
