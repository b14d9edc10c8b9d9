# The Portenta X8 is arm64: the modules, the library and the tools
# cross-build for it, and `make check-arm64` runs them under
# qemu-system-aarch64 (TCG) on Debian's arm64 kernel. Not part of `make
# check` (several minutes).
ARM64_CROSS := aarch64-linux-gnu
# Debian's multiarch packages: the cross compiler, qemu, and the arm64
# builds of what the library and the tools link (their headers and .pc
# files, in /usr/lib/aarch64-linux-gnu). gcc-aarch64-linux-gnu conflicts
# with the metapackage gcc-multilib (not with gcc-12-multilib).
DEPS_ARM64 := gcc-aarch64-linux-gnu qemu-system-arm device-tree-compiler libc6-dev:arm64 \
	libmsgpack-dev:arm64 libkmod-dev:arm64 libjansson-dev:arm64

deps-arm64: deps-build
	@dpkg --print-foreign-architectures | grep -qx arm64 || \
		{ echo "deps-arm64: dpkg --add-architecture arm64" >&2; dpkg --add-architecture arm64 && \
		apt-get update -q >&2; }
	@$(TOP)/scripts/install-deps.sh $(DEPS_ARM64)

# The modules for Debian's arm64 kernel (the one check-arm64 boots).
arm64-modules: deps-arm64
	@kdir=$$($(TOP)/scripts/arm64-debian.sh) && \
		$(MAKE) modules KDIR=$$kdir ARCH=arm64 CROSS_COMPILE=$(ARM64_CROSS)-

# W=1 cross-builds against the defconfig tree and Debian's arm64 headers (TAP).
check-arm64-build: deps-arm64
	@$(TOP)/scripts/kbuild-arm64-tap.sh

.PHONY: deps-arm64 arm64-modules check-arm64-build

# The library, the tools and the VM selftests for arm64, in build-$(ARM64_CROSS)/.
arm64-userspace: deps-arm64
	$(MAKE) userspace $(ARM64_B)/selftests/link_of CROSS=$(ARM64_CROSS)

.PHONY: arm64-userspace

# The smoke tests of each layer, on arm64: the simulated SPI board, the
# link, the link bound through the device tree (link_of), the endpoints,
# the library, the m4rpc command (a subset of VM_TESTS: the whole suite
# under TCG would take most of an hour).
ARM64_B := $(TOP)/build-$(ARM64_CROSS)
ARM64_VM_TEST_NAMES := sim_kmod link_basic link_of ep_basic lib_calls m4rpc_tool
ARM64_VM_TESTS := $(addprefix $(ARM64_B)/selftests/,$(ARM64_VM_TEST_NAMES))

check-arm64: deps-arm64 arm64-modules arm64-userspace
	@M4RPC_VM_TIMEOUT=$${M4RPC_VM_TIMEOUT:-1800} $(TOP)/scripts/check.sh --arm64 \
		--host "$(TOP)/scripts/kbuild-arm64-tap.sh" --vm "$(ARM64_VM_TESTS)"

.PHONY: check-arm64
