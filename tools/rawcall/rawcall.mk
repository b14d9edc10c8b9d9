# x8h7-rawcall: msgpack-rpc calls to the M4 sketch over raw spidev transfers
# (a diagnostic, and the demo's caller until /dev/m4rpc exists). The UI
# stream is reassembled by kernel/common/rpc_reasm.c, the code m4rpc.ko
# runs, tested by tests/host/test_rpc_reasm.
RAWCALL := $(B)/tools/x8h7-rawcall
RAWCALL_SRCS := x8h7-rawcall rawcall_spidev rawcall_link rawcall_rpc
RAWCALL_OBJS := $(patsubst %,$(B)/obj/tools/rawcall/%.o,$(RAWCALL_SRCS)) \
	$(B)/obj/kernel/common/x8h7_frame.o $(B)/obj/kernel/common/mpack_scan.o \
	$(B)/obj/kernel/common/rpc_reasm.o

RAWCALL_CFLAGS = -I$(TOP)/tools/rawcall $(KCOMMON_CFLAGS) $(MSGPACK_CFLAGS) $(KMOD_CFLAGS)
$(call obj-cflags,$(addprefix tools/rawcall/,$(RAWCALL_SRCS)),RAWCALL_CFLAGS)

$(RAWCALL): $(RAWCALL_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(MSGPACK_LIBS) $(KMOD_LIBS)

TOOLS += $(RAWCALL)

rawcall: $(RAWCALL)
.PHONY: rawcall
