# m4rpc: top-level build. See README.md; the two commands are `make demo` and
# `make check`. Each directory contributes a fragment (*.mk) that adds its
# targets to the lists below; this file holds only what they share.

.DEFAULT_GOAL := all
SHELL := /bin/bash
TOP := $(CURDIR)
# CROSS=TRIPLET (a Debian multiarch one, e.g. aarch64-linux-gnu): build the
# userspace with TRIPLET-gcc against the libraries of Debian's packages for
# that architecture (their .pc files in /usr/lib/TRIPLET/pkgconfig), into
# build-TRIPLET/, next to the native build/. See scripts/arm64.mk.
CROSS ?=
ifneq ($(CROSS),)
B := $(TOP)/build-$(CROSS)
CC := $(CROSS)-gcc
AR := $(CROSS)-ar
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/$(CROSS)/pkgconfig:/usr/share/pkgconfig pkg-config
else
B := $(TOP)/build
PKG_CONFIG := pkg-config
endif

# ---- kernel ------------------------------------------------------------
# KDIR: the kernel build directory to build the modules against. Default: the
# running kernel's, else the newest installed /lib/modules/*/build.
KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; [ -d $$d ] && echo $$d || \
	ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1)
ARCH ?=
CROSS_COMPILE ?=
# Modules are built in a tree of symlinks per KDIR, so builds against several
# kernels (Debian's, the debug kernel, arm64) never mix their objects.
KOUT ?= $(B)/kmod/$(subst /,_,$(patsubst /%,%,$(KDIR)))$(if $(ARCH),-$(ARCH))

# ---- userspace -----------------------------------------------------------
CC ?= cc
CFLAGS ?= -O2 -g
# On the link lines of what `make install` installs (the library and the
# tools), as distribution builds (Yocto, dpkg-buildflags) pass them.
LDFLAGS ?=
WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 -Wstrict-prototypes
CPPFLAGS += -D_GNU_SOURCE -I$(TOP)/kernel/include/uapi -I$(TOP)/lib/include
# The C shared with the kernel (frame codec, msgpack scanner, reassembler),
# for the objects that include its headers, not for every program.
KCOMMON_CFLAGS := -I$(TOP)/kernel/common
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(CPPFLAGS)

# msgpack-c: 6.x calls itself msgpack-c, 4.x (Debian 12) msgpack.
MSGPACK_PC := $(shell $(PKG_CONFIG) --exists msgpack-c 2>/dev/null && echo msgpack-c || echo msgpack)
MSGPACK_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(MSGPACK_PC) 2>/dev/null)
MSGPACK_LIBS = $(shell $(PKG_CONFIG) --libs $(MSGPACK_PC) 2>/dev/null)
KMOD_CFLAGS = $(shell $(PKG_CONFIG) --cflags libkmod 2>/dev/null)
KMOD_LIBS = $(shell $(PKG_CONFIG) --libs libkmod 2>/dev/null)

# kselftest's harness, from the kernel source package (extracted, never vendored).
KSFT := $(B)/kselftest
KSFT_CFLAGS = -I$(KSFT)

# The sanitizers, for compiling (the flavours below) and for linking.
# -fno-sanitize-recover makes any UBSan finding abort the test, so it fails.
SAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
TSAN_CFLAGS := -fsanitize=thread -fno-omit-frame-pointer

# $(call obj-cflags,SOURCES,VAR): compile the objects of SOURCES (paths
# from the top, in any flavour) with $(VAR) too. VAR is expanded when they
# are compiled, so it may be defined anywhere, before or after.
obj-cflags = $(foreach f,$(basename $(1)),$(eval OBJ_CFLAGS_$(f) += $$($(strip $(2)))))

# Filled by the fragments.
HOST_TESTS :=		# host unit test binaries (TAP on stdout)
VM_TESTS :=		# selftest binaries run inside the VM, in this order
VM_SOAKS :=		# ... and the longer ones that targets of their own run
TOOLS :=		# programs under build/tools
LIBS :=			# libraries under build/lib

# Fragments work in any include order: each defines its own variables and
# names another fragment's only where they are expanded late, in recipes,
# in `=` variables, or as $$(VAR) in prerequisites (second expansion, after
# every fragment is read).
.SECONDEXPANSION:

include scripts/deps.mk
include kernel/kernel.mk
# Every directory's fragment: emu/*.mk, lib/*.mk, tools/*/*.mk, bindings/*/*.mk,
# tests/*/*.mk, selftests/*/*.mk, packaging/*.mk.
include $(sort $(wildcard emu/*.mk lib/*.mk tools/*.mk tools/*/*.mk bindings/*/*.mk \
	tests/*/*.mk selftests/*/*.mk packaging/*.mk))
include scripts/vm.mk
include scripts/arm64.mk

# `make build/tools/m4rpc-sim` from the top directory: the same file as
# $(B)/tools/m4rpc-sim, the name every rule uses.
$(patsubst $(TOP)/%,%,$(LIBS) $(TOOLS) $(HOST_TESTS) $(VM_TESTS)): %: $(TOP)/%
	@:

# Shared compile rules: build/FLAVOUR/<path>.o from <path>.c, in three
# flavours never mixed: obj (plain), obj-san (ASan + UBSan, for the host
# tests and the code they test) and obj-tsan (ThreadSanitizer). An object's
# own flags come from OBJ_CFLAGS_<path>, <path> being its source without .c
# (two files may share a name: selftests/ep/ep_route.c, kernel/ep/ep_route.c).
define compile-flavour
$(B)/$(1)/%.o: $(TOP)/%.c | deps-build
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) $$($(2)) $$(OBJ_CFLAGS_$$*) -MMD -MP -c -o $$@ $$<
endef
$(eval $(call compile-flavour,obj,))
$(eval $(call compile-flavour,obj-san,SAN_CFLAGS))
$(eval $(call compile-flavour,obj-tsan,TSAN_CFLAGS))

-include $(shell find $(B)/obj $(B)/obj-san $(B)/obj-tsan -name '*.d' 2>/dev/null)

all: modules userspace
# A cross build has no host tests: they run here, the programs run there.
userspace: $(LIBS) $(TOOLS) $(if $(CROSS),,$(HOST_TESTS)) $(VM_TESTS) $(VM_SOAKS)

clean:
	rm -rf $(B)

.PHONY: all userspace clean
