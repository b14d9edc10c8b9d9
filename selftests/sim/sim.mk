# VM selftest of the simulated board as a whole (issue 3): the H7 + M4
# emulator (libh7emu, emu/) on the slave end of m4rpc_sim.ko, spidev
# bound to the simulated device as the master. Needs root and the module:
# it runs in the VM (scripts/vm-run.sh), which sets M4RPC_KMOD_DIR.
H7EMU_SPIDEV_TEST := $(B)/selftests/h7emu_spidev

# Every source here: the harness, h7emu.h, board_sys.h.
H7EMU_SPIDEV_CFLAGS = $(KSFT_CFLAGS) -I$(TOP)/emu -pthread \
	-I$(TOP)/selftests/common
$(call obj-cflags,$(wildcard selftests/sim/*.c),H7EMU_SPIDEV_CFLAGS)

$(H7EMU_SPIDEV_TEST): $(B)/obj/selftests/sim/h7emu_spidev.o $$(VM_UTIL_OBJ) \
		$$(H7EMU_LIB)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(H7EMU_LDLIBS)

VM_TESTS += $(H7EMU_SPIDEV_TEST)
