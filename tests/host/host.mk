# Host unit tests of the pure C shared with the kernel (kernel/common/), TAP
# on stdout (kselftest_harness.h).
#
# They run under AddressSanitizer and UndefinedBehaviorSanitizer, and so does
# the code under test: its objects are compiled again, with the sanitizers,
# into build/obj-san/ (never mixed with the normal objects in build/obj/).
HOST_TESTS_COMMON := $(B)/tests/test_x8h7_frame $(B)/tests/test_mpack_scan
HOST_TESTS += $(HOST_TESTS_COMMON)

# The tests of kernel/common/ (these and reasm.mk's): its headers, the
# harness, and msgpack-c to check against.
HOST_CODEC_TEST_CFLAGS = $(KCOMMON_CFLAGS) $(KSFT_CFLAGS) $(MSGPACK_CFLAGS)
$(call obj-cflags,$(addprefix tests/host/,test_x8h7_frame.c test_mpack_scan.c),\
	HOST_CODEC_TEST_CFLAGS)

# The frame codec (kernel/common/x8h7_frame.c).
$(B)/tests/test_x8h7_frame: $(B)/obj-san/tests/host/test_x8h7_frame.o \
		$(B)/obj-san/kernel/common/x8h7_frame.o
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -o $@ $^

# The msgpack scanner and envelopes (kernel/common/mpack_scan.c), checked
# against msgpack-c, and the stream reassembler built on it (rpc_reasm.c).
$(B)/tests/test_mpack_scan: $(B)/obj-san/tests/host/test_mpack_scan.o \
		$(B)/obj-san/kernel/common/mpack_scan.o \
		$(B)/obj-san/kernel/common/rpc_reasm.o
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(MSGPACK_LIBS)

# Build and run just these.
check-host-common: $(HOST_TESTS_COMMON)
	@rc=0; for t in $^; do $$t || rc=1; done; exit $$rc

.PHONY: check-host-common
