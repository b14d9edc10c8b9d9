# Host unit tests of the /dev/m4rpcN endpoints' pure C (kernel/common/):
# the stream reassembler (rpc_reasm.c) and the message rules and envelope
# rewrites (rpc_msg.c), under the sanitizers of host.mk, checked against
# msgpack-c.
REASM_TESTS := $(B)/tests/test_rpc_reasm $(B)/tests/test_rpc_msg

# As host.mk's tests of kernel/common/.
$(call obj-cflags,tests/host/test_rpc_reasm.c tests/host/test_rpc_msg.c,\
	HOST_CODEC_TEST_CFLAGS)

$(B)/tests/test_rpc_reasm: $(B)/obj-san/tests/host/test_rpc_reasm.o \
		$(B)/obj-san/kernel/common/rpc_reasm.o $(B)/obj-san/kernel/common/mpack_scan.o
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(MSGPACK_LIBS)

$(B)/tests/test_rpc_msg: $(B)/obj-san/tests/host/test_rpc_msg.o \
		$(B)/obj-san/kernel/common/rpc_msg.o $(B)/obj-san/kernel/common/mpack_scan.o
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(MSGPACK_LIBS)

HOST_TESTS += $(REASM_TESTS)

check-host-reasm: $(REASM_TESTS)
	@rc=0; for t in $^; do $$t || rc=1; done; exit $$rc

.PHONY: check-host-reasm
