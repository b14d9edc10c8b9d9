# Host unit tests of the H7 + M4 emulator (emu/, issue 3). Like the
# codec's tests (host.mk) they run under ASan and UBSan, linked with the
# emulator compiled again with them (H7EMU_SAN_LIB, emu/emu.mk).
# test_h7emu_run, the one that runs the emulator in a thread, is also built
# with ThreadSanitizer as test_h7emu_run_tsan.
H7EMU_TEST_NAMES := test_h7emu_h7 test_h7emu_m4 test_h7emu_fault test_h7emu_run \
	test_h7emu_wake
H7EMU_TESTS := $(addprefix $(B)/tests/,$(H7EMU_TEST_NAMES))

# The harness, h7emu.h, and msgpack-c to decode what the M4 sends.
H7EMU_TEST_CFLAGS = $(KSFT_CFLAGS) $(MSGPACK_CFLAGS) -I$(TOP)/emu
$(call obj-cflags,$(addprefix tests/host/,$(addsuffix .c,$(H7EMU_TEST_NAMES))),\
	H7EMU_TEST_CFLAGS)

$(H7EMU_TESTS): $(B)/tests/%: $(B)/obj-san/tests/host/%.o $$(H7EMU_SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(H7EMU_LDLIBS)

$(B)/tests/test_h7emu_run_tsan: $(B)/obj-tsan/tests/host/test_h7emu_run.o \
		$$(H7EMU_TSAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(TSAN_CFLAGS) -o $@ $^ $(H7EMU_LDLIBS)

HOST_TESTS += $(H7EMU_TESTS) $(B)/tests/test_h7emu_run_tsan

h7emu-tests: $(H7EMU_TESTS) $(B)/tests/test_h7emu_run_tsan
.PHONY: h7emu-tests
