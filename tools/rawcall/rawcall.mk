# x8h7-rawcall: msgpack-rpc calls to the M4 sketch over raw spidev transfers
# (a diagnostic, and the demo's caller until /dev/m4rpc exists), and the host
# unit test of its UI stream splitter.
RAWCALL := $(B)/tools/x8h7-rawcall
RAWCALL_SRCS := x8h7-rawcall rawcall_spidev rawcall_link rawcall_rpc mpack_split
RAWCALL_OBJS := $(patsubst %,$(B)/obj/tools/rawcall/%.o,$(RAWCALL_SRCS)) \
	$(B)/obj/kernel/common/x8h7_frame.o $(B)/obj/kernel/common/mpack_scan.o

$(foreach f,$(RAWCALL_SRCS),\
	$(eval EXTRA_CFLAGS_$(f) += -I$(TOP)/tools/rawcall $$(MSGPACK_CFLAGS) $$(KMOD_CFLAGS)))

$(RAWCALL): $(RAWCALL_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(MSGPACK_LIBS) $(KMOD_LIBS)

TOOLS += $(RAWCALL)

# The splitter (mpack_split.c) under the host tests' sanitizers; objects from
# the build/obj-san rule of tests/host/host.mk.
RAWCALL_SPLIT_TEST := $(B)/tests/test_mpack_split

$(RAWCALL_SPLIT_TEST): $(B)/obj-san/tools/rawcall/test_mpack_split.o \
		$(B)/obj-san/tools/rawcall/mpack_split.o \
		$(B)/obj-san/kernel/common/mpack_scan.o
	@mkdir -p $(dir $@)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $^

HOST_TESTS += $(RAWCALL_SPLIT_TEST)

# `make build/tools/x8h7-rawcall` and `make build/tests/test_mpack_split`
# from the top directory name the same files.
$(patsubst $(TOP)/%,%,$(RAWCALL) $(RAWCALL_SPLIT_TEST)): %: $(TOP)/%
	@:

rawcall: $(RAWCALL) $(RAWCALL_SPLIT_TEST)
.PHONY: rawcall
