# The H7 + M4 emulator (issue 3, userspace side): the library libh7emu.a,
# which tests and the program m4rpc-sim (tools/m4rpc-sim/) link and drive.
# The frame codec from kernel/common/ goes into the archive with it.
H7EMU_SRCS := $(addprefix emu/,h7emu_core.c h7emu_m4.c \
	h7emu_sketch.c h7emu_ring.c h7emu_fault.c h7emu_api.c h7emu_run.c \
	h7emu_dev.c h7emu_loopback.c h7emu_settings.c) kernel/common/x8h7_frame.c
H7EMU_LIB := $(B)/lib/libh7emu.a
# What a program linking libh7emu.a needs after it.
H7EMU_LDLIBS = $(MSGPACK_LIBS) -pthread -lm

$(foreach f,$(H7EMU_SRCS),\
	$(eval EXTRA_CFLAGS_$(notdir $(basename $(f))) += $$(MSGPACK_CFLAGS) -pthread))

# The archive, and the same built with the host tests' sanitizers (objects
# from the $(B)/obj-san rule of tests/host/host.mk, $(B)/obj-tsan rule of
# tests/host/h7emu.mk).
$(H7EMU_LIB): $(patsubst %.c,$(B)/obj/%.o,$(H7EMU_SRCS))
$(B)/obj-san/libh7emu.a: $(patsubst %.c,$(B)/obj-san/%.o,$(H7EMU_SRCS))
$(B)/obj-tsan/libh7emu.a: $(patsubst %.c,$(B)/obj-tsan/%.o,$(H7EMU_SRCS))
$(H7EMU_LIB) $(B)/obj-san/libh7emu.a $(B)/obj-tsan/libh7emu.a:
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

LIBS += $(H7EMU_LIB)

h7emu: $(H7EMU_LIB)
.PHONY: h7emu

# `make build/lib/libh7emu.a` from the top directory names the same file.
$(patsubst $(TOP)/%,%,$(H7EMU_LIB)): %: $(TOP)/%
	@:
