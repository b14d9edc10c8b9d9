# VM selftests of libm4rpc (lib/, issue 12) against the simulated board of
# selftests/common/board.h: calls (sensors, echo of every type, the largest
# message, timeouts, async), threads (8 x 1,000 calls on one board),
# serving the traffic sketch and raw mode, the board's life (waiting for
# the M4, the M4 stopping, the device going away, an unprivileged user),
# and lib/examples/. They link the shared library, as programs do.
LIB_VM_TEST_NAMES := lib_calls lib_threads lib_serve lib_life lib_examples
LIB_VM_TESTS := $(addprefix $(B)/selftests/,$(LIB_VM_TEST_NAMES))
LIB_VM_UTIL_OBJ := $(B)/obj/selftests/lib/lib_board.o

# The harness compares its int expectations with unsigned values.
LIB_VM_CFLAGS = $(KSFT_CFLAGS) $(MSGPACK_CFLAGS) -pthread -I$(TOP)/emu -Wno-sign-compare \
	-I$(TOP)/selftests/common
$(call obj-cflags,$(wildcard selftests/lib/*.c),LIB_VM_CFLAGS)

$(LIB_VM_TESTS): $(B)/selftests/%: $(B)/obj/selftests/lib/%.o \
		$(LIB_VM_UTIL_OBJ) $$(BOARD_OBJ) $$(H7EMU_LIB) $$(LIBM4RPC_SO)
	@mkdir -p $(dir $@)
	$(CC) -pthread -o $@ $(filter %.o %.a,$^) $(H7EMU_LDLIBS) $(LIBM4RPC_LDLIBS)

# lib_examples runs the programs of lib/examples.mk.
$(B)/selftests/lib_examples: $$(LIB_EXAMPLES)

VM_TESTS += $(LIB_VM_TESTS)

# The library's VM tests alone.
check-vm-lib: deps-vm vm-modules $(LIB_VM_TESTS)
	$(TOP)/scripts/vm-run.sh --timeout 900 -- scripts/run-tap.sh $(LIB_VM_TESTS)
.PHONY: check-vm-lib
