# The H7 + M4 emulator (issue 3, userspace side): the library libh7emu.a,
# which tests link and drive, and the program m4rpc-sim. The frame codec
# from kernel/common/ goes into the archive with it.
#
# Fragments are included in name order, so tests/host/h7emu.mk and
# selftests/sim/sim.mk are read before this one: they name the archives
# below by path and use H7EMU_LDLIBS only in recipes.
H7EMU_SRCS := $(addprefix tools/sim/,h7emu_core.c h7emu_m4.c \
	h7emu_sketch.c h7emu_ring.c h7emu_fault.c h7emu_api.c h7emu_run.c \
	h7emu_dev.c h7emu_loopback.c) kernel/common/x8h7_frame.c
H7EMU_LIB := $(B)/lib/libh7emu.a
# What a program linking libh7emu.a needs after it.
H7EMU_LDLIBS = $(MSGPACK_LIBS) -pthread -lm

$(foreach f,$(H7EMU_SRCS) tools/sim/m4rpc_sim.c,\
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

$(B)/tools/m4rpc-sim: $(B)/obj/tools/sim/m4rpc_sim.o $(H7EMU_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(H7EMU_LDLIBS)

LIBS += $(H7EMU_LIB)
TOOLS += $(B)/tools/m4rpc-sim

h7emu: $(H7EMU_LIB) $(B)/tools/m4rpc-sim
.PHONY: h7emu

# `make build/tools/m4rpc-sim` from the top directory names the same file.
$(patsubst $(TOP)/%,%,$(B)/tools/m4rpc-sim $(H7EMU_LIB)): %: $(TOP)/%
	@:
