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

# Every ioctl of /dev/m4rpcN and /dev/m4rpc-simN from a 32-bit program on
# the 64-bit kernel (ep_abi.c): built -m32 (ep_abi32) and, as the control,
# -m64 (ep_abi64). libc only, so no 32-bit msgpack-c: the board is the
# 64-bit m4rpc-sim. M32_CFLAGS: tests/host/uapi.mk. A cross build (CROSS,
# arm64) has no 32-bit compiler for its target here (armhf): ep_abi64 only.
EP_ABI_TESTS := $(if $(CROSS),,$(B)/selftests/ep_abi32) $(B)/selftests/ep_abi64
EP_ABI_SRCS := $(TOP)/selftests/ep/ep_abi.c $(TOP)/selftests/common/board_sys.c
EP_ABI_CFLAGS = $(ALL_CFLAGS) $(KSFT_CFLAGS) -I$(TOP)/selftests/common

$(B)/selftests/ep_abi32: $(EP_ABI_SRCS) $$(M4RPC_SIM) | $$(M32_ASM)
	@mkdir -p $(dir $@)
	$(CC) $(M32_CFLAGS) $(EP_ABI_CFLAGS) -o $@ $(EP_ABI_SRCS)

$(B)/selftests/ep_abi64: $(EP_ABI_SRCS) $$(M4RPC_SIM)
	@mkdir -p $(dir $@)
	$(CC) $(EP_ABI_CFLAGS) -o $@ $(EP_ABI_SRCS)

VM_TESTS += $(EP_ABI_TESTS)
