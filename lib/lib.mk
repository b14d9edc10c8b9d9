# libm4rpc (issue 12): the msgpack-rpc library over /dev/m4rpcN that the
# tools, the proxy and users' programs link. One public header,
# lib/include/m4rpc.h; one source file per object here.
#
# Built as build/lib/libm4rpc.so.$(M4RPC_VERSION) (soname libm4rpc.so.0),
# build/lib/libm4rpc.a and build/m4rpc.pc (for the build tree:
# PKG_CONFIG_PATH=build pkg-config --cflags --libs m4rpc). The version has
# one home: the top-level VERSION file.
#
# A program of this repository links the shared library with
#   prerequisite $$(LIBM4RPC_SO), flags $(LIBM4RPC_CFLAGS), then
#   $(LIBM4RPC_LDLIBS) after its objects.
M4RPC_VERSION := $(shell cat $(TOP)/VERSION)
M4RPC_SOVERSION := 0
LIBM4RPC_SRCS := $(wildcard lib/*.c)
LIBM4RPC_SO := $(B)/lib/libm4rpc.so.$(M4RPC_VERSION)
LIBM4RPC_SONAME_LINK := $(B)/lib/libm4rpc.so.$(M4RPC_SOVERSION)
LIBM4RPC_A := $(B)/lib/libm4rpc.a
LIBM4RPC_PC := $(B)/m4rpc.pc
# The same objects with the host tests' sanitizers, for tests/host.
LIBM4RPC_SAN_A := $(B)/obj-san/libm4rpc.a
LIBM4RPC_TSAN_A := $(B)/obj-tsan/libm4rpc.a

LIBM4RPC_CFLAGS = $(MSGPACK_CFLAGS)
# $ORIGIN/../lib: build/lib for the programs in build/*/, LIBDIR for the
# installed ones (BINDIR next to LIBDIR); never a path of this build tree.
LIBM4RPC_LDLIBS = -L$(B)/lib -Wl,-rpath,'$$ORIGIN/../lib' -lm4rpc $(MSGPACK_LIBS) -pthread

# Exported: what M4RPC_EXPORT marks (lib/m4rpc_priv.h), nothing else.
LIB_OBJ_CFLAGS = $(MSGPACK_CFLAGS) -pthread -fPIC -fvisibility=hidden \
	-DM4RPC_VERSION='"$(M4RPC_VERSION)"'
$(call obj-cflags,$(LIBM4RPC_SRCS),LIB_OBJ_CFLAGS)
# version.c says the VERSION file's.
$(B)/obj/lib/version.o $(B)/obj-san/lib/version.o: $(TOP)/VERSION

$(LIBM4RPC_SO): $(patsubst %.c,$(B)/obj/%.o,$(LIBM4RPC_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libm4rpc.so.$(M4RPC_SOVERSION) \
		-Wl,--no-undefined -o $@ $^ $(MSGPACK_LIBS) -pthread
	ln -sf $(notdir $@) $(LIBM4RPC_SONAME_LINK)
	ln -sf $(notdir $(LIBM4RPC_SONAME_LINK)) $(B)/lib/libm4rpc.so

$(LIBM4RPC_A): $(patsubst %.c,$(B)/obj/%.o,$(LIBM4RPC_SRCS))
$(LIBM4RPC_SAN_A): $(patsubst %.c,$(B)/obj-san/%.o,$(LIBM4RPC_SRCS))
$(LIBM4RPC_TSAN_A): $(patsubst %.c,$(B)/obj-tsan/%.o,$(LIBM4RPC_SRCS))
$(LIBM4RPC_A) $(LIBM4RPC_SAN_A) $(LIBM4RPC_TSAN_A):
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# $(call m4rpc-pc,PREFIX,LIBDIR,INCLUDEDIR): a command printing m4rpc.pc
# for those directories (`make install` writes the installed system's).
m4rpc-pc = sed -e 's|@PREFIX@|$(1)|' -e 's|@LIBDIR@|$(2)|' \
	-e 's|@INCLUDEDIR@|$(3)|' -e 's|@VERSION@|$(M4RPC_VERSION)|' \
	-e 's|@MSGPACK_PC@|$(MSGPACK_PC)|' $(TOP)/lib/m4rpc.pc.in

$(LIBM4RPC_PC): $(TOP)/lib/m4rpc.pc.in $(TOP)/VERSION
	@mkdir -p $(dir $@)
	$(call m4rpc-pc,$(B),$(B)/lib,$(TOP)/lib/include) > $@

LIBS += $(LIBM4RPC_SO) $(LIBM4RPC_A) $(LIBM4RPC_PC)

libm4rpc: $(LIBM4RPC_SO) $(LIBM4RPC_A) $(LIBM4RPC_PC)
.PHONY: libm4rpc
