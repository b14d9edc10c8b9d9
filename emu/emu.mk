# The H7 + M4 emulator (issue 3, userspace side): the library libh7emu.a,
# which tests and the program m4rpc-sim (tools/m4rpc-sim/) link and drive.
# The frame codec from kernel/common/ goes into the archive with it.
H7EMU_SRCS := $(addprefix emu/,h7emu_core.c h7emu_m4.c \
	h7emu_sketch.c h7emu_ring.c h7emu_fault.c h7emu_api.c h7emu_run.c \
	h7emu_dev.c h7emu_loopback.c h7emu_settings.c h7emu_sent.c) kernel/common/x8h7_frame.c
H7EMU_LIB := $(B)/lib/libh7emu.a
# The same built with the host tests' sanitizers (SAN_CFLAGS, TSAN_CFLAGS).
H7EMU_SAN_LIB := $(B)/obj-san/libh7emu.a
H7EMU_TSAN_LIB := $(B)/obj-tsan/libh7emu.a
# What a program linking libh7emu.a needs after it.
H7EMU_LDLIBS = $(MSGPACK_LIBS) -pthread -lm

# h7emu_priv.h includes x8h7_frame.h; kernel/common/x8h7_frame.c needs
# nothing more than its own directory.
H7EMU_CFLAGS = $(MSGPACK_CFLAGS) -pthread $(KCOMMON_CFLAGS)
$(call obj-cflags,$(filter emu/%,$(H7EMU_SRCS)),H7EMU_CFLAGS)

$(H7EMU_LIB): $(patsubst %.c,$(B)/obj/%.o,$(H7EMU_SRCS))
$(H7EMU_SAN_LIB): $(patsubst %.c,$(B)/obj-san/%.o,$(H7EMU_SRCS))
$(H7EMU_TSAN_LIB): $(patsubst %.c,$(B)/obj-tsan/%.o,$(H7EMU_SRCS))
$(H7EMU_LIB) $(H7EMU_SAN_LIB) $(H7EMU_TSAN_LIB):
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

LIBS += $(H7EMU_LIB)

h7emu: $(H7EMU_LIB)
.PHONY: h7emu
