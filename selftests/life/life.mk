# VM selftests of lifecycle abuse (issue 17): clients killed with SIGKILL
# while their threads sleep in read/write/poll, m4rpc.ko unloaded and
# reloaded under traffic, the SPI driver unbound under sleeping clients,
# the simulator unloaded mid-transfer. Each checks that nothing hangs, that
# the clients get the documented errors and that the next client works;
# vm-run.sh checks dmesg (and kmemleak on the debug kernel).
# `make check` runs short forms; `make soak-life` the issue's counts:
# LIFE_CYCLES (1000) kill cycles, LIFE_RELOADS (100) unload/reload cycles,
# LIFE_UNBINDS (50) unbind/rebind cycles, LIFE_SIM_UNLOADS (20) simulator
# unloads. It takes 5 to 10 minutes.
LIFE_TEST_NAMES := life_kill life_reload life_remove
LIFE_TESTS := $(addprefix $(B)/selftests/,$(LIFE_TEST_NAMES))
LIFE_CLIENT_OBJ := $(B)/obj/selftests/life/life_client.o

# Every source here: the harness, msgpack-c, h7emu.h, board.h, ep_util.h.
LIFE_CFLAGS = $(KSFT_CFLAGS) $(MSGPACK_CFLAGS) -pthread -I$(TOP)/emu \
	-I$(TOP)/selftests/common -I$(TOP)/selftests/ep
$(call obj-cflags,$(wildcard selftests/life/*.c),LIFE_CFLAGS)

$(LIFE_TESTS): $(B)/selftests/%: $(B)/obj/selftests/life/%.o \
		$(LIFE_CLIENT_OBJ) $$(EP_UTIL_OBJ) $$(BOARD_OBJ) $$(H7EMU_LIB)
	@mkdir -p $(dir $@)
	$(CC) -pthread -o $@ $^ $(H7EMU_LDLIBS)

VM_TESTS += $(LIFE_TESTS)

LIFE_CYCLES ?= 1000
LIFE_RELOADS ?= 100
LIFE_UNBINDS ?= 50
LIFE_SIM_UNLOADS ?= 20
soak-life: deps-vm vm-modules $(LIFE_TESTS)
	M4RPC_TEST_LIFE_CYCLES=$(LIFE_CYCLES) \
	M4RPC_TEST_LIFE_RELOADS=$(LIFE_RELOADS) \
	M4RPC_TEST_LIFE_UNBINDS=$(LIFE_UNBINDS) \
	M4RPC_TEST_LIFE_SIM_UNLOADS=$(LIFE_SIM_UNLOADS) \
	$(TOP)/scripts/vm-run.sh --timeout 3600 -- scripts/run-tap.sh \
		$(LIFE_TESTS)
.PHONY: soak-life
