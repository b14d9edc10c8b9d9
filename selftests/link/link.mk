# VM selftests of the link driver m4rpc.ko (kernel/link/) against the
# simulated board (m4rpc_sim.ko) and the H7 emulator (libh7emu.a): probe and
# sysfs, traffic in both nIRQ modes, faults, unbind and unload under traffic.
# Root and the modules are needed: run them in the VM (scripts/vm-run.sh).
# M4RPC_TEST_SIM_KO=path/m4rpc_sim.ko runs them against another simulator.
LINK_TEST_NAMES := link_basic link_faults link_life
LINK_TESTS := $(addprefix $(B)/selftests/,$(LINK_TEST_NAMES))

# Every source here: the harness, msgpack-c, h7emu.h, board.h.
LINK_CFLAGS = $(KSFT_CFLAGS) $(MSGPACK_CFLAGS) -pthread -I$(TOP)/emu \
	-I$(TOP)/selftests/common
$(call obj-cflags,$(wildcard selftests/link/*.c),LINK_CFLAGS)

$(LINK_TESTS): $(B)/selftests/%: $(B)/obj/selftests/link/%.o \
		$$(BOARD_OBJ) $$(H7EMU_LIB)
	@mkdir -p $(dir $@)
	$(CC) -pthread -o $@ $^ $(H7EMU_LDLIBS)

VM_TESTS += $(LINK_TESTS)

# The device-tree path (issue 16): a script run by `make check-arm64`,
# whose VM's device tree describes a simulated board; not in VM_TESTS (the
# amd64 VM has no device tree: it would only skip).
LINK_OF_TEST := $(B)/selftests/link_of
$(LINK_OF_TEST): $(TOP)/selftests/link/link_of.sh $$(TOOLS_VM_FILES) $$(SELFTEST_TAP_SH) \
		$$(M4RPC_TOOL) $$(M4RPC_SIM)
	@mkdir -p $(dir $@)
	install -m 755 $< $@
