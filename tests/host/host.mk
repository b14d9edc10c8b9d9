# Host unit tests of the pure C shared with the kernel (kernel/common/), TAP
# on stdout (kselftest_harness.h).
#
# They run under AddressSanitizer and UndefinedBehaviorSanitizer, and so does
# the code under test: its objects are compiled again, with the sanitizers,
# into build/obj-san/ (never mixed with the normal objects in build/obj/).
# -fno-sanitize-recover makes any UBSan finding abort the test, so it fails.
HOST_TEST_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
OBJ_SAN := $(B)/obj-san

$(OBJ_SAN)/%.o: $(TOP)/%.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(HOST_TEST_CFLAGS) $(KSFT_CFLAGS) $(MSGPACK_CFLAGS) \
		-MMD -MP -c -o $@ $<

-include $(shell find $(OBJ_SAN) -name '*.d' 2>/dev/null)

HOST_TESTS_COMMON := $(B)/tests/test_x8h7_frame $(B)/tests/test_mpack_scan
HOST_TESTS += $(HOST_TESTS_COMMON)

# The frame codec (kernel/common/x8h7_frame.c).
$(B)/tests/test_x8h7_frame: $(OBJ_SAN)/tests/host/test_x8h7_frame.o \
		$(OBJ_SAN)/kernel/common/x8h7_frame.o
	@mkdir -p $(dir $@)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $^

# The msgpack scanner and envelopes (kernel/common/mpack_scan.c), checked
# against msgpack-c, and the stream reassembler built on it (rpc_reasm.c).
$(B)/tests/test_mpack_scan: $(OBJ_SAN)/tests/host/test_mpack_scan.o \
		$(OBJ_SAN)/kernel/common/mpack_scan.o \
		$(OBJ_SAN)/kernel/common/rpc_reasm.o
	@mkdir -p $(dir $@)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $^ $(MSGPACK_LIBS)

# `make build/tests/NAME` from the top directory names the same files.
$(patsubst $(TOP)/%,%,$(HOST_TESTS_COMMON)): %: $(TOP)/%
	@:

# Build and run just these.
check-host-common: $(HOST_TESTS_COMMON)
	@rc=0; for t in $^; do $$t || rc=1; done; exit $$rc

.PHONY: check-host-common
