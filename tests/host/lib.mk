# Host unit tests of libm4rpc (lib/, issue 12), without a kernel: the
# signature encoder and the decoding of messages (test_lib_encode), and the
# board against a fake device on a socketpair (test_lib_board: every error
# mapping, calls, serving, asynchronous calls, raw mode, threads). Built
# with the sanitizers, the library's objects too ($(LIBM4RPC_SAN_A)).
# test_lib_board_tsan is test_lib_board under ThreadSanitizer, the library
# too (its threads share one board). test_lib_exports checks what the
# shared library exports and its pc file.
LIB_HOST_TESTS := $(B)/tests/test_lib_encode $(B)/tests/test_lib_board
LIB_TSAN_TEST := $(B)/tests/test_lib_board_tsan
LIB_EXPORTS_TEST := $(B)/tests/test_lib_exports

# The harness compares its int expectations with unsigned values.
LIB_TEST_CFLAGS = $(KSFT_CFLAGS) $(MSGPACK_CFLAGS) -pthread -I$(TOP)/lib \
	-Wno-sign-compare
$(call obj-cflags,tests/host/test_lib_encode.c tests/host/test_lib_board.c,\
	LIB_TEST_CFLAGS)

$(LIB_HOST_TESTS): $(B)/tests/%: $(B)/obj-san/tests/host/%.o $$(LIBM4RPC_SAN_A)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -pthread -o $@ $^ $(MSGPACK_LIBS)

$(LIB_TSAN_TEST): $(B)/obj-tsan/tests/host/test_lib_board.o $$(LIBM4RPC_TSAN_A)
	@mkdir -p $(dir $@)
	$(CC) $(TSAN_CFLAGS) -pthread -o $@ $^ $(MSGPACK_LIBS)

$(LIB_EXPORTS_TEST): $(TOP)/tests/host/test_lib_exports.sh $$(LIBM4RPC_SO) \
		$$(LIBM4RPC_PC)
	@mkdir -p $(dir $@)
	install -m 755 $< $@

HOST_TESTS += $(LIB_HOST_TESTS) $(LIB_TSAN_TEST) $(LIB_EXPORTS_TEST)

check-host-lib: $(LIB_HOST_TESTS) $(LIB_TSAN_TEST) $(LIB_EXPORTS_TEST)
	@rc=0; for t in $^; do $$t || rc=1; done; exit $$rc

.PHONY: check-host-lib
