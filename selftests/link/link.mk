# VM selftests of the link driver m4rpc.ko (kernel/link/) against the
# simulated board (m4rpc_sim.ko) and the H7 emulator (libh7emu.a): probe and
# sysfs, traffic in both nIRQ modes, faults, unbind and unload under traffic.
# Root and the modules are needed: run them in the VM (scripts/vm-run.sh).
# M4RPC_TEST_SIM_KO=path/m4rpc_sim.ko runs them against another simulator.
# (Read before tools/sim/sim.mk: the archive is named by its path.)
LINK_TEST_NAMES := link_basic link_faults link_life
LINK_TESTS := $(addprefix $(B)/selftests/,$(LINK_TEST_NAMES))

$(foreach t,$(LINK_TEST_NAMES),$(eval EXTRA_CFLAGS_$(t) := \
	$$(KSFT_CFLAGS) $$(MSGPACK_CFLAGS) -pthread -I$$(TOP)/tools/sim \
	-I$$(TOP)/selftests/common))

$(LINK_TESTS): $(B)/selftests/%: $(B)/obj/selftests/link/%.o $(BOARD_OBJ) \
		$(B)/lib/libh7emu.a
	@mkdir -p $(dir $@)
	$(CC) -pthread -o $@ $^ $(H7EMU_LDLIBS)

VM_TESTS += $(LINK_TESTS)

# `make build/selftests/NAME` from the top directory names the same files.
$(patsubst $(TOP)/%,%,$(LINK_TESTS)): %: $(TOP)/%
	@:
