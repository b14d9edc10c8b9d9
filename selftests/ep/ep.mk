# VM selftests of the /dev/m4rpcN endpoints (kernel/ep/, uapi
# <linux/m4rpc.h>) against the simulated board (m4rpc_sim.ko) and the H7 +
# M4 emulator (libh7emu.a), brought up by selftests/common/board.c. Root
# and the modules are needed: run them in the VM (scripts/vm-run.sh).
# ep_stress's size: M4RPC_TEST_EP_CALLS (20000).
EP_TEST_NAMES := ep_basic ep_framing ep_route ep_flow ep_life ep_stress \
	ep_integrity ep_hostile
EP_TESTS := $(addprefix $(B)/selftests/,$(EP_TEST_NAMES))
# What applications get while the H7 drops bytes (about a minute; part of
# make check too): `make integrity` runs it alone.
EP_INTEGRITY := $(B)/selftests/ep_integrity
EP_UTIL_OBJ := $(B)/obj/selftests/ep/ep_util.o

# Every source here: the harness, msgpack-c, h7emu.h, board.h.
EP_CFLAGS = $(KSFT_CFLAGS) $(MSGPACK_CFLAGS) -pthread -I$(TOP)/emu \
	-I$(TOP)/selftests/common
$(call obj-cflags,$(wildcard selftests/ep/*.c),EP_CFLAGS)

$(EP_TESTS): $(B)/selftests/%: $(B)/obj/selftests/ep/%.o $(EP_UTIL_OBJ) \
		$$(BOARD_OBJ) $$(H7EMU_LIB)
	@mkdir -p $(dir $@)
	$(CC) -pthread -o $@ $^ $(H7EMU_LDLIBS)

VM_TESTS += $(EP_TESTS)

integrity: deps-vm vm-modules $(EP_INTEGRITY)
	$(TOP)/scripts/vm-run.sh --timeout 900 -- scripts/run-tap.sh $(EP_INTEGRITY)
.PHONY: integrity
