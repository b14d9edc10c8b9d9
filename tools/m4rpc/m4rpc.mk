# m4rpc, the command (issue 13): subcommands call, notify, listen, serve,
# info, stats, module, one source file each, over libm4rpc; JSON by
# jansson, modules by libkmod. Its host test (tests/host/test_m4rpc_json)
# checks the JSON <-> msgpack conversion, with the sanitizers.
M4RPC_TOOL := $(B)/tools/m4rpc
M4RPC_TOOL_SRCS := main errors board jsonmp call info listen serve module
JANSSON_CFLAGS = $(shell $(PKG_CONFIG) --cflags jansson 2>/dev/null)
JANSSON_LIBS = $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null)

M4RPC_TOOL_CFLAGS = $(LIBM4RPC_CFLAGS) $(JANSSON_CFLAGS) $(KMOD_CFLAGS)
$(call obj-cflags,$(addprefix tools/m4rpc/,$(M4RPC_TOOL_SRCS)),M4RPC_TOOL_CFLAGS)

$(M4RPC_TOOL): $(patsubst %,$(B)/obj/tools/m4rpc/%.o,$(M4RPC_TOOL_SRCS)) \
		$$(LIBM4RPC_SO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBM4RPC_LDLIBS) \
		$(JANSSON_LIBS) $(KMOD_LIBS)

TOOLS += $(M4RPC_TOOL)

# The conversion alone, against msgpack-c and jansson.
M4RPC_JSON_TEST := $(B)/tests/test_m4rpc_json
M4RPC_JSON_TEST_CFLAGS = $(KSFT_CFLAGS) $(MSGPACK_CFLAGS) $(JANSSON_CFLAGS) \
	-I$(TOP)/tools/m4rpc -Wno-sign-compare
$(call obj-cflags,tests/host/test_m4rpc_json.c,M4RPC_JSON_TEST_CFLAGS)
$(call obj-cflags,tools/m4rpc/jsonmp.c,M4RPC_TOOL_CFLAGS)

$(M4RPC_JSON_TEST): $(B)/obj-san/tests/host/test_m4rpc_json.o \
		$(B)/obj-san/tools/m4rpc/jsonmp.o
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(MSGPACK_LIBS) $(JANSSON_LIBS) -lm

HOST_TESTS += $(M4RPC_JSON_TEST)

m4rpc-tool: $(M4RPC_TOOL)
.PHONY: m4rpc-tool

# The command line without a board: --help, exit statuses, usage errors.
M4RPC_CLI_TEST := $(B)/tests/test_m4rpc_cli
$(M4RPC_CLI_TEST): $(TOP)/tests/host/test_m4rpc_cli.sh $$(M4RPC_TOOL)
	@mkdir -p $(dir $@)
	install -m 755 $< $@

HOST_TESTS += $(M4RPC_CLI_TEST)
