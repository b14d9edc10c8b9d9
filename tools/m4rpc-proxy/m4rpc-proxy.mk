# m4rpc-proxy (issue 13): the stock m4-proxy's service (ports 5000/5001)
# over libm4rpc, for the X8's containers; its systemd unit; the host test
# of its msgpack stream framing (tests/host/test_mpframe), which lives in
# lib/mpframe.c: the library checks messages with it too, the proxy links
# its own copy (the library does not export it).
M4RPC_PROXY := $(B)/tools/m4rpc-proxy
M4RPC_PROXY_SRCS := main calls register serve net

M4RPC_PROXY_CFLAGS = -I$(TOP)/lib $(LIBM4RPC_CFLAGS) $(JANSSON_CFLAGS) -pthread
$(call obj-cflags,$(addprefix tools/m4rpc-proxy/,$(M4RPC_PROXY_SRCS)),M4RPC_PROXY_CFLAGS)

$(M4RPC_PROXY): $(patsubst %,$(B)/obj/tools/m4rpc-proxy/%.o,$(M4RPC_PROXY_SRCS)) \
		$(B)/obj/lib/mpframe.o \
		$$(LIBM4RPC_SO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -pthread -o $@ $(filter %.o,$^) $(LIBM4RPC_LDLIBS) $(JANSSON_LIBS)

TOOLS += $(M4RPC_PROXY)

MPFRAME_TEST := $(B)/tests/test_mpframe
MPFRAME_TEST_CFLAGS = $(KSFT_CFLAGS) $(MSGPACK_CFLAGS) -I$(TOP)/lib \
	-Wno-sign-compare
$(call obj-cflags,tests/host/test_mpframe.c,MPFRAME_TEST_CFLAGS)

$(MPFRAME_TEST): $(B)/obj-san/tests/host/test_mpframe.o \
		$(B)/obj-san/lib/mpframe.o
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(MSGPACK_LIBS)

# The unit, checked by systemd-analyze verify where systemd is installed.
PROXY_UNIT_TEST := $(B)/tests/test_proxy_unit
$(PROXY_UNIT_TEST): $(TOP)/tests/host/test_proxy_unit.sh \
		$(TOP)/tools/m4rpc-proxy/m4rpc-proxy.service $$(M4RPC_PROXY)
	@mkdir -p $(dir $@)
	install -m 755 $< $@

HOST_TESTS += $(MPFRAME_TEST) $(PROXY_UNIT_TEST)

m4rpc-proxy: $(M4RPC_PROXY)
.PHONY: m4rpc-proxy
