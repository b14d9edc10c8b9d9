# The fault soak (issue 17): faults of the emulated H7 and late Linux in
# phases drawn from a seed, while sessions call echo, the traffic sketch
# sends notifications and the tty is held open; every message received is
# checked against what was sent, every loss against the counters
# (selftests/soak/soak.h). One program, plain TAP, run in the VM.
#   make check        ~30 s of it, seed 2 (check-debug too)
#   make soak         SOAK_SECONDS (600) of it; SOAK_SEED=N replays a seed
#                     (the same faults, traffic and calls; timing differs)
SOAK := $(B)/selftests/soak
SOAK_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard selftests/soak/*.c))
SOAK_SECONDS ?= 600
SOAK_SEED ?=

# msgpack-c, h7emu.h, board.h.
SOAK_CFLAGS = $(MSGPACK_CFLAGS) -pthread -I$(TOP)/emu -I$(TOP)/selftests/common
$(call obj-cflags,$(wildcard selftests/soak/*.c),SOAK_CFLAGS)

$(SOAK): $(SOAK_OBJS) $$(BOARD_OBJ) $$(H7EMU_LIB)
	@mkdir -p $(dir $@)
	$(CC) -pthread -o $@ $^ $(H7EMU_LDLIBS)

VM_TESTS += $(SOAK)

soak: deps-vm vm-modules $(SOAK)
	M4RPC_TEST_SOAK_SECONDS=$(SOAK_SECONDS) M4RPC_TEST_SOAK_SEED=$(SOAK_SEED) \
		$(TOP)/scripts/vm-run.sh --timeout $$(( $(SOAK_SECONDS) + 600 )) -- \
		scripts/run-tap.sh $(SOAK)
.PHONY: soak
